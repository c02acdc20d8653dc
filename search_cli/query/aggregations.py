"""Counting the corpus: totals and splits (``count``), counts over time (``timeline``) and
corpus statistics (``stats``); coverage alarms are in ``coverage``. Nothing here prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from search_cli.query import build
from search_cli.query.build import SearchSpec
from search_cli.query.errors import InvalidQuery, translated
from search_cli.query.execute import layout, matches

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch


INTERVALS = ("day", "week", "month", "year")


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
        raise InvalidQuery(
            f"unknown interval {interval!r}: use {', '.join(INTERVALS)}", param="interval"
        )
    if by not in (None, "outlet"):
        raise InvalidQuery(f"cannot split by {by!r}: only by outlet", param="by")
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
    result = matches(client, index, spec, body)
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
    raise InvalidQuery(f"cannot count by {by!r}: use one of {names}", param="by")


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
    result = matches(client, index, spec, body)
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
