"""``newsarchive stats``: how big the corpus is and what it covers."""

from __future__ import annotations

import click

from search_cli.commands._options import columns, output_options
from search_cli.commands._searching import connect, usage_errors

OUTLET_COLUMNS = ("outlet", "articles", "first", "last", "undated")


@click.command()
@click.option(
    "--coverage",
    is_flag=True,
    help="Articles per day per outlet over the last --days days; flags outlets gone silent or far below their usual level.",
)
@click.option(
    "--days",
    type=click.IntRange(min=3),
    default=14,
    show_default=True,
    help="With --coverage: how many days to show.",
)
@output_options(
    fields=lambda: (*OUTLET_COLUMNS, "per_day", "recent_per_day", "usual_per_day", "flag"),
    fields_help="per outlet",
)
def stats(output, coverage: bool = False, days: int = 14) -> None:
    """Corpus size, per-outlet counts and date coverage, versions, last crawl and index time.

    The rows (CSV, TSV, JSON Lines, --fields) are the outlets; JSON and the table
    also give the totals.
    """
    if coverage:  # search_cli/commands/coverage.py (scheduling/ops)
        from search_cli.commands.coverage import print_coverage

        return print_coverage(days=days, output=output)
    from search_cli.query.aggregations import stats as run_stats
    from search_cli.render import emit

    client, settings = connect()
    with usage_errors():
        data = run_stats(client, prefix=settings.index_prefix)
    data["last_index"] = _last_index(settings)
    rows = [{**o, "first": _day(o["first"]), "last": _day(o["last"])} for o in data["per_outlet"]]
    names = columns(output, OUTLET_COLUMNS)
    envelope = {k: v for k, v in data.items() if k != "per_outlet"}
    emit(output, data["per_outlet"], names, envelope=envelope, rows_key="per_outlet",
         view=lambda _: _view(data, rows, output))  # fmt: skip


def _view(data: dict, rows: list[dict], output) -> None:
    from search_cli.output import plural
    from search_cli.render import table_lines

    pub = data["published"]
    lines = [
        f"articles        {data['articles']}  ({plural(data['outlets'], 'outlet')})",
        f"versions        {data['versions']}  ({plural(data['edited_articles'], 'article')} edited after publication)",
        f"removed         {data['removed_articles']}  (vanished from their site, kept here)",
        f"published       {_day(pub['first'])} .. {_day(pub['last'])}  ({pub['undated']} undated)",
        f"crawled         {_day(data['first_crawl'])} .. {data['last_crawl'] or '-'}",
        f"last indexed    {data['last_index'] or 'unknown'}",
    ]
    for line in lines:
        click.echo(line)
    if rows:
        click.echo("")
        for line in table_lines(OUTLET_COLUMNS, rows, headers=output.headers):
            click.echo(line)


def _day(value: str | None) -> str:
    return value[:10] if value else "-"


def _last_index(settings) -> str | None:
    """When ``newsarchive index`` last acknowledged a batch: its checkpoint's mtime."""
    from datetime import UTC, datetime

    from indexer.checkpoint import checkpoint_path

    path = checkpoint_path(settings.home, settings.index_prefix)
    if not path.is_file():
        return None
    moment = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")
