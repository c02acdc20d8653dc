"""The search library the ``newsarchive`` search commands are a thin layer over.

Use it without the CLI::

    from newsarchive.es import connect
    from search_cli.query import Filters, SearchSpec, parse_range, search

    client = connect()
    spec = SearchSpec('"tax cuts" senate', Filters(dates=parse_range("2019", "2019-06")))
    page = search(client, spec, prefix="newsarchive", limit=10)
    for hit in page.hits:
        print(hit.id, hit.source["outlet"], hit.title, hit.snippet)

Modules: ``dates`` (``2019-06``, ``June 2019``, ``7d``... as UTC intervals), ``text``
(the safe pre-parse of query strings), ``fields`` (the documented field names),
``build`` (request bodies, pure), ``run`` (search, export, timeline, stats, article),
``capture`` (archived HTML from the WARC). Bad input raises ``InvalidQuery``.
"""

from search_cli.query.build import Filters, SearchSpec
from search_cli.query.dates import DateRange, parse_period, parse_range
from search_cli.query.errors import IndexMissing, InvalidQuery
from search_cli.query.run import article, export, search, stats, timeline

__all__ = [
    "DateRange",
    "Filters",
    "IndexMissing",
    "InvalidQuery",
    "SearchSpec",
    "article",
    "export",
    "parse_period",
    "parse_range",
    "search",
    "stats",
    "timeline",
]
