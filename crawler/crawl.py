"""Run one crawl in this process (Scrapy CrawlerProcess) and return its report.

Used by ``newsarchive crawl``; ``python -m crawler.crawl --source ID`` does the same
without the CLI (the scheduler runs it with every due source and a ``--plan`` of their
due listings, see ``crawler.plan``). A process can run one crawl only (Twisted's
reactor does not restart); one crawl takes any number of sources at once.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from newsarchive.errors import ConfigError, NewsarchiveError


def crawl_settings(
    home: Path, overrides: dict[str, str] | None = None, user_agent: str | None = None
):
    from scrapy.settings import Settings

    import crawler.settings as defaults

    settings = Settings()
    settings.setmodule(defaults, priority="project")
    settings.set("NEWSARCHIVE_HOME", str(home), priority="project")
    for name in ("REDIS_URL", "WORKER_ID"):  # the environment's, below -s NAME=VALUE
        if os.environ.get(f"NEWSARCHIVE_{name}"):
            settings.set(name, os.environ[f"NEWSARCHIVE_{name}"], priority="project")
    if user_agent:
        settings.set("USER_AGENT", user_agent, priority="project")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


def raise_open_files_limit() -> int:
    """Raise this process's soft limit of open files to its hard limit; return it.

    A crawl of many hosts keeps a pooled connection or two per host, and the scheduler
    holds (and hands the crawl) one lock file per source: 1,000 sources need more than
    the usual soft limit of 1,024. Raising the soft limit up to the hard one needs no
    privilege."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        return hard
    return soft


def run_crawl(
    *,
    source_ids: list[str] | None = None,
    all_sources: bool = False,
    since: str | None = None,
    max_articles: int | None = None,
    recheck_days: int | None = None,
    sources_file: str | None = None,
    home: Path | None = None,
    overrides: dict[str, str] | None = None,
    plan: str | Path | dict | None = None,
    progress: Callable[[dict[str, int]], None] | None = None,
    revisit: bool | None = None,
) -> dict[str, Any]:
    """Crawl the chosen sources; return the per-source report (also saved as JSON).

    ``plan`` (a dict or a JSON file, ``crawler.plan``) limits a source to some of its
    listings and says when each was polled last. ``progress`` is called about twice a
    second with the running totals (``crawler.report.progress_totals``), for a status
    line. ``revisit=False`` turns the revisit policy off for this crawl (default: the
    ``REVISIT_ENABLED`` setting, on)."""
    from scrapy.crawler import CrawlerProcess

    from crawler.plan import read_plan
    from crawler.sources import load_sources, select_sources
    from crawler.spiders.news import NewsSpider
    from newsarchive.config import load_settings
    from newsarchive.dates import DateError, parse_since

    config = load_settings()
    home = Path(home or config.home)
    # Validate everything before starting Twisted, so bad input fails with one line.
    select_sources(load_sources(sources_file), source_ids, all_=all_sources)
    try:
        parse_since(since)
    except DateError as exc:
        raise ConfigError(f"since: {exc}") from None
    plan = read_plan(plan)
    raise_open_files_limit()
    settings = crawl_settings(home, overrides, config.user_agent)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(NewsSpider)
    failures: list = []
    started = process.crawl(
        crawler,
        source=",".join(source_ids or []),
        all=all_sources,
        since=since,
        max_articles=max_articles,
        recheck_days=recheck_days,
        sources_file=sources_file,
        plan=plan,
        revisit=None if revisit is None else ("1" if revisit else "0"),
    )
    started.addErrback(failures.append)
    if progress is not None:
        from twisted.internet import task

        from crawler.report import progress_totals

        ticker = task.LoopingCall(lambda: progress(progress_totals(crawler.stats.get_stats())))
        ticker.start(0.5, now=False)
        started.addBoth(lambda result: (ticker.stop() if ticker.running else None, result)[1])
    process.start()
    for failure in failures:  # e.g. the archive is locked by another crawl, or full
        if isinstance(failure.value, NewsarchiveError):
            raise failure.value
        raise NewsarchiveError(f"the crawl could not start: {failure.getErrorMessage()}")
    spider = crawler.spider
    report = getattr(spider, "report", None) if spider is not None else None
    if report is None:
        raise NewsarchiveError("the crawl stopped before it started; see the log above")
    saved = getattr(spider, "report_path", None)
    report["report_file"] = str(saved) if saved else None
    if report["finish_reason"] not in ("finished", "shutdown"):
        report["failed"] = True
    return report


def main(argv: list[str] | None = None) -> int:
    from crawler.report import format_report

    parser = argparse.ArgumentParser(prog="python -m crawler.crawl", description=__doc__)
    parser.add_argument("--source", action="append", default=[])
    parser.add_argument("--all", action="store_true")
    parser.add_argument("--since")
    parser.add_argument("--max-articles", type=int)
    parser.add_argument("--recheck-days", type=int)
    parser.add_argument("--no-revisit", action="store_true")
    parser.add_argument("--sources")
    parser.add_argument("--plan", help="JSON file: the listings to poll (crawler.plan)")
    parser.add_argument("--home", type=Path)
    parser.add_argument("--redis", metavar="URL", help="share the work with other workers")
    parser.add_argument("--worker", metavar="ID", help="this worker's id (names its WARCs)")
    parser.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    overrides = dict(item.split("=", 1) for item in args.set)
    if args.redis:
        overrides["REDIS_URL"] = args.redis
    if args.worker:
        overrides["WORKER_ID"] = args.worker
    try:
        report = run_crawl(
            source_ids=args.source,
            all_sources=args.all,
            since=args.since,
            max_articles=args.max_articles,
            recheck_days=args.recheck_days,
            sources_file=args.sources,
            home=args.home,
            overrides=overrides,
            plan=args.plan,
            revisit=False if args.no_revisit else None,
        )
    except NewsarchiveError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(report, indent=2) if args.json else format_report(report))
    return 1 if report.get("failed") else 0


if __name__ == "__main__":
    sys.exit(main())
