"""Click options that several commands share, defined once.

The output options are the same on every command that prints rows (search, count,
timeline, export, stats, sources, crawl and index reports...): ``--format`` with the
formats the command offers, their shortcut flags (``--csv``, ``--tsv``, ``--json``,
``--nl``, ``--table``, as sqlite-utils names them), ``--no-headers`` and ``--fields``.
The command receives one ``output`` argument (``search_cli.render.Output``) and hands
its rows to ``search_cli.render.emit``; see docs/search.md ("Conventions").
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import click

from search_cli.render import ALIASES, FORMATS, SHORTCUTS, FieldsError, Output

sources_file_option = click.option(
    "--sources",
    "sources_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Registry file (default $NEWSARCHIVE_SOURCES or the repo's crawler/sources.toml).",
)

_SHORTCUT_HELP = {
    "table": "Same as --format table.",
    "csv": "Same as --format csv.",
    "tsv": "Same as --format tsv.",
    "json": "Same as --format json.",
    "jsonl": "Same as --format jsonl (newline-delimited JSON).",
}


class FormatChoice(click.Choice):
    """``--format``: the command's formats, plus older names (chart, text, nl, ndjson)."""

    def convert(self, value, param, ctx):
        if isinstance(value, str):
            alias = ALIASES.get(value.lower())
            if alias in self.choices:
                value = alias
        return super().convert(value, param, ctx)


def parse_field_names(value: str | None) -> tuple[str, ...] | None:
    """``--fields a, B,c`` -> ``("a", "b", "c")``; None when not given."""
    if value is None:
        return None
    names = tuple(f.strip().lower() for f in value.split(",") if f.strip())
    if not names:
        raise click.BadParameter(
            "give at least one field, e.g. --fields id,title", param_hint="--fields"
        )
    return names


def columns(
    output: Output, available: Sequence[str], default: Sequence[str] | None = None
) -> list[str]:
    """``output.columns`` with an unknown field as a usage error on --fields (exit 2)."""
    try:
        return output.columns(available, default)
    except FieldsError as exc:
        raise click.BadParameter(str(exc), param_hint="--fields") from None


def output_options(
    formats: Sequence[str] = FORMATS,
    *,
    default: str = "table",
    fields: Sequence[str] | Callable[[], Sequence[str]] | None = None,
    fields_help: str = "",
) -> Callable:
    """Add --format, its shortcuts, --no-headers and (with ``fields``) --fields; the
    command gets them as one ``output: Output`` keyword argument.

    ``fields``: the column names --fields completes (a callable when they are only
    known at run time); the command checks the chosen ones with ``columns()``.
    """
    formats = tuple(formats)

    def decorate(func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            chosen = {kwargs.pop("output_format")} - {None}
            for name in SHORTCUTS:
                if kwargs.pop(f"output_{name}", False):
                    chosen.add(SHORTCUTS[name])
            if len(chosen) > 1:
                raise click.UsageError(
                    f"choose one output format (got {', '.join(sorted(chosen))})"
                )
            kwargs["output"] = Output(
                format=chosen.pop() if chosen else default,
                fields=parse_field_names(kwargs.pop("output_fields", None)),
                headers=not kwargs.pop("output_no_headers", False),
            )
            return func(*args, **kwargs)

        names = "|".join(formats)
        options = [
            click.option(
                "--format",
                "output_format",
                type=FormatChoice(formats),
                default=None,
                metavar=f"[{names}]",
                help=f"Output format (default: {default}).",
            )
        ]
        for flag, fmt in SHORTCUTS.items():
            if fmt in formats:
                options.append(
                    click.option(
                        f"--{flag}", f"output_{flag}", is_flag=True, help=_SHORTCUT_HELP[fmt]
                    )
                )
        if {"table", "csv", "tsv"} & set(formats):
            options.append(
                click.option(
                    "--no-headers",
                    "output_no_headers",
                    is_flag=True,
                    help="Leave out the header row (table, CSV and TSV).",
                )
            )
        if fields is not None:
            options.append(
                click.option(
                    "--fields",
                    "output_fields",
                    metavar="F1,F2",
                    shell_complete=_complete_fields(fields),
                    help="Columns to print, comma-separated, in every format"
                    + (f" ({fields_help})" if fields_help else "")
                    + ".",
                )
            )
        for option in reversed(options):
            wrapper = option(wrapper)
        return wrapper

    return decorate


def _complete_fields(fields: Sequence[str] | Callable[[], Sequence[str]]) -> Callable:
    def complete(ctx, param, incomplete: str):
        from click.shell_completion import CompletionItem

        names = fields() if callable(fields) else fields
        done, _, last = incomplete.rpartition(",")
        head = f"{done}," if done else ""
        return [CompletionItem(head + n) for n in names if n.startswith(last.lower())]

    return complete


def verbosity_options(func: Callable) -> Callable:
    """``-v`` (the libraries' log: Scrapy's INFO lines; ``-vv`` DEBUG) and ``-q`` (no
    progress line, no log); the command gets ``verbosity``: -1, 0, 1 or 2."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        verbose, quiet = kwargs.pop("verbose"), kwargs.pop("quiet")
        if verbose and quiet:
            raise click.UsageError("use either -v or -q, not both")
        kwargs["verbosity"] = -1 if quiet else min(verbose, 2)
        return func(*args, **kwargs)

    wrapper = click.option(
        "-q", "--quiet", is_flag=True, help="No progress line and no log: only the result."
    )(wrapper)
    return click.option(
        "-v",
        "--verbose",
        count=True,
        help="Show the log (Scrapy's INFO lines; -vv for DEBUG) instead of a progress line.",
    )(wrapper)


show_query_option = click.option(
    "--show-query",
    is_flag=True,
    help="Print the Elasticsearch request instead of running it (paste it into Kibana "
    "Dev Tools, or cite it).",
)
