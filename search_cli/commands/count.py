"""``newsarchive count QUERY``: how many articles match, overall or per outlet, author, tag..."""

from __future__ import annotations

import click

from search_cli.commands._options import columns, output_options, show_query_option
from search_cli.commands._searching import (
    QUERY_HELP,
    QueryCommand,
    build_spec,
    by_option,
    connect,
    filter_options,
    index_prefix,
    normalize_option,
    show_request,
    usage_errors,
    versus_option,
)

# Columns of the rows (the first is the --by name, or "query" with --vs).
COLUMNS = ("articles", "stories", "share", "all", "normalized")


@click.command(
    cls=QueryCommand,
    help=f"""How many articles match QUERY and the filters, overall or split by a field.

The same QUERY and filters as `search`, so the same total. With --by, an article
counts once under each of its values (one by two authors counts for both); `share`
is the value's part of the matches. With --normalize, `all` is every article with
the value (same filters and dates, any text) and `normalized` the matches' part of
them. {QUERY_HELP}

\b
Examples:
  newsarchive count '"border wall"' --from 2019 --to 2019-12
  newsarchive count impeachment --by outlet --normalize --csv
  newsarchive count 'tariff*' --where country=us --by where.lean
  newsarchive count impeachment --vs '"border wall"' --vs tariffs --from 2019
""",
)
@click.argument("query", required=False, default="")
@filter_options
@by_option("Split the count")
@click.option(
    "--top",
    type=click.IntRange(1, 1000),
    default=20,
    show_default=True,
    help="With --by: how many values to list, largest first.",
)
@normalize_option
@versus_option("to count")
@click.option(
    "--stories",
    is_flag=True,
    help="Also count distinct stories (a wire story and its copies count once).",
)
@output_options(
    fields=lambda: ("query", *COLUMNS),
    fields_help="the --by name or query, articles, share, all, normalized",
)
@show_query_option
def count(query: str, by: str | None, top: int, normalize: bool, versus: tuple[str, ...], stories: bool, output, show_query: bool, **filters) -> None:  # fmt: skip
    from search_cli.query.aggregations import count as run_count
    from search_cli.query.aggregations import count_body

    spec = build_spec(query, filters)
    if show_query:
        from search_cli.query.execute import layout

        with usage_errors():
            body = count_body(spec, by=by, top=top, versus=versus, stories=stories)
        note = (
            "with --normalize, a second request counts all articles of each value"
            if normalize
            else ""
        )
        show_request(layout(index_prefix()).articles, body, note)
        return
    client, settings = connect()
    with usage_errors():
        result = run_count(client, spec, prefix=settings.index_prefix, by=by, top=top, normalize=normalize, versus=versus, stories=stories)  # fmt: skip
    from search_cli.render import emit

    rows = result.rows()
    first = "query" if versus else by
    available = [c for c in ((first,) if first else ()) + COLUMNS if rows and c in rows[0]]
    names = columns(output, available)
    envelope: dict = {"search": spec.describe(), "total": result.total}
    if result.stories is not None:
        envelope["stories"] = result.stories
    if by:
        envelope.update(by=by, missing=result.missing, other=result.other)
    if normalize:
        envelope["all"] = result.base_total
    emit(
        output,
        rows,
        names,
        envelope=envelope,
        rows_key="counts",
        view=lambda r: _view(result, r, output),
    )


def _view(result, rows: list[dict], output) -> None:
    from search_cli.output import plural
    from search_cli.render import table_lines

    if output.headers:
        verb = "matches" if result.total == 1 else "match"
        line = f"{plural(result.total, 'article')} {verb}"
        if result.stories is not None:
            line += f" ({plural(result.stories, 'story', 'stories')})"
        if result.base_total is not None and not result.by and not result.queries:
            line += f" of {result.base_total} ({_percent(result.total, result.base_total)})"
        click.echo(line)
    if not (result.by or result.queries):
        return
    shown = [dict(r) for r in rows]
    for row in shown:
        for key in ("share", "normalized"):
            if key in row:
                row[key] = _percent(row[key], 1)
    if result.missing:
        shown.append({result.by: "(none)", "articles": result.missing})
    if not shown:
        return
    click.echo("")
    cols = [c for c in shown[0] if c]
    for text in table_lines(cols, shown, headers=output.headers):
        click.echo(text)
    if result.other:
        click.echo(f"\n{result.other} more under other values (raise --top to list them)")


def _percent(part: float | None, whole: float) -> str:
    if part is None or not whole:
        return ""
    return f"{100 * part / whole:.1f}%"
