"""Running requests against the corpus indices: the index names of a prefix, Elasticsearch
errors translated, and "no match" explained when a filter names an unknown value.

Shared by ``search`` (pages, exports), ``aggregations`` (counts, timelines, stats) and
``articles`` (one article and its versions). Nothing here prints.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from search_cli.query import build
from search_cli.query.build import SearchSpec
from search_cli.query.errors import InvalidQuery, translated

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch


_KNOWN_CHECKS = (("outlet", "outlets"), ("domain", "domains"))


def layout(prefix: str):
    from indexer.layout import Layout

    return Layout(prefix)


def undated(body: dict) -> int | None:
    agg = (body.get("aggregations") or {}).get("undated")
    return None if agg is None else int(agg["doc_count"])


def _check_known_values(client: Elasticsearch, index: str, spec: SearchSpec) -> None:
    """Zero hits with an --outlet or --domain nobody has: say it is unknown (exit 2)."""
    for fld, attr in _KNOWN_CHECKS:
        for value in getattr(spec.filters, attr):
            query = build._term(fld, value)
            if client.count(index=index, query=query).body["count"] == 0:
                agg = client.search(
                    index=index, size=0, aggs={"v": {"terms": {"field": fld, "size": 50}}}
                ).body
                known = [b["key"] for b in agg["aggregations"]["v"]["buckets"]]
                hint = ", ".join(known) if known else "none: the corpus is empty"
                raise InvalidQuery(f"unknown {fld} {value!r}: known are {hint}", param=fld)


def matches(client: Elasticsearch, index: str, spec: SearchSpec, body: dict) -> dict:
    """Run ``body``; with no match, say when an outlet or domain filter names a value
    the corpus does not have (``InvalidQuery``)."""
    with translated(index):
        result = client.search(index=index, **body).body
        if int(result["hits"]["total"]["value"]) == 0:
            _check_known_values(client, index, spec)
    return result
