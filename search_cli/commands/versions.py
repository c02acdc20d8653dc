"""``newsarchive versions ID|URL``: every version of an article, one row each, with the
capture to cite it by."""

from __future__ import annotations

import click

from search_cli.commands._options import columns, output_options
from search_cli.commands._searching import connect, usage_errors

DEFAULT = ("version", "event", "crawled", "changed", "title", "warc_file", "warc_offset")


def _columns():
    from search_cli.query.articles import VERSION_COLUMNS

    return VERSION_COLUMNS


@click.command()
@click.argument("key", metavar="ID|URL")
@output_options(fields=_columns, fields_help="default: " + ",".join(DEFAULT))
def versions(key: str, output) -> None:
    """List every version the archive holds of an article (by ID, its first 6+
    characters, or URL): when it was fetched, which fields changed, and its capture
    (WARC file, offset, length, digest, record id) to cite it by. `show ID` prints the
    diffs; `show ID --raw --version N` the HTML of version N.

    \b
    Examples:
      newsarchive versions 1ace75c2a2
      newsarchive versions https://example.org/2019/06/14/tax-cuts/ --csv
    """
    from search_cli.query.articles import VERSION_COLUMNS, article
    from search_cli.render import emit

    names = columns(output, VERSION_COLUMNS, DEFAULT)
    client, settings = connect()
    with usage_errors():
        view = article(client, key, prefix=settings.index_prefix)
    emit(
        output,
        view.version_rows(),
        names,
        envelope={"article": view.article.get("id")},
        rows_key="versions",
    )
