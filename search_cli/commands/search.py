"""``newsarchive search QUERY``: full text and filters, with highlighted snippets."""

from __future__ import annotations

import sys

import click

from search_cli.commands._searching import (
    FORMATS,
    build_spec,
    connect,
    fields_option,
    filter_options,
    parse_fields,
    sort_option,
    source_for,
    usage_errors,
)


@click.command()
@click.argument("query", required=False, default="")
@filter_options
@sort_option("Order")
@click.option(
    "--limit", type=click.IntRange(1, 1000), default=20, show_default=True, help="Results per page."
)
@click.option(
    "--page",
    type=click.IntRange(1),
    default=1,
    show_default=True,
    help="Page number (up to result 10,000; beyond, use --after).",
)
@click.option(
    "--after", metavar="TOKEN", help="Resume token printed at the end of a page: the page after it."
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@fields_option("default: id,score,outlet,date,title,snippet,url,authors")
def search(query: str, sort: str | None, limit: int, page: int, after: str | None, fmt: str, fields: str | None, **filters) -> None:  # fmt: skip
    """Search the corpus.

    QUERY: words (all must match), OR, -word or NOT word, "exact phrase",
    prefix*, field:value (title, author, outlet, section, tag, lang, url, ...).
    An empty QUERY lists every article matching the filters.

    \b
    Examples:
      newsarchive search '"tax cuts" senate' --from 2019 --to 2019-06
      newsarchive search 'border OR immigration -opinion' --outlet "The Hill" --sort newest
      newsarchive search 'presiden*' --where lean=left --format csv --fields id,date,title,url
    """
    from search_cli.query.fields import DEFAULT_OUTPUT
    from search_cli.query.search import search as run_search

    if page > 1 and after:
        raise click.UsageError("use either --page or --after, not both")
    spec = build_spec(query, filters, sort)
    names = parse_fields(fields, DEFAULT_OUTPUT)
    date_field = spec.filters.date_field
    client, settings = connect()
    with usage_errors():
        result = run_search(
            client,
            spec,
            prefix=settings.index_prefix,
            limit=limit,
            page=page,
            after=after,
            # The table also says when an article was edited or removed.
            source=source_for(
                names + (["version_count", "removed"] if fmt == "table" else []), date_field
            ),
        )
    if fmt == "table":
        _table(result, date_field)
    elif fmt == "json":
        from search_cli.output import echo_json

        echo_json({
            "search": spec.describe(),
            "total": result.total,
            "undated_left_out": result.undated,
            "offset": result.offset,
            "took_ms": result.took_ms,
            "next": result.next_token,
            "results": [h.as_dict(names, date_field) for h in result.hits],
        })  # fmt: skip
    elif fmt == "jsonl":
        from search_cli.output import echo_json

        for hit in result.hits:
            echo_json(hit.as_dict(names, date_field))
    else:
        from search_cli.output import write_csv

        write_csv(sys.stdout, names, (h.as_dict(names, date_field) for h in result.hits))
    _footer(result, fmt)


def _table(result, date_field: str) -> None:
    from search_cli.output import fit, neutralize, style_snippet, terminal_width, wrap_snippet

    color = sys.stdout.isatty()
    width = terminal_width()
    undated = ""
    if result.undated:
        undated = f"; {result.undated} undated left out by the date range"
    shown = f"{result.offset + 1}-{result.offset + len(result.hits)}" if result.hits else "0"
    click.echo(f"{result.total} articles match{undated} (showing {shown}, {result.took_ms} ms)")
    outlet_w = min(18, max([len(neutralize(h.source.get("outlet"))) for h in result.hits] or [6]))
    for n, hit in enumerate(result.hits, start=result.offset + 1):
        date = (hit.date(date_field) or "undated")[:10]
        outlet = fit(neutralize(hit.source.get("outlet")), outlet_w).ljust(outlet_w)
        ident = hit.id[:10]
        head = f"{n:>3}  {date:<10}  {outlet}  "
        title_w = width - len(head) - len(ident) - 2
        title = fit(neutralize(hit.title), max(10, title_w))
        plain = title.replace("«", "").replace("»", "")
        pad = " " * max(1, title_w - len(plain) + 2)
        click.echo(head + style_snippet(title, color=color) if color else head + plain, nl=False)
        click.echo(pad + (click.style(ident, dim=True) if color else ident))
        for line in wrap_snippet(neutralize(hit.snippet), width - 5):
            click.echo("     " + style_snippet(line, color=color))
        if flags := _history(hit.source):
            click.echo("     " + (click.style(flags, dim=True) if color else flags))
    if not color and result.hits:
        click.echo("(«» mark the matching words; `newsarchive show ID` prints an article)")


def _history(source: dict) -> str:
    """What the archive knows of an article's life, when there is something to say."""
    notes = []
    versions = source.get("version_count") or 1
    if versions > 1:
        notes.append(f"{versions} versions: edited after publication")
    if source.get("removed"):
        notes.append("removed from the site")
    return f"[{'; '.join(notes)}]" if notes else ""


def _footer(result, fmt: str) -> None:
    if result.next_token and fmt != "json":
        click.echo(f"next page: --after {result.next_token}", err=fmt != "table")
