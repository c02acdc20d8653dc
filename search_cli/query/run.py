"""Running searches against the corpus: pages, full exports, counts, timelines, statistics.

Every function takes a connected client and the index prefix, builds its request with
``build`` and returns plain data; nothing here prints. Elasticsearch errors come out
as ``InvalidQuery`` (the user's input) or ``NewsarchiveError`` (the cluster).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from crawler.schema.record import DIFF_FIELDS
from search_cli.query import build
from search_cli.query.build import SearchSpec
from search_cli.query.errors import InvalidQuery, translated
from search_cli.query.hits import Hit

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

INTERVALS = ("day", "week", "month", "year")
_KNOWN_CHECKS = (("outlet", "outlets", "--outlet"), ("domain", "domains", "--domain"))


def layout(prefix: str):
    from indexer.layout import Layout

    return Layout(prefix)


@dataclass
class SearchPage:
    spec: SearchSpec
    hits: list[Hit]
    total: int
    took_ms: int
    undated: int | None  # articles the date range left out for having no date
    offset: int
    next_token: str | None


def _undated(body: dict) -> int | None:
    agg = (body.get("aggregations") or {}).get("undated")
    return None if agg is None else int(agg["doc_count"])


def _check_known_values(client: Elasticsearch, index: str, spec: SearchSpec) -> None:
    """Zero hits with an --outlet or --domain nobody has: say it is unknown (exit 2)."""
    for fld, attr, option in _KNOWN_CHECKS:
        for value in getattr(spec.filters, attr):
            query = build._term(fld, value)
            if client.count(index=index, query=query).body["count"] == 0:
                agg = client.search(
                    index=index, size=0, aggs={"v": {"terms": {"field": fld, "size": 50}}}
                ).body
                known = [b["key"] for b in agg["aggregations"]["v"]["buckets"]]
                hint = ", ".join(known) if known else "none: the corpus is empty"
                raise InvalidQuery(f"unknown {fld} {value!r}: known are {hint}", param=option)


def _matches(client: Elasticsearch, index: str, spec: SearchSpec, body: dict) -> dict:
    """Run ``body``; with no match, say when an --outlet or --domain is unknown (exit 2)."""
    with translated(index):
        result = client.search(index=index, **body).body
        if int(result["hits"]["total"]["value"]) == 0:
            _check_known_values(client, index, spec)
    return result


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
        raise InvalidQuery("--page must be 1 or more", param="--page")
    search_after = build.decode_token(spec, after) if after else None
    offset = 0 if search_after is not None else (page - 1) * limit
    body = build.search_body(
        spec, size=limit, offset=offset, search_after=search_after, source=source
    )
    index = layout(prefix).articles
    result = _matches(client, index, spec, body)
    hits = [Hit.from_es(h, build.SNIPPET_CHARS) for h in result["hits"]["hits"]]
    total = int(result["hits"]["total"]["value"])
    more = len(hits) == limit and (search_after is not None or offset + limit < total)
    return SearchPage(
        spec=spec,
        hits=hits,
        total=total,
        took_ms=int(result.get("took", 0)),
        undated=_undated(result),
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
    undated = _undated(first)
    meta["export"]["undated_left_out"] = undated
    return Export(
        meta, total, undated, _stream(client, index, pit, request, sort, first, keep_alive)
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


@dataclass
class Timeline:
    interval: str
    date_field: str
    periods: list[str]
    series: dict[str, list[int]]  # "all" or one per outlet, aligned with periods
    total: int
    undated: int
    other: int = 0  # matches in outlets beyond the top ones shown
    took_ms: int = 0


def timeline(
    client: Elasticsearch,
    spec: SearchSpec,
    *,
    prefix: str = "newsarchive",
    interval: str = "month",
    by: str | None = None,
    top: int = 10,
) -> Timeline:
    """Counts of matches per period (and per outlet with ``by="outlet"``)."""
    if interval not in INTERVALS:
        raise InvalidQuery(f"unknown interval {interval!r}: use {', '.join(INTERVALS)}")
    if by not in (None, "outlet"):
        raise InvalidQuery(f"cannot split by {by!r}: use --by outlet", param="--by")
    date_field = spec.filters.date_field
    dates = build.date_filter(spec.filters) or {"exists": {"field": date_field}}
    histogram: dict = {
        "field": date_field,
        "calendar_interval": interval,
        "min_doc_count": 0,
        "format": "yyyy-MM-dd",
    }
    rng = spec.filters.dates
    if rng.start is not None and rng.end is not None:
        from datetime import timedelta

        histogram["extended_bounds"] = {
            "min": rng.start.strftime("%Y-%m-%d"),
            "max": (rng.end - timedelta(milliseconds=1)).strftime("%Y-%m-%d"),
        }
    hist = {"date_histogram": histogram}
    inner = {"hist": hist}
    if by == "outlet":
        inner = {"by": {"terms": {"field": "outlet", "size": top}, "aggs": {"hist": hist}}}
    body = {
        "size": 0,
        "track_total_hits": True,
        "query": build.base_query(spec, with_dates=False),
        "aggs": {
            "dated": {"filter": dates, "aggs": inner},
            "undated": {"missing": {"field": date_field}},
        },
    }
    index = layout(prefix).articles
    result = _matches(client, index, spec, body)
    aggs = result["aggregations"]
    dated = aggs["dated"]
    series: dict[str, dict[str, int]] = {}
    other = 0
    if by == "outlet":
        for bucket in dated["by"]["buckets"]:
            series[bucket["key"]] = {
                b["key_as_string"]: b["doc_count"] for b in bucket["hist"]["buckets"]
            }
        other = int(dated["by"].get("sum_other_doc_count", 0))
    else:
        series["all"] = {b["key_as_string"]: b["doc_count"] for b in dated["hist"]["buckets"]}
    periods = _fill_periods(sorted({p for s in series.values() for p in s}), interval)
    return Timeline(
        interval=interval,
        date_field=date_field,
        periods=periods,
        series={name: [counts.get(p, 0) for p in periods] for name, counts in series.items()},
        total=int(dated["doc_count"]),
        undated=int(aggs["undated"]["doc_count"]),
        other=other,
        took_ms=int(result.get("took", 0)),
    )


def _fill_periods(keys: list[str], interval: str) -> list[str]:
    """Every period between the first and the last, so gaps show as zero."""
    if len(keys) < 2:
        return keys
    from dateutil.relativedelta import relativedelta

    step = {"day": relativedelta(days=1), "week": relativedelta(weeks=1),
            "month": relativedelta(months=1), "year": relativedelta(years=1)}[interval]  # fmt: skip
    current = datetime.strptime(keys[0], "%Y-%m-%d")
    last = datetime.strptime(keys[-1], "%Y-%m-%d")
    out = []
    while current <= last:
        out.append(current.strftime("%Y-%m-%d"))
        current += step
    return out


# ``count --by`` names -> keyword fields; ``where.KEY`` splits by a registry tag.
COUNT_BY = {
    "outlet": "outlet",
    "author": "authors",
    "section": "section",
    "tag": "tags",
    "domain": "domain",
    "lang": "language",
}


def count_field(by: str) -> str:
    """The field ``count --by BY`` splits on; InvalidQuery for an unknown name."""
    if by in COUNT_BY:
        return COUNT_BY[by]
    key = by.removeprefix("where.")
    if key != by and key and "." not in key and key.replace("_", "").isalnum():
        return f"source_tags.{key}"
    names = ", ".join([*COUNT_BY, "where.TAG"])
    raise InvalidQuery(f"cannot count by {by!r}: use one of {names}", param="--by")


@dataclass
class Counts:
    total: int  # matching articles
    by: str | None = None
    buckets: list[tuple[str, int]] = field(default_factory=list)  # (value, articles)
    missing: int = 0  # matches without a value for ``by``
    other: int = 0  # matches counted under values beyond the top ones
    took_ms: int = 0


def count(
    client: Elasticsearch,
    spec: SearchSpec,
    *,
    prefix: str = "newsarchive",
    by: str | None = None,
    top: int = 20,
) -> Counts:
    """How many articles match, and (with ``by``) how many per outlet, author, tag..."""
    body: dict = {
        "size": 0,
        "track_total_hits": True,
        "query": build.base_query(spec, with_dates=True),
    }
    if by is not None:
        fld = count_field(by)
        body["aggs"] = {
            "by": {"terms": {"field": fld, "size": top}},
            "missing": {"missing": {"field": fld}},
        }
    index = layout(prefix).articles
    result = _matches(client, index, spec, body)
    total = int(result["hits"]["total"]["value"])
    counts = Counts(total=total, by=by, took_ms=int(result.get("took", 0)))
    if by is not None:
        aggs = result["aggregations"]
        counts.buckets = [(str(b["key"]), int(b["doc_count"])) for b in aggs["by"]["buckets"]]
        counts.other = int(aggs["by"].get("sum_other_doc_count", 0))
        counts.missing = int(aggs["missing"]["doc_count"])
    return counts


def stats(client: Elasticsearch, *, prefix: str = "newsarchive", top: int = 50) -> dict:
    """Size and coverage of the corpus, for ``newsarchive stats``."""
    names = layout(prefix)
    date_aggs = {
        "first": {"min": {"field": "published"}},
        "last": {"max": {"field": "published"}},
        "undated": {"missing": {"field": "published"}},
    }
    body = {
        "size": 0,
        "track_total_hits": True,
        "aggs": {
            **date_aggs,
            "outlets": {"terms": {"field": "outlet", "size": top}, "aggs": date_aggs},
            "outlet_count": {"cardinality": {"field": "outlet"}},
            "edited": {"filter": {"range": {"version_count": {"gt": 1}}}},
            "removed": {"filter": {"term": {"removed": True}}},
            "last_crawl": {"max": {"field": "last_seen"}},
            "first_crawl": {"min": {"field": "first_seen"}},
        },
    }
    with translated(names.articles):
        result = client.search(index=names.articles, **body).body
    with translated(names.versions):
        versions = int(client.count(index=names.versions).body["count"])
    aggs = result["aggregations"]

    def when(agg: dict) -> str | None:
        return agg.get("value_as_string") if agg.get("value") is not None else None

    return {
        "articles": int(result["hits"]["total"]["value"]),
        "versions": versions,
        "edited_articles": int(aggs["edited"]["doc_count"]),
        "removed_articles": int(aggs["removed"]["doc_count"]),
        "outlets": int(aggs["outlet_count"]["value"]),
        "published": {
            "first": when(aggs["first"]),
            "last": when(aggs["last"]),
            "undated": int(aggs["undated"]["doc_count"]),
        },
        "first_crawl": when(aggs["first_crawl"]),
        "last_crawl": when(aggs["last_crawl"]),
        "per_outlet": [
            {
                "outlet": b["key"],
                "articles": b["doc_count"],
                "first": when(b["first"]),
                "last": when(b["last"]),
                "undated": b["undated"]["doc_count"],
            }
            for b in aggs["outlets"]["buckets"]
        ],
    }


@dataclass
class ArticleView:
    """An article as ``show`` presents it: the current version and every version."""

    article: dict
    versions: list[dict] = field(default_factory=list)  # oldest first, fields rebuilt


def article(client: Elasticsearch, article_id: str, *, prefix: str = "newsarchive") -> ArticleView:
    """The article ``article_id`` (a full id or a unique prefix of at least 6 characters)."""
    names = layout(prefix)
    ident = article_id.strip().lower()
    if len(ident) < 6 or any(c not in "0123456789abcdef" for c in ident):
        raise InvalidQuery(
            f"{article_id!r} is not an article id: give the 40-character id (or its first "
            "6+ characters) that search prints",
            param="ID",
        )
    query = {"term": {"id": ident}} if len(ident) == 40 else {"prefix": {"id": ident}}
    with translated(names.articles):
        found = client.search(index=names.articles, query=query, size=2).body["hits"]["hits"]
    if not found:
        from newsarchive.errors import NewsarchiveError

        raise NewsarchiveError(f"no article with id {article_id!r} in {names.articles}")
    if len(found) > 1:
        raise InvalidQuery(
            f"id prefix {article_id!r} is ambiguous: give more characters", param="ID"
        )
    current = found[0]["_source"]
    with translated(names.versions):
        raw = client.search(
            index=names.versions,
            query={"term": {"article_id": current["id"]}},
            sort=[{"version": "asc"}],
            size=1000,
        ).body["hits"]["hits"]
    return ArticleView(current, rebuild_versions(current, [h["_source"] for h in raw]))


def rebuild_versions(current: dict, records: list[dict]) -> list[dict]:
    """Each version's text fields, walking back from the current article.

    A version record keeps only what changed (``previous``: the older value), so the
    older versions are rebuilt from the newest one, field by field.
    """
    records = sorted(records, key=lambda r: r.get("version", 0))
    if not records:
        return []
    state = {f: current.get(f) for f in DIFF_FIELDS}
    rebuilt: list[dict] = []
    for record in reversed(records):
        version = dict(record)
        version.update({f: state.get(f) for f in DIFF_FIELDS})
        rebuilt.append(version)
        for fld, old in (record.get("previous") or {}).items():
            state[fld] = old
    return list(reversed(rebuilt))
