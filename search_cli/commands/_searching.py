"""What the search commands share: the QUERY argument, filter options, the spec they
build, the client, --show-query and the library's errors as usage errors.

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

QUERY_HELP = (
    "QUERY is one argument (quote it): words (all must match), OR, -word or NOT word, "
    '"exact phrase", prefix*, (grouping), field:value (title, author, outlet, section, tag, '
    "lang, url, published, versions, removed, where.TAG...; see docs/search.md). A QUERY that "
    "starts with - is read as the query (or put -- before it)."
)


class QueryCommand(click.Command):
    """A command whose QUERY may start with ``-`` (``search '-opinion senate'``).

    Click would read ``-opinion`` as options ``-o -p ...``; a word that starts with a
    dash and is no option of the command is moved behind ``--``, so it is the query.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, query_last(self.get_params(ctx), list(args)))


def query_last(params: list[click.Parameter], args: list[str]) -> list[str]:
    """``args`` with the first dash-led word that is not an option moved behind ``--``."""
    takes_value: dict[str, bool] = {}
    for param in params:
        if isinstance(param, click.Option):
            for name in (*param.opts, *param.secondary_opts):
                takes_value[name] = not param.is_flag and not param.count
    i = 0
    while i < len(args):
        word = args[i]
        if word == "--":
            return args
        if word.startswith("-") and word != "-":
            name = word.split("=", 1)[0]
            if name in takes_value:
                i += 2 if takes_value[name] and "=" not in word else 1
                continue
            short = word[:2] in takes_value and not any(c.isspace() for c in word)
            if word.startswith("--") or short:
                i += 1  # an unknown long option (Click names it), or -oFILE
                continue
            rest = args[:i] + args[i + 1 :]
            if "--" in rest:
                at = rest.index("--") + 1
                return [*rest[:at], word, *rest[at:]]
            return [*rest, "--", word]
        i += 1
    return args


def _complete_outlets(ctx, param, incomplete: str):
    """Outlet ids and names of the registry (crawler/sources.toml or --sources)."""
    from click.shell_completion import CompletionItem

    try:
        from crawler.sources import load_sources

        registry = load_sources(None)
    except Exception:  # noqa: BLE001 - completion must never fail the shell
        return []
    lowered = incomplete.lower()
    items = []
    for source in registry:
        for name in (source.id, source.name):
            if name.lower().startswith(lowered):
                items.append(CompletionItem(name, help=source.name if name == source.id else None))
    return items


def _complete_languages(ctx, param, incomplete: str):
    from click.shell_completion import CompletionItem

    return [CompletionItem(c) for c in ("en", "es", "de", "fr") if c.startswith(incomplete)]


def filter_options(func: Callable) -> Callable:
    """``--from/--to/--date-field`` and the keyword filters, shared by several commands."""
    options = [
        click.option("--from", "date_from", metavar="DATE", help="Start: 2019, 2019-06, June 2019, 2019-06-14, 7d, 3mo, yesterday..."),
        click.option("--to", "date_to", metavar="DATE", help="End, inclusive: a partial date means the end of that period."),
        click.option("--date-field", type=click.Choice(["published", "crawled", "modified"]), default="published", show_default=True, help="Which date --from/--to and sorting use."),
        click.option("--outlet", multiple=True, shell_complete=_complete_outlets, help="Only this outlet, by name or source id (repeat for several)."),
        click.option("--domain", multiple=True, help="Only this domain (repeatable)."),
        click.option("--author", multiple=True, help="Only articles by this author (repeatable)."),
        click.option("--section", multiple=True, help="Only this section (repeatable)."),
        click.option("--tag", multiple=True, help="Only articles with this tag (repeatable)."),
        click.option("--lang", multiple=True, shell_complete=_complete_languages, help="Only this language code, e.g. en (repeatable)."),
        click.option("--where", multiple=True, metavar="TAG=VALUE", help="Registry tag of the source, e.g. --where lean=left (repeatable; any case)."),
        click.option("--political/--not-political", "political", default=None, help="Only articles flagged political, or only the others."),
        click.option("--person", multiple=True, metavar="NAME", help='Only articles mentioning this politician: "Sen. Warren", a full name or a gazetteer id (repeatable).'),
        click.option("--party", multiple=True, help="Only articles naming this party: Democratic, Republican, GOP... (repeatable)."),
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
        # Registry tag values are indexed case-folded (us = US), so the filter folds too.
        pairs.append((key.strip(), value.strip().casefold()))
    return tuple(pairs)


def _people(names: tuple[str, ...]) -> tuple[str, ...]:
    """Gazetteer ids of ``--person`` names; an ambiguous or unknown one is a usage
    error that lists the candidates."""
    if not names:
        return ()
    from search_cli.query.people import PersonError, resolve

    ids: list[str] = []
    for name in names:
        try:
            ids.extend(resolve(name))
        except PersonError as exc:
            raise click.BadParameter(str(exc), param_hint="--person") from None
    return tuple(dict.fromkeys(ids))


def _parties(names: tuple[str, ...]) -> tuple[str, ...]:
    """``--party`` names as the tagger writes them (GOP -> Republican)."""
    from crawler.politics.parties import party_named

    out = []
    for name in names:
        party = party_named(name)
        if party is None:
            raise click.BadParameter(
                f"{name!r} is not a party the tagger knows: use Democratic, Republican, "
                "Libertarian, Green or Independent",
                param_hint="--party",
            )
        out.append(party)
    return tuple(dict.fromkeys(out))


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
        political=options.get("political"),
        people=_people(tuple(options.get("person") or ())),
        parties=_parties(tuple(options.get("party") or ())),
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


# Library parameters whose command-line form is not --the-same-name.
_OPTION_NAMES = {"id": "ID", "versus": "--vs", "size": "--sample", "sample": "--sample"}


def option_name(param: str) -> str:
    """The command-line form of a library parameter: ``date_field`` -> ``--date-field``;
    ``id`` stays the argument ``ID``, ``versus`` is ``--vs``."""
    return _OPTION_NAMES.get(param) or "--" + param.replace("_", "-")


def connect(*, light: bool = True):
    """(client, settings) for the configured cluster; errors are one clear line.

    ``light``: the standard-library client (``newsarchive.eshttp``), for commands that
    only search and count; exports and administration take the official one."""
    from newsarchive.config import load_settings

    settings = load_settings()
    if light:
        from newsarchive.es import connect_light

        return connect_light(settings), settings
    from newsarchive.es import connect as es_connect

    return es_connect(settings), settings


def show_request(index: str, body: dict, note: str = "") -> None:
    """Print a request as Kibana Dev Tools takes it: ``GET index/_search`` and the body."""
    from search_cli.output import json_line

    click.echo(f"GET {index}/_search")
    click.echo(json_line(body, indent=2))
    if note:
        click.echo(f"# {note}", err=True)


def index_prefix() -> str:
    """The configured index prefix, without connecting (for --show-query)."""
    from newsarchive.config import load_settings

    return load_settings().index_prefix


def sort_option(what: str) -> Callable:
    return click.option(
        "--sort",
        type=click.Choice(["relevance", "newest", "oldest"]),
        default=None,
        help=f"{what} (default: relevance, or newest for an empty query).",
    )


def by_option(what: str) -> Callable:
    return click.option(
        "--by",
        metavar="FIELD",
        shell_complete=_complete_by,
        help=f"{what}: outlet, source, author, section, tag, domain, lang, lean, "
        "political, person, party, story, wire, rating, where.TAG (a registry tag, e.g. "
        "where.country) or any keyword field (people.id...).",
    )


def _complete_by(ctx, param, incomplete: str):
    from click.shell_completion import CompletionItem

    from search_cli.query.fields import group_names

    names = [n for n in group_names() if n != "where.TAG"]
    try:
        from crawler.sources import load_sources

        keys = sorted({k for s in load_sources(None) for k in s.tags})
        names += [f"where.{k}" for k in keys]
    except Exception:  # noqa: BLE001 - completion must never fail the shell
        names.append("where.")
    return [CompletionItem(n) for n in names if n.startswith(incomplete)]


normalize_option = click.option(
    "--normalize",
    is_flag=True,
    help="Also count every article of each bucket (same filters and dates, any text), and "
    "give the matches' share of them: attention, not volume.",
)


def versus_option(what: str) -> Callable:
    return click.option(
        "--vs",
        "versus",
        multiple=True,
        metavar="QUERY",
        help=f"Another query {what} beside QUERY (repeatable; same filters).",
    )
