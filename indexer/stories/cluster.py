"""Same-story assignment at index time, one bulk chunk at a time.

The state lives in the article documents: ``story_keys``, the few sampled shingle
hashes a body's candidate query asks for, is a keyword field; ``story_sample``, all of
its sampled hashes, is kept in ``_source`` only. For a chunk of new articles,
Elasticsearch is asked, while the chunk before is still being written (a lookahead
thread: the bulk request keeps one core busy, these use another):

1. the indexed state of its changed versions (one ``mget``; an indexed article that
   comes again with the same text is its own hit in the search below);
2. the candidates of its new articles: articles sharing at least ``min_shared`` of
   a new article's query keys (at most ``QUERY_KEYS`` each). One filter search for
   the whole chunk asks for every key at once and the sharing is counted here; a
   chunk whose search finds more than ``chunk_hits`` articles (keys too common) asks
   again with one scored query per article instead, in one ``msearch``;
3. the roots of the candidates' stories that are not at hand, and the bodies of the
   few candidates whose sampled estimate is too close to the threshold to decide
   alone (one ``mget``).

Articles written since the last refresh are not searchable yet: the window keeps them
in memory and they are matched there (the index is refreshed when the window is full).
A new article joins the story of its best match when the shorter text is at least
``threshold`` contained in the other, else it founds a story. Containment is
estimated from the two samples; only when the estimate is within ``shingles.SURE``
standard deviations of the threshold are the exact shingle sets compared.

A story's id is the id of its earliest article by ``first_seen`` (ties: the lower id);
the others point at it with ``duplicate_of`` and their ``story_similarity`` to it.
When an article earlier than a story's root arrives late, or a wire outlet's article
joins a story, the story's other articles are rewritten (same external version, so no
record state is lost or reordered). Stories are never merged after the fact, and an
edited version stays in the story of its article.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from crawler.schema.record import VERSION_EVENTS
from indexer.stories import wires
from newsarchive import shingles

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

    from newsarchive.config import Config

FIELDS = (
    "story_id",
    "duplicate_of",
    "story_similarity",
    "syndicated_from",
    "syndicated_by",
    "story_keys",
    "story_sample",
)
TEXT_EVIDENCE = ("dateline", "byline", "credit")
_LIGHT = ["story_id", "first_seen", "story_keys", "story_sample", "outlet", "source_id",
          "source_tags", "syndicated_from", "syndicated_by"]  # fmt: skip
_HIT = [*_LIGHT, "duplicate_of", "story_similarity"]  # a hit may be the article itself
_MARGIN = 0.2  # a candidate whose sampled estimate is this far below the threshold is dropped
_WINDOW = 2000  # articles matched in memory before the index is refreshed
_RECENT = 3000  # shingles of recent articles kept, so popular stories are not re-read
_Recent = tuple[tuple[datetime, str], str | None, frozenset[str], np.ndarray | None]
Call = Callable[[Callable[[], Any], str], Any]  # with_retries, bound to the loader's URL
Known = Callable[[str], tuple[int, dict] | None]  # the loader's state of an article


@dataclass(frozen=True)
class StorySettings:
    """What decides a match (``Config.story_*``; docs/indexing.md documents them)."""

    enabled: bool = True
    threshold: float = 0.45  # containment of the shorter text in the other
    min_words: int = 50  # bodies shorter than this are never matched
    wire_tag: tuple[str, str] = ("kind", "wire")  # registry tag of wire outlets
    candidates: int = 5  # hits per candidate query
    verify: int = 5  # candidates verified exactly per article
    min_shared: int = 2  # keys a candidate shares at least
    max_members: int = 10_000  # members of one story rewritten at most
    chunk_hits: int = 10_000  # hits of a chunk's candidate search (index.max_result_window)

    @classmethod
    def from_settings(cls, settings: Config) -> StorySettings:
        key, _, value = settings.story_wire_tag.partition("=")
        return cls(
            enabled=settings.stories,
            threshold=settings.story_threshold,
            min_words=settings.story_min_words,
            wire_tag=(key, value),
        )

    @property
    def min_shingles(self) -> int:
        return max(1, self.min_words - shingles.SHINGLE_WORDS + 1)


@dataclass
class Signature:
    """What a record's text gives, computed once (in the reader thread), or read from
    the record's ``text_sample`` (the crawler computed the keys)."""

    hashes: np.ndarray | None  # the shingle set (None: computed when needed, rarely)
    keys: list[str]  # stored: the sample
    asked: list[str]  # what its candidate query asks for (empty: too short to match)
    wire: tuple[str, str] | None  # (wire, how) the text names
    edited: bool = False  # a changed version: its article is indexed with another text


def signature(record: dict, settings: StorySettings) -> Signature:
    body = record.get("body")
    body = body if isinstance(body, str) else ""
    authors = record.get("authors")
    authors = [a for a in authors if isinstance(a, str)] if isinstance(authors, list) else []
    wire = wires.detect(body, authors)
    edited = record.get("event") == "changed"
    given = shingles.from_record(record.get("text_sample"))
    if given is not None:
        if given.shingles < settings.min_shingles:
            return Signature(None, [], [], wire, edited)
        return Signature(None, given.keys, given.asked, wire, edited)
    sequence = shingles.shingle_sequence(body)
    hashes = shingles.unique(sequence)
    keys: list[str] = []
    asked: list[str] = []
    if hashes.size >= settings.min_shingles:
        keys = shingles.sample(hashes)
        asked = shingles.query_keys(sequence, hashes)
    return Signature(hashes, keys, asked, wire, edited)


def chunk_query(keys: list[str], size: int) -> dict:
    """One search for a whole chunk: every article holding any key a new article of
    the chunk asks for. Which new articles a hit is a candidate of (``min_shared``
    keys in common) is counted client-side; a filter scores nothing, so it is cheap."""
    return {
        "size": size,
        "track_total_hits": False,
        "version": True,
        "_source": _HIT,
        "query": {"bool": {"filter": [{"terms": {"story_keys": keys}}]}},
    }


def candidate_body(rid: str, keys: list[str], settings: StorySettings) -> str:
    """The search for one article's candidates, for a chunk whose own search found
    more than it may return: articles sharing at least ``min_shared`` of ``keys``,
    those sharing the most and the rarest first. Serialised by hand (keys are
    URL-safe base64, nothing to escape)."""
    terms = ",".join(f'{{"term":{{"story_keys":"{k}"}}}}' for k in keys)
    return (
        f'{{"size":{settings.candidates},"track_total_hits":false,"_source":{json.dumps(_LIGHT)},'
        f'"query":{{"bool":{{"should":[{terms}],"minimum_should_match":{settings.min_shared},'
        f'"must_not":[{{"ids":{{"values":[{json.dumps(rid)}]}}}}]}}}}}}'
    )


def _moment(value: object) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return datetime.max.replace(tzinfo=UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass
class _Node:
    """One article as the assignment sees it (a candidate, a root, a new article)."""

    id: str
    order: tuple[datetime, str]  # (first_seen, id): the earliest is the story's root
    story: str
    keys: frozenset[str]
    outlet_wire: str | None  # the wire this article's outlet is, if it is one
    syndicated_from: str | None = None
    syndicated_by: str | None = None
    hashes: np.ndarray | None = None
    asked: tuple[str, ...] = ()
    body: str | None = None  # a new article's text, shingled only if it must be

    @property
    def inherited_wire(self) -> str | None:
        """The wire outlet this article's story holds, as far as this article tells."""
        if self.outlet_wire:
            return self.outlet_wire
        return self.syndicated_from if self.syndicated_by == "story" else None


@dataclass
class Stats:
    assigned: int = 0  # article versions given their story fields
    joined: int = 0  # new articles that joined an existing story
    rewritten: int = 0  # other articles updated (a new root, a wire outlet found)
    refreshes: int = 0
    fallbacks: int = 0  # chunks whose candidates took one query per article
    exact: int = 0  # pairs too close to the threshold for the estimate, compared exactly
    seconds: float = 0.0  # in the main thread (the lookahead thread's time is in phases)
    phases: dict[str, float] = field(default_factory=lambda: defaultdict(float))

    def timed(self, phase: str, began: float) -> float:
        now = time.monotonic()
        self.phases[phase] += now - began
        return now


class _Window:
    """Articles written since the last refresh (not searchable yet), with the chunk
    (generation) that wrote them, by the keys their own queries would ask for. An
    article and a window article are candidates when one's keys hold at least
    ``min_shared`` of the other's asked keys (as in Elasticsearch, the other way)."""

    def __init__(self) -> None:
        self.nodes: dict[str, _Node] = {}
        self.gen: dict[str, int] = {}
        self.by_key: dict[str, list[str]] = defaultdict(list)

    def add(self, node: _Node, gen: int) -> None:
        if node.id in self.nodes:
            self.drop(node.id)
        self.nodes[node.id] = node
        self.gen[node.id] = gen
        for k in node.asked:
            self.by_key[k].append(node.id)

    def drop(self, rid: str) -> None:
        del self.gen[rid]
        for k in self.nodes.pop(rid).asked:
            postings = self.by_key[k]
            postings.remove(rid)
            if not postings:
                del self.by_key[k]

    def drop_upto(self, gen: int) -> None:
        """A refresh made the chunks up to ``gen`` searchable."""
        for rid in [r for r, g in self.gen.items() if g <= gen]:
            self.drop(rid)

    def candidates(self, node: _Node, min_shared: int) -> list[_Node]:
        shared: dict[str, int] = defaultdict(int)
        get = self.by_key.get
        for k in node.asked:
            for other in get(k, ()):
                shared[other] += 1
        return [self.nodes[o] for o, n in shared.items() if n >= min_shared and o != node.id]


@dataclass
class _Lookup:
    """The Elasticsearch side of one chunk, fetched ahead (see the module doc)."""

    ids: frozenset[str]
    prior: dict[str, tuple[int, dict]]  # rid -> (version, story fields), if indexed
    found: dict[str, list[_Node]]  # rid -> its shortlisted candidates
    roots: dict[str, _Node]  # story id -> root, for the stories of those candidates
    refreshed: int | None  # the chunks up to this one were made searchable first
    seconds: dict[str, float]


@dataclass
class _Chunk:
    """What one chunk changed: stories with a new root, stories that got a wire."""

    roots: dict[str, _Node] = field(default_factory=dict)  # story id -> its root
    wires: dict[str, str] = field(default_factory=dict)  # story id -> its wire outlet
    renamed: dict[str, str] = field(default_factory=dict)  # old story id -> new one
    touched: set[str] = field(default_factory=set)  # stories with a new root or wire


class Stories:
    """Gives the article documents of each chunk their story fields (see module doc)."""

    def __init__(
        self, client: Elasticsearch, index: str, settings: StorySettings, call: Call
    ) -> None:
        self.client = client
        self.index = index
        self.settings = settings
        self.call = call
        self.stats = Stats()
        self.window = _Window()
        self._gen = 0  # chunks assigned so far
        self._fresh_run = True  # refresh once first: earlier runs may have left a tail
        self._ahead: Future[_Lookup] | None = None
        self._pool: ThreadPoolExecutor | None = None
        # first_seen, outlet wire, keys and shingles of recent articles: popular
        # stories and their roots are not read again and again
        self._recent: OrderedDict[str, _Recent] = OrderedDict()

    def prepare(self, record: object) -> Signature | None:
        """The signature of a version record (None for anything else)."""
        if not isinstance(record, dict) or record.get("event") not in VERSION_EVENTS:
            return None
        return signature(record, self.settings)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    # ---- helpers -------------------------------------------------------------------
    def _outlet_wire(self, source: dict) -> str | None:
        tags = source.get("source_tags")
        key, value = self.settings.wire_tag
        if isinstance(tags, dict) and str(tags.get(key, "")).lower() == value.lower():
            return wires.outlet_wire(source.get("outlet"), source.get("source_id"))
        return None

    def _node(self, rid: str, source: dict) -> _Node:
        node = _Node(
            id=rid,
            order=(_moment(source.get("first_seen")), rid),
            story=source.get("story_id") or rid,
            keys=_sample_of(source),
            outlet_wire=self._outlet_wire(source),
            syndicated_from=source.get("syndicated_from"),
            syndicated_by=source.get("syndicated_by"),
        )
        recent = self._recent.get(rid)  # read from the lookahead thread too: no iteration
        if recent is not None:
            node.hashes = recent[3]
        return node

    def _read(self, node: _Node, body: object) -> None:
        node.hashes = shingles.shingle_hashes(body if isinstance(body, str) else "")

    def _remember(self, node: _Node) -> None:
        self._recent[node.id] = (node.order, node.outlet_wire, node.keys, node.hashes)
        self._recent.move_to_end(node.id)
        while len(self._recent) > _RECENT:
            self._recent.popitem(last=False)

    def _own_wire(self, sig: Signature, outlet_wire: str | None) -> tuple[str, str] | None:
        if sig.wire is None or sig.wire[0] == outlet_wire:
            return None  # a wire's own dateline does not make its article a copy
        return sig.wire

    def _story_of(self, node: _Node, chunk: _Chunk) -> str:
        if node.id in self.window.nodes:
            return self.window.nodes[node.id].story
        return chunk.renamed.get(node.story, node.story)

    def _shortlist(self, keys: frozenset[str], candidates: Iterable[_Node]) -> list[_Node]:
        """The candidates worth verifying: best sampled estimates first."""
        floor = self.settings.threshold - _MARGIN
        scored = [(shingles.estimate(keys, c.keys), c) for c in candidates]
        scored = sorted((sc for sc in scored if sc[0] >= floor), key=lambda sc: -sc[0])
        return [c for _, c in scored[: self.settings.verify]]

    def _undecided(self, a: frozenset[str], b: frozenset[str]) -> bool:
        """The sampled estimate is too close to the threshold to decide alone."""
        t = self.settings.threshold
        return abs(shingles.estimate(a, b) - t) < shingles.margin(a, b, t)

    def _score(self, node: _Node, c: _Node) -> float | None:
        """The containment that decides: the sampled estimate when it is clearly on one
        side of the threshold, else the exact one (None: the shingles are not at hand)."""
        if not self._undecided(node.keys, c.keys):
            return shingles.estimate(node.keys, c.keys)
        for n in (node, c):
            if n.hashes is None and n.body is not None:
                n.hashes = shingles.shingle_hashes(n.body)
        if c.hashes is None or node.hashes is None:
            return None
        self.stats.exact += 1
        return shingles.containment(node.hashes, c.hashes)

    # ---- the chunk -----------------------------------------------------------------
    def assign(
        self,
        targets: list[tuple[str, int, dict, Signature]],
        chunk_docs: dict[str, dict],
        known: Known,
    ) -> list[tuple[str, int, dict]]:
        """Set the story fields of each target document (rid, external version, doc,
        signature) in place. ``chunk_docs``: every article document this chunk writes
        (patched in place when their story changes); ``known``: the loader's current
        state of an article, if it has it. Returns rewrites of other articles
        (rid, their current version, new document), to send with the chunk."""
        began = time.monotonic()
        self._gen += 1
        chunk = _Chunk()
        lookup = self._take_lookup({rid: sig for rid, _, _, sig in targets})
        for phase, seconds in lookup.seconds.items():
            self.stats.phases[phase] += seconds
        if lookup.refreshed is not None:
            self.window.drop_upto(lookup.refreshed)
            self.stats.refreshes += 1
        chunk.roots.update(lookup.roots)
        t = time.monotonic()
        fresh: list[tuple[_Node, dict, Signature]] = []
        for rid, ext, doc, sig in targets:
            node = self._node(rid, doc)
            node.keys, node.hashes, node.asked = frozenset(sig.keys), sig.hashes, tuple(sig.asked)
            body = doc.get("body")
            node.body = body if isinstance(body, str) else ""
            doc["story_keys"], doc["story_sample"] = sig.asked, shingles.packed(sig.keys)
            before = known(rid) or lookup.prior.get(rid)
            if before is not None and before[1].get("story_id"):
                self._keep(doc, before, ext, sig, node)
                self.window.add(node, self._gen)
                self._remember(node)
            else:
                fresh.append((node, doc, sig))
        fresh.sort(key=lambda f: f[0].order)
        for node, doc, sig in fresh:
            found = [c for c in lookup.found.get(node.id, ()) if c.id not in self.window.nodes]
            self._assign_one(node, doc, sig, found, chunk)
            self.window.add(node, self._gen)
            self._remember(node)
        t = self.stats.timed("assign", t)
        rewrites = self._apply_changes(chunk, chunk_docs, known)
        self.stats.timed("changes", t)
        self.stats.seconds += time.monotonic() - began
        return rewrites

    def _keep(
        self, doc: dict, before: tuple[int, dict], ext: int, sig: Signature, node: _Node
    ) -> None:
        """An article already in a story: a replay keeps everything; an edited version
        keeps its story and gets new keys and the wire its new text names."""
        version, old = before
        for name in FIELDS:
            doc[name] = old.get(name)
        if version < ext:
            doc["story_keys"], doc["story_sample"] = sig.asked, shingles.packed(sig.keys)
            own = self._own_wire(sig, node.outlet_wire)
            if own is not None:
                doc["syndicated_from"], doc["syndicated_by"] = own
            elif old.get("syndicated_by") != "story":
                doc["syndicated_from"] = doc["syndicated_by"] = None
            self.stats.assigned += 1
        node.story = doc["story_id"] or node.id
        node.keys = _sample_of(doc)
        node.syndicated_from, node.syndicated_by = doc["syndicated_from"], doc["syndicated_by"]

    # ---- the Elasticsearch side of a chunk, ahead of time ---------------------------
    def search_ahead(self, signatures: dict[str, Signature]) -> None:
        """Start the lookups of the next chunk in a thread while this one is written.
        This chunk's articles are in the window, so they need not be searchable yet."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stories")
        self._ahead = self._pool.submit(self._lookup, signatures, self._refresh_due())

    def _refresh_due(self) -> int | None:
        """When a refresh is due (the first search of a run, or a full window): the last
        chunk whose writes it covers (all but the one being assigned or written)."""
        if self._fresh_run or len(self.window.nodes) > _WINDOW:
            self._fresh_run = False
            return self._gen - 1
        return None

    def _take_lookup(self, signatures: dict[str, Signature]) -> _Lookup:
        ahead, self._ahead = self._ahead, None
        if ahead is not None:
            lookup = ahead.result()
            if lookup.ids >= signatures.keys():
                return lookup
        return self._lookup(signatures, self._refresh_due())

    def _lookup(self, signatures: dict[str, Signature], refresh: int | None) -> _Lookup:
        """Elasticsearch requests and pure work only: safe in the lookahead thread."""
        seconds: dict[str, float] = {}
        t = time.monotonic()
        if refresh is not None:
            self.call(lambda: self.client.indices.refresh(index=self.index), "a refresh")
            t = _lap(seconds, "refresh", t)
        # an indexed article is its own hit in the chunk search (a replay has the
        # same keys); a changed version, whose keys changed, is looked up by id
        prior = self._prior(sorted(rid for rid, sig in signatures.items() if sig.edited))
        t = _lap(seconds, "prior", t)
        asking = {
            rid: sig.asked
            for rid, sig in signatures.items()
            if len(sig.asked) >= self.settings.min_shared
            and not (rid in prior and prior[rid][1].get("story_id"))
        }
        hits = self._chunk_candidates(asking, prior)
        if hits is None:  # more hits than one search returns: one query per article
            self.stats.fallbacks += 1
            prior |= self._prior(sorted(asking))
            hits = self._article_candidates(asking)
        found = {
            rid: self._shortlist(frozenset(signatures[rid].keys), nodes)
            for rid, nodes in hits.items()
            if not (rid in prior and prior[rid][1].get("story_id"))
        }
        t = _lap(seconds, "msearch", t)
        roots = self._complete(found, signatures)
        _lap(seconds, "bodies", t)
        return _Lookup(frozenset(signatures), prior, found, roots, refresh, seconds)

    def _chunk_candidates(
        self, asking: dict[str, list[str]], prior: dict[str, tuple[int, dict]]
    ) -> dict[str, list[_Node]] | None:
        """The candidates of every asking article from one search (None when it found
        more than ``chunk_hits``: some would be missing). An asking article found
        itself goes to ``prior``."""
        askers: dict[str, list[str]] = defaultdict(list)
        for rid, keys in asking.items():
            for key in keys:
                askers[key].append(rid)
        if not askers:
            return {}
        size = self.settings.chunk_hits
        resp = self.call(
            lambda: self.client.search(index=self.index, **chunk_query(sorted(askers), size)),
            "a candidate search",
        )
        found_hits = resp["hits"]["hits"]
        if len(found_hits) >= size:
            return None
        out: dict[str, list[_Node]] = defaultdict(list)
        for hit in found_hits:
            if hit["_id"] in asking:
                source = hit["_source"]
                prior[hit["_id"]] = (hit.get("_version", 0), {f: source.get(f) for f in FIELDS})
            shared: dict[str, int] = defaultdict(int)
            for key in hit["_source"].get("story_keys") or ():
                for rid in askers.get(key, ()):
                    shared[rid] += 1
            node = None
            for rid, n in shared.items():
                if n >= self.settings.min_shared and rid != hit["_id"]:
                    node = node or self._node(hit["_id"], hit["_source"])
                    out[rid].append(node)
        return out

    def _article_candidates(self, asking: dict[str, list[str]]) -> dict[str, list[_Node]]:
        """The best ``candidates`` hits of each asking article (one ``msearch``)."""
        if not asking:
            return {}
        body = [
            part
            for rid, keys in asking.items()
            for part in ("{}", candidate_body(rid, keys, self.settings))
        ]
        resp = self.call(
            lambda: self.client.msearch(index=self.index, searches=body), "a candidate search"
        )
        out: dict[str, list[_Node]] = {}
        for rid, answer in zip(asking, resp["responses"], strict=True):
            if "error" in answer:
                raise_search_error(answer)
            out[rid] = [self._node(h["_id"], h["_source"]) for h in answer["hits"]["hits"]]
        return out

    def _prior(self, ids: list[str]) -> dict[str, tuple[int, dict]]:
        """The indexed state (version, story fields) of the articles that have one."""
        if not ids:
            return {}
        resp = self.call(
            lambda: self.client.mget(
                index=self.index, ids=ids, realtime=True, source_includes=list(FIELDS)
            ),
            "a document lookup",
        )
        return {
            d["_id"]: (d.get("_version", 0), d.get("_source") or {})
            for d in resp["docs"]
            if d.get("found")
        }

    def _complete(
        self, found: dict[str, list[_Node]], signatures: dict[str, Signature]
    ) -> dict[str, _Node]:
        """What the assignment needs besides the hits (one mget): the roots of the
        candidates' stories that are not recent, and the shingles of the candidates
        whose estimate is too close to the threshold to decide alone. Returns the
        roots read."""
        bodies: set[str] = set()
        seen: set[str] = set()
        for rid, hits in found.items():
            keys = frozenset(signatures[rid].keys)
            for c in hits:
                seen.add(c.id)
                if c.hashes is None and self._undecided(keys, c.keys):
                    bodies.add(c.id)
        roots = {c.story for hits in found.values() for c in hits if c.story != c.id}
        light = {r for r in roots if r not in self._recent and r not in seen}
        nodes = self._get(light, bodies)
        for hits in found.values():
            for c in hits:
                if c.hashes is None and c.id in nodes:
                    c.hashes = nodes[c.id].hashes
        roots = {c.id: c for hits in found.values() for c in hits if c.story == c.id}
        return roots | {rid: n for rid, n in nodes.items() if n.story == n.id}

    def _get(self, rids: set[str], bodies: Iterable[str] = ()) -> dict[str, _Node]:
        """Articles read by id; with their shingles for those in ``bodies``."""
        bodies = set(bodies)
        if not rids and not bodies:
            return {}
        docs = [{"_id": r, "_source": [*_LIGHT, "body"]} for r in sorted(bodies)]
        docs += [{"_id": r, "_source": _LIGHT} for r in sorted(set(rids) - bodies)]
        resp = self.call(
            lambda: self.client.mget(index=self.index, docs=docs, realtime=True),
            "a document lookup",
        )
        out = {}
        for d in resp["docs"]:
            if d.get("found"):
                source = d.get("_source") or {}
                node = self._node(d["_id"], source)
                if node.hashes is None and "body" in source:
                    self._read(node, source.get("body"))
                out[node.id] = node
        return out

    # ---- one article -----------------------------------------------------------------
    def _root(self, story: str, chunk: _Chunk) -> _Node | None:
        """The root of a story: known in this chunk, in the window, recent, or read."""
        if story in chunk.roots:
            return chunk.roots[story]
        if story in self.window.nodes:
            return self.window.nodes[story]
        if story not in self._recent:
            chunk.roots.update(self._get({story}))
            return chunk.roots.get(story)
        order, outlet_wire, keys, hashes = self._recent[story]
        return _Node(story, order, story, keys, outlet_wire, hashes=hashes)

    def _assign_one(
        self, node: _Node, doc: dict, sig: Signature, found: list[_Node], chunk: _Chunk
    ) -> None:
        """Join the story of the best verified match, or found a story."""
        s = self.settings
        nearby = self._shortlist(node.keys, self.window.candidates(node, s.min_shared))
        best: tuple[float, str] | None = None
        members: dict[str, list[_Node]] = defaultdict(list)
        for c in [*nearby, *found]:
            story = self._story_of(c, chunk)
            members[story].append(c)
            score = self._score(node, c)
            if score is not None and score >= s.threshold and (best is None or score > best[0]):
                best = (score, story)
        own = self._own_wire(sig, node.outlet_wire)
        doc["syndicated_from"], doc["syndicated_by"] = own if own else (None, None)
        self.stats.assigned += 1
        if best is None:
            node.story = node.id
            doc.update(story_id=node.id, duplicate_of=None, story_similarity=None)
            if node.outlet_wire:
                chunk.wires[node.id] = node.outlet_wire
        else:
            self.stats.joined += 1
            self._join(node, doc, best[1], members[best[1]], chunk)
        node.syndicated_from, node.syndicated_by = doc["syndicated_from"], doc["syndicated_by"]

    def _join(
        self, node: _Node, doc: dict, story: str, members: list[_Node], chunk: _Chunk
    ) -> None:
        root = self._root(story, chunk)
        known = [*members, *([root] if root is not None else [])]
        wire = chunk.wires.get(story) or next((w for m in known if (w := m.inherited_wire)), None)
        if root is not None and node.order < root.order:
            self._reroot(node, doc, story, chunk)  # a late capture of an earlier article
        else:
            node.story = story
            similarity = None
            if root is not None and root.keys:
                similarity = round(shingles.estimate(node.keys, root.keys), 4)
            doc.update(story_id=story, duplicate_of=story, story_similarity=similarity)
        story = node.story
        if wire is None and node.outlet_wire:
            chunk.wires[story] = node.outlet_wire  # the story now holds a wire's article
            chunk.touched.add(story)
        elif wire is not None:
            chunk.wires[story] = wire
            if doc["syndicated_by"] is None and node.outlet_wire != wire:
                doc["syndicated_from"], doc["syndicated_by"] = wire, "story"

    def _reroot(self, node: _Node, doc: dict, story: str, chunk: _Chunk) -> None:
        """``node`` is earlier than the root of ``story``: it becomes the root."""
        node.story = node.id
        doc.update(story_id=node.id, duplicate_of=None, story_similarity=None)
        chunk.roots[node.id] = node
        if story in chunk.wires:
            chunk.wires[node.id] = chunk.wires[story]
        for old, new in list(chunk.renamed.items()):
            if new == story:
                chunk.renamed[old] = node.id
        chunk.renamed[story] = node.id
        for other in self.window.nodes.values():
            if other.story == story:
                other.story = node.id
        chunk.touched.add(story)

    # ---- stories that changed --------------------------------------------------------
    def _apply_changes(
        self, chunk: _Chunk, chunk_docs: dict[str, dict], known: Known
    ) -> list[tuple[str, int, dict]]:
        """New roots and wires: patch this chunk's documents, rewrite the others (those
        of the window from the loader's state, the rest found in Elasticsearch)."""
        affected = chunk.touched | set(chunk.renamed)
        if not affected:
            return []
        for rid, doc in chunk_docs.items():  # this chunk's documents, whatever their event
            if doc.get("story_id") in affected:
                self._patch(doc, rid, doc["story_id"], chunk)
        rewrites: list[tuple[str, int, dict]] = []
        seen = set(chunk_docs) | set(self.window.nodes)  # their newest state is in memory
        for rid, node in list(self.window.nodes.items()):
            if rid in chunk_docs or (state := known(rid)) is None:
                continue
            old = state[1].get("story_id")
            if old in affected or node.story in affected:
                doc = dict(state[1])
                if self._patch(doc, rid, old, chunk):
                    rewrites.append((rid, state[0], doc))
        stories = sorted(affected)
        body: list[dict] = []
        for s in stories:
            body += [{}, {"size": self.settings.max_members, "version": True,
                          "query": {"term": {"story_id": s}}}]  # fmt: skip
        resp = self.call(
            lambda: self.client.msearch(index=self.index, searches=body), "a story lookup"
        )
        for s, answer in zip(stories, resp["responses"], strict=True):
            if "error" in answer:
                raise_search_error(answer)
            for hit in answer["hits"]["hits"]:
                if hit["_id"] in seen:
                    continue  # patched above
                seen.add(hit["_id"])
                doc = dict(hit["_source"])
                if self._patch(doc, hit["_id"], s, chunk):
                    rewrites.append((hit["_id"], hit["_version"], doc))
                    node = self._node(hit["_id"], doc)  # not searchable in its new state
                    node.asked = tuple(doc.get("story_keys") or ())
                    if node.hashes is None:
                        self._read(node, doc.get("body"))
                    self.window.add(node, self._gen)
        self.stats.rewritten += len(rewrites)
        return rewrites

    def _patch(self, doc: dict, rid: str, old: str | None, chunk: _Chunk) -> bool:
        """Bring one document of story ``old`` in line with the story's root and wire
        after this chunk; True if anything changed."""
        if old is None:
            return False
        before = {name: doc.get(name) for name in FIELDS}
        story = chunk.renamed.get(old, old)
        root = chunk.roots.get(story)
        if story != old and root is not None:
            doc["story_id"] = story
            if rid == root.id:
                doc["duplicate_of"] = doc["story_similarity"] = None
            else:
                doc["duplicate_of"] = root.id
                mine = _sample_of(doc)
                if root.keys:
                    doc["story_similarity"] = round(shingles.estimate(mine, root.keys), 4)
        wire = chunk.wires.get(story)
        evidence = doc.get("syndicated_by") in TEXT_EVIDENCE
        if wire is not None and not evidence and self._outlet_wire(doc) != wire:
            doc["syndicated_from"], doc["syndicated_by"] = wire, "story"
        if rid in self.window.nodes:
            node = self.window.nodes[rid]
            node.story = doc["story_id"]
            node.syndicated_from, node.syndicated_by = doc["syndicated_from"], doc["syndicated_by"]
        return any(doc.get(name) != value for name, value in before.items())


def _sample_of(source: dict) -> frozenset[str]:
    """The stored key sample of a document (before ``story_sample`` existed, every
    sampled key was in ``story_keys``)."""
    if isinstance(source.get("story_sample"), str):
        return shingles.unpacked(source["story_sample"])
    keys = source.get("story_keys")
    return (
        frozenset(k for k in keys if isinstance(k, str)) if isinstance(keys, list) else frozenset()
    )


def _lap(seconds: dict[str, float], phase: str, began: float) -> float:
    now = time.monotonic()
    seconds[phase] = seconds.get(phase, 0.0) + now - began
    return now


def raise_search_error(answer: dict) -> None:
    from newsarchive.errors import NewsarchiveError

    error = answer.get("error") or {}
    reason = error.get("reason") if isinstance(error, dict) else error
    raise NewsarchiveError(f"the story search failed in Elasticsearch: {reason}")
