"""The search library the ``newsarchive`` search commands are a thin layer over.

Use it without the CLI::

    from newsarchive.es import connect
    from search_cli.query import Filters, SearchSpec, parse_range, search

    client = connect()
    spec = SearchSpec('"tax cuts" senate', Filters(dates=parse_range("2019", "2019-06")))
    page = search(client, spec, prefix="newsarchive", limit=10)
    for hit in page.hits:
        print(hit.id, hit.source["outlet"], hit.title, hit.snippet)

Dates (``2019-06``, ``June 2019``, ``7d``... as UTC intervals) are read by
``newsarchive.dates``, the project's one date grammar. Modules: ``text``
(the safe pre-parse of query strings), ``fields`` (the documented field names),
``build`` (request bodies, pure), ``search`` (pages and exports), ``aggregations``
(count, timeline, stats), ``coverage`` (coverage alarms), ``articles`` (one article
and its versions), ``capture`` (archived HTML, read by the archive's reader),
``execute`` (what they share). Bad input raises ``InvalidQuery``.
"""

from __future__ import annotations

import importlib

# name -> module that defines it; imported on first use, so a command that needs one
# module (``search_cli.query.search``) does not pay for the others.
_EXPORTS = {
    "DateRange": "newsarchive.dates",
    "parse_period": "newsarchive.dates",
    "parse_range": "newsarchive.dates",
    "count": "search_cli.query.aggregations",
    "stats": "search_cli.query.aggregations",
    "timeline": "search_cli.query.aggregations",
    "article": "search_cli.query.articles",
    "Filters": "search_cli.query.build",
    "SearchSpec": "search_cli.query.build",
    "IndexMissing": "search_cli.query.errors",
    "InvalidQuery": "search_cli.query.errors",
}
__all__ = sorted([*_EXPORTS, "Sample", "export", "search"])


# Bound eagerly: the submodule ``search`` would otherwise shadow the function of that name.
from search_cli.query.search import Sample as Sample  # noqa: E402
from search_cli.query.search import export as export  # noqa: E402
from search_cli.query.search import search as search  # noqa: E402


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
