"""Item pipeline: classify + extract each fetched page in worker processes, then archive it.

Extraction costs tens of ms of CPU per page, so it runs in a process pool
(``EXTRACT_WORKERS``, the GIL rules out threads) and its result comes back to the
reactor as a Deferred; the reactor thread only downloads, writes WARC/JSONL and
schedules. Memory stays flat because Scrapy stops downloading while more than
``SCRAPER_SLOT_MAX_ACTIVE_SIZE`` bytes of pages wait here. The pool dies with the
crawl: it is shut down on close, and each worker asks the kernel to kill it if the
crawl process dies (even by kill -9). With ``LEARN_BOILERPLATE`` (default on), each
page is extracted with a snapshot of its source's learnt boilerplate, taken when it is
handed to a worker; the archive counts the new version's blocks once it is recorded.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from scrapy.utils.defer import maybe_deferred_to_future
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
        # Each source's boilerplate, learnt from its articles (crawler.archive.learnt):
        # a worker gets a snapshot of the source's recurring blocks, this process counts.
        self.learn = crawler.settings.getbool("LEARN_BOILERPLATE", True)
        self.turns = (
            defer.DeferredSemaphore(self.workers + 1) if self.learn and self.workers else None
        )

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
        learnt = self.archive.boilerplate.snapshot(page.source_id) if self.learn else None
        captured = page.capture.moment() if page.capture is not None else None
        args = (
            page.body, page.url, page.encoding, page.feed_entry, page.politics_hint,
            page.wants_requisites, learnt, captured,
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
                    validators=item.validators, listed_titles=item.listed_titles,
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
        if self.turns is None:
            return await self._article(item, count)
        # A page's snapshot is taken when it is handed to the pool, and at most one page
        # per worker, plus one waiting, is between its snapshot and its record (and the
        # count of its blocks): a page gets the state of every page recorded before it
        # but at most EXTRACT_WORKERS. Queued in the pool without a bound, a fast site's
        # pages would all get the empty state of the crawl's start.
        await maybe_deferred_to_future(self.turns.acquire())
        try:
            return await self._article(item, count)
        finally:
            self.turns.release()

    async def _article(self, item: FetchedPage, count) -> FetchedPage:
        """Classify and extract a fetched page; record it if it is an article."""
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
                    listed_titles=item.listed_titles,
                )
            except ArchiveWriteError as exc:
                return self._write_failed(item, exc, count)
            count(f"articles/{outcome.kind}")
            if "body_dropped" in result["record"].get("provenance", {}):
                count("boilerplate_dropped")  # articles whose body lost learnt blocks
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
