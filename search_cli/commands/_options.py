"""Click options that several commands share, defined once."""

from __future__ import annotations

import click

sources_file_option = click.option(
    "--sources",
    "sources_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Registry file (default $NEWSARCHIVE_SOURCES or the repo's crawler/sources.toml).",
)
