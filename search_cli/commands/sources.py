"""``newsarchive sources``: list (and validate) the source registry, or check its URLs."""

from __future__ import annotations

import click

from search_cli.commands._options import columns, output_options, sources_file_option
from search_cli.output import plural

SOURCE_FIELDS = (
    "id", "name", "homepage", "domains", "feeds", "sitemaps", "sections", "section_depth",
    "tags", "verified", "enabled", "interval", "include", "exclude", "politics_listings",
    "evidence", "note",
)  # fmt: skip
TABLE_DEFAULT = ("id", "name", "feeds", "sitemaps", "sections", "verified", "tags")
CHECK_FIELDS = ("source_id", "kind", "url", "status", "items", "in_scope", "newest", "robots",
                "verdict", "reason", "final_url")  # fmt: skip


@click.command()
@sources_file_option
@click.option(
    "--check",
    is_flag=True,
    help="Fetch every feed, sitemap, section page and robots.txt of the sources (default: "
    "all enabled) once, politely, and say per URL whether a crawl would get articles.",
)
@click.option(
    "--stale-days",
    type=click.FloatRange(min=0, min_open=True),
    default=7.0,
    show_default=True,
    metavar="DAYS",
    help="With --check: a listing whose newest item is older than DAYS is stale.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=15.0,
    show_default=True,
    metavar="SECONDS",
    help="With --check: how long to wait for each answer.",
)
@click.option(
    "--delay",
    type=click.FloatRange(min=0),
    default=1.0,
    show_default=True,
    metavar="SECONDS",
    help="With --check: pause between two requests to the same host.",
)
@output_options(
    fields=lambda: (*SOURCE_FIELDS, *CHECK_FIELDS),
    fields_help="a source's keys; with --check, a URL's",
)
@click.argument("ids", nargs=-1)
def sources(
    sources_file: str | None,
    output,
    check: bool,
    stale_days: float,
    timeout: float,
    delay: float,
    ids: tuple[str, ...],
) -> None:
    """List the outlets of the source registry (all, or the IDS given).

    Loading validates the file: a bad entry is reported with its position, id and field.
    With --check, fetch their feeds, sitemaps, section pages and robots.txt once instead,
    and give each URL a verdict: ok, empty, stale, blocked (robots.txt or a refusing
    server) or dead (docs/crawling.md). Exits 0 when the check ran, whatever it found.
    """
    from crawler.sources import load_sources, registry_path, select_sources
    from search_cli.render import emit

    registry = load_sources(sources_file)
    known = {s.id for s in registry}
    missing = [i for i in ids if i not in known]
    if missing:
        raise click.BadParameter(
            f"unknown source id {missing[0]!r} (known: {', '.join(sorted(known)) or 'none'})",
            param_hint="IDS",
        )
    if check:
        _check(select_sources(registry, list(ids)), output, stale_days, timeout, delay)
        return
    chosen = select_sources(registry, list(ids)) if ids else registry
    rows = [s.to_dict() for s in chosen]
    names = columns(
        output, SOURCE_FIELDS, TABLE_DEFAULT if output.format == "table" else SOURCE_FIELDS
    )

    def view(_rows) -> None:
        _table(chosen, rows, output)
        click.echo(f"{plural(len(chosen), 'source')} from {registry_path(sources_file)}")

    emit(output, rows, names, view=view)


def _table(chosen, rows: list[dict], output) -> None:
    """The registry at a glance: counts of feeds, sitemaps and sections, the tags; then
    why an entry is disabled or what is known to fail."""
    import textwrap

    from search_cli.output import neutralize, terminal_width
    from search_cli.render import table_lines

    shown = []
    for s, row in zip(chosen, rows, strict=True):
        shown.append({
            **row,
            "id": s.id + ("" if s.enabled else " (disabled)"),
            "feeds": len(s.feeds), "sitemaps": len(s.sitemaps), "sections": len(s.sections),
            "verified": "yes" if s.verified else "no",
            "tags": ", ".join(f"{k}={'|'.join(v) if isinstance(v, list) else v}" for k, v in s.tags.items()),
        })  # fmt: skip
    for line in table_lines(TABLE_DEFAULT, shown, headers=output.headers):
        click.echo(line)
    notes = [s for s in chosen if s.note]
    if notes:
        click.echo("")
        for s in notes:
            line = neutralize(f"{s.id}{'' if s.enabled else ' (disabled)'}: {s.note}")
            click.echo(textwrap.fill(line, terminal_width(), subsequent_indent="    "))


def _check(chosen, output, stale_days: float, timeout: float, delay: float) -> None:
    import crawler.settings as crawl_defaults
    from crawler.sources_check import check_sources, format_table, summary
    from newsarchive.config import load_settings
    from search_cli.output import neutralize
    from search_cli.render import emit

    user_agent = load_settings().user_agent or crawl_defaults.USER_AGENT
    names = columns(output, CHECK_FIELDS)
    rows = check_sources(
        chosen,
        user_agent=user_agent,
        timeout=timeout,
        delay=delay,
        stale_days=stale_days,
        max_bytes=crawl_defaults.DOWNLOAD_MAXSIZE,
    )

    def view(_rows) -> None:
        if not rows:
            click.echo("no sources to check (every source is disabled; name one to check it)")
            return
        click.echo(neutralize(format_table(rows), keep_newlines=True))

    envelope = {
        "user_agent": user_agent,
        "stale_days": stale_days,
        "sources": [s.id for s in chosen],
        "summary": summary(rows),
    }
    emit(output, [r.to_dict() for r in rows], names, envelope=envelope, rows_key="urls", view=view)
