"""``newsarchive timeline QUERY``: how many matching articles per day, week, month or year."""

from __future__ import annotations

import sys

import click

from search_cli.commands._searching import build_spec, connect, filter_options, usage_errors


@click.command()
@click.argument("query", required=False, default="")
@filter_options
@click.option(
    "--interval",
    type=click.Choice(["day", "week", "month", "year"]),
    default="month",
    show_default=True,
)
@click.option(
    "--by",
    type=click.Choice(["outlet"]),
    default=None,
    help="One series per outlet (the 10 largest).",
)
@click.option(
    "--edits",
    is_flag=True,
    help="Count edit events (versions after the first) by when they were captured, "
    "not articles; --from/--to bound the capture time.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["chart", "csv", "json"]),
    default="chart",
    show_default=True,
)
def timeline(query: str, interval: str, by: str | None, edits: bool, fmt: str, **filters) -> None:  # fmt: skip
    """Counts of matching articles over time, as a bar chart, CSV or JSON.

    Periods are labelled by their first day (UTC); empty periods count 0. Articles
    without a date are counted separately, never put on the crawl date.

    \b
    Example:
      newsarchive timeline '"border wall"' --from 2019 --to 2020 --interval month --by outlet
    """
    from search_cli.query.aggregations import timeline as run_timeline

    if edits:
        from search_cli.query.versions import edit_timeline as run_timeline
    spec = build_spec(query, filters)
    client, settings = connect()
    with usage_errors():
        result = run_timeline(client, spec, prefix=settings.index_prefix, interval=interval, by=by)
    if fmt == "json":
        from dataclasses import asdict

        from search_cli.output import echo_json

        echo_json({"search": spec.describe(), **asdict(result)})
    elif fmt == "csv":
        from search_cli.output import write_csv

        columns = ["period", "outlet", "count"] if by else ["period", "count"]
        rows = (
            {"period": period, "outlet": name, "count": counts[i]}
            for name, counts in result.series.items()
            for i, period in enumerate(result.periods)
        )
        write_csv(sys.stdout, columns, rows)
    else:
        _chart(result, by, "edit events" if edits else "dated articles")


def _label(period: str, interval: str) -> str:
    return {"year": period[:4], "month": period[:7]}.get(interval, period)


def _chart(result, by: str | None, counted: str = "dated articles") -> None:
    from search_cli.output import fit, neutralize, terminal_width

    width = terminal_width()
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower()
    block = "█" if "utf" in encoding else "#"
    peak = max((max(c) for c in result.series.values() if c), default=0)
    count_w = len(str(peak))
    label_w = max((len(_label(p, result.interval)) for p in result.periods), default=4)
    bar_room = max(10, width - label_w - count_w - 4)
    summary = f"{result.total} {counted} per {result.interval} ({result.date_field}, UTC)"
    if result.undated:
        summary += f"; {result.undated} undated not shown"
    click.echo(summary)
    if not result.periods:
        click.echo(f"no {counted} match")
        return
    for name, counts in result.series.items():
        if by:
            click.echo(f"\n{fit(neutralize(name), width)} ({sum(counts)})")
        for period, count in zip(result.periods, counts, strict=True):
            bar = block * (round(count / peak * bar_room) if peak else 0)
            if count and not bar:
                bar = "▏" if block == "█" else "."
            click.echo(f"{_label(period, result.interval):<{label_w}}  {count:>{count_w}} {bar}")
    if result.other:
        click.echo(f"\n{result.other} more in smaller outlets (use --outlet to see one)")
