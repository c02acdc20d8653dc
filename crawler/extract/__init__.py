"""Article extraction: one HTML page in, one article record (a dict) out.

Interface used by the crawler, ``newsarchive extract`` and re-extraction:

    extract(html, url, *, feed_entry=None) -> dict

The dict carries the article fields (see ``ARTICLE_FIELDS``) plus ``provenance``
(field -> which source gave it) and ``extractor`` (name and version). A page with no
article gives a record with an empty body; extraction never raises on bad input.

This first version is a plain trafilatura pass; the extraction issue replaces it with
structured-data-first extraction and normalization.
"""

from __future__ import annotations

from typing import Any

EXTRACTOR_NAME = "newsarchive-extract"
EXTRACTOR_VERSION = "0.1.0"

ARTICLE_FIELDS = (
    "url",
    "canonical_url",
    "title",
    "description",
    "body",
    "authors",
    "published",
    "modified",
    "section",
    "tags",
    "language",
    "image",
    "word_count",
    "links",
    "paywalled",
)


def _empty(url: str) -> dict[str, Any]:
    record: dict[str, Any] = {name: None for name in ARTICLE_FIELDS}
    record.update(url=url, canonical_url=url, body="", authors=[], tags=[], links=[],
                  word_count=0, paywalled=False)
    record["provenance"] = {}
    record["extractor"] = {"name": EXTRACTOR_NAME, "version": EXTRACTOR_VERSION}
    return record


def extract(html: bytes | str, url: str, *, feed_entry: dict | None = None) -> dict[str, Any]:
    """Extract the article of one page. Never raises for malformed input."""
    import trafilatura

    record = _empty(url)
    try:
        doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, as_dict=True)
    except Exception:  # malformed page: an empty record, not a crash
        doc = None
    if not doc:
        return record
    fields = {
        "title": doc.get("title"),
        "description": doc.get("description"),
        "body": (doc.get("text") or "").replace("\n", "\n\n"),
        "authors": [a.strip() for a in (doc.get("author") or "").split(";") if a.strip()],
        "published": doc.get("date"),
        "canonical_url": doc.get("url") or url,
        "tags": [t for t in (doc.get("tags") or []) if t],
        "language": doc.get("language"),
        "image": doc.get("image"),
    }
    for name, value in fields.items():
        if value:
            record[name] = value
            record["provenance"][name] = "trafilatura"
    record["word_count"] = len(record["body"].split())
    return record
