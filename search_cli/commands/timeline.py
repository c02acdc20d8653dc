"""``newsarchive timeline QUERY``: how many matching articles per day, week, month or year."""

from __future__ import annotations

import sys

import click

from search_cli.commands._options import columns, output_options, show_query_option
from search_cli.commands._searching import (
    QUERY_HELP,
    QueryCommand,
    build_spec,
    by_option,
    connect,
    filter_options,
    index_prefix,
    normalize_option,
    show_request,
    usage_errors,
    versus_option,
)

COLUMNS = ("period", "articles", "all", "normalized")


@click.command(
    cls=QueryCommand,
    help=f"""Counts of matching articles over time: a bar chart, or rows (period, articles).

Periods are labelled by their first day (UTC); empty periods count 0. Articles without
a date are counted separately, never put on the crawl date. --by splits the counts by
a field (one series per value), --vs puts other queries beside QUERY, and --normalize
divides each count by all articles of its period (and series), the share of
attention Media Cloud shows. {QUERY_HELP}

\b
Examples:
  newsarchive timeline '"border wall"' --from 2019 --to 2020 --by outlet
  newsarchive timeline impeachment --by where.lean --normalize --interval week
  newsarchive timeline impeachment --vs '"border wall"' --vs tariffs --csv
""",
)
@click.argument("query", required=False, default="")
@filter_options
@click.option(
    "--interval",
    type=click.Choice(["day", "week", "month", "year"]),
    default="month",
    show_default=True,
    help="Length of a period.",
)
@by_option("One series per value")
@click.option(
    "--top",
    type=click.IntRange(1, 100),
    default=10,
    show_default=True,
    help="With --by: how many values get a series (those with most matches).",
)
@normalize_option
@versus_option("as its own series")
@click.option(
    "--edits",
    is_flag=True,
    help="Count edit events (versions after the first) by when they were captured, not "
    "articles; --from/--to bound the capture time; --by takes outlet only.",
)
@output_options(
    fields=lambda: ("series", "query", *COLUMNS),
    fields_help="period, the --by name or query, articles, all, normalized",
)
@show_query_option
def timeline(query: str, interval: str, by: str | None, top: int, normalize: bool, versus: tuple[str, ...], edits: bool, output, show_query: bool, **filters) -> None:  # fmt: skip
    from search_cli.query.aggregations import timeline as run_timeline
    from search_cli.query.aggregations import timeline_body

    spec = build_spec(query, filters)
    options = dict(interval=interval, by=by, top=top, normalize=normalize, versus=versus)
    if edits:
        if normalize or versus or show_query:
            raise click.UsageError("--edits counts edit events: drop --normalize/--vs/--show-query")
        from search_cli.query.versions import edit_timeline as run_timeline

        options = dict(interval=interval, by=by, top=top)
    if show_query:
        from search_cli.query.execute import layout

        with usage_errors():
            body = timeline_body(spec, **options)
        show_request(layout(index_prefix()).articles, body)
        return
    client, settings = connect(light=not edits)
    with usage_errors():
        result = run_timeline(client, spec, prefix=settings.index_prefix, **options)
    from search_cli.render import emit

    rows = result.rows()
    available = [c for c in ("period", result.split, *COLUMNS[1:]) if c and rows and c in rows[0]]
    names = columns(output, available or ["period", "articles"])
    envelope = {
        "search": spec.describe(),
        "interval": result.interval,
        "date_field": result.date_field,
        "total": result.total,
        "undated": result.undated,
        "other": result.other,
        "split": result.split,
        "queries": [spec.query, *versus] if versus else None,
        "took_ms": result.took_ms,
    }
    emit(output, rows, names, envelope=envelope, view=lambda _: _chart(result, output, edits))


def _label(period: str, interval: str) -> str:
    return {"year": period[:4], "month": period[:7]}.get(interval, period)


def _chart(result, output, edits: bool = False) -> None:
    from search_cli.output import fit, neutralize, plural, terminal_width

    width = terminal_width()
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower()
    block = "█" if "utf" in encoding else "#"
    normalized = result.base is not None
    values = {
        name: (result.share(name) if normalized else counts)
        for name, counts in result.series.items()
    }
    peak = max((v for vs in values.values() for v in vs if v), default=0)
    count_w = len(str(max((max(c) for c in result.series.values() if c), default=0)))
    share_w = 7 if normalized else 0
    label_w = max((len(_label(p, result.interval)) for p in result.periods), default=4)
    bar_room = max(10, width - label_w - count_w - share_w - 4)
    if output.headers:
        counted = "edit event" if edits else "dated article"
        what = f"{plural(result.total, counted)} per {result.interval} ({result.date_field}, UTC)"
        if normalized:
            what += "; bars: the share of all articles of the period"
        if result.undated:
            what += f"; {result.undated} undated not shown"
        click.echo(what)
    if not result.periods:
        click.echo("no dated article matches")
        return
    for name, counts in result.series.items():
        if result.split:
            click.echo(f"\n{fit(neutralize(name), width - 12)} ({sum(counts)})")
        for i, period in enumerate(result.periods):
            value = values[name][i] or 0
            bar = block * (round(value / peak * bar_room) if peak else 0)
            if value and not bar:
                bar = "▏" if block == "█" else "."
            share = f" {100 * value:5.1f}%" if normalized else ""
            click.echo(
                f"{_label(period, result.interval):<{label_w}}  {counts[i]:>{count_w}}{share} {bar}".rstrip()
            )
    if result.other:
        click.echo(f"\n{result.other} more in other values (raise --top, or filter to see one)")
