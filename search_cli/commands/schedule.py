"""``newsarchive schedule``: crawl each source at its interval, then index, until stopped."""

from __future__ import annotations

import click

from search_cli.commands._options import sources_file_option


@click.command()
@click.option("--once", is_flag=True, help="Run every due source once, then exit (for cron).")
@click.option(
    "--source",
    "source_ids",
    multiple=True,
    metavar="ID",
    help="Schedule only these sources (repeatable; default: every enabled source).",
)
@sources_file_option
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Schedule file (default $NEWSARCHIVE_SCHEDULE or $NEWSARCHIVE_HOME/schedule.toml).",
)
@click.option(
    "--seed",
    type=int,
    default=None,
    help="Seed of the jitter, for reproducible timings (default: random).",
)
@click.option(
    "--max-runs",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    hidden=True,  # for tests and demos: exit after N runs
)
@click.option(
    "--status",
    is_flag=True,
    help="Show each source's current interval and why, its last run and when it is due.",
)
def schedule(
    once: bool,
    source_ids: tuple[str, ...],
    sources_file: str | None,
    config_file: str | None,
    seed: int | None,
    max_runs: int | None,
    status: bool,
) -> None:
    """Crawl each source's feeds and sitemaps at adaptive intervals, then index.

    Every source that is due crawls in one round (one crawl process, polite per host).
    Each listing's interval starts at the source's (schedule file: default_interval,
    [intervals] per source id; 1 hour if none) and then shortens while new entries keep
    appearing and lengthens while none do, within min_interval..max_interval. Runs of
    one source never overlap, even across processes. SIGTERM or Ctrl-C lets the current
    crawl finish its records, then exits. One line per run is logged; run reports are
    kept in $NEWSARCHIVE_HOME/schedule/runs/.
    """
    from crawler.sources import load_sources, select_sources
    from newsarchive.config import load_settings
    from scheduler.config import load_schedule_config, schedule_file
    from scheduler.scheduler import Scheduler

    settings = load_settings()
    config = load_schedule_config(schedule_file(settings, config_file))
    sources = select_sources(load_sources(sources_file), list(source_ids))
    scheduler = Scheduler(settings, config, sources, sources_file=sources_file, seed=seed)
    if status:
        from search_cli.output import neutralize

        for line in scheduler.status_lines():
            click.echo(neutralize(line, keep_newlines=True))
        return
    scheduler.install_signal_handlers()
    if once:
        reports = scheduler.run_once()
        if not reports:
            click.echo("no source is due")
        if any(r["status"] == "failed" for r in reports):
            raise SystemExit(1)
        return
    click.echo(
        f"scheduling {len(scheduler.sources)} source(s); "
        f"reports in {scheduler.root / 'runs'}; stop with Ctrl-C or SIGTERM",
        err=True,
    )
    scheduler.run_forever(max_runs=max_runs)
