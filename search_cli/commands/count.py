"""``newsarchive count QUERY``: how many articles match, overall or per outlet, author, tag..."""

from __future__ import annotations

import sys

import click

from search_cli.commands._searching import build_spec, connect, filter_options, usage_errors


@click.command()
@click.argument("query", required=False, default="")
@filter_options
@click.option(
    "--by",
    metavar="FIELD",
    help="Split the count: outlet, author, section, tag, domain, lang, or where.TAG "
    "(a registry tag, e.g. where.lean).",
)
@click.option(
    "--top",
    type=click.IntRange(1, 1000),
    default=20,
    show_default=True,
    help="With --by: how many values to list, largest first.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
def count(query: str, by: str | None, top: int, fmt: str, **filters) -> None:
    """How many articles match QUERY and the filters, overall or split by a field.

    The same QUERY and filters as `search`. With --by, an article counts once under
    each of its values (an article by two authors counts for both).

    \b
    Examples:
      newsarchive count '"border wall"' --from 2019 --to 2019-12
      newsarchive count impeachment --by outlet --format csv
      newsarchive count 'tariff*' --where country=us --by where.lean
    """
    from search_cli.query.aggregations import count as run_count

    spec = build_spec(query, filters)
    client, settings = connect()
    with usage_errors():
        result = run_count(client, spec, prefix=settings.index_prefix, by=by, top=top)
    rows = [{"value": value, "articles": n} for value, n in result.buckets]
    if fmt == "json":
        from search_cli.output import echo_json

        data = {"search": spec.describe(), "total": result.total}
        if by:
            data.update(by=by, counts=rows, missing=result.missing, other=result.other)
        echo_json(data)
    elif fmt == "csv":
        from search_cli.output import write_csv

        if by:
            write_csv(
                sys.stdout,
                [by, "articles"],
                ({by: r["value"], "articles": r["articles"]} for r in rows),
            )
        else:
            write_csv(sys.stdout, ["articles"], [{"articles": result.total}])
    else:
        _table(result)


def _table(result) -> None:
    from search_cli.output import fit, neutralize, terminal_width

    noun = "article matches" if result.total == 1 else "articles match"
    click.echo(f"{result.total} {noun}")
    if not result.by or not result.total:
        return
    width = terminal_width()
    largest = max([result.missing, *(n for _, n in result.buckets)])
    count_w = max(len("articles"), len(str(largest)))
    names = [len(result.by), len("(none)"), *(len(neutralize(v)) for v, _ in result.buckets)]
    name_w = min(max(20, width - count_w - 12), max(names))
    click.echo("")
    click.echo(f"{result.by:<{name_w}}  {'articles':>{count_w}}  share")
    for value, n in result.buckets:
        share = f"{100 * n / result.total:5.1f}%" if result.total else ""
        click.echo(f"{fit(neutralize(value), name_w):<{name_w}}  {n:>{count_w}}  {share}")
    if result.missing:
        click.echo(f"{'(none)':<{name_w}}  {result.missing:>{count_w}}")
    if result.other:
        click.echo(f"\n{result.other} more under other values (raise --top to list them)")
