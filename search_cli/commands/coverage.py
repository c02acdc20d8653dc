"""``newsarchive stats --coverage``: articles per day per outlet, with alarms.

The ``stats`` command (search_cli/commands/stats.py) calls :func:`print_coverage` when
``--coverage`` is given; the aggregation is the query library's
(:mod:`search_cli.query.coverage`), the table is drawn here.
"""

from __future__ import annotations

from typing import Any

import click


def print_coverage(days: int = 14, fmt: str = "table", recent_days: int = 2) -> None:
    """Print the coverage table (or JSON) for the configured cluster and prefix."""
    import json

    from indexer.layout import Layout
    from newsarchive.config import load_settings
    from newsarchive.es import connect
    from search_cli.query.coverage import coverage_report

    settings = load_settings()
    client = connect(settings)
    report = coverage_report(
        client, Layout(settings.index_prefix).articles, days=days, recent_days=recent_days
    )
    click.echo(json.dumps(report) if fmt == "json" else format_coverage(report))


def format_coverage(report: dict[str, Any]) -> str:
    """A table: outlet, one column per day (MM-DD), recent and usual rates, flag."""
    days = [d[5:] for d in report["days"]]
    head = ["outlet", *days, "recent/d", "usual/d", "alarm"]
    rows = [head]
    for o in report["outlets"]:
        rows.append(
            [
                o["outlet"],
                *[str(n) for n in o["per_day"]],
                f"{o['recent_per_day']:g}",
                f"{o['usual_per_day']:g}",
                o["flag"] or "",
            ]
        )
    if len(rows) == 1:
        return f"no articles first seen in the last {len(days)} days"
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = [
        "  ".join(
            v.ljust(w) if i == 0 else v.rjust(w)
            for i, (v, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in rows
    ]
    flagged = report["flagged"]
    lines.append(
        f"{len(flagged)} outlet(s) flagged: {', '.join(flagged)} (recent = last "
        f"{report['recent_days']} days, low = below {report['low_ratio']:.0%} of usual)"
        if flagged
        else "no outlet flagged"
    )
    return "\n".join(lines)
