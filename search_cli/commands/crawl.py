"""``newsarchive crawl``: crawl sources of the registry into the archive."""

from __future__ import annotations

import click

from newsarchive.errors import NewsarchiveError
from search_cli.commands._options import output_options, sources_file_option, verbosity_options


def _since(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Checked here, passed on as written: the crawl reads it with the same grammar."""
    from newsarchive.dates import DateError, parse_since

    try:
        parse_since(value)
    except DateError as exc:
        raise click.BadParameter(str(exc)) from None
    return value


def _setting(value: str) -> tuple[str, str]:
    name, sep, setting = value.partition("=")
    if not sep or not name.strip():
        raise click.BadParameter(f"{value!r} is not NAME=VALUE", param_hint="'-s'")
    return name.strip(), setting


@click.command()
@click.option("--source", "source_ids", multiple=True, metavar="ID", help="Source id (repeatable).")
@click.option("--all", "all_sources", is_flag=True, help="Every enabled source of the registry.")
@click.option(
    "--since",
    default=None,
    callback=_since,
    metavar="DATE",
    help="Only articles (and sitemaps) dated on or after DATE: 2019-06-14, 7d, 3mo, yesterday...",
)
@click.option(
    "--max-articles",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="At most N article fetches per source, newest first.",
)
@click.option(
    "--recheck-days",
    type=click.IntRange(min=0),
    default=None,
    metavar="N",
    help="Also re-fetch every archived article published in the last N days "
    "(default: setting RECHECK_DAYS, 0 = never).",
)
@click.option(
    "--no-revisit",
    is_flag=True,
    help="Do not re-fetch archived articles that are due (by their revisit schedule, "
    "or because a feed or sitemap dates them after their last capture).",
)
@sources_file_option
@click.option(
    "-s",
    "--set",
    "settings",
    multiple=True,
    metavar="NAME=VALUE",
    help="Override a Scrapy setting (e.g. -s DOWNLOAD_DELAY=2). Repeatable.",
)
@click.option(
    "--redis",
    "redis_url",
    default=None,
    metavar="URL",
    help="Share the work with other crawl workers through this Redis "
    "(redis://host:6379/0; also NEWSARCHIVE_REDIS_URL). Each worker needs its own home.",
)
@click.option(
    "--worker",
    default=None,
    metavar="ID",
    help="This worker's id with --redis (names its WARC files; default: the host and "
    "a hash of the home, the same for every crawl of one home).",
)
@output_options(("table", "json"))
@verbosity_options
def crawl(
    source_ids: tuple[str, ...],
    all_sources: bool,
    since: str | None,
    max_articles: int | None,
    recheck_days: int | None,
    no_revisit: bool,
    sources_file: str | None,
    settings: tuple[str, ...],
    redis_url: str | None,
    worker: str | None,
    output,
    verbosity: int,
) -> None:
    """Crawl outlets' feeds, sitemaps and section pages into the archive.

    Politely by default (robots.txt, AutoThrottle, 2 requests per host, Retry-After).
    Archived articles are fetched again only when due, to catch edits and removals:
    +1h, +6h, +1d, +3d, +7d and +30d after they were first seen, the schedule starting
    again from each captured change (REVISIT_SCHEDULE, or the source's `revisit` in the
    registry), and at once when a feed or sitemap dates them after their last capture
    or shows a new headline for them; such re-fetches are conditional (a 304 downloads
    no body). A killed crawl can simply be run again. On a terminal one progress line says
    how far it got; -v shows Scrapy's log instead. Prints a per-source report and saves
    it under $NEWSARCHIVE_HOME/reports/.
    """
    if not source_ids and not all_sources:
        raise click.UsageError("name at least one --source ID, or use --all")
    if source_ids and all_sources:
        raise click.UsageError("use either --source or --all, not both")
    overrides = dict(_setting(s) for s in settings)
    if redis_url:
        overrides["REDIS_URL"] = redis_url
    if worker:
        overrides["WORKER_ID"] = worker
    # Scrapy logs ~100 INFO lines a crawl: warnings only by default, as asked with -v/-q.
    overrides.setdefault(
        "LOG_LEVEL", {-1: "CRITICAL", 0: "WARNING", 1: "INFO", 2: "DEBUG"}[verbosity]
    )
    from crawler.crawl import run_crawl
    from crawler.report import format_report
    from search_cli.progress import StatusLine

    status = StatusLine(enabled=verbosity == 0)

    def progress(totals: dict) -> None:
        status.update(
            f"crawling: {totals['pages']} pages · {totals['new']} new · {totals['changed']} "
            f"changed · {totals['unchanged']} unchanged · {totals['errors']} errors · "
            f"{status.rate(totals['pages'])} pages"
        )

    try:
        report = run_crawl(
            source_ids=list(source_ids),
            all_sources=all_sources,
            since=since,
            max_articles=max_articles,
            recheck_days=recheck_days,
            sources_file=sources_file,
            overrides=overrides,
            revisit=False if no_revisit else None,
            progress=progress if status.live else None,
        )
    finally:
        status.clear()
    if output.format == "json":
        from search_cli.output import echo_json

        echo_json(report, indent=2)
    else:
        from search_cli.output import neutralize

        click.echo(neutralize(format_report(report), keep_newlines=True))
    if verbosity >= 0:
        click.echo(f"report: {report['report_file'] or 'not saved (see the log above)'}", err=True)
    if report.get("failed"):
        raise NewsarchiveError(f"the crawl stopped early ({report['finish_reason']})")
