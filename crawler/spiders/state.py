"""What the spider keeps per source during one crawl: its candidates and its budget.

Nothing here outlives the crawl (the archive is the only persistent state): the
candidates found in the listings, what was requested, the budget of ``max_articles``,
and what the report will say about each listing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from crawler.discovery.entries import Entry
from crawler.schema.record import MAX_LISTED_TITLES, listed_title
from crawler.sources import Source


@dataclass
class Candidate:
    url: str
    published: datetime | None
    entry: Entry | None
    depth: int
    recheck: bool = False
    politics_hint: str | None = None  # found in a politics-only listing of the registry
    changed_at: datetime | None = None  # the latest date a listing gave it (change signal)
    revisit: str | None = None  # why an archived article is fetched again: schedule,
    # signal (a listing's date) or headline (a listing's headline, ``revisits.headline_changed``)
    titles: list[str] = field(default_factory=list)  # the headlines its listings gave it
    due: datetime | None = None  # since when it is due


@dataclass
class SourceState:
    source: Source
    candidates: dict[str, Candidate] = field(default_factory=dict)
    requested: set[str] = field(default_factory=set)
    scheduled: int = 0
    # why candidates were left over, so the listings must be read again next time:
    # "max_articles" (the budget), "revisit_budget" (a signalled revisit over budget),
    # "stopped" (a shared-frontier worker closed with articles not fetched)
    left_over: set[str] = field(default_factory=set)
    failed: bool = False  # an article fetch failed: keep re-reading the listings
    validators: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    docs: dict[str, dict[str, Any]] = field(default_factory=dict)  # url -> report row
    sitemaps: int = 0  # sitemap documents requested (bounded by SITEMAP_MAX_DOCUMENTS)
    scope_hosts: set[str] = field(default_factory=set)
    out_of_path_scope: set[str] = field(default_factory=set)  # URLs Source.wants refused
    requisites: set[str] = field(default_factory=set)  # page requisites requested
    revisits: int = 0  # archived articles re-fetched by the revisit policy this crawl

    @property
    def truncated(self) -> bool:
        """Candidates were left over: the listings' validators are not remembered."""
        return bool(self.left_over)

    def add(
        self,
        url: str,
        published: datetime | None,
        entry: Entry | None,
        depth: int,
        recheck: bool = False,
        hint: str | None = None,
        changed_at: datetime | None = None,
        title: str | None = None,
    ) -> str:
        """Offer a candidate: "added", "known" (kept, the richest listing merged in) or
        "out_of_scope" (the registry's include/exclude refuses it; said once per URL)."""
        if not self.source.wants(url):
            if url in self.out_of_path_scope:
                return "known"
            self.out_of_path_scope.add(url)
            return "out_of_scope"
        if url in self.requested:
            return "known"
        old = self.candidates.get(url)
        if old is not None:
            # Keep the richest listing: a dated feed entry beats an undated section link,
            # and a politics listing's word is kept whichever listing came first.
            if old.entry is None and entry is not None:
                old.entry, old.published = entry, published or old.published
            old.politics_hint = old.politics_hint or hint
            old.recheck = old.recheck or recheck
            if changed_at is not None and (old.changed_at is None or changed_at > old.changed_at):
                old.changed_at = changed_at
            _add_title(old, title)
            return "known"
        cand = Candidate(url, published, entry, depth, recheck, hint, changed_at)
        _add_title(cand, title)
        self.candidates[url] = cand
        return "added"

    def take(self) -> list[Candidate]:
        """Take the waiting candidates, in the order they were found."""
        taken = list(self.candidates.values())
        self.candidates.clear()
        return taken

    def newest_first(self) -> list[Candidate]:
        """Take the waiting candidates, newest first (undated last)."""
        ordered = sorted(
            self.candidates.values(),
            key=lambda c: c.published or datetime.min.replace(tzinfo=UTC),
            reverse=True,
        )
        self.candidates.clear()
        return ordered


def _add_title(cand: Candidate, title: str | None) -> None:
    """Keep each listing's headline once (bounded: the listings are the site's input)."""
    title = listed_title(title)
    if title and title not in cand.titles and len(cand.titles) < MAX_LISTED_TITLES:
        cand.titles.append(title)
