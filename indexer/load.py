"""Bulk loading of article records: idempotent, ordered, retried, with dead letters.

Records are processed in batches. Per batch, each article gets one full document
(its state after the batch's last record for it) written with an external version
(``documents.external_version``), and each new version one ``create`` into the
versions index. Both are idempotent, so a batch can be sent again after any failure
or kill: Elasticsearch answers 409 for what it already has. ``on_batch`` is called
only after Elasticsearch acknowledged a whole batch and its dead letters are on
disk: that is where a checkpoint may move.
"""

from __future__ import annotations

import gc
import json
import os
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crawler.schema.record import VERSION_EVENTS
from indexer import documents as d
from indexer.layout import Layout
from indexer.stories.cluster import Stories, StorySettings
from newsarchive.errors import NewsarchiveError

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

RETRY_STATUS = (429, 500, 502, 503, 504)


class _StillBusy(Exception):
    """Items still refused with 429/5xx after the helper's own retries: the cluster's
    fault, not the documents', so the whole (idempotent) batch is sent again."""


@dataclass
class Item:
    """One input line: a parsed record, or the reason it could not be parsed."""

    record: Any
    position: Any = None  # opaque to the loader; passed back through on_batch
    error: str | None = None
    raw: str | None = None
    rejected: bool = False
    signature: Any = None  # the text's story signature, computed in the reader thread


@dataclass
class Summary:
    records: int = 0
    indexed: int = 0  # new article documents
    updated: int = 0  # article documents that moved on (new version, seen, removed)
    unchanged: int = 0  # Elasticsearch already had this state or a newer one
    rejected: int = 0  # written to the dead-letter file
    versions: int = 0  # version documents created
    seconds: float = 0.0
    dead_letter: Path | None = None
    joined: int = 0  # new articles that joined an existing story
    story_rewrites: int = 0  # other articles whose story fields changed (new root, wire)
    story_seconds: float = 0.0  # time spent assigning stories (in the main thread)
    story_phases: dict[str, float] = field(default_factory=dict)  # incl. the lookahead thread
    story_fallbacks: int = 0  # chunks whose candidates took one query per article
    story_exact: int = 0  # candidate pairs too close to the threshold to estimate
    reasons: list[str] = field(default_factory=list)  # the first few rejection reasons
    notes: list[str] = field(default_factory=list)  # what the run wants the user to know

    @property
    def docs_per_s(self) -> float:
        return self.records / self.seconds if self.seconds > 0 else 0.0

    def add(self, other: Summary) -> None:
        for name in ("records", "indexed", "updated", "unchanged", "rejected", "versions"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.seconds += other.seconds
        self.dead_letter = self.dead_letter or other.dead_letter
        self.reasons.extend(other.reasons[: 5 - len(self.reasons)])
        self.notes.extend(other.notes[: 5 - len(self.notes)])

    def line(self) -> str:
        if not self.records:
            return "no new records: the index is up to date"
        records = f"{self.records} record{'s' * (self.records != 1)}"
        versions = f"{self.versions} version document{'s' * (self.versions != 1)}"
        text = (
            f"{records}: {self.indexed} indexed, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.rejected} rejected; {versions}; "
            f"{self.seconds:.1f}s, {self.docs_per_s:.0f} docs/s"
        )
        if self.joined:
            text += f"; {self.joined} joined a story"
        if self.dead_letter is not None and self.rejected:
            text += f"; rejected records in {self.dead_letter}"
        return text

    def as_dict(self) -> dict:
        out = {k: getattr(self, k) for k in ("records", "indexed", "updated", "unchanged")}
        out.update(rejected=self.rejected, versions=self.versions, seconds=round(self.seconds, 3))
        out.update(docs_per_s=round(self.docs_per_s, 1), reasons=list(self.reasons))
        out["dead_letter"] = str(self.dead_letter) if self.dead_letter else None
        out["stories"] = {
            "joined": self.joined,
            "rewritten": self.story_rewrites,
            "seconds": round(self.story_seconds, 3),
            "phases": {k: round(v, 3) for k, v in self.story_phases.items()},
            "fallbacks": self.story_fallbacks,
            "exact": self.story_exact,
        }
        out["notes"] = list(self.notes)
        return out


class DeadLetters:
    """Rejected records with their reason, appended to one JSONL file per run."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = Path(directory) if directory else None
        self.path: Path | None = None
        self._fh = None

    def write(self, item: Item, reason: str, source: str | None = None) -> None:
        if self.directory is None:
            return
        if self._fh is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
            self.path = self.directory / f"index-{stamp}.jsonl"
            self._fh = open(self.path, "a", encoding="utf-8")  # noqa: SIM115 - closed in close()
        entry = {
            "time": datetime.now(UTC).isoformat(timespec="seconds"),
            "reason": reason,
            "source": source,
            "position": item.position if isinstance(item.position, int | str) else None,
            "record": item.record if item.error is None else None,
            "raw": item.raw if item.error is not None else None,
        }
        self._fh.write(json.dumps(entry, ensure_ascii=False, default=str) + "\n")

    def sync(self) -> None:
        if self._fh is not None:
            self._fh.flush()
            os.fsync(self._fh.fileno())

    def close(self) -> None:
        if self._fh is not None:
            self.sync()
            self._fh.close()
            self._fh = None


def _reason(info: dict) -> str:
    error = info.get("error")
    if isinstance(error, dict):
        text = f"{error.get('type')}: {error.get('reason')}"
        cause = error.get("caused_by")
        if isinstance(cause, dict):
            text += f" ({cause.get('type')}: {cause.get('reason')})"
        return text
    return str(error or info.get("exception") or f"status {info.get('status')}")


def with_retries(call: Callable[[], Any], what: str, url: str, attempts: int = 8) -> Any:
    """Run ``call``; retry connection errors, timeouts, 429 and 5xx with backoff."""
    from elasticsearch import ApiError, ConnectionError, ConnectionTimeout

    delay = 0.5
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except (ConnectionError, ConnectionTimeout) as exc:
            problem = f"{type(exc).__name__}: {getattr(exc, 'message', exc)}"
        except ApiError as exc:
            if exc.meta.status not in RETRY_STATUS:
                raise
            problem = f"HTTP {exc.meta.status}"
        except _StillBusy as exc:
            problem = str(exc)
        if attempt == attempts:
            raise NewsarchiveError(
                f"Elasticsearch at {url} kept failing during {what} ({problem}) after "
                f"{attempts} attempts; what was acknowledged is checkpointed: run "
                "`newsarchive index` again when the cluster is healthy"
            )
        time.sleep(delay)
        delay = min(delay * 2, 30.0)
    raise AssertionError("unreachable")


class Loader:
    """Writes records into the article and version indices (write aliases by default)."""

    def __init__(
        self,
        client: Elasticsearch,
        layout: Layout,
        *,
        articles_index: str | None = None,
        versions_index: str | None = None,
        dead_letters: DeadLetters | None = None,
        batch_records: int = 500,
        attempts: int = 8,
        item_retries: int = 5,
        initial_backoff: float = 0.5,
        source: str | None = None,
        stories: StorySettings | None = None,
    ) -> None:
        self.client = client.options(request_timeout=120, max_retries=0)
        self.layout = layout
        self.articles = articles_index or layout.articles_write
        self.versions = versions_index or layout.versions_write
        self.aliased = articles_index is None  # writes must hit an alias, never auto-create
        self.dead = dead_letters or DeadLetters(None)
        self.batch_records = batch_records
        self.attempts = attempts
        self.item_retries = item_retries
        self.initial_backoff = initial_backoff
        self.source = source
        self.url = _url_of(client)
        self._cache: OrderedDict[str, tuple[int, dict]] = OrderedDict()  # id -> (ext, doc)
        stories = StorySettings() if stories is None else stories
        self.stories = (
            Stories(self.client, self.articles, stories, self._call) if stories.enabled else None
        )

    def _call(self, call: Callable[[], Any], what: str) -> Any:
        return with_retries(call, what, self.url, self.attempts)

    def load(
        self, items: Iterable[Item], on_batch: Callable[[Any, Summary], None] | None = None
    ) -> Summary:
        """Load every item; ``on_batch(last position, batch summary)`` after each batch."""
        total = Summary()
        began = time.monotonic()
        batches = _prefetched(_batches(items, self.batch_records), self._prepare)
        try:
            with _rare_collections():
                batch = next(batches, None)
                while batch is not None:
                    upcoming = next(batches, None)  # read ahead: its lookups overlap this write
                    part = self._load_batch(batch, upcoming)
                    total.add(part)
                    if on_batch is not None:
                        on_batch(batch[-1].position, part)
                    batch = upcoming
        finally:
            if self.stories is not None:
                self.stories.close()
        total.seconds = time.monotonic() - began
        total.dead_letter = self.dead.path
        if self.stories is not None:
            stats = self.stories.stats
            total.joined, total.story_rewrites = stats.joined, stats.rewritten
            total.story_seconds, total.story_phases = stats.seconds, dict(stats.phases)
            total.story_fallbacks, total.story_exact = stats.fallbacks, stats.exact
        return total

    def _prepare(self, batch: list[Item]) -> None:
        """Work done in the reader thread, while Elasticsearch indexes the batch before."""
        if self.stories is not None:
            for item in batch:
                if item.error is None:
                    item.signature = self.stories.prepare(item.record)

    # one batch -------------------------------------------------------------------------
    def _load_batch(self, batch: list[Item], upcoming: list[Item] | None = None) -> Summary:
        began = time.monotonic()
        summary = Summary(records=len(batch))
        good: list[Item] = []
        for item in batch:
            try:
                if item.error is not None:
                    raise d.RecordError(item.error)
                d.check(item.record)
                good.append(item)
            except d.RecordError as exc:
                self._reject(summary, item, f"invalid record: {exc}")
        bases = self._fetch_bases(good)
        groups: OrderedDict[str, list[Item]] = OrderedDict()  # article id -> its items
        states: dict[str, tuple[int, dict]] = {}
        version_actions: dict[str, tuple[dict, Item]] = {}
        for item in good:
            record = item.record
            rid = record["id"]
            ext = d.external_version(record)
            if record["event"] in VERSION_EVENTS:
                doc = d.article_doc(record)
                vid = d.version_id(record)
                if vid not in version_actions:
                    version_actions[vid] = (self._version_action(vid, record), item)
            else:
                base = states.get(rid) or bases.get(rid)
                if base is None:
                    self._reject(summary, item, "no indexed version of this article to update")
                    continue
                build = d.seen_doc if record["event"] == "seen" else d.removed_doc
                doc = build(base[1], record)
            if rid in states and states[rid][0] >= ext:
                summary.unchanged += 1  # an older record after a newer one in this batch
                continue
            states[rid] = (ext, doc)
            groups.setdefault(rid, []).append(item)
        rewrites = self._assign_stories(groups, states, bases)
        actions = [self._article_action(rid, *states[rid]) for rid in groups]
        actions += [action for action, _ in version_actions.values()]
        actions += [
            self._article_action(rid, ext, doc, "external_gte") for rid, ext, doc in rewrites
        ]
        if self.stories is not None and upcoming:
            self.stories.search_ahead(_signatures(upcoming))
        results = self._send(actions)
        for rid, group in groups.items():
            status, info = results[("index", rid)]
            if status in (200, 201):
                summary.indexed += 1 if status == 201 else 0
                summary.updated += len(group) - (1 if status == 201 else 0)
                self._remember(rid, states[rid])
            elif status == 409:
                summary.unchanged += len(group)
                self._cache.pop(rid, None)
            else:
                self._cache.pop(rid, None)
                for item in group:
                    self._reject(summary, item, _reason(info))
        for vid, (_, item) in version_actions.items():
            status, info = results[("create", vid)]
            if status == 201:
                summary.versions += 1
            elif status != 409 and not item.rejected:
                self._reject(summary, item, "version document: " + _reason(info))
        for rid, ext, doc in rewrites:
            status, info = results[("index", rid)]
            if status in (200, 201):
                self._remember(rid, (ext, doc))
            else:  # a newer state won (409) or the update failed: rebuild fixes the latter
                self._cache.pop(rid, None)
                if status != 409 and len(summary.notes) < 5:
                    summary.notes.append(f"a story update of {rid} failed: {_reason(info)}")
        self.dead.sync()
        summary.seconds = time.monotonic() - began
        return summary

    def _reject(self, summary: Summary, item: Item, reason: str) -> None:
        summary.rejected += 1
        if len(summary.reasons) < 5:
            summary.reasons.append(reason)
        item.rejected = True
        self.dead.write(item, reason, self.source)

    def _assign_stories(
        self,
        groups: OrderedDict[str, list[Item]],
        states: dict[str, tuple[int, dict]],
        bases: dict[str, tuple[int, dict]],
    ) -> list[tuple[str, int, dict]]:
        """Story fields for the articles of this batch that got a new text (see
        indexer.stories); returns the rewrites of other articles it implies."""
        if self.stories is None:
            return []
        targets = []
        for rid, group in groups.items():
            last = next((i for i in reversed(group) if i.record["event"] in VERSION_EVENTS), None)
            if last is None:
                continue
            sig = last.signature or self.stories.prepare(last.record)
            ext, doc = states[rid]
            targets.append((rid, ext, doc, sig))
        docs = {rid: states[rid][1] for rid in groups}
        return self.stories.assign(
            targets, docs, lambda rid: self._cache.get(rid) or bases.get(rid)
        )

    def _remember(self, rid: str, state: tuple[int, dict]) -> None:
        self._cache[rid] = state
        self._cache.move_to_end(rid)
        while len(self._cache) > 20_000:
            self._cache.popitem(last=False)

    def _fetch_bases(self, items: list[Item]) -> dict[str, tuple[int, dict]]:
        """Current documents of articles that seen/removed records update."""
        first_event: dict[str, str] = {}
        for i in items:
            first_event.setdefault(i.record["id"], i.record["event"])
        # an article whose first record in this batch is a full version needs no base
        wanted = {
            rid
            for rid, event in first_event.items()
            if event not in VERSION_EVENTS and rid not in self._cache
        }
        bases = {rid: self._cache[rid] for i in items if (rid := i.record["id"]) in self._cache}
        if not wanted:
            return bases
        index = self.articles
        resp = with_retries(
            lambda: self.client.mget(index=index, ids=sorted(wanted), realtime=True),
            "a document lookup",
            self.url,
            self.attempts,
        )
        for doc in resp["docs"]:
            if doc.get("found"):
                bases[doc["_id"]] = (doc.get("_version", 0), doc["_source"])
        return bases

    def _article_action(
        self, rid: str, ext: int, doc: dict, version_type: str = "external"
    ) -> dict:
        """The write of an article's document; ``external_gte`` (same version) for the
        story updates of an article whose record state does not change."""
        action = {
            "_op_type": "index",
            "_index": self.articles,
            "_id": rid,
            "version": ext,
            "version_type": version_type,
            "_source": doc,
        }
        if self.aliased:
            action["require_alias"] = True
        return action

    def _version_action(self, vid: str, record: dict) -> dict:
        action = {
            "_op_type": "create",
            "_index": self.versions,
            "_id": vid,
            "_source": d.version_doc(record),
        }
        if self.aliased:
            action["require_alias"] = True
        return action

    def _send(self, actions: list[dict]) -> dict[tuple[str, str], tuple[int, dict]]:
        """Bulk-write ``actions``; (op, _id) -> (status, item info). Idempotent: a
        failed attempt is simply sent again."""
        from elasticsearch.helpers import streaming_bulk

        def attempt() -> dict[tuple[str, str], tuple[int, dict]]:
            out: dict[tuple[str, str], tuple[int, dict]] = {}
            for _ok, result in streaming_bulk(
                self.client,
                actions,
                chunk_size=max(1, len(actions)),
                max_chunk_bytes=50 * 1024 * 1024,
                raise_on_error=False,
                raise_on_exception=True,
                max_retries=self.item_retries,
                initial_backoff=self.initial_backoff,
                max_backoff=30,
                retry_on_status=RETRY_STATUS,
            ):
                op, info = next(iter(result.items()))
                out[(op, info.get("_id"))] = (int(info.get("status", 0)), info)
            busy = [status for status, _ in out.values() if status in RETRY_STATUS]
            if busy:
                raise _StillBusy(f"{len(busy)} documents refused with HTTP {busy[0]}")
            return out

        if not actions:
            return {}
        return with_retries(attempt, "a bulk write", self.url, self.attempts)


@contextmanager
def _rare_collections() -> Iterator[None]:
    """Run the cyclic garbage collector rarely while loading. A load keeps tens of
    thousands of documents alive (the loader's cache, the stories' window) and
    allocates millions of short-lived objects without cycles; at the default
    thresholds the collector took half of the indexer's CPU time with clustering
    (3.3 of 6.8 s on 12,000 records; 0.4 s at these thresholds)."""
    before = gc.get_threshold()
    gc.set_threshold(100_000, 20, 10)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _signatures(batch: list[Item]) -> dict:
    """Article id -> the story signature of its last version record in ``batch``."""
    out = {}
    for item in batch:
        record = item.record
        if item.signature is not None and isinstance(record.get("id"), str):
            out[record["id"]] = item.signature
    return out


def _batches(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    batch: list[Item] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _prefetched(
    batches: Iterator[list[Item]],
    prepare: Callable[[list[Item]], None] | None = None,
    depth: int = 2,
) -> Iterator[list[Item]]:
    """Read and parse the next batches in a thread while Elasticsearch indexes this
    one (the socket wait releases the GIL): the file reading, and ``prepare`` (the
    story signatures), cost no wall time."""
    import queue
    import threading

    slots: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def produce() -> None:
        try:
            for batch in batches:
                if prepare is not None:
                    prepare(batch)
                while not stop.is_set():
                    try:
                        slots.put(batch, timeout=0.2)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            slots.put(done)
        except BaseException as exc:  # handed to the consumer, raised there
            slots.put(exc)

    thread = threading.Thread(target=produce, name="index-reader", daemon=True)
    thread.start()
    try:
        while (batch := slots.get()) is not done:
            if isinstance(batch, BaseException):
                raise batch
            yield batch
    finally:
        stop.set()


def _url_of(client: Elasticsearch) -> str:
    try:
        node = client.transport.node_pool.all()[0]
        return node.base_url
    except Exception:  # pragma: no cover - only for messages
        return "the configured URL"


def load_records(
    client: Elasticsearch,
    records: Iterable[dict],
    prefix: str = "newsarchive",
    *,
    refresh: bool = True,
    dead_letter_dir: Path | None = None,
    stories: StorySettings | None = None,
) -> Summary:
    """Load article records (the archive's JSONL format, as dicts) into ``prefix``'s
    indices, creating templates, indices and aliases first if needed.

    For tests and scripts (the search CLI's tests build their corpus with it); the
    ``newsarchive index`` command adds checkpoints, locking and progress on top.
    """
    from indexer.setup import ensure_indices

    layout = ensure_indices(client, prefix)
    dead = DeadLetters(dead_letter_dir)
    try:
        summary = Loader(client, layout, dead_letters=dead, stories=stories).load(
            Item(record, position=n) for n, record in enumerate(records)
        )
    finally:
        dead.close()
    if refresh:
        client.indices.refresh(index=f"{layout.articles},{layout.versions}")
    return summary
