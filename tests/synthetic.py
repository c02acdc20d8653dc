"""Synthetic article records in the archive's format, for tests and the benchmarks.

They follow crawler/schema/article-record.schema.json (tests validate them against
it) and use crawler.archive.identity for ids and hashes, so they behave exactly like
crawled records in the indexer.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from crawler.archive.identity import article_id, content_hash

_VOCAB = (
    "senate house bill vote governor election campaign policy budget immigration court "
    "justice committee hearing president congress debate tax reform healthcare climate "
    "energy border security trade tariff economy inflation jobs report poll voters "
    "district mayor council police funding schools education housing infrastructure "
    "investigation testimony amendment filibuster majority minority leader spokesperson "
    "statement officials administration federal state local agency lawmakers critics "
    "supporters protest rally campaign donors spending deficit veto override session"
)
_WORDS = _VOCAB.split()
OUTLETS = (
    ("daily-ledger", "The Daily Ledger", "dailyledger.example", {"lean": "left", "country": "us"}),
    ("capitol-wire", "Capitol Wire", "capitolwire.example", {"lean": "center", "country": "us"}),
    ("frontier-post", "Frontier Post", "frontierpost.example", {"lean": "right", "country": "us"}),
)
_EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _capture(n: int) -> dict:
    return {
        "warc_file": f"newsarchive-20240101000000-{n // 1000:05d}.warc.gz",
        "offset": (n % 1000) * 9000,
        "length": 8800,
        "digest": "sha1:" + "A" * 32,
        "record_id": f"<urn:uuid:00000000-0000-4000-8000-{n:012d}>",
        "revisit": False,
    }


def text(rng: random.Random, words: int) -> str:
    """Paragraphs of political-news vocabulary, ``words`` words long."""
    out, paragraph = [], []
    for i in range(words):
        paragraph.append(rng.choice(_WORDS))
        if len(paragraph) >= 60 or i == words - 1:
            sentence = " ".join(paragraph)
            out.append(sentence[0].upper() + sentence[1:] + ".")
            paragraph = []
    return "\n\n".join(out)


def new_record(
    n: int,
    *,
    rng: random.Random | None = None,
    body_words: int = 600,
    title: str | None = None,
    body: str | None = None,
    fetched: datetime | None = None,
    outlet: int | None = None,
) -> dict:
    """Version 1 of article number ``n`` (≈ 8 bytes a word: 600 words ≈ 5 KB body)."""
    rng = rng or random.Random(n)
    source_id, name, domain, tags = OUTLETS[n % len(OUTLETS) if outlet is None else outlet]
    url = f"https://www.{domain}/politics/2024/story-{n}"
    title = title if title is not None else text(rng, 9).rstrip(".")
    body = body if body is not None else text(rng, body_words)
    fetched = fetched or _EPOCH + timedelta(minutes=n)
    published = fetched - timedelta(hours=2)
    return {
        "record_version": 1,
        "event": "new",
        "id": article_id(url),
        "version": 1,
        "url": url,
        "canonical_url": url,
        "domain": domain,
        "source_id": source_id,
        "outlet": name,
        "source_tags": dict(tags),
        "title": title,
        "description": text(rng, 25),
        "body": body,
        "authors": [f"Reporter {n % 40}", f"Editor {n % 7}"][: 1 + n % 2],
        "published": published.isoformat(),
        "modified": None,
        "section": "politics",
        "tags": ["elections", "congress"][: 1 + n % 2],
        "language": "en",
        "image": f"https://{domain}/img/{n}.jpg",
        "word_count": len(body.split()),
        "links": [f"https://{domain}/politics/2024/story-{n - 1}"],
        "paywalled": False,
        "provenance": {"title": "json-ld", "published": "meta", "body": "heuristic"},
        "extractor": {"name": "newsarchive", "version": "1.0"},
        "first_seen": _stamp(fetched),
        "http_status": 200,
        "content_hash": content_hash(title, body),
        "changed_fields": [],
        "previous": {},
        "fetched_at": _stamp(fetched),
        "capture": _capture(n),
    }


def changed_record(
    previous: dict,
    *,
    title: str | None = None,
    body: str | None = None,
    after: timedelta = timedelta(hours=3),
) -> dict:
    """The next version of ``previous`` with a new title and/or body."""
    record = dict(previous)
    changed, old = [], {}
    if title is not None and title != previous["title"]:
        changed.append("title")
        old["title"] = previous["title"]
        record["title"] = title
    if body is not None and body != previous["body"]:
        changed.append("body")
        old["body"] = previous["body"]
        record["body"] = body
        record["word_count"] = len(body.split())
    fetched = datetime.fromisoformat(previous["fetched_at"]) + after
    record.update(
        event="changed",
        version=previous["version"] + 1,
        changed_fields=changed,
        previous=old,
        content_hash=content_hash(record["title"], record["body"]),
        fetched_at=_stamp(fetched),
        modified=fetched.isoformat(),
    )
    return record


def seen_record(current: dict, *, after: timedelta = timedelta(hours=1)) -> dict:
    """An unchanged re-fetch of ``current`` (moves last_seen)."""
    fetched = datetime.fromisoformat(current["fetched_at"]) + after
    return {
        "record_version": 1,
        "event": "seen",
        "id": current["id"],
        "version": current["version"],
        "url": current["url"],
        "source_id": current["source_id"],
        "outlet": current["outlet"],
        "http_status": 200,
        "content_hash": current["content_hash"],
        "fetched_at": _stamp(fetched),
        "capture": current["capture"],
    }


def removed_record(current: dict, *, after: timedelta = timedelta(days=1)) -> dict:
    """The article vanished (HTTP 404)."""
    fetched = datetime.fromisoformat(current["fetched_at"]) + after
    return {
        "record_version": 1,
        "event": "removed",
        "id": current["id"],
        "version": current["version"],
        "url": current["url"],
        "source_id": current["source_id"],
        "http_status": 404,
        "reason": "http 404",
        "fetched_at": _stamp(fetched),
        "capture": current["capture"],
    }
