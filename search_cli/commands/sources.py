"""``newsarchive sources``: list (and validate) the source registry, or check its URLs."""

from __future__ import annotations

import json

import click

from search_cli.commands._options import sources_file_option


@click.command()
@sources_file_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Output format.",
)
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
@click.argument("ids", nargs=-1)
def sources(
    sources_file: str | None,
    fmt: str,
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

    registry = load_sources(sources_file)
    known = {s.id for s in registry}
    missing = [i for i in ids if i not in known]
    if missing:
        raise click.BadParameter(
            f"unknown source id {missing[0]!r} (known: {', '.join(sorted(known)) or 'none'})",
            param_hint="IDS",
        )
    if check:
        _check(select_sources(registry, list(ids)), fmt, stale_days, timeout, delay)
        return
    chosen = select_sources(registry, list(ids)) if ids else registry
    if fmt == "json":
        click.echo(json.dumps([s.to_dict() for s in chosen], indent=2))
        return
    rows = [("id", "name", "feeds", "sitemaps", "sections", "verified", "tags")]
    for s in chosen:
        tags = ", ".join(
            f"{k}={'|'.join(v) if isinstance(v, list) else v}" for k, v in s.tags.items()
        )
        rows.append(
            (
                s.id + ("" if s.enabled else " (disabled)"),
                s.name,
                str(len(s.feeds)),
                str(len(s.sitemaps)),
                str(len(s.sections)),
                "yes" if s.verified else "no",
                tags,
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for n, row in enumerate(rows):
        click.echo("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            click.echo("  ".join("-" * w for w in widths))
    notes = [s for s in chosen if s.note]
    if notes:
        import textwrap

        from search_cli.output import terminal_width

        click.echo("")
        for s in notes:
            line = f"{s.id}{'' if s.enabled else ' (disabled)'}: {s.note}"
            click.echo(textwrap.fill(line, terminal_width(), subsequent_indent="    "))
    click.echo(f"{len(chosen)} sources from {registry_path(sources_file)}")


def _check(chosen, fmt: str, stale_days: float, timeout: float, delay: float) -> None:
    import crawler.settings as crawl_defaults
    from crawler.sources_check import check_sources, format_table, summary
    from newsarchive.config import load_settings
    from search_cli.output import echo_json, neutralize

    user_agent = load_settings().user_agent or crawl_defaults.USER_AGENT
    rows = check_sources(
        chosen,
        user_agent=user_agent,
        timeout=timeout,
        delay=delay,
        stale_days=stale_days,
        max_bytes=crawl_defaults.DOWNLOAD_MAXSIZE,
    )
    if fmt == "json":
        echo_json(
            {
                "user_agent": user_agent,
                "stale_days": stale_days,
                "sources": [s.id for s in chosen],
                "summary": summary(rows),
                "urls": [r.to_dict() for r in rows],
            },
            indent=2,
        )
        return
    if not rows:
        click.echo("no sources to check (every source is disabled; name one to check it)")
        return
    click.echo(neutralize(format_table(rows), keep_newlines=True))
