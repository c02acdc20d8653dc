"""An outlet's own boilerplate, learnt from its archive: blocks that recur across articles.

A block of text that comes back verbatim (after normalisation) in many articles of one
source is not article text: the share appeal that closes every story, a newsletter
pitch, a comment prompt, a shop link, a "related" header. No rule can list them all,
but the archive holds many pages per source, so they can be counted.

``RecurringBlocks`` keeps, for one source, a capped table of block fingerprints with
the number of distinct articles that carried each. A block is recurring once at least
``min_articles`` distinct articles carried it *and* it came back in at least
``min_share`` of the source's articles since it was first seen. The second test spares
a quote that a running story repeats in a handful of articles among hundreds; a block
of one story is never recurring (``min_articles`` is at least 2). Memory is bounded by
``capacity`` entries, each with at most ``min_articles`` article ids; when the table is
full, the entries carried by the fewest articles, least recently seen, go first (one
story's blocks, which never recur). The state is plain JSON (``to_json``/``from_json``).

Use, one state per source, articles in crawl order::

    state = RecurringBlocks()
    record = extract(html, url, boilerplate=state)     # drops recurring blocks
    state.observe(record["canonical_url"], record["block_fingerprints"])

``extract`` also takes ``state.recurring()``, a frozen set of fingerprints, where the
state lives in another process (a worker pool gets the snapshot, the parent observes).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import Any

STATE_VERSION = 1
_NON_WORD_RE = re.compile(r"[\W_]+", re.UNICODE)
_DIGIT_RE = re.compile(r"\d")


def fingerprint(block: str) -> str:
    """A block's fingerprint: a hash of its words, case-folded, digits as 0.

    "© 2024 The Ledger" and "© 2025 The Ledger" are one block; punctuation and spacing
    do not count.
    """
    words = _DIGIT_RE.sub("0", _NON_WORD_RE.sub(" ", block.casefold())).split()
    return hashlib.blake2b(" ".join(words).encode(), digest_size=8).hexdigest()


def _article_id(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=4).digest(), "big")


class RecurringBlocks:
    """Per-source counts of block fingerprints over distinct articles, bounded in memory."""

    def __init__(self, min_articles: int = 5, min_share: float = 0.2, capacity: int = 4000):
        if min_articles < 2:
            raise ValueError("min_articles must be at least 2: one story's blocks never recur")
        if not 0.0 <= min_share <= 1.0:
            raise ValueError("min_share must be between 0 and 1")
        if capacity < 10:
            raise ValueError("capacity must be at least 10 entries")
        self.min_articles = min_articles
        self.min_share = min_share
        self.capacity = capacity
        self.articles = 0  # articles observed so far (the clock of first and last sightings)
        # fingerprint -> [articles carrying it, first seen, last seen, article ids (capped)]
        self._blocks: dict[str, list[Any]] = {}

    def __len__(self) -> int:
        return len(self._blocks)

    def observe(self, article_key: str, fingerprints: Iterable[str]) -> None:
        """Count one article's blocks (an article seen again is not counted twice)."""
        self.articles += 1
        ident = _article_id(article_key)
        for fp in dict.fromkeys(fingerprints):
            entry = self._blocks.get(fp)
            if entry is None:
                self._blocks[fp] = [1, self.articles, self.articles, [ident]]
                continue
            ids = entry[3]
            if ident in ids:
                continue  # the same article again (a revisit, a new version)
            entry[0] += 1
            entry[2] = self.articles
            if len(ids) < self.min_articles:
                ids.append(ident)
        if len(self._blocks) > self.capacity:
            self._evict()

    def _evict(self) -> None:
        """Shrink the table to nine tenths of its capacity, rarest and stalest first."""
        keep = int(self.capacity * 0.9)
        ranked = sorted(self._blocks.items(), key=lambda kv: (kv[1][0], kv[1][2]), reverse=True)
        self._blocks = dict(ranked[:keep])

    def is_recurring(self, fp: str) -> bool:
        entry = self._blocks.get(fp)
        if entry is None or entry[0] < self.min_articles:
            return False
        since = self.articles - entry[1] + 1
        return entry[0] >= self.min_share * since

    def recurring(self) -> frozenset[str]:
        """The fingerprints recurring now: a snapshot to hand to another process."""
        return frozenset(fp for fp in self._blocks if self.is_recurring(fp))

    def to_json(self) -> dict[str, Any]:
        return {
            "version": STATE_VERSION,
            "min_articles": self.min_articles,
            "min_share": self.min_share,
            "capacity": self.capacity,
            "articles": self.articles,
            "blocks": self._blocks,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RecurringBlocks:
        """Rebuild a saved state; a malformed one raises ``ValueError``."""
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
            raise ValueError("not a recurring-blocks state of version 1")
        try:
            state = cls(int(data["min_articles"]), float(data["min_share"]), int(data["capacity"]))
            state.articles = int(data["articles"])
            for fp, (count, first, last, ids) in dict(data["blocks"]).items():
                state._blocks[str(fp)] = [int(count), int(first), int(last), [int(i) for i in ids]]
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"malformed recurring-blocks state: {exc}") from exc
        return state
