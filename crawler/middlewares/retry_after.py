"""Honour ``Retry-After`` on 429/503 without blocking the reactor.

Scrapy's RetryMiddleware retries 429/503 at once. This middleware sits just before it
(process_response runs first) and, when the server sent ``Retry-After``, pauses the
whole download slot (the host) for that long, capped at ``RETRY_AFTER_MAX`` seconds:
the retry and every other request to that host wait in the slot's queue while other
hosts keep downloading. The slot's normal delay comes back with the first good answer
after the pause (answers to requests already in flight do not end it early).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from time import monotonic

log = logging.getLogger(__name__)
STATUSES = (429, 503)


def parse_retry_after(value: str | bytes | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or HTTP date), or None."""
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if not text:
        return None
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class RetryAfterMiddleware:
    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.max_wait = crawler.settings.getfloat("RETRY_AFTER_MAX", 300)
        # slot key -> (delay and jitter to restore, end of the pause on the monotonic clock)
        self.paused: dict[str, tuple[float, float, float]] = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response, spider=None):
        downloader = self.crawler.engine.downloader
        key = request.meta.get("download_slot") or downloader.get_slot_key(request)
        slot = downloader.slots.get(key)
        if slot is None:
            return response
        if response.status not in STATUSES:
            pause = self.paused.get(key)
            if pause is not None:
                if monotonic() >= pause[2]:
                    slot.delay, slot.jitter, _ = self.paused.pop(key)
                else:  # AutoThrottle may have shortened the delay meanwhile: keep the pause
                    slot.delay = max(slot.delay, pause[2] - monotonic())
            return response
        wait = parse_retry_after(response.headers.get(b"Retry-After"))
        if wait is None:
            return response
        wait = min(wait, self.max_wait)
        now = monotonic()
        old_delay, old_jitter, _ = self.paused.get(key, (slot.delay, slot.jitter, 0.0))
        self.paused[key] = (old_delay, old_jitter, now + wait)
        slot.delay = max(old_delay, wait)
        slot.jitter = 0.0
        slot.lastseen = now
        source_id = request.meta.get("source_id")
        if source_id:
            self.crawler.stats.inc_value(f"src/{source_id}/retry_after_waits")
        log.info("%s answered %s: pausing %s for %.1fs", request.url, response.status, key, wait)
        return response
