"""What the search commands share: filter options, the spec they build, the client.

Imports only Click at module level; dates, Elasticsearch and the query library are
imported when a command runs, so ``newsarchive --help`` stays fast.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from search_cli.query.build import SearchSpec

FORMATS = ("table", "json", "jsonl", "csv")


def filter_options(func: Callable) -> Callable:
    """``--from/--to/--date-field`` and the keyword filters, shared by several commands."""
    options = [
        click.option("--from", "date_from", metavar="DATE", help="Start: 2019, 2019-06, June 2019, 2019-06-14, 7d, yesterday..."),
        click.option("--to", "date_to", metavar="DATE", help="End, inclusive: a partial date means the end of that period."),
        click.option("--date-field", type=click.Choice(["published", "crawled", "modified"]), default="published", show_default=True, help="Which date --from/--to and sorting use."),
        click.option("--outlet", multiple=True, help="Only this outlet (repeat for several)."),
        click.option("--domain", multiple=True, help="Only this domain (repeatable)."),
        click.option("--author", multiple=True, help="Only articles by this author (repeatable)."),
        click.option("--section", multiple=True, help="Only this section (repeatable)."),
        click.option("--tag", multiple=True, help="Only articles with this tag (repeatable)."),
        click.option("--lang", multiple=True, help="Only this language code, e.g. en (repeatable)."),
        click.option("--where", multiple=True, metavar="TAG=VALUE", help="Registry tag of the source, e.g. --where lean=left (repeatable)."),
        *edit_filter_options,
    ]  # fmt: skip
    for option in reversed(options):
        func = option(func)
    return func


# What happened to an article after publication (the query syntax has versions:>1 and
# removed:true too); search_cli.query.build.edit_clauses.
edit_filter_options = [
    click.option("--edited", is_flag=True, help="Only articles edited after publication (more than one version)."),
    click.option("--headline-changed", is_flag=True, help="Only articles whose headline a later version rewrote."),
    click.option("--removed", is_flag=True, help="Only articles that vanished from their site (kept here)."),
]  # fmt: skip


def _where(values: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    pairs = []
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise click.BadParameter(
                f"{item!r}: use TAG=VALUE, e.g. lean=left", param_hint="--where"
            )
        pairs.append((key.strip(), value.strip()))
    return tuple(pairs)


def build_spec(query: str, options: dict, sort: str | None = None) -> SearchSpec:
    """The SearchSpec of a command's arguments; bad dates are usage errors (exit 2)."""
    from search_cli.query.build import Filters, SearchSpec

    dates = date_range(options.get("date_from"), options.get("date_to"))
    filters = Filters(
        outlets=tuple(options.get("outlet") or ()),
        domains=tuple(options.get("domain") or ()),
        authors=tuple(options.get("author") or ()),
        sections=tuple(options.get("section") or ()),
        tags=tuple(options.get("tag") or ()),
        languages=tuple(options.get("lang") or ()),
        where=_where(tuple(options.get("where") or ())),
        dates=dates,
        date_field=options.get("date_field") or "published",
        edited=bool(options.get("edited")),
        headline_changed=bool(options.get("headline_changed")),
        removed=bool(options.get("removed")),
    )
    return SearchSpec(query=query or "", filters=filters, sort=sort)


def date_range(start: str | None, end: str | None):
    """``--from``/``--to`` as one interval; a bad date names its option (exit 2)."""
    from newsarchive.dates import DateError, parse_period, parse_range

    for value, option in ((start, "--from"), (end, "--to")):
        try:
            if value is not None:
                parse_period(value)
        except DateError as exc:
            raise click.BadParameter(str(exc), param_hint=option) from None
    try:
        return parse_range(start, end)
    except DateError:
        raise click.UsageError(
            f"--from {start} is after --to {end}: the start must come before the end"
        ) from None


@contextlib.contextmanager
def usage_errors() -> Iterator[None]:
    """``InvalidQuery`` from the library becomes a Click usage error: one line, exit 2."""
    from search_cli.query.errors import InvalidQuery

    try:
        yield
    except InvalidQuery as exc:
        message = str(exc)
        if exc.instead:
            message += f" (use {option_name(exc.instead)})"
        if exc.param:
            raise click.BadParameter(message, param_hint=option_name(exc.param)) from None
        raise click.UsageError(message) from None


def option_name(param: str) -> str:
    """The command-line form of a library parameter: ``date_field`` -> ``--date-field``;
    ``id`` stays the argument ``ID``."""
    return "ID" if param == "id" else "--" + param.replace("_", "-")


def connect():
    """(client, settings) for the configured cluster; errors are one clear line."""
    from newsarchive.config import load_settings
    from newsarchive.es import connect as es_connect

    settings = load_settings()
    return es_connect(settings), settings


def sort_option(what: str) -> Callable:
    return click.option(
        "--sort",
        type=click.Choice(["relevance", "newest", "oldest"]),
        default=None,
        help=f"{what} (default: relevance, or newest for an empty query).",
    )


def fields_option(default_help: str) -> Callable:
    return click.option(
        "--fields",
        metavar="F1,F2",
        help=f"Output fields, comma-separated ({default_help}). See docs/search.md.",
    )


def parse_fields(value: str | None, default: tuple[str, ...]) -> list[str]:
    from search_cli.query.fields import OUTPUT_FIELDS

    if not value:
        return list(default)
    names = [f.strip().lower() for f in value.split(",") if f.strip()]
    unknown = [n for n in names if n not in OUTPUT_FIELDS]
    if unknown or not names:
        raise click.BadParameter(
            f"unknown field {unknown[0]!r}: choose from {', '.join(OUTPUT_FIELDS)}"
            if unknown
            else "give at least one field",
            param_hint="--fields",
        )
    return names


def source_for(fields: list[str], date_field: str) -> list[str]:
    """The _source fields a listing needs (never the large body unless asked)."""
    from search_cli.query.fields import SOURCE_FIELDS

    wanted = {f for f in fields if f in SOURCE_FIELDS or f == "body"}
    wanted |= {"id", "outlet", "title", "description", "url", date_field}
    if "date" in fields:
        wanted.add(date_field)
    return sorted(wanted)
