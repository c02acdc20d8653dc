"""Near-duplicate methods side by side, in memory, on the labelled set of stories_set.

Each method turns a body into a signature, keeps an index of signatures, proposes
candidates for a new body and scores them. The same incremental clustering runs on
all of them (each article, in a shuffled arrival order, joins the story of its most
similar earlier article when the score reaches the method's threshold), so the
figures compare the signals, not the glue:

- ``minhash-lsh``: datasketch MinHash (128 permutations) + LSH bands, scored by the
  estimated Jaccard resemblance (the classic recipe), and the same signatures scored
  by the containment derived from it (J·(|A|+|B|) / ((1+J)·min(|A|, |B|))).
- ``simhash``: the ``simhash`` package, 64-bit fingerprints of the same shingles,
  candidates from four 16-bit blocks (all pairs within Hamming distance 3), scored by
  1 - distance/64.
- ``sampled``: this project's indexer.stories.shingles: the 1-in-8 sample of shingle
  hashes, candidates sharing at least 2 keys, scored by containment of the samples.
- ``exact``: every pair, exact containment of the full shingle sets (the ceiling of
  the containment signal; not a method that scales).

Used by ``bench_stories.py --compare``; needs the dev extras (datasketch, simhash).
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from stories_set import LabelledSet

from newsarchive import shingles


def _shingle_strings(text: str) -> list[str]:
    w = shingles.words(text)
    k = shingles.SHINGLE_WORDS
    return [" ".join(w[i : i + k]) for i in range(len(w) - k + 1)]


class Exact:
    name = "exact"
    threshold = 0.45

    def __init__(self) -> None:
        self.sigs: dict[str, frozenset[int]] = {}

    def signature(self, body: str) -> frozenset[int]:
        return frozenset(shingles.shingle_hashes(body).tolist())

    def candidates(self, sig) -> list[str]:
        return list(self.sigs)

    def add(self, key: str, sig) -> None:
        self.sigs[key] = sig

    def score(self, a, b) -> float:
        return len(a & b) / min(len(a), len(b)) if a and b else 0.0

    def terms(self, sig) -> int:
        return 0


class Sampled:
    """Candidates: at least ``min_shared`` sampled keys in common. Score: containment
    of the samples, or (``exact``) of the full shingle sets (the verification)."""

    threshold = 0.45
    min_shared = 2

    def __init__(
        self,
        exact: bool = False,
        threshold: float = 0.45,
        query_keys: int | None = None,
        borderline: bool = False,
    ) -> None:
        self.exact = exact
        self.threshold = threshold
        self.query_keys = query_keys
        self.borderline = borderline  # exact only near the threshold; only query keys indexed
        self.name = "sampled" + (" + exact verification" if exact else "")
        if borderline:
            self.name = "sampled estimate, exact near the threshold, query keys indexed (ours)"
        elif query_keys:
            self.name += f" (queries of {query_keys} keys)"
        self.sigs: dict[str, tuple] = {}
        self.index: dict[str, list[str]] = defaultdict(list)

    def signature(self, body: str) -> tuple:
        sequence = shingles.shingle_sequence(body)
        full = frozenset(sequence.tolist()) if self.exact else None
        hashes = shingles.unique(sequence)
        keys = shingles.sample(hashes)
        asked = keys
        if self.query_keys:
            old, shingles.QUERY_KEYS = shingles.QUERY_KEYS, self.query_keys
            asked = shingles.query_keys(sequence, hashes)
            shingles.QUERY_KEYS = old
        return frozenset(keys), full, frozenset(asked)

    def candidates(self, sig) -> list[str]:
        shared: dict[str, int] = defaultdict(int)
        for k in sig[2]:
            for other in self.index.get(k, ()):
                shared[other] += 1
        return [o for o, n in shared.items() if n >= self.min_shared]

    def add(self, key: str, sig) -> None:
        self.sigs[key] = sig
        for k in sig[2] if self.borderline else sig[0]:
            self.index[k].append(key)

    def score(self, a, b) -> float:
        if self.borderline:
            estimate = shingles.estimate(a[0], b[0])
            if abs(estimate - self.threshold) >= shingles.margin(a[0], b[0], self.threshold):
                return estimate
        if self.exact:
            return len(a[1] & b[1]) / min(len(a[1]), len(b[1])) if a[1] and b[1] else 0.0
        return shingles.estimate(a[0], b[0])

    def terms(self, sig) -> int:
        return len(sig[2] if self.borderline else sig[0])


class MinHashLSH:
    num_perm = 128

    def __init__(
        self, threshold: float = 0.3, containment: bool = False, exact: bool = False
    ) -> None:
        from datasketch.lsh import _optimal_param

        self.containment = containment or exact
        self.exact = exact
        self.threshold = 0.45 if self.containment else threshold
        self.name = f"minhash-lsh J≥{threshold}" + (
            " + exact verification" if exact else " + containment" if containment else ""
        )
        self.bands, self.rows = _optimal_param(threshold, self.num_perm, 0.5, 0.5)
        self.sigs: dict[str, tuple] = {}
        self.index: dict[tuple, list[str]] = defaultdict(list)

    def signature(self, body: str):
        from datasketch import MinHash

        m = MinHash(num_perm=self.num_perm)
        items = _shingle_strings(body)
        m.update_batch([s.encode() for s in items])
        values = m.hashvalues
        bands = [
            (i, bytes(values[i * self.rows : (i + 1) * self.rows].byteswap().data))
            for i in range(self.bands)
        ]
        full = frozenset(shingles.shingle_hashes(body).tolist()) if self.exact else None
        return m, len(set(items)), bands, full

    def candidates(self, sig) -> list[str]:
        found = set()
        for band in sig[2]:
            found.update(self.index.get(band, ()))
        return list(found)

    def add(self, key: str, sig) -> None:
        self.sigs[key] = sig
        for band in sig[2]:
            self.index[band].append(key)

    def score(self, a, b) -> float:
        if self.exact:
            return len(a[3] & b[3]) / min(len(a[3]), len(b[3])) if a[3] and b[3] else 0.0
        j = a[0].jaccard(b[0])
        if not self.containment:
            return j
        small = min(a[1], b[1]) or 1
        return j * (a[1] + b[1]) / ((1 + j) * small)

    def terms(self, sig) -> int:
        return self.bands


class SimHash:
    name = "simhash (d≤3)"
    threshold = 1 - 3 / 64

    def __init__(self) -> None:
        self.sigs: dict[str, int] = {}
        self.index: dict[tuple[int, int], list[str]] = defaultdict(list)

    def signature(self, body: str) -> int:
        from simhash import Simhash

        return Simhash(_shingle_strings(body) or [""]).value

    def _blocks(self, value: int) -> list[tuple[int, int]]:
        return [(i, (value >> (16 * i)) & 0xFFFF) for i in range(4)]

    def candidates(self, sig) -> list[str]:
        found = set()
        for block in self._blocks(sig):
            found.update(self.index.get(block, ()))
        return list(found)

    def add(self, key: str, sig) -> None:
        self.sigs[key] = sig
        for block in self._blocks(sig):
            self.index[block].append(key)

    def score(self, a, b) -> float:
        return 1 - bin(a ^ b).count("1") / 64

    def terms(self, sig) -> int:
        return 4


METHODS: dict[str, Callable[[], object]] = {
    "exact": Exact,
    "sampled": Sampled,
    "sampled+exact": lambda: Sampled(exact=True),
    "sampled+exact q32": lambda: Sampled(exact=True, query_keys=32),
    "sampled+exact q16": lambda: Sampled(exact=True, query_keys=16),
    "sampled+exact q8": lambda: Sampled(exact=True, query_keys=8),
    "ours": lambda: Sampled(exact=True, query_keys=16, borderline=True),
    "minhash-lsh J≥0.3": lambda: MinHashLSH(0.3),
    "minhash-lsh J≥0.1": lambda: MinHashLSH(0.1),
    "minhash-lsh+containment": lambda: MinHashLSH(0.1, containment=True),
    "minhash-lsh+exact": lambda: MinHashLSH(0.1, exact=True),
    "simhash": SimHash,
}


@dataclass
class Outcome:
    name: str
    story: dict[str, str]  # article key -> predicted story (its first member's key)
    ms_per_article: float
    candidates_per_article: float
    terms_per_article: float


def cluster(labelled: LabelledSet, method, order: list[str]) -> Outcome:
    """Incremental clustering in ``order``: join the story of the best candidate."""
    by_key = labelled.by_key()
    story: dict[str, str] = {}
    sigs: dict[str, object] = {}
    n_candidates = n_terms = 0
    began = time.perf_counter()
    for key in order:
        sig = method.signature(by_key[key].body)
        best, best_score = None, -1.0
        cands = method.candidates(sig)
        n_candidates += len(cands)
        n_terms += method.terms(sig)
        for other in cands:
            s = method.score(sig, sigs[other])
            if s > best_score:
                best, best_score = other, s
        story[key] = story[best] if best is not None and best_score >= method.threshold else key
        sigs[key] = sig
        method.add(key, sig)
    seconds = time.perf_counter() - began
    n = max(1, len(order))
    return Outcome(method.name, story, seconds / n * 1000, n_candidates / n, n_terms / n)


def compare(labelled: LabelledSet, seed: int = 7, only: list | None = None) -> list[dict]:
    from bench_stories import quality  # the metrics every table of the benchmark uses

    order = [a.key for a in labelled.articles]
    random.Random(seed).shuffle(order)
    rows = []
    for name, make in METHODS.items():
        if only and name not in only:
            continue
        out = cluster(labelled, make(), order)
        row = {"method": out.name} | quality(labelled, out.story)
        row |= {
            "ms_per_article": round(out.ms_per_article, 3),
            "candidates_per_article": round(out.candidates_per_article, 1),
            "keyword_terms_per_article": round(out.terms_per_article, 1),
        }
        rows.append(row)
    return rows


def sweep(labelled: LabelledSet, thresholds: list[float], seed: int = 7) -> list[dict]:
    """The chosen method (``ours`` in METHODS) at several thresholds."""
    from bench_stories import quality

    order = [a.key for a in labelled.articles]
    random.Random(seed).shuffle(order)
    rows = []
    for t in thresholds:
        method = Sampled(exact=True, threshold=t, query_keys=16, borderline=True)
        out = cluster(labelled, method, order)
        rows.append({"threshold": t} | quality(labelled, out.story))
    return rows
