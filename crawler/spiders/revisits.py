"""The revisit policy: when an archived article is fetched again, to catch edits and removals.

Three reasons make an archived article due:

- its **schedule**: points in time after its current version was captured (default
  +1 h, +6 h, +1 d, +3 d, +7 d, +30 d, then never). Counting from the version, not
  from the first capture, restarts the schedule at every captured change: an article
  just edited is the likeliest to be edited again soon. The next point is the first
  one after its last capture, so a crawl that missed some points fetches it once, not
  once per point. A point is reached once ``EARLY`` of its offset is left (6 minutes of
  +1 h): crawls come at intervals, and a point falling due moments after one started
  would otherwise wait a whole interval for the next;
- a **change signal**: a feed entry (``updated``, ``pubDate``) or sitemap entry
  (``lastmod``, ``news:publication_date``) dated after its last capture (and not in the
  future: a clock or time-zone error would make it due on every crawl);
- a **headline signal**: a listing names the article with a headline (feed ``title``,
  ``news:title``) that no listing gave it at any of its captures: a rewritten headline
  shows in the listings although the edit moved no date (``headline_changed``).

Everything it reads (the current version's capture and the last capture) is derived
from the article records, so
the policy needs no state of its own: a crawl killed in the middle of a revisit round
leaves the articles it re-fetched with their new captures and the others still due.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from crawler.archive.identity import normalize_text
from crawler.discovery.entries import Entry
from crawler.sources import revisit_points
from newsarchive.errors import ConfigError

EARLY = 0.1  # a point of the schedule is reached this share of its offset early


@dataclass(frozen=True)
class RevisitPolicy:
    """When the archived articles of one source are fetched again."""

    schedule: tuple[float, ...]  # seconds after the current version's capture, ascending
    budget: int = 200  # revisits per source and crawl, oldest due first

    @property
    def window_days(self) -> float:
        """How long after its version's capture the schedule may still want an article."""
        return max(self.schedule, default=0) / 86400

    def next_due(self, version_seen: datetime, last_seen: datetime) -> datetime | None:
        """When the first point of the schedule (counted from the capture of the current
        version) not yet reached at the last capture is reached; None when none is left."""
        for offset in self.schedule:
            due = version_seen + timedelta(seconds=offset * (1 - EARLY))
            if due > last_seen:
                return due
        return None

    @staticmethod
    def signalled(changed_at: datetime | None, last_seen: datetime, now: datetime) -> bool:
        """Whether a listing's date says the article changed after its last capture."""
        return changed_at is not None and last_seen < changed_at <= now


def _title_key(title: str | None) -> str:
    return normalize_text(title).casefold()


def headline_changed(listed: list[str], known: tuple[str, ...], title: str | None) -> bool:
    """Whether this crawl's listings name an archived article with a headline new to it:
    none that the listings gave it at its captures (``known``) nor its archived title.

    An article captured before the archive kept listing headlines (``known`` empty)
    gives no signal: a feed's headline often differs from the page's, and comparing with
    the page alone would make such an article due on every crawl. A listing that shows
    one of several headlines it showed before (an A/B test) gives none either."""
    if not known:
        return False
    seen = {_title_key(t) for t in known} | {_title_key(title)}
    return any(_title_key(t) not in seen for t in listed)


def parse_schedule(value: object, where: str) -> tuple[float, ...]:
    """A schedule setting, ``"1h,6h,1d"`` or a list of durations -> seconds, ascending
    (the registry's ``revisit`` lists are read by the same rule)."""
    items = [v for v in value.split(",") if v.strip()] if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise ConfigError(f'{where}: give durations, e.g. "1h,6h,1d"')
    return revisit_points(items, where)


def policy_for(source_revisit: tuple[float, ...] | bool, default: tuple[float, ...], budget: int):
    """The policy of a source: its registry entry's own schedule, the crawl's default
    (``True``), or None when revisits are off for it (``False``)."""
    if source_revisit is False:
        return None
    schedule = default if source_revisit is True else tuple(source_revisit)
    return RevisitPolicy(schedule=schedule, budget=budget)


def dated_per_article(entries: list[Entry]) -> bool:
    """Whether a listing's dates belong to its articles. Sitemaps written on the fly
    often stamp every entry with the time they were generated: those dates say nothing
    about an article, and taken as change signals would make all of them due on every
    crawl."""
    dates = [e.changed_at for e in entries if e.changed_at is not None]
    if len(dates) < 5:
        return True
    _, most = Counter(dates).most_common(1)[0]
    return most <= 0.8 * len(dates)
