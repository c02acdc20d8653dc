"""Searching the corpus: one page of results, or every match streamed for an export.

Both build their requests with ``build`` and return plain data; nothing here prints.
Elasticsearch errors come out as ``InvalidQuery`` (the user's input) or
``NewsarchiveError`` (the cluster).
"""

from __future__ import annotations

import contextlib
import hashlib
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
    stories: int | None = None  # distinct stories among the matches (one per story)


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
    index, body, offset = search_request(
        spec, prefix=prefix, limit=limit, page=page, after=after, source=source
    )
    result = matches(client, index, spec, body)
    hits = [Hit.from_es(h, build.SNIPPET_CHARS) for h in result["hits"]["hits"]]
    total = int(result["hits"]["total"]["value"])
    more = len(hits) == limit and offset + limit < total and not spec.one_per_story
    stories = result.get("aggregations", {}).get("stories", {}).get("value")
    return SearchPage(
        spec=spec,
        hits=hits,
        total=total,
        took_ms=int(result.get("took", 0)),
        undated=undated(result),
        offset=offset,
        next_token=build.encode_token(spec, hits[-1].sort, offset + len(hits))
        if more and hits
        else None,
        stories=int(stories) if stories is not None else None,
    )


def search_request(
    spec: SearchSpec,
    *,
    prefix: str = "newsarchive",
    limit: int = 20,
    page: int = 1,
    after: str | None = None,
    source: list[str] | bool = True,
) -> tuple[str, dict, int]:
    """(index, body, offset of the first hit) of one page: what ``search`` sends."""
    if page < 1:
        raise InvalidQuery("must be 1 or more", param="page")
    if after:
        search_after, offset = build.decode_token(spec, after)
    else:
        search_after, offset = None, (page - 1) * limit
    body = build.search_body(
        spec,
        size=limit,
        offset=0 if search_after is not None else offset,
        search_after=search_after,
        source=source,
    )
    return layout(prefix).articles, body, offset


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


@dataclass(frozen=True)
class Sample:
    """A reproducible random sample of the matches, for content coding.

    The sample is the ``size`` matches (or the ``per_outlet`` matches of each outlet)
    with the lowest SHA-256 of ``"<seed>:<article id>"``: it depends only on the seed
    and the ids, so anyone can draw it again from the same corpus, and articles added
    later displace a drawn one only by hashing lower.
    """

    size: int | None = None
    per_outlet: int | None = None
    seed: int = 0

    METHOD = 'lowest sha256("<seed>:<id>") among the matches'
    MAX = 65_536  # ids one terms query takes

    def __post_init__(self) -> None:
        if (self.size is None) == (self.per_outlet is None):
            raise InvalidQuery(
                "give a sample size or a size per outlet (one of them)", param="sample"
            )
        for name in ("size", "per_outlet"):
            value = getattr(self, name)
            if value is not None and not 1 <= value <= self.MAX:
                raise InvalidQuery(
                    f"must be from 1 to {self.MAX:,}", param=name if name != "size" else "sample"
                )

    def key(self, article_id: str) -> str:
        return hashlib.sha256(f"{self.seed}:{article_id}".encode()).hexdigest()

    def draw(self, hits: Iterator[tuple[str, str | None]]) -> list[str]:
        """The ids of the sample among (id, outlet) pairs, in sample order."""
        if self.per_outlet is not None:
            strata: dict[str | None, list] = {}
            for article_id, outlet in hits:
                stratum = strata.setdefault(outlet, [])
                _keep(stratum, self.key(article_id), article_id, self.per_outlet)
            chosen = [item for stratum in strata.values() for item in stratum]
        else:
            chosen = []
            for article_id, _outlet in hits:
                _keep(chosen, self.key(article_id), article_id, self.size or 0)
        return [article_id for _key, article_id in sorted(chosen, reverse=True)]

    def describe(self) -> dict:
        out: dict = {"method": self.METHOD, "seed": self.seed}
        if self.per_outlet is not None:
            out["per_outlet"] = self.per_outlet
        else:
            out["size"] = self.size
        return out


def _keep(heap: list, key: str, article_id: str, n: int) -> None:
    """Keep in ``heap`` the ``n`` items of lowest ``key`` seen so far (a heap of negated
    keys: its root is the highest key kept, the one a lower key displaces)."""
    import heapq

    item = (-int(key, 16), article_id)
    if len(heap) < n:
        heapq.heappush(heap, item)
    elif item > heap[0]:
        heapq.heapreplace(heap, item)


def export_request(
    spec: SearchSpec,
    *,
    prefix: str = "newsarchive",
    batch: int = 1000,
    source: list[str] | bool = True,
) -> tuple[str, dict]:
    """(index, body) of the search an export reads page by page (``--show-query``)."""
    body = build.search_body(spec, size=batch, source=source, snippets=bool(spec.query.strip()))
    return layout(prefix).articles, body


def export(
    client: Elasticsearch,
    spec: SearchSpec,
    *,
    prefix: str = "newsarchive",
    batch: int = 1000,
    source: list[str] | bool = True,
    keep_alive: str = "2m",
    sample: Sample | None = None,
) -> Export:
    """All matches (or a ``sample`` of them), streamed with point in time +
    ``search_after``: no 10,000 limit. The sample is drawn through the same point in
    time as the export reads, so both see one state of the index.

    The point in time is closed when the iterator is exhausted or closed.
    """
    from newsarchive import __version__

    index, body = export_request(spec, prefix=prefix, batch=batch, source=source)
    sort = body["sort"][:-1] + [{"_shard_doc": "asc"}]  # the PIT's own tie-breaker
    with translated(index):
        # Count first: it validates the query before a point in time is opened.
        count_query = build.base_query(spec, with_dates=True)
        total = int(client.count(index=index, query=count_query).body["count"])
        snapshot = _snapshot(client, index)
        opened = datetime.now(UTC)
        pit = _Pit(
            client,
            index,
            client.open_point_in_time(index=index, keep_alive=keep_alive).body["id"],
            keep_alive,
        )
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
    try:
        left_out = None
        if sample is not None:
            draw = dict(request, _source=["id", "outlet"])
            draw.pop("highlight", None)
            first = pit.page(draw, sort, None)
            left_out = undated(first)
            pairs = ((h["_source"].get("id") or h["_id"], h["_source"].get("outlet"))
                     for h in pit.hits(draw, sort, first))  # fmt: skip
            ids = sample.draw(pairs)
            meta["export"]["sample"] = {**sample.describe(), "population": total, "drawn": len(ids)}
            request["query"] = {
                "bool": {"must": [request["query"]], "filter": [{"terms": {"id": ids}}]}
            }
            request.pop("aggs", None)
            request.pop("post_filter", None)  # every drawn article is inside the range
            total = len(ids)
        first = pit.page(request, sort, None)
        if sample is None:
            left_out = undated(first)
    except BaseException:
        pit.close()
        raise
    meta["export"]["undated_left_out"] = left_out
    return Export(meta, total, left_out, _stream(pit, request, sort, first))


class _Pit:
    """A point in time and the pages read through it (its id may change per page)."""

    def __init__(self, client, index: str, pit_id: str, keep_alive: str) -> None:
        self.client, self.index, self.id, self.keep_alive = client, index, pit_id, keep_alive

    def page(self, request: dict, sort: list, after: list | None) -> dict:
        body = dict(request, sort=sort, pit={"id": self.id, "keep_alive": self.keep_alive})
        if after is not None:
            body["search_after"] = after
            body.pop("aggs", None)
        with translated(self.index):
            result = self.client.search(**body).body
        self.id = result.get("pit_id", self.id)
        return result

    def hits(self, request: dict, sort: list, first: dict) -> Iterator[dict]:
        """Every raw hit, from the ``first`` page on."""
        result = first
        while True:
            raw_hits = result["hits"]["hits"]
            yield from raw_hits
            if len(raw_hits) < request["size"]:
                return
            result = self.page(request, sort, raw_hits[-1]["sort"])

    def close(self) -> None:
        # The PIT expires on its own anyway; a failed close must not hide the real error.
        with contextlib.suppress(Exception):
            self.client.close_point_in_time(id=self.id)


def _stream(pit: _Pit, request: dict, sort: list, first: dict) -> Iterator[Hit]:
    try:
        for raw in pit.hits(request, sort, first):
            yield Hit.from_es(raw, build.SNIPPET_CHARS)
    finally:
        pit.close()
