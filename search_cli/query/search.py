"""Searching the corpus: one page of results, or every match streamed for an export.

Both build their requests with ``build`` and return plain data; nothing here prints.
Elasticsearch errors come out as ``InvalidQuery`` (the user's input) or
``NewsarchiveError`` (the cluster).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from search_cli.query import build
from search_cli.query.build import SearchSpec
from search_cli.query.errors import InvalidQuery, translated
from search_cli.query.execute import layout, matches, undated
from search_cli.query.hits import Hit

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch


@dataclass
class SearchPage:
    spec: SearchSpec
    hits: list[Hit]
    total: int
    took_ms: int
    undated: int | None  # articles the date range left out for having no date
    offset: int
    next_token: str | None


def search(
    client: Elasticsearch,
    spec: SearchSpec,
    *,
    prefix: str = "newsarchive",
    limit: int = 20,
    page: int = 1,
    after: str | None = None,
    source: list[str] | bool = True,
) -> SearchPage:
    """One page of results; ``after`` (a token from ``next_token``) continues a search."""
    if page < 1:
        raise InvalidQuery("must be 1 or more", param="page")
    search_after = build.decode_token(spec, after) if after else None
    offset = 0 if search_after is not None else (page - 1) * limit
    body = build.search_body(
        spec, size=limit, offset=offset, search_after=search_after, source=source
    )
    index = layout(prefix).articles
    result = matches(client, index, spec, body)
    hits = [Hit.from_es(h, build.SNIPPET_CHARS) for h in result["hits"]["hits"]]
    total = int(result["hits"]["total"]["value"])
    more = len(hits) == limit and (search_after is not None or offset + limit < total)
    return SearchPage(
        spec=spec,
        hits=hits,
        total=total,
        took_ms=int(result.get("took", 0)),
        undated=undated(result),
        offset=offset,
        next_token=build.encode_token(spec, hits[-1].sort) if more and hits else None,
    )


@dataclass
class Export:
    """Every match of a search, read through a point in time (a frozen view)."""

    meta: dict
    total: int
    undated: int | None
    hits: Iterator[Hit]


def _snapshot(client: Elasticsearch, index: str) -> dict:
    """What a citation needs to name the data: the concrete indices and their state."""
    stats = client.indices.stats(index=index, metric="docs").body.get("indices", {})
    info = client.info().body
    return {
        "alias": index,
        "indices": {
            name: {
                "uuid": data.get("uuid"),
                "docs": data.get("primaries", {}).get("docs", {}).get("count"),
            }
            for name, data in sorted(stats.items())
        },
        "cluster": info.get("cluster_name"),
        "cluster_uuid": info.get("cluster_uuid"),
        "elasticsearch": info.get("version", {}).get("number"),
    }


def export(
    client: Elasticsearch,
    spec: SearchSpec,
    *,
    prefix: str = "newsarchive",
    batch: int = 1000,
    source: list[str] | bool = True,
    keep_alive: str = "2m",
) -> Export:
    """All matches, streamed with point in time + ``search_after``: no 10,000 limit.

    The point in time is closed when the iterator is exhausted or closed.
    """
    from newsarchive import __version__

    index = layout(prefix).articles
    body = build.search_body(spec, size=batch, source=source, snippets=bool(spec.query.strip()))
    sort = body["sort"][:-1] + [{"_shard_doc": "asc"}]  # the PIT's own tie-breaker
    with translated(index):
        # Count first: it validates the query before a point in time is opened.
        count_query = build.base_query(spec, with_dates=True)
        total = int(client.count(index=index, query=count_query).body["count"])
        snapshot = _snapshot(client, index)
        opened = datetime.now(UTC)
        pit = client.open_point_in_time(index=index, keep_alive=keep_alive).body["id"]
    meta = {
        "export": {
            "search": spec.describe(),
            "exported_at": opened.isoformat(timespec="seconds").replace("+00:00", "Z"),
            "total": total,
            "snapshot": {**snapshot, "point_in_time_opened_at": opened.isoformat()},
            "newsarchive": __version__,
        }
    }
    request = {k: v for k, v in body.items() if k not in ("sort", "track_total_hits")}
    request["track_total_hits"] = False
    first = _page(client, index, pit, request, sort, None, keep_alive)
    left_out = undated(first)
    meta["export"]["undated_left_out"] = left_out
    return Export(
        meta, total, left_out, _stream(client, index, pit, request, sort, first, keep_alive)
    )


def _page(client, index, pit, request, sort, after, keep_alive) -> dict:
    body = dict(request, sort=sort, pit={"id": pit, "keep_alive": keep_alive})
    if after is not None:
        body["search_after"] = after
        body.pop("aggs", None)
    with translated(index):
        return client.search(**body).body


def _stream(client, index, pit, request, sort, first, keep_alive) -> Iterator[Hit]:
    result = first
    try:
        while True:
            raw_hits = result["hits"]["hits"]
            if not raw_hits:
                return
            pit = result.get("pit_id", pit)
            for raw in raw_hits:
                yield Hit.from_es(raw, build.SNIPPET_CHARS)
            if len(raw_hits) < request["size"]:
                return
            result = _page(client, index, pit, request, sort, raw_hits[-1]["sort"], keep_alive)
    finally:
        # The PIT expires on its own anyway; a failed close must not hide the real error.
        with contextlib.suppress(Exception):
            client.close_point_in_time(id=pit)
