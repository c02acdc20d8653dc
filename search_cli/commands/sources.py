"""``newsarchive sources``: list (and validate) the source registry."""

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
@click.argument("ids", nargs=-1)
def sources(sources_file: str | None, fmt: str, ids: tuple[str, ...]) -> None:
    """List the outlets of the source registry (all, or the IDS given).

    Loading validates the file: a bad entry is reported with its position, id and field.
    """
    from crawler.sources import load_sources, registry_path, select_sources

    registry = load_sources(sources_file)
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
    click.echo(f"{len(chosen)} sources from {registry_path(sources_file)}")
