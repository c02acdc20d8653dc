"""The ``newsarchive`` command: one Click group whose subcommands load lazily.

Each subcommand lives in its own module under ``search_cli/commands/`` and is only
imported when it runs (or when ``--help`` lists it), so start-up stays fast. Commands
are thin: the work is done by the ``crawler``, ``indexer`` and ``search_cli.query``
libraries they call.
"""

from __future__ import annotations

import importlib
import logging
import sys

import click

from newsarchive import __version__
from newsarchive.config import redact_url
from newsarchive.errors import NewsarchiveError

# command name -> "module:attribute"; the order here is the order of --help.
COMMANDS: dict[str, str] = {
    # archive
    "sources": "search_cli.commands.sources:sources",
    "crawl": "search_cli.commands.crawl:crawl",
    "extract": "search_cli.commands.extract:extract",
    "reextract": "search_cli.commands.reextract:reextract",
    "verify": "search_cli.commands.verify:verify",
    "replay": "search_cli.commands.replay:replay",
    # index
    "index": "search_cli.commands.index:index",
    # search
    "search": "search_cli.commands.search:search",
    "show": "search_cli.commands.show:show",
    "versions": "search_cli.commands.versions:versions",
    "edits": "search_cli.commands.edits:edits",
    "count": "search_cli.commands.count:count",
    "timeline": "search_cli.commands.timeline:timeline",
    "export": "search_cli.commands.export:export",
    "stats": "search_cli.commands.stats:stats",
    # operate
    "schedule": "search_cli.commands.schedule:schedule",
    "kibana": "search_cli.commands.kibana:kibana",
    "es": "search_cli.commands.es:es",
}


# Loggers of the layers the CLI drives outside a crawl (a crawl logs through Scrapy).
_WARNING_LOGGERS = ("newsarchive", "indexer", "search_cli", "kibana", "scheduler")


class _Warnings(logging.Handler):
    """Library warnings, as one "Warning: ..." line each on the current stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"{record.levelname.capitalize()}: {record.getMessage()}", err=True)


def show_library_warnings() -> None:
    """Let warnings the libraries log reach the user (once per process)."""
    for name in _WARNING_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(h, _Warnings) for h in logger.handlers):
            handler = _Warnings(logging.WARNING)
            logger.addHandler(handler)


class LazyGroup(click.Group):
    """A group that imports a subcommand's module only when it is needed."""

    def __init__(self, *args, lazy_commands: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy_commands = lazy_commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.lazy_commands) + sorted(super().list_commands(ctx))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = self.lazy_commands.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        module_name, attr = target.split(":")
        return getattr(importlib.import_module(module_name), attr)

    def invoke(self, ctx: click.Context):
        show_library_warnings()
        try:
            return super().invoke(ctx)
        except NewsarchiveError as exc:
            # One line on stderr and exit code 1, whether run from the shell or CliRunner;
            # a URL's user-info never reaches the terminal, whoever wrote the message.
            raise click.ClickException(redact_url(str(exc))) from None

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Keep registry order instead of Click's alphabetical order.
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(map(len, names), default=0)
        rows = []
        for name in names:
            cmd = self.get_command(ctx, name)
            if cmd is not None and not cmd.hidden:
                rows.append((name, cmd.get_short_help_str(limit=limit)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(
    cls=LazyGroup,
    lazy_commands=COMMANDS,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="newsarchive")
def cli() -> None:
    """Archive political news and search it.

    Crawl outlets into WARC files and article records, load them into
    Elasticsearch, and search the corpus from the terminal.

    Configuration comes from NEWSARCHIVE_* environment variables and an optional
    TOML file (see README). Without NEWSARCHIVE_ES_URL, commands use the local
    Elasticsearch that `newsarchive es start` runs.
    """


def main() -> None:
    """Console-script entry point."""
    try:
        cli.main(prog_name="newsarchive")
    except BrokenPipeError:  # e.g. `newsarchive export ... | head`
        sys.stderr.close()
        sys.exit(1)
