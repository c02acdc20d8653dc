"""Version events: every edit and removal of the articles a search matches, with what
changed (``edits``, ``export --versions``), and edit events counted over time
(``timeline --edits``). Nothing here prints.

An edit event is a version after the first (version 2, 3, ...): when the archive
captured it, which fields changed, how many words were added and removed, and the
correction notices its text carries. A removal event is the article vanishing from its
site. With ``diffs`` each edit also carries the word diff of every text field it
changed, computed by the same ``newsarchive.wordiff`` the archive counts words with.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from itertools import islice
from typing import TYPE_CHECKING

from crawler.schema.record import DIFF_FIELDS
from newsarchive.wordiff import change_size, diff_words, render
from search_cli.query import build
from search_cli.query.aggregations import INTERVALS, Timeline, _fill_periods
from search_cli.query.articles import rebuild_versions
from search_cli.query.build import SearchSpec
from search_cli.query.errors import InvalidQuery, translated
from search_cli.query.execute import layout

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

BATCH = 200  # articles whose versions are read in one request
MAX_ARTICLES_IN_TIMELINE = 65_000  # Elasticsearch's default terms limit
_ARTICLE_SOURCE = ["id", "outlet", "url", "title", "version_count", "removed", "removed_at",
                   "removed_reason", *DIFF_FIELDS]  # fmt: skip
_VERSION_SOURCE = ["article_id", "version", "title", "crawled", "changed_fields", "previous",
                   "words_added", "words_removed", "corrections", "capture"]  # fmt: skip


@dataclass
class VersionEvent:
    """One edit (``event`` "changed") or removal ("removed") of an article."""

    article_id: str
    outlet: str | None
    url: str | None
    title: str | None  # the headline of this version
    event: str
    version: int
    time: str | None  # when the archive captured it
    changed_fields: list[str] = field(default_factory=list)
    words_added: int = 0
    words_removed: int = 0
    corrections: list[dict] = field(default_factory=list)
    reason: str | None = None  # of a removal: 404, 410, redirect home
    diff: dict[str, str] | None = None  # field -> word diff, "[-old-]{+new+}"

    def as_dict(self) -> dict:
        data = asdict(self)
        if data["diff"] is None:
            data.pop("diff")
        return data


def events_query(spec: SearchSpec) -> dict:
    """The articles index query of the search (``--edited`` and the like included),
    narrowed to articles edited or removed."""
    changed = {"range": {"version_count": {"gt": 1}}}
    gone = {"term": {"removed": True}}
    either = {"bool": {"should": [changed, gone], "minimum_should_match": 1}}
    return {"bool": {"must": [build.base_query(spec, with_dates=True)], "filter": [either]}}


def version_events(
    client: Elasticsearch,
    spec: SearchSpec,
    *,
    prefix: str = "newsarchive",
    diffs: bool = False,
) -> Iterator[VersionEvent]:
    """Every edit and removal of the matching articles, article by article, oldest first."""
    from elasticsearch.helpers import scan

    names = layout(prefix)
    query = events_query(spec)
    with translated(names.articles):
        docs = scan(
            client, index=names.articles, query={"query": query}, _source=_ARTICLE_SOURCE,
            size=BATCH, preserve_order=False,
        )  # fmt: skip
        while chunk := [d["_source"] for d in islice(docs, BATCH)]:
            versions = _versions_of(client, names.versions, [d["id"] for d in chunk])
            for doc in chunk:
                yield from article_events(doc, versions.get(doc["id"], []), diffs=diffs)


def _versions_of(client: Elasticsearch, index: str, ids: list[str]) -> dict[str, list[dict]]:
    from elasticsearch.helpers import scan

    found: dict[str, list[dict]] = {}
    with translated(index):
        for hit in scan(
            client, index=index, query={"query": {"terms": {"article_id": ids}}},
            _source=_VERSION_SOURCE, size=1000,
        ):  # fmt: skip
            found.setdefault(hit["_source"]["article_id"], []).append(hit["_source"])
    return found


def article_events(
    current: dict, records: list[dict], *, diffs: bool = False
) -> list[VersionEvent]:
    """The events of one article: ``current`` its article document, ``records`` its
    version documents (any order)."""
    records = sorted(records, key=lambda r: r.get("version", 0))
    rebuilt = rebuild_versions(current, records) if diffs else records
    events: list[VersionEvent] = []
    for before, version in zip(rebuilt, rebuilt[1:], strict=False):
        changed = list(version.get("changed_fields") or [])
        added, removed = version.get("words_added"), version.get("words_removed")
        diff = None
        if diffs:
            diff = {f: render(field_diff(before, version, f)) for f in changed}
            if added is None or removed is None:  # indexed before the archive counted them
                added = sum(change_size(before.get(f), version.get(f))[0] for f in changed)
                removed = sum(change_size(before.get(f), version.get(f))[1] for f in changed)
        events.append(
            VersionEvent(
                article_id=current["id"],
                outlet=current.get("outlet"),
                url=current.get("url"),
                title=version.get("title"),
                event="changed",
                version=int(version.get("version") or 0),
                time=version.get("crawled"),
                changed_fields=changed,
                words_added=int(added or 0),
                words_removed=int(removed or 0),
                corrections=list(version.get("corrections") or []),
                diff=diff,
            )
        )
    if current.get("removed"):
        events.append(
            VersionEvent(
                article_id=current["id"],
                outlet=current.get("outlet"),
                url=current.get("url"),
                title=current.get("title"),
                event="removed",
                version=int(current.get("version_count") or 1),
                time=current.get("removed_at"),
                reason=current.get("removed_reason"),
                diff={} if diffs else None,
            )
        )
    return events


def field_diff(old: dict, new: dict, name: str) -> list[tuple[str, str]]:
    """The word diff of one field between two rebuilt versions (lists joined by ", ")."""
    return diff_words(_text(old.get(name)), _text(new.get(name)))


def _text(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def latest_events(
    client: Elasticsearch, spec: SearchSpec, *, prefix: str = "newsarchive", limit: int = 50
) -> tuple[list[VersionEvent], int]:
    """(the ``limit`` most recent events, how many there are in all)."""
    if limit < 1:
        raise InvalidQuery("must be 1 or more", param="limit")
    everything = sorted(
        version_events(client, spec, prefix=prefix), key=lambda e: e.time or "", reverse=True
    )
    return everything[:limit], len(everything)


def edit_timeline(
    client: Elasticsearch,
    spec: SearchSpec,
    *,
    prefix: str = "newsarchive",
    interval: str = "month",
    by: str | None = None,
    top: int = 10,
) -> Timeline:
    """Edit events (versions after the first) per period of their capture, for the
    articles the search matches; ``--from``/``--to`` bound the capture time."""
    if interval not in INTERVALS:
        raise InvalidQuery(
            f"unknown interval {interval!r}: use {', '.join(INTERVALS)}", param="interval"
        )
    if by not in (None, "outlet"):
        raise InvalidQuery(f"cannot split by {by!r}: only by outlet", param="by")
    names = layout(prefix)
    undated_spec = replace(spec, filters=replace(spec.filters, dates=build.Filters().dates))
    filters: list[dict] = [{"range": {"version": {"gte": 2}}}]
    article_query = build.base_query(undated_spec, with_dates=False)
    if article_query != {"match_all": {}}:
        filters.append({"terms": {"article_id": _edited_ids(client, names.articles, spec)}})
    if not spec.filters.dates.is_open:
        filters.append({"range": {"crawled": spec.filters.dates.to_es()}})
    hist = {
        "date_histogram": {
            "field": "crawled", "calendar_interval": interval, "min_doc_count": 0,
            "format": "yyyy-MM-dd",
        }
    }  # fmt: skip
    aggs: dict = {"hist": hist}
    if by == "outlet":
        aggs = {"by": {"terms": {"field": "outlet", "size": top}, "aggs": {"hist": hist}}}
    with translated(names.versions):
        result = client.search(
            index=names.versions, size=0, track_total_hits=True,
            query={"bool": {"filter": filters}}, aggs=aggs,
        ).body  # fmt: skip
    series: dict[str, dict[str, int]] = {}
    other = 0
    if by == "outlet":
        for bucket in result["aggregations"]["by"]["buckets"]:
            series[bucket["key"]] = {
                b["key_as_string"]: b["doc_count"] for b in bucket["hist"]["buckets"]
            }
        other = int(result["aggregations"]["by"].get("sum_other_doc_count", 0))
    else:
        series["all"] = {
            b["key_as_string"]: b["doc_count"] for b in result["aggregations"]["hist"]["buckets"]
        }
    periods = _fill_periods(sorted({p for s in series.values() for p in s}), interval)
    return Timeline(
        interval=interval,
        date_field="crawled",
        periods=periods,
        series={name: [counts.get(p, 0) for p in periods] for name, counts in series.items()},
        total=int(result["hits"]["total"]["value"]),
        undated=0,
        other=other,
        took_ms=int(result.get("took", 0)),
        split="outlet" if by == "outlet" else None,
    )


def _edited_ids(client: Elasticsearch, index: str, spec: SearchSpec) -> list[str]:
    """Ids of the edited articles the search (without its date range) matches."""
    from elasticsearch.helpers import scan

    undated_spec = replace(spec, filters=replace(spec.filters, dates=build.Filters().dates))
    query = {
        "bool": {
            "must": [build.base_query(undated_spec, with_dates=False)],
            "filter": [{"range": {"version_count": {"gt": 1}}}],
        }
    }
    ids: list[str] = []
    with translated(index):
        for hit in scan(client, index=index, query={"query": query}, _source=["id"], size=1000):
            ids.append(hit["_source"]["id"])
            if len(ids) > MAX_ARTICLES_IN_TIMELINE:
                raise InvalidQuery(
                    f"more than {MAX_ARTICLES_IN_TIMELINE} edited articles match: narrow the "
                    "query or the filters"
                )
    return ids
