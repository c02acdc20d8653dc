"""Counting the corpus: totals and splits (``count``), counts over time (``timeline``) and
corpus statistics (``stats``); coverage alarms are in ``coverage``. Nothing here prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from search_cli.query import build
from search_cli.query import fields as F
from search_cli.query.build import SearchSpec
from search_cli.query.errors import InvalidQuery, translated
from search_cli.query.execute import layout, matches

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch


INTERVALS = ("day", "week", "month", "year")


def group_field(by: str) -> str:
    """The field ``by`` names (``outlet``, ``where.lean``, ``people.id``...); an
    InvalidQuery listing the names for anything else."""
    real = F.group_field(by)
    if real is None:
        raise InvalidQuery(
            f"cannot split by {by!r}: use one of {', '.join(F.group_names())}", param="by"
        )
    return real


def _queries(spec: SearchSpec, versus: tuple[str, ...] | list[str]) -> list[str]:
    """The query texts compared side by side: the spec's first, then ``versus``."""
    queries = [spec.query, *versus]
    if len(set(queries)) < len(queries):
        raise InvalidQuery("the same query is given twice: compare different ones", param="versus")
    return queries


def _split(by: str | None, versus) -> None:
    if by is not None and versus:
        raise InvalidQuery(
            "split by a field or compare queries, not both (each makes its own series)",
            param="versus",
        )


@dataclass
class Timeline:
    interval: str
    date_field: str
    periods: list[str]
    # One series per split value (``by``), per query (``versus``) or "all", aligned with
    # ``periods``: the matching articles of each period.
    series: dict[str, list[int]]
    total: int  # dated matches (of any query, when several are compared)
    undated: int
    other: int = 0  # matches in values beyond the top ones shown
    took_ms: int = 0
    split: str | None = None  # the ``by`` name, "query" with ``versus``, None for one series
    # With ``normalize``: every article of the series' value in each period, under the
    # same filters (the denominator of the share; the query's own series all share one).
    base: dict[str, list[int]] | None = None

    def share(self, name: str) -> list[float | None]:
        """Matches / all articles per period of series ``name`` (None where there are none)."""
        if self.base is None:
            raise ValueError("a share needs normalize=True")
        return [
            n / d if d else None for n, d in zip(self.series[name], self.base[name], strict=True)
        ]

    def rows(self) -> list[dict]:
        """One row per period (and series): period, [split], articles, [all, normalized]."""
        out = []
        for name, counts in self.series.items():
            shares = self.share(name) if self.base is not None else None
            for i, period in enumerate(self.periods):
                row: dict = {"period": period}
                if self.split:
                    row[self.split] = name
                row["articles"] = counts[i]
                if self.base is not None and shares is not None:
                    row["all"] = self.base[name][i]
                    row["normalized"] = shares[i]
                out.append(row)
        return out


def _histogram(spec: SearchSpec, interval: str) -> dict:
    histogram: dict = {
        "field": spec.filters.date_field,
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
    return {"date_histogram": histogram}


def timeline_body(
    spec: SearchSpec,
    *,
    interval: str = "month",
    by: str | None = None,
    top: int = 10,
    normalize: bool = False,
    versus: tuple[str, ...] = (),
) -> dict:
    """The request ``timeline`` sends (pure; ``--show-query`` prints it).

    Plain: the query and filters, a histogram of the dated matches. With ``normalize``
    or ``versus`` the request selects the filters only and each query becomes a filter
    aggregation inside every bucket, so one request also counts all articles per period.
    """
    if interval not in INTERVALS:
        raise InvalidQuery(
            f"unknown interval {interval!r}: use {', '.join(INTERVALS)}", param="interval"
        )
    _split(by, versus)
    date_field = spec.filters.date_field
    dates = build.date_filter(spec.filters) or {"exists": {"field": date_field}}
    missing = {"missing": {"field": date_field}}
    hist = _histogram(spec, interval)
    if not normalize and not versus:
        inner: dict = {"hist": hist}
        if by is not None:
            inner = {
                "by": {"terms": {"field": group_field(by), "size": top}, "aggs": {"hist": hist}}
            }
        return {
            "size": 0,
            "track_total_hits": True,
            "query": build.base_query(spec, with_dates=False),
            "aggs": {"dated": {"filter": dates, "aggs": inner}, "undated": missing},
        }
    queries = _queries(spec, versus)
    texts = {str(i): build.text_query(q) for i, q in enumerate(queries)}
    per_query = {"q": {"filters": {"filters": texts}}}
    bucket_aggs = {**hist, "aggs": per_query}
    if by is not None:
        inner = {
            "by": {
                # The values with most matches, not most articles.
                "terms": {"field": group_field(by), "size": top, "order": {"matched": "desc"}},
                "aggs": {"matched": {"filter": texts["0"]}, "hist": bucket_aggs},
            },
            "matched": {"filter": texts["0"]},
        }
    else:
        inner = {"hist": bucket_aggs}
    any_query = texts["0"] if len(texts) == 1 else {"bool": {"should": list(texts.values())}}
    return {
        "size": 0,
        "track_total_hits": True,
        "query": build.filters_query(spec, with_dates=False),
        "aggs": {
            "dated": {"filter": dates, "aggs": {**inner, "any": {"filter": any_query}}},
            "undated": {
                "filter": {
                    "bool": {"must": [any_query], "must_not": [{"exists": {"field": date_field}}]}
                }
            },
        },
    }


def timeline(
    client: Elasticsearch,
    spec: SearchSpec,
    *,
    prefix: str = "newsarchive",
    interval: str = "month",
    by: str | None = None,
    top: int = 10,
    normalize: bool = False,
    versus: tuple[str, ...] = (),
) -> Timeline:
    """Counts of matches per period; ``by`` splits them by a field (the ``top`` values),
    ``versus`` adds queries side by side, ``normalize`` also counts every article per
    period (same filters) so each count can be read as a share (``Timeline.share``)."""
    versus = tuple(versus)
    body = timeline_body(
        spec, interval=interval, by=by, top=top, normalize=normalize, versus=versus
    )
    index = layout(prefix).articles
    result = matches(client, index, spec, body)
    aggs = result["aggregations"]
    dated = aggs["dated"]
    series: dict[str, dict[str, int]] = {}
    base: dict[str, dict[str, int]] = {}
    other = 0
    split = by if by is not None else ("query" if versus else None)
    plain = not normalize and not versus
    if plain:
        total, undated_n = int(dated["doc_count"]), int(aggs["undated"]["doc_count"])
        buckets = (
            dated["by"]["buckets"] if by is not None else [{"key": "all", "hist": dated["hist"]}]
        )
        for bucket in buckets:
            series[str(bucket["key"])] = _per_period(bucket["hist"], None)
        if by is not None:
            other = int(dated["by"].get("sum_other_doc_count", 0))
    else:
        total, undated_n = int(dated["any"]["doc_count"]), int(aggs["undated"]["doc_count"])
        if by is not None:
            shown = 0
            for bucket in dated["by"]["buckets"]:
                name = str(bucket["key"])
                series[name] = _per_period(bucket["hist"], "0")
                base[name] = _per_period(bucket["hist"], None)
                shown += int(bucket["matched"]["doc_count"])
            other = max(0, int(dated["matched"]["doc_count"]) - shown)
        else:
            names = _queries(spec, versus) if versus else ["all"]
            for i, name in enumerate(names):
                series[name] = _per_period(dated["hist"], str(i))
                base[name] = _per_period(dated["hist"], None)
    periods = _fill_periods(
        sorted({p for s in (*series.values(), *base.values()) for p in s}), interval
    )
    return Timeline(
        interval=interval,
        date_field=spec.filters.date_field,
        periods=periods,
        series={name: [counts.get(p, 0) for p in periods] for name, counts in series.items()},
        total=total,
        undated=undated_n,
        other=other,
        took_ms=int(result.get("took", 0)),
        split=split,
        base={name: [counts.get(p, 0) for p in periods] for name, counts in base.items()}
        if normalize
        else None,
    )


def _per_period(hist: dict, query: str | None) -> dict[str, int]:
    """Period -> count of a histogram: its documents, or those of query number ``query``."""
    if query is None:
        return {b["key_as_string"]: int(b["doc_count"]) for b in hist["buckets"]}
    return {b["key_as_string"]: int(b["q"]["buckets"][query]["doc_count"]) for b in hist["buckets"]}


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


@dataclass
class Counts:
    total: int  # matching articles (of the first query, when several are compared)
    by: str | None = None
    buckets: list[tuple[str, int]] = field(default_factory=list)  # (value, articles)
    missing: int = 0  # matches without a value for ``by``
    other: int = 0  # matches counted under values beyond the top ones
    took_ms: int = 0
    # With ``versus``: (query, matching articles) for every query compared.
    queries: list[tuple[str, int]] = field(default_factory=list)
    # With ``normalize``: all articles (same filters and dates) with each value, or in
    # all (``base_total``); the denominators of ``share``.
    base: dict[str, int] | None = None
    base_total: int | None = None
    # With ``stories``: distinct stories (same-story clusters) among the matches, in all
    # and per value: how many stories, not copies, an outlet or a query carried.
    stories: int | None = None
    bucket_stories: dict[str, int] = field(default_factory=dict)

    def rows(self) -> list[dict]:
        """One row per value (or per query): [by|query], articles, [share of the
        matches], and with ``normalize`` all articles and articles / all."""
        normalized = self.base is not None or self.base_total is not None
        if self.queries:
            column, pairs = "query", self.queries
        elif self.by is not None:
            column, pairs = self.by, self.buckets
        else:
            column, pairs = None, [(None, self.total)]
        out = []
        for value, n in pairs:
            row: dict = {column: value} if column else {}
            row["articles"] = n
            if self.stories is not None:
                row["stories"] = self.bucket_stories.get(str(value), 0) if column else self.stories
            if self.by is not None:
                row["share"] = n / self.total if self.total else None
            if normalized:
                if self.by is not None and self.base is not None:
                    everything = self.base.get(str(value), 0)
                else:
                    everything = self.base_total or 0
                row["all"] = everything
                row["normalized"] = n / everything if everything else None
            out.append(row)
        return out


_STORIES = {"cardinality": {"field": "story_id", "precision_threshold": 40000}}


def count_body(
    spec: SearchSpec,
    *,
    by: str | None = None,
    top: int = 20,
    versus: tuple[str, ...] = (),
    stories: bool = False,
) -> dict:
    """The request ``count`` sends (pure; ``--show-query`` prints it)."""
    _split(by, versus)
    if stories and versus:
        raise InvalidQuery("--stories counts the stories of one query: drop --vs", param="stories")
    if versus:
        texts = {str(i): build.text_query(q) for i, q in enumerate(_queries(spec, versus))}
        return {
            "size": 0,
            "track_total_hits": True,
            "query": build.filters_query(spec, with_dates=True),
            "aggs": {"q": {"filters": {"filters": texts}}},
        }
    body: dict = {
        "size": 0,
        "track_total_hits": True,
        "query": build.base_query(spec, with_dates=True),
    }
    if by is not None:
        fld = group_field(by)
        body["aggs"] = {
            "by": {"terms": {"field": fld, "size": top}},
            "missing": {"missing": {"field": fld}},
        }
        if stories:
            body["aggs"]["by"]["aggs"] = {"stories": _STORIES}
    if stories:
        body.setdefault("aggs", {})["stories"] = _STORIES
    return body


def normalize_body(spec: SearchSpec, *, by: str | None, values: list[str]) -> dict:
    """All articles under the filters and dates (the query left out), and with ``by``
    how many have each of ``values``: the denominators of a normalized count."""
    body: dict = {
        "size": 0,
        "track_total_hits": True,
        "query": build.filters_query(spec, with_dates=True),
    }
    if by is not None and values:
        fld = group_field(by)
        body["aggs"] = {"by": {"terms": {"field": fld, "size": len(values), "include": values}}}
    return body


def count(
    client: Elasticsearch,
    spec: SearchSpec,
    *,
    prefix: str = "newsarchive",
    by: str | None = None,
    top: int = 20,
    normalize: bool = False,
    versus: tuple[str, ...] = (),
    stories: bool = False,
) -> Counts:
    """How many articles match; ``by`` splits by a field (the ``top`` values),
    ``versus`` counts more queries beside the first, ``normalize`` also counts all
    articles of each value (same filters and dates) so each count is also a share."""
    versus = tuple(versus)
    body = count_body(spec, by=by, top=top, versus=versus, stories=stories)
    index = layout(prefix).articles
    result = matches(client, index, spec, body)
    counts = Counts(
        total=int(result["hits"]["total"]["value"]), by=by, took_ms=int(result.get("took", 0))
    )
    if versus:
        buckets = result["aggregations"]["q"]["buckets"]
        counts.queries = [
            (q, int(buckets[str(i)]["doc_count"])) for i, q in enumerate(_queries(spec, versus))
        ]
        if normalize:
            counts.base_total = counts.total  # the request selected the filters only
        counts.total = counts.queries[0][1]
        return counts
    if by is not None:
        aggs = result["aggregations"]
        counts.buckets = [(_key(b), int(b["doc_count"])) for b in aggs["by"]["buckets"]]
        counts.other = int(aggs["by"].get("sum_other_doc_count", 0))
        counts.missing = int(aggs["missing"]["doc_count"])
        if stories:
            counts.bucket_stories = {
                _key(b): int(b["stories"]["value"]) for b in aggs["by"]["buckets"]
            }
    if stories:
        counts.stories = int(result["aggregations"]["stories"]["value"])
    if normalize:
        values = [v for v, _ in counts.buckets]
        with translated(index):
            everything = client.search(
                index=index, **normalize_body(spec, by=by, values=values)
            ).body
        counts.base_total = int(everything["hits"]["total"]["value"])
        if by is not None:
            found = (everything.get("aggregations") or {}).get("by", {}).get("buckets", [])
            counts.base = {_key(b): int(b["doc_count"]) for b in found}
    return counts


def _key(bucket: dict) -> str:
    """A bucket's value as text (booleans as true/false, as ES writes them)."""
    return str(bucket.get("key_as_string", bucket["key"]))


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
