"""``newsarchive stats --coverage``: articles per day per outlet, with alarms.

The ``stats`` command (search_cli/commands/stats.py) calls :func:`print_coverage` when
``--coverage`` is given; the aggregation is the query library's
(:mod:`search_cli.query.coverage`), the table is drawn here.
"""

from __future__ import annotations

from typing import Any

import click

from search_cli.render import Output

RATE_COLUMNS = ("recent_per_day", "usual_per_day", "flag")


def print_coverage(days: int = 14, output: Output | None = None, recent_days: int = 2) -> None:
    """Print the coverage table (or rows) for the configured cluster and prefix."""
    from search_cli.commands._options import columns
    from search_cli.commands._searching import connect
    from search_cli.query.coverage import coverage_report
    from search_cli.query.execute import layout
    from search_cli.render import emit

    output = output or Output()
    client, settings = connect()
    report = coverage_report(
        client, layout(settings.index_prefix).articles, days=days, recent_days=recent_days
    )
    rows = [
        {"outlet": o["outlet"], **dict(zip(report["days"], o["per_day"], strict=True)),
         **{k: o[k] for k in RATE_COLUMNS}}
        for o in report["outlets"]
    ]  # fmt: skip
    available = ["outlet", *report["days"], *RATE_COLUMNS]
    if output.format == "json":  # the report as it is: one list per outlet
        rows, available = report["outlets"], ["outlet", "per_day", "total", *RATE_COLUMNS]
    names = columns(output, available)
    envelope = {k: v for k, v in report.items() if k != "outlets"}
    emit(output, rows, names, envelope=envelope, rows_key="outlets",
         view=lambda _: click.echo(format_coverage(report)))  # fmt: skip


def format_coverage(report: dict[str, Any], width: int | None = None) -> str:
    """A table: outlet, one column per day (its day of the month, the newest that fit
    the terminal), recent and usual rates, flag."""
    from search_cli.output import fit, neutralize, terminal_width

    width = width or terminal_width()
    if not report["outlets"]:
        return f"no articles first seen in the last {len(report['days'])} days"
    outlet_w = min(
        24, max(len("outlet"), *(len(neutralize(o["outlet"])) for o in report["outlets"]))
    )
    tail = [
        [f"{o['recent_per_day']:g}", f"{o['usual_per_day']:g}", o["flag"] or ""]
        for o in report["outlets"]
    ]
    tail_w = [
        max(len(h), *(len(t[i]) for t in tail))
        for i, h in enumerate(("recent/d", "usual/d", "alarm"))
    ]
    day_w = [
        max(2, *(len(str(o["per_day"][i])) for o in report["outlets"]))
        for i in range(len(report["days"]))
    ]
    room = width - outlet_w - sum(w + 2 for w in tail_w)
    shown = len(day_w)
    while shown > 1 and sum(w + 2 for w in day_w[-shown:]) > room:
        shown -= 1
    days = report["days"][-shown:]
    widths = day_w[-shown:]
    head = ["outlet".ljust(outlet_w), *(d[8:].rjust(w) for d, w in zip(days, widths, strict=True)),
            *(h.rjust(w) for h, w in zip(("recent/d", "usual/d", "alarm"), tail_w, strict=True))]  # fmt: skip
    lines = [
        f"articles first seen per day, {days[0]} .. {days[-1]} (UTC)"
        + (
            f"; {len(day_w) - shown} older days left out: widen the terminal or use --csv"
            if shown < len(day_w)
            else ""
        ),
        "  ".join(head).rstrip(),
    ]
    for o, t in zip(report["outlets"], tail, strict=True):
        cells = [fit(neutralize(o["outlet"]), outlet_w).ljust(outlet_w),
                 *(str(n).rjust(w) for n, w in zip(o["per_day"][-shown:], widths, strict=True)),
                 *(v.rjust(w) for v, w in zip(t, tail_w, strict=True))]  # fmt: skip
        lines.append("  ".join(cells).rstrip())
    flagged = report["flagged"]
    lines.append(
        f"{len(flagged)} {'outlet' if len(flagged) == 1 else 'outlets'} flagged: "
        f"{', '.join(flagged)} (recent = last {report['recent_days']} days, "
        f"low = below {report['low_ratio']:.0%} of usual)"
        if flagged
        else "no outlet flagged"
    )
    return "\n".join(lines)
