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

from newsarchive.dates import DateRange, parse_period, parse_range
from search_cli.query.aggregations import count, stats, timeline
from search_cli.query.articles import article
from search_cli.query.build import Filters, SearchSpec
from search_cli.query.errors import IndexMissing, InvalidQuery
from search_cli.query.search import export, search

__all__ = [
    "DateRange",
    "Filters",
    "IndexMissing",
    "InvalidQuery",
    "SearchSpec",
    "article",
    "count",
    "export",
    "parse_period",
    "parse_range",
    "search",
    "stats",
    "timeline",
]
