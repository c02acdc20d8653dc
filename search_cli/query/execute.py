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


# Keyword filters checked when nothing matches: (Filters attribute, field(s), the
# parameter's name). An outlet is matched by its name or its source id.
_KNOWN_CHECKS = (
    ("outlets", ("outlet", "source_id"), "outlet"),
    ("domains", ("domain",), "domain"),
    ("sections", ("section",), "section"),
    ("tags", ("tags",), "tag"),
    ("languages", ("language",), "lang"),
)
KNOWN_SHOWN = 20  # known values an error lists
_KNOWN_MAX = 1000  # values read to find the nearest ones


def layout(prefix: str):
    from indexer.layout import Layout

    return Layout(prefix)


def undated(body: dict) -> int | None:
    agg = (body.get("aggregations") or {}).get("undated")
    return None if agg is None else int(agg["doc_count"])


def _check_known_values(client: Elasticsearch, index: str, spec: SearchSpec) -> None:
    """Zero hits with a filter value nobody has (a typo): say so, with the nearest known
    values ("did you mean"), as an InvalidQuery (exit 2). Every keyword filter and
    every registry tag is checked the same way."""
    f = spec.filters
    for attr, fields, param in _KNOWN_CHECKS:
        for value in getattr(f, attr):
            clause = (
                build.outlet_clause(value) if attr == "outlets" else build._term(fields[0], value)
            )
            if _count(client, index, clause) == 0:
                known = _values(client, index, fields)
                raise InvalidQuery(unknown_value(param, value, known), param=param)
    for key, value in f.where:
        fld = f"source_tags.{key}"
        if _count(client, index, {"exists": {"field": fld}}) == 0:
            keys = _tag_keys(client, index)
            raise InvalidQuery(unknown_value("registry tag", key, keys), param="where")
        if _count(client, index, build._term(fld, value)) == 0:
            known = _values(client, index, (fld,))
            raise InvalidQuery(
                unknown_value(f"value of {key}", value, known, hint=f"{key}="), param="where"
            )


def unknown_value(what: str, value: str, known: list[str], *, hint: str = "") -> str:
    """``unknown section 'campain': did you mean 'campaign'? (known: ...)``."""
    import difflib

    by_lower = {k.lower(): k for k in known}
    near = [
        by_lower[m]
        for m in difflib.get_close_matches(value.lower(), list(by_lower), n=3, cutoff=0.6)
    ]
    message = f"unknown {what} {value!r}"
    if near:
        message += (
            ": did you mean " + " or ".join(repr(hint + n if hint else n) for n in near) + "?"
        )
    if not known:
        return message + " (none in the corpus)"
    listed = ", ".join(known[:KNOWN_SHOWN]) + (
        f", ... ({len(known)} in all)" if len(known) > KNOWN_SHOWN else ""
    )
    return f"{message} (known: {listed})"


def _count(client: Elasticsearch, index: str, query: dict) -> int:
    return int(client.count(index=index, query=query).body["count"])


def _values(client: Elasticsearch, index: str, fields: tuple[str, ...]) -> list[str]:
    """The values of ``fields`` in the corpus, most frequent first."""
    aggs = {f"v{i}": {"terms": {"field": fld, "size": _KNOWN_MAX}} for i, fld in enumerate(fields)}
    found = client.search(index=index, size=0, aggs=aggs).body["aggregations"]
    values: list[str] = []
    for i in range(len(fields)):
        for bucket in found[f"v{i}"]["buckets"]:
            if str(bucket["key"]) not in values:
                values.append(str(bucket["key"]))
    return values


def _tag_keys(client: Elasticsearch, index: str) -> list[str]:
    """The registry tag names the corpus's sources carry (one article per source)."""
    hits = client.search(
        index=index, size=_KNOWN_MAX, collapse={"field": "source_id"}, _source=["source_tags"]
    ).body["hits"]["hits"]
    return sorted({k for h in hits for k in (h.get("_source", {}).get("source_tags") or {})})


def matches(client: Elasticsearch, index: str, spec: SearchSpec, body: dict) -> dict:
    """Run ``body``; with no match, say when an outlet or domain filter names a value
    the corpus does not have (``InvalidQuery``)."""
    with translated(index):
        result = client.search(index=index, **body).body
        if int(result["hits"]["total"]["value"]) == 0:
            _check_known_values(client, index, spec)
    return result
