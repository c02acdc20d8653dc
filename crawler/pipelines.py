"""Item pipeline: classify + extract each fetched page in worker processes, then archive it.

Extraction costs tens of ms of CPU per page, so it runs in a process pool
(``EXTRACT_WORKERS``, the GIL rules out threads) and its result comes back to the
reactor as a Deferred; the reactor thread only downloads, writes WARC/JSONL and
schedules. Memory stays flat because Scrapy stops downloading while more than
``SCRAPER_SLOT_MAX_ACTIVE_SIZE`` bytes of pages wait here. The pool dies with the
crawl: it is shut down on close, and each worker asks the kernel to kill it if the
crawl process dies (even by kill -9).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from twisted.internet import defer, reactor

from crawler.archive.extension import archive_of
from crawler.items import FetchedPage
from crawler.worker import analyse_page, init_worker
from newsarchive.errors import ArchiveWriteError

log = logging.getLogger(__name__)


def _deferred_from_future(future: Future) -> defer.Deferred:
    """A Deferred fired on the reactor thread when a concurrent.futures future completes."""
    d: defer.Deferred = defer.Deferred()

    def done(f: Future) -> None:
        exc = f.exception()
        if exc is not None:
            reactor.callFromThread(d.errback, exc)
        else:
            reactor.callFromThread(d.callback, f.result())

    future.add_done_callback(done)
    return d


class ArchivePipeline:
    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.workers = crawler.settings.getint("EXTRACT_WORKERS", 2)
        self.pool: ProcessPoolExecutor | None = None
        self.extension = archive_of(crawler)
        self.archive = self.extension.archive

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def open_spider(self) -> None:
        if self.workers > 0:
            self.pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=init_worker,
                initargs=(os.getpid(),),
            )
            # Start every worker now, from the reactor thread, so they all get the
            # parent-death signal relative to this process.
            for f in [self.pool.submit(os.getpid) for _ in range(self.workers)]:
                f.result()

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    async def _analyse(self, page: FetchedPage) -> dict[str, Any]:
        from scrapy.utils.defer import maybe_deferred_to_future

        args = (
            page.body, page.url, page.encoding, page.feed_entry, page.politics_hint,
            page.wants_requisites,
        )  # fmt: skip
        if self.pool is None:
            return analyse_page(*args)
        return await maybe_deferred_to_future(
            _deferred_from_future(self.pool.submit(analyse_page, *args))
        )

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, FetchedPage):
            return item
        stats = self.crawler.stats

        def count(name: str) -> None:
            stats.inc_value(f"src/{item.source_id}/{name}")

        if item.capture is None:  # the WARC middleware did not archive it: keep nothing
            count("errors/not_captured")
            item.outcome = "error"
            return item
        if item.kind == "not_modified":
            try:
                outcome = self.archive.record_not_modified(
                    item.url, capture=item.capture, source_id=item.source_id,
                    outlet=item.outlet, source_tags=item.source_tags,
                    feed_entry=item.feed_entry, politics_hint=item.politics_hint,
                    validators=item.validators,
                )  # fmt: skip
            except ArchiveWriteError as exc:
                return self._write_failed(item, exc, count)
            if outcome is None:  # not what the conditional request was based on
                count("errors/not_modified_unknown")
                item.outcome = "error"
                return item
            count("articles/unchanged")
            count("revisits/not_modified")
            item.outcome = "unchanged"
            return item
        if item.kind == "removed":
            try:
                outcome = self.archive.record_removed(
                    item.url, capture=item.capture, source_id=item.source_id, status=item.status
                )
            except ArchiveWriteError as exc:
                return self._write_failed(item, exc, count)
            item.outcome = (
                "removed" if outcome is not None and outcome.kind != "unchanged" else None
            )
            if item.outcome:
                count("articles/removed")
            return item
        try:
            result = await self._analyse(item)
        except Exception as exc:  # a worker crashed: count it, keep crawling
            log.error("extraction of %s failed: %s", item.url, exc)
            result = {"kind": "error", "reason": f"{type(exc).__name__}: {exc}"}
        finally:
            item.body = b""
        if result["kind"] == "error":
            count("errors/extract")
            item.outcome = "error"
        elif result["kind"] == "index":
            count(f"not_article/{result['reason'].split(':')[0]}")
            item.outcome = "not_article"
            item.links = result["links"]
        else:
            if self.extension.stopped:  # extracted after the archive failed: drop it
                item.outcome = "error"
                return item
            try:
                outcome = self.archive.record_article(
                    result["record"],
                    capture=item.capture,
                    source_id=item.source_id,
                    outlet=item.outlet,
                    source_tags=item.source_tags,
                    http_status=item.status,
                    feed_entry=item.feed_entry,
                    politics_hint=item.politics_hint,
                    validators=item.validators,
                )
            except ArchiveWriteError as exc:
                return self._write_failed(item, exc, count)
            count(f"articles/{outcome.kind}")
            item.outcome = outcome.kind
            item.requisites = result.get("requisites") or []
        return item

    def _write_failed(self, item: FetchedPage, exc: ArchiveWriteError, count) -> FetchedPage:
        """Disk full (or similar): the archive is still valid (the failed write was
        rolled back) and this page is fetched again next time; stop the crawl."""
        count("errors/archive_write_failed")
        item.outcome = "error"
        self.extension.stop(exc)
        return item
