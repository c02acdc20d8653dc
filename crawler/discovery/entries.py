"""One discovered article URL with what the listing said about it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from dateutil import parser as dateparser


@dataclass
class Entry:
    """An article URL found in a feed, sitemap or section page."""

    url: str
    published: datetime | None = None  # timezone-aware when known
    # When the listing says the article last changed (feed <updated>, sitemap <lastmod>):
    # with ``published``, the change signal the revisit policy acts on.
    updated: datetime | None = None
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    summary: str | None = None

    @property
    def changed_at(self) -> datetime | None:
        """The latest date the listing gives the article (published or updated)."""
        dates = [d for d in (self.published, self.updated) if d is not None]
        return max(dates) if dates else None

    def feed_entry(self) -> dict[str, Any]:
        """The hints handed to the extractor (``extract(..., feed_entry=...)``)."""
        out: dict[str, Any] = {"url": self.url}
        if self.title:
            out["title"] = self.title
        if self.published:
            out["published"] = self.published.isoformat()
        if self.authors:
            out["authors"] = list(self.authors)
        if self.tags:
            out["tags"] = list(self.tags)
        if self.summary:
            out["summary"] = self.summary
        return out


def parse_date(text: str | None) -> datetime | None:
    """A timezone-aware datetime from a feed/sitemap date, or None (never the crawl date).

    Dates without a zone are taken as UTC: sitemaps and feeds are machine-written and
    W3C/RFC 822 dates without offset are rare enough that a guess beats dropping them.
    """
    if not text or not text.strip():
        return None
    try:
        value = dateparser.parse(text.strip())
    except (ValueError, OverflowError):
        return None
    if value is None:
        return None
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
