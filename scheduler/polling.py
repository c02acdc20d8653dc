"""Adaptive polling: every feed and sitemap at an interval that follows its news.

A listing (a feed, sitemap or section page of the registry) is polled at its own
interval. After each poll the interval moves, within the source's bounds, by what the
poll found: the entries *new since the previous poll* (``crawler.plan`` says how the
crawl counts them), out of the entries it lists.

- first poll: the source's interval, as configured;
- nothing new (a 304 Not Modified, or no new entry): 1.5 x longer;
- most of what it lists is new (at least 2/3 of 3 or more entries): the listing turns
  over between polls, so entries may scroll off unseen: 2 x shorter;
- new entries in this poll and in the one before: 0.75 x (shorter);
- new entries after a quiet poll: kept (one busy poll is not a trend);
- new entries in a poll that came late (more than 1.5 x its interval after the one
  before): not shortened, as its count covers more time than the interval;
- a failed poll (dead, blocked, unreachable): kept, the crawl report says why.

Section pages stay at the source's interval: their links cannot tell a new article
from any other page before it is fetched. This is the scheme of Media Cloud's
rss-fetcher for its ~180,000 feeds (shorten when a poll's stories are mostly new,
lengthen when they are all known or the feed is unchanged, quick to shorten and slow to
lengthen, never adjust on a failed fetch), with steps proportional to the interval so
one rule serves a 5-minute wire feed and a weekly magazine alike.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from newsarchive.dates import format_duration

LONGER = 1.5  # nothing new
SHORTER = 0.75  # new entries in two polls running
MUCH_SHORTER = 0.5  # the listing turned over
TURNOVER = 2 / 3  # share of new entries that means "turned over"
TURNOVER_MIN_ENTRIES = 3  # too few entries to judge a share below this
LATE = 1.5  # a poll this many intervals after the one before counts as late
HISTORY = 10  # new-entry counts kept per listing
GOOD = ("ok", "empty", "not_modified")  # statuses of a poll that answered
FAILED = ("dead", "blocked")


@dataclass(frozen=True)
class Bounds:
    """Where a source's listings start, and how far they may move."""

    start: float  # the source's configured interval
    low: float
    high: float
    adaptive: bool = True


@dataclass
class Poll:
    """What one poll of a listing found (read from the crawl report)."""

    status: str  # "ok", "empty", "not_modified", "dead", "blocked"
    new: int = 0
    listed: int = 0
    reason: str | None = None  # why a failed poll failed

    @property
    def failed(self) -> bool:
        return self.status not in GOOD


@dataclass
class Listing:
    """One listing's polling state, as kept between runs."""

    url: str
    kind: str  # "feed", "sitemap" or "section"
    interval: float
    last_polled: float | None = None
    reason: str = "not polled yet"
    status: str | None = None  # of the last poll
    new: list[int] = field(default_factory=list)  # new entries per good poll, oldest first
    listed: int | None = None  # entries at the last good poll

    def due(self) -> float:
        """When the next poll is due (-inf: never polled)."""
        return -math.inf if self.last_polled is None else self.last_polled + self.interval

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Listing | None:
        """A listing from the state file; None when the entry is damaged."""
        try:
            listing = cls(
                url=str(data["url"]),
                kind=str(data["kind"]),
                interval=float(data["interval"]),
                last_polled=None if data.get("last_polled") is None else float(data["last_polled"]),
                reason=str(data.get("reason") or ""),
                status=data.get("status"),
                new=[int(n) for n in data.get("new") or []][-HISTORY:],
                listed=None if data.get("listed") is None else int(data["listed"]),
            )
        except (KeyError, TypeError, ValueError):
            return None
        return listing if math.isfinite(listing.interval) and listing.interval > 0 else None


def after_poll(listing: Listing, poll: Poll, bounds: Bounds, now: float) -> None:
    """Record one poll of ``listing`` at ``now`` and move its interval (see the module)."""
    previous = listing.last_polled
    listing.last_polled = now
    listing.status = poll.status
    if poll.failed:
        listing.reason = f"the last poll failed ({poll.reason or poll.status}): interval kept"
        return
    history, listing.new = listing.new, (listing.new + [poll.new])[-HISTORY:]
    if poll.status != "not_modified":  # a 304 lists nothing: the last count still holds
        listing.listed = poll.listed
    found = "not modified (304)" if poll.status == "not_modified" else _found(poll)
    if listing.kind == "section" or not bounds.adaptive:
        why = "a section page" if listing.kind == "section" else "adaptive = false"
        _set(listing, bounds.start, f"{found}; {why}: the source's interval", bounds)
        return
    if not history:
        _set(listing, bounds.start, f"first poll, {found}: the source's interval", bounds)
        return
    late = previous is not None and now - previous > LATE * listing.interval
    if poll.new == 0:
        factor, why = LONGER, f"{found}: longer"
    elif late:
        factor, why = 1.0, f"{found}, but the poll came late: not shortened"
    elif poll.listed >= TURNOVER_MIN_ENTRIES and poll.new >= TURNOVER * poll.listed:
        factor, why = MUCH_SHORTER, f"{found}: the listing turns over between polls, shorter"
    elif history[-1] > 0:
        factor, why = SHORTER, f"{found}, new entries 2 polls running: shorter"
    else:
        factor, why = 1.0, f"{found} after a quiet poll: kept"
    _set(listing, listing.interval * factor, why, bounds)


def _found(poll: Poll) -> str:
    if poll.new == 0:
        return f"nothing new among {poll.listed} entries"
    return f"{poll.new} new of {poll.listed} entries"


def _set(listing: Listing, interval: float, why: str, bounds: Bounds) -> None:
    clamped = min(max(interval, bounds.low), bounds.high)
    if clamped != interval:
        edge = "minimum" if clamped == bounds.low else "maximum"
        why += f" (held at the {edge}, {format_duration(clamped)})"
    listing.interval = clamped
    listing.reason = why


def polls_of(row: dict) -> dict[str, Poll]:
    """Each polled registry listing's outcome, from a source's row of the crawl report.

    A sitemap index's children and a section's further pages count towards the listing
    they came from; a listing the crawl never answered (stopped first) is left out."""
    polls: dict[str, Poll] = {}
    for doc in row.get("discovery") or []:
        listing = doc.get("listing") or doc.get("url")
        status = doc.get("status")
        poll = polls.get(listing)
        if poll is None:  # the listing's own document comes first
            if status not in GOOD and status not in FAILED:
                continue  # still pending when the crawl stopped: not polled
            poll = polls[listing] = Poll(status=status, reason=doc.get("reason"))
        poll.new += int(doc.get("new") or 0)
        poll.listed += int(doc.get("entries") or 0)
    return polls
