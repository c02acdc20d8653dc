"""Word shingles of a normalised body, hashed, and the sample of them kept as keys.

A body becomes the set of hashes of its 5-word shingles (lower-cased NFKC words:
punctuation, line breaks and paragraph breaks do not count). The keys are the hashes
whose low bits are zero (one in 2**SAMPLE_BITS, "mod-p" sampling): a shingle is kept
or not by its own value, so a trimmed copy keeps exactly the keys of the part it
kept, and the share of shared keys estimates containment (|A∩B| / min(|A|, |B|))
as well as resemblance. The keys are short strings for a keyword field.

A new article asks for candidates with at most ``QUERY_KEYS`` of its keys: the first
half of the keys of its lead (the part trimmed copies keep), the first half of all
its keys (for copies that rewrote the lead). The query's cost is bounded whatever the
length of the article, and both directions of containment are found.

The crawler computes the keys once, when it writes a version record (``text_sample``,
with the parameters that made them: ``record_sample``); the indexer uses them when the
parameters are its own (``from_record``) and computes them from the body otherwise.
"""

from __future__ import annotations

import base64
import re
import threading
import unicodedata
import zlib
from dataclasses import dataclass

import numpy as np

SHINGLE_WORDS = 5
SAMPLE_BITS = 3  # a key per 8 shingles: ~75 keys for a 600-word article
QUERY_KEYS = 16  # keys a candidate query asks for, at most
LEAD_SHINGLES = 300  # the lead: the first 300 shingles (about 300 words)
HASHING = 1  # the words and the hash function: a change is a new version
PARAMETERS = {"version": HASHING, "words": SHINGLE_WORDS, "sample_bits": SAMPLE_BITS,
              "lead_shingles": LEAD_SHINGLES, "lead_keys": QUERY_KEYS // 2}  # fmt: skip
_KEY_CHARS = re.compile(r"[A-Za-z0-9_-]*")
SURE = 3.0  # an estimate this many standard deviations from the threshold decides alone
_WORD = re.compile(r"\w+")
_MIX = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93,
     0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53, 0x27D4EB2F165667C5, 0x85EBCA77C2B2AE63],
    dtype=np.uint64,
)[:SHINGLE_WORDS]  # fmt: skip
_NOT_WORD = bytes(
    b if chr(b).isalnum() or b == ord("_") else ord(" ") for b in range(256)
)  # ASCII bytes that are not \w -> space (only used on ASCII text)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_CACHE = threading.local()  # per thread: token -> crc32 (words repeat; hashing once is faster)
_TOKENS_MAX = 500_000


def words(text: str) -> list[str]:
    """Lower-cased words (NFKC first, unless the text is plain ASCII)."""
    if text.isascii():
        return _WORD.findall(text.lower())
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def _tokens(text: str) -> list[bytes]:
    """The words of ``words`` as UTF-8 bytes; plain ASCII takes a fast path."""
    if text.isascii():
        return text.encode("ascii").lower().translate(_NOT_WORD).split()
    return [w.encode("utf-8", "surrogatepass") for w in words(text)]


def shingle_sequence(text: str) -> np.ndarray:
    """The 64-bit hashes of the text's word shingles, in text order (uint64)."""
    tokens = _tokens(text)
    n = len(tokens) - SHINGLE_WORDS + 1
    if n <= 0:
        return np.empty(0, dtype=np.uint64)
    cache: dict[bytes, int] | None = getattr(_CACHE, "tokens", None)
    missing = set(tokens).difference(cache) if cache is not None else set(tokens)
    if cache is None or len(cache) + len(missing) > _TOKENS_MAX:
        cache = _CACHE.tokens = {}
        missing = set(tokens)
    for t in missing:
        cache[t] = zlib.crc32(t)
    h = np.fromiter(map(cache.__getitem__, tokens), dtype=np.uint64, count=len(tokens))
    # integer arrays wrap silently on overflow: that is the arithmetic wanted here
    x = h[:n] * _MIX[0]
    for j in range(1, SHINGLE_WORDS):
        x ^= h[j : j + n] * _MIX[j]
    # splitmix64 finaliser: every output bit depends on every input bit
    x ^= x >> _S30
    x *= _M1
    x ^= x >> _S27
    x *= _M2
    x ^= x >> _S31
    return x


def unique(values: np.ndarray) -> np.ndarray:
    if values.size < 2:
        return values.copy()
    ordered = np.sort(values)
    keep = np.empty(ordered.size, dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def shingle_hashes(text: str) -> np.ndarray:
    """The distinct shingle hashes of the text (uint64, sorted): its shingle set."""
    return unique(shingle_sequence(text))


def _sampled(hashes: np.ndarray, sample_bits: int = SAMPLE_BITS) -> np.ndarray:
    return hashes[(hashes & np.uint64((1 << sample_bits) - 1)) == 0]


def _strings(values: np.ndarray) -> list[str]:
    """Hashes as keys: their 48 high bits as 8 URL-safe base64 characters."""
    if not values.size:
        return []
    six = values.astype(">u8").view(np.uint8).reshape(-1, 8)[:, :6].tobytes()  # big-endian
    text = base64.urlsafe_b64encode(six).decode("ascii")  # 6 bytes -> 8 characters
    return [text[i : i + 8] for i in range(0, len(text), 8)]


def sample(hashes: np.ndarray, sample_bits: int = SAMPLE_BITS) -> list[str]:
    """The keys of a shingle set (sorted unique hashes): the sampled ones, as strings,
    in the order of their values."""
    return _strings(_sampled(hashes, sample_bits))


def packed(keys: list[str]) -> str:
    """Keys as one string (the stored, not indexed, sample): 8 characters each."""
    return "".join(keys)


def unpacked(text: object) -> frozenset[str]:
    """The keys of a ``packed`` string (empty for anything else)."""
    if not isinstance(text, str):
        return frozenset()
    return frozenset(text[i : i + 8] for i in range(0, len(text) - 7, 8))


def keys(text: str, sample_bits: int = SAMPLE_BITS) -> list[str]:
    """The keys of ``text``."""
    return sample(shingle_hashes(text), sample_bits)


def lead_keys(sequence: np.ndarray) -> list[str]:
    """The smallest sampled keys of the lead (the part trimmed copies keep)."""
    return _strings(unique(_sampled(sequence[:LEAD_SHINGLES]))[: QUERY_KEYS // 2])


def asked_of(every: list[str], lead: list[str]) -> list[str]:
    """The keys a candidate query asks for (see the module docstring), from all the
    keys (by value) and those of the lead: the lead's, then the smallest of all."""
    if len(every) <= QUERY_KEYS:
        return list(every)
    chosen = set(lead)
    for key in every[:QUERY_KEYS]:
        if len(chosen) >= QUERY_KEYS:
            break
        chosen.add(key)
    return [k for k in every if k in chosen]


def query_keys(sequence: np.ndarray, hashes: np.ndarray | None = None) -> list[str]:
    """The keys a candidate query asks for, from the text's shingle sequence."""
    hashes = unique(sequence) if hashes is None else hashes
    return asked_of(sample(hashes), lead_keys(sequence))


def record_sample(body: object) -> dict:
    """The ``text_sample`` of a version record (docs/record-format.md): the body's
    sampled keys and its lead's, packed, its number of distinct shingles, and the
    parameters that made them."""
    sequence = shingle_sequence(body if isinstance(body, str) else "")
    hashes = unique(sequence)
    return {**PARAMETERS, "shingles": int(hashes.size), "keys": packed(sample(hashes)),
            "lead": packed(lead_keys(sequence))}  # fmt: skip


def _packed_keys(text: str) -> bool:
    return len(text) % 8 == 0 and _KEY_CHARS.fullmatch(text) is not None


@dataclass(frozen=True)
class Sample:
    """What a record's ``text_sample`` gives the indexer."""

    keys: list[str]  # every sampled key, by value
    asked: list[str]  # those a candidate query asks for
    shingles: int  # distinct shingles of the body


def from_record(field: object) -> Sample | None:
    """The keys of a record's ``text_sample``, or None when it is missing, malformed or
    made with other parameters (an older crawler): the body is shingled again then."""
    if not isinstance(field, dict) or any(field.get(k) != v for k, v in PARAMETERS.items()):
        return None
    keys, lead, count = field.get("keys"), field.get("lead"), field.get("shingles")
    if not (isinstance(keys, str) and isinstance(lead, str) and _packed_keys(keys)):
        return None
    if not _packed_keys(lead) or not isinstance(count, int) or isinstance(count, bool):
        return None
    every = [keys[i : i + 8] for i in range(0, len(keys), 8)]
    return Sample(every, asked_of(every, [lead[i : i + 8] for i in range(0, len(lead), 8)]), count)


def containment(a: np.ndarray, b: np.ndarray) -> float:
    """Exact |a ∩ b| / min(|a|, |b|) of two shingle-hash sets: 1.0 when one text is a
    part of the other, whatever the other adds."""
    if not a.size or not b.size:
        return 0.0
    if a.size > b.size:
        a, b = b, a
    at = np.searchsorted(b, a)  # both sorted: look each of the smaller set up in the other
    at[at == b.size] = 0
    return int(np.count_nonzero(b[at] == a)) / a.size


def estimate(a: frozenset[str] | set[str], b: frozenset[str] | set[str]) -> float:
    """Containment estimated from two key samples (cheap, noisy on short texts). The
    sample of a part is the part of the sample, so a copy trimmed out of the other
    text scores exactly 1.0."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def margin(a: frozenset[str] | set[str], b: frozenset[str] | set[str], threshold: float) -> float:
    """How far an estimate may be from the true containment near ``threshold``:
    ``SURE`` standard deviations of a share measured on the smaller sample."""
    n = min(len(a), len(b))
    return SURE * (threshold * (1 - threshold) / n) ** 0.5 if n else 1.0
