"""``newsarchive search QUERY``: full text and filters, with highlighted snippets."""

from __future__ import annotations

import dataclasses

import click

from search_cli.commands._options import columns, output_options, show_query_option
from search_cli.commands._searching import (
    QUERY_HELP,
    QueryCommand,
    build_spec,
    connect,
    filter_options,
    index_prefix,
    show_request,
    sort_option,
    usage_errors,
)
from search_cli.query.fields import DEFAULT_OUTPUT, OUTPUT_FIELDS


@click.command(
    cls=QueryCommand,
    help=f"""Search the corpus.

{QUERY_HELP} An empty QUERY lists every article matching the filters.

\b
Query syntax:
  tax cuts                 both words (stemmed: also "cutting taxes")
  iowa OR backlog          either word
  taxes -governor          without a word (also: taxes NOT governor)
  "tax cuts"               the exact phrase
  presiden*                a prefix
  (police OR schools) AND funding
  title:border  author:smith  where.lean:left  published:[2019 TO 2020]
  versions:>1              articles edited after publication
  removed:true             articles that vanished from their site

\b
Examples:
  newsarchive search '"tax cuts" senate' --from 2019 --to 2019-06
  newsarchive search '-opinion border' --outlet thehill --sort newest
  newsarchive search 'presiden*' --where lean=left --csv --fields id,date,url
""",
)
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
@click.option(
    "--collapse",
    "one_per_story",
    is_flag=True,
    help="One result per story (the best match of its copies and wire reprints); the "
    "header says how many stories match.",
)
@output_options(fields=OUTPUT_FIELDS, fields_help="default: " + ",".join(DEFAULT_OUTPUT))
@show_query_option
def search(query: str, sort: str | None, limit: int, page: int, after: str | None, one_per_story: bool, output, show_query: bool, **filters) -> None:  # fmt: skip
    from search_cli.query.fields import source_fields
    from search_cli.query.search import search as run_search
    from search_cli.query.search import search_request

    if page > 1 and after:
        raise click.UsageError("use either --page or --after, not both")
    spec = dataclasses.replace(build_spec(query, filters, sort), one_per_story=one_per_story)
    names = columns(output, OUTPUT_FIELDS, DEFAULT_OUTPUT)
    date_field = spec.filters.date_field
    # The results view also says when an article was edited or removed.
    wanted = names + (
        ["outlet", "title", "version_count", "removed"] if output.format == "table" else []
    )
    source = source_fields(wanted, date_field)
    options = dict(limit=limit, page=page, after=after, source=source)
    if show_query:
        with usage_errors():
            index, body, _ = search_request(spec, prefix=index_prefix(), **options)
        show_request(index, body)
        return
    client, settings = connect()
    with usage_errors():
        result = run_search(client, spec, prefix=settings.index_prefix, **options)
    from search_cli.render import emit

    rows = [h.as_dict(names, date_field) for h in result.hits]
    envelope = {
        "search": spec.describe(),
        "total": result.total,
        "undated_left_out": result.undated,
        "offset": result.offset,
        "took_ms": result.took_ms,
        "next": result.next_token,
    }
    if result.stories is not None:
        envelope["stories"] = result.stories
    emit(
        output,
        rows,
        names,
        envelope=envelope,
        rows_key="results",
        view=lambda _: _view(result, date_field, output),
    )
    if result.next_token and output.format != "json":
        click.echo(f"next page: --after {result.next_token}", err=output.format != "table")


def _view(result, date_field: str, output) -> None:
    """The results as a reader scans them: rank and title (it gets the width), then
    outlet, date, id and what the archive saw change, then the snippet."""
    from search_cli.output import (
        fit,
        fit_marked,
        neutralize,
        plural,
        style_marked,
        terminal_width,
        use_color,
        wrap_snippet,
    )

    color = use_color()
    width = terminal_width()
    if output.headers:
        undated = f"; {result.undated} undated left out by the date range" if result.undated else ""
        shown = f"{result.offset + 1}-{result.offset + len(result.hits)}" if result.hits else "0"
        stories = (
            f" in {plural(result.stories, 'story', 'stories')}, one shown per story"
            if result.stories is not None
            else ""
        )
        click.echo(
            f"{plural(result.total, 'article')} {'matches' if result.total == 1 else 'match'}"
            f"{stories}{undated} (showing {shown}, {result.took_ms} ms)"
        )
    rank_w = len(str(result.offset + len(result.hits)))
    indent = " " * (rank_w + 2)
    for n, hit in enumerate(result.hits, start=result.offset + 1):
        title = fit_marked(neutralize(hit.title) or "(no title)", width - len(indent))
        click.echo(f"{n:>{rank_w}}  " + style_marked(title, color=color, keep_marks=False))
        meta = [
            neutralize(hit.source.get("outlet")),
            (hit.date(date_field) or "undated")[:10],
            hit.id[:10],
        ]
        if flags := _history(hit.source):
            meta.append(flags)
        line = fit(" · ".join(m for m in meta if m), width - len(indent))
        click.echo(indent + (click.style(line, dim=True) if color else line))
        for text in wrap_snippet(neutralize(hit.snippet), width - len(indent)):
            click.echo(indent + style_marked(text, color=color))
    if not color and result.hits and output.headers:
        click.echo("(«» mark the matching words; `newsarchive show ID` prints an article)")


def _history(source: dict) -> str:
    """What the archive knows of an article's life, when there is something to say."""
    notes = []
    versions = source.get("version_count") or 1
    if versions > 1:
        notes.append(f"{versions} versions: edited after publication")
    if source.get("removed"):
        notes.append("removed from the site")
    return "; ".join(notes)
