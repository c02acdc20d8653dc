"""The crawl's one clock: the system time, or a simulated time that starts at a given
instant and then runs at real speed.

Everything in a crawl that reads "now" (capture dates, the revisit schedule, the
re-check window, relative ``--since`` dates, the report) reads it from one ``Clock``,
so a test or a benchmark can live days of a site's life in seconds: each crawl starts
at the simulated instant it is given (the Scrapy setting ``CRAWL_CLOCK``), never
waiting for real time to pass.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from newsarchive.errors import ConfigError


class Clock:
    """``now()``: the system time, or ``start`` plus the real time elapsed since."""

    def __init__(self, start: datetime | None = None) -> None:
        if start is not None and start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
        self.start = start
        self._began = time.monotonic()

    @classmethod
    def from_setting(cls, value: object) -> Clock:
        """The clock a ``CRAWL_CLOCK`` value names: empty for the system clock, or an
        ISO 8601 instant (UTC when it has no zone)."""
        if value in (None, ""):
            return cls()
        if isinstance(value, datetime):
            return cls(value)
        try:
            return cls(datetime.fromisoformat(str(value).strip().replace("Z", "+00:00")))
        except ValueError:
            raise ConfigError(
                f"CRAWL_CLOCK: {value!r} is not an ISO 8601 time such as 2026-05-01T12:00:00Z"
            ) from None

    @property
    def simulated(self) -> bool:
        return self.start is not None

    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        if self.start is None:
            return datetime.now(UTC)
        return (self.start + timedelta(seconds=time.monotonic() - self._began)).astimezone(UTC)


SYSTEM = Clock()  # the default of everything that takes a clock
