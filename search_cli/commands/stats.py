"""``newsarchive stats``: how big the corpus is and what it covers."""

from __future__ import annotations

import click

from search_cli.commands._searching import connect, usage_errors


@click.command()
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
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
def stats(fmt: str, coverage: bool = False, days: int = 14) -> None:
    """Corpus size, per-outlet counts and date coverage, versions, last crawl and index time."""
    if coverage:  # search_cli/commands/coverage.py (scheduling/ops)
        from search_cli.commands.coverage import print_coverage

        return print_coverage(days=days, fmt=fmt)
    from search_cli.output import echo_json, fit, neutralize, terminal_width
    from search_cli.query.aggregations import stats as run_stats

    client, settings = connect()
    with usage_errors():
        data = run_stats(client, prefix=settings.index_prefix)
    data["last_index"] = _last_index(settings)
    if fmt == "json":
        echo_json(data)
        return
    pub = data["published"]
    lines = [
        f"articles        {data['articles']}  ({data['outlets']} outlets)",
        f"versions        {data['versions']}  ({data['edited_articles']} articles edited after publication)",
        f"removed         {data['removed_articles']}  (vanished from their site, kept here)",
        f"published       {_day(pub['first'])} .. {_day(pub['last'])}  ({pub['undated']} undated)",
        f"crawled         {_day(data['first_crawl'])} .. {data['last_crawl'] or '-'}",
        f"last indexed    {data['last_index'] or 'unknown'}",
    ]
    for line in lines:
        click.echo(line)
    if data["per_outlet"]:
        width = terminal_width()
        name_w = min(30, max(len(neutralize(o["outlet"])) for o in data["per_outlet"]))
        click.echo("")
        click.echo(f"{'outlet':<{name_w}}  {'articles':>8}  {'first':<10}  {'last':<10}  undated")
        for row in data["per_outlet"]:
            name = fit(neutralize(row["outlet"]), name_w)
            click.echo(fit(
                f"{name:<{name_w}}  {row['articles']:>8}  {_day(row['first']):<10}  "
                f"{_day(row['last']):<10}  {row['undated']}", width))  # fmt: skip


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
