"""``newsarchive stats --coverage``: articles per day per outlet, with alarms.

The ``stats`` command (search_cli/commands/stats.py) calls :func:`print_coverage` when
``--coverage`` is given; the work is done by :mod:`search_cli.coverage`.
"""

from __future__ import annotations

import click


def print_coverage(days: int = 14, fmt: str = "table", recent_days: int = 2) -> None:
    """Print the coverage table (or JSON) for the configured cluster and prefix."""
    import json

    from indexer.layout import Layout
    from newsarchive.config import load_settings
    from newsarchive.es import connect
    from search_cli.coverage import coverage_report, format_coverage

    settings = load_settings()
    client = connect(settings)
    report = coverage_report(
        client, Layout(settings.index_prefix).articles, days=days, recent_days=recent_days
    )
    click.echo(json.dumps(report) if fmt == "json" else format_coverage(report))
