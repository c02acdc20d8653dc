"""The crawl's archive as a Scrapy extension: one ``Archive`` per crawl, shared by the
WARC capture middleware, the item pipeline and the spider.

    EXTENSIONS = {"crawler.archive.extension.ArchiveExtension": 0}

Opened when Scrapy builds its extensions (so a locked or unwritable archive stops the
crawl before anything is fetched), closed when the engine stops (after the spider has
saved its report and validators). Components find it with ``archive_of(crawler)``.

Settings: ``NEWSARCHIVE_HOME`` (overrides newsarchive.config), ``WARC_MAX_BYTES``
(default 1 GiB), ``ARCHIVE_FSYNC`` (fsync every record; default False), ``CRAWL_CLOCK``
(the crawl's clock starts at this ISO 8601 time and runs at real speed, for tests and
benchmarks that simulate days of a site's life; empty: the system clock). The archive
holds the crawl's one clock; the spider reads "now" from it.
"""

from __future__ import annotations

import logging
from pathlib import Path

from scrapy import signals

from crawler.archive.store import Archive
from crawler.archive.writer import DEFAULT_MAX_BYTES
from crawler.frontier import worker_id
from newsarchive.clock import Clock
from newsarchive.errors import ArchiveWriteError, NewsarchiveError

log = logging.getLogger(__name__)

CLOSE_REASON = "archive_write_failed"  # the spider's close reason when the disk fills


def archive_home(settings) -> Path:
    """NEWSARCHIVE_HOME from the Scrapy settings, else from newsarchive.config."""
    home = settings.get("NEWSARCHIVE_HOME")
    if home:
        return Path(home).expanduser()
    from newsarchive.config import load_settings

    return load_settings().home


class ArchiveExtension:
    """Owns the crawl's ``Archive`` and whether the crawl was stopped for a write failure."""

    def __init__(self, crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        home = archive_home(settings)
        worker = worker_id(settings.get("WORKER_ID"), home) if settings.get("REDIS_URL") else None
        self.archive = Archive(
            home,
            max_warc_bytes=settings.getint("WARC_MAX_BYTES", DEFAULT_MAX_BYTES),
            fsync=settings.getbool("ARCHIVE_FSYNC", False),
            clock=Clock.from_setting(settings.get("CRAWL_CLOCK")),
            worker=worker,
        )
        self.stopped = False  # a write failed: what is still in flight is dropped
        crawler.signals.connect(self.close, signal=signals.engine_stopped)

    @classmethod
    def from_crawler(cls, crawler) -> ArchiveExtension:
        return cls(crawler)

    def stop(self, exc: ArchiveWriteError) -> None:
        """The archive cannot be written: say why in one line and close the spider with
        ``CLOSE_REASON``. Only the first failure of a crawl is logged and acted on."""
        if self.stopped:
            return
        self.stopped = True
        log.error("%s: stopping the crawl", exc)
        from scrapy.utils.defer import deferred_from_coro

        deferred_from_coro(self.crawler.engine.close_spider_async(reason=CLOSE_REASON))

    def close(self) -> None:
        self.archive.close()


def archive_of(crawler) -> ArchiveExtension:
    """The crawl's archive extension; a clear error when the settings leave it out."""
    found = crawler.get_extension(ArchiveExtension)
    if found is None:
        raise NewsarchiveError(
            "the archive extension is not enabled: add "
            '"crawler.archive.extension.ArchiveExtension" to EXTENSIONS'
        )
    return found
