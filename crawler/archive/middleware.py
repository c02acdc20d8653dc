"""Scrapy downloader middleware that archives every HTTP exchange into WARC files.

Enable it close to the downloader so it sees bodies before decompression::

    DOWNLOADER_MIDDLEWARES = {"crawler.archive.middleware.WarcCaptureMiddleware": 950}

Settings: ``NEWSARCHIVE_HOME`` (overrides newsarchive.config), ``WARC_MAX_BYTES``
(default 1 GB), ``ARCHIVE_FSYNC`` (fsync every record; default False).
If the archive cannot be written (disk full) the spider is closed with reason
``archive_write_failed`` and the response is dropped, so nothing unarchived is kept.
"""

from __future__ import annotations

import logging
import weakref
from pathlib import Path
from urllib.parse import urlsplit

from crawler.archive.store import Archive
from crawler.archive.warc import DEFAULT_MAX_BYTES, ArchiveWriteError

log = logging.getLogger(__name__)

CLOSE_REASON = "archive_write_failed"
_archives: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_stopped: weakref.WeakSet = weakref.WeakSet()


def archive_home(settings) -> Path:
    """NEWSARCHIVE_HOME from the Scrapy settings, else from newsarchive.config."""
    home = settings.get("NEWSARCHIVE_HOME")
    if home:
        return Path(home).expanduser()
    from newsarchive.config import load_settings

    return load_settings().home


def archive_for_crawler(crawler) -> Archive:
    """The one ``Archive`` of a crawl, shared by this middleware and the item pipeline.

    Opened on first use, closed (WARC indexed, lock released) on ``spider_closed``.
    """
    archive = _archives.get(crawler)
    if archive is None:
        from scrapy import signals

        settings = crawler.settings
        archive = Archive(
            archive_home(settings),
            max_warc_bytes=settings.getint("WARC_MAX_BYTES", DEFAULT_MAX_BYTES),
            fsync=settings.getbool("ARCHIVE_FSYNC", False),
        )
        _archives[crawler] = archive

        def close(*_args, **_kwargs) -> None:
            _archives.pop(crawler, None)
            archive.close()

        crawler.signals.connect(close, signal=signals.spider_closed, weak=False)
    return archive


def stop_crawl(crawler, exc: ArchiveWriteError) -> None:
    """The archive cannot be written: say why in one line and close the spider with
    ``CLOSE_REASON``. Only the first failure of a crawl is logged and acted on."""
    if crawler in _stopped:
        return
    _stopped.add(crawler)
    log.error("%s: stopping the crawl", exc)
    engine = crawler.engine
    if hasattr(engine, "close_spider_async"):
        from scrapy.utils.defer import deferred_from_coro

        deferred_from_coro(engine.close_spider_async(reason=CLOSE_REASON))
    else:  # Scrapy < 2.14
        engine.close_spider(crawler.spider, CLOSE_REASON)


def crawl_stopped(crawler) -> bool:
    """Whether ``stop_crawl`` was called for this crawl (drop what is still in flight)."""
    return crawler in _stopped


def _headers(headers) -> list[tuple[str, str]]:
    """Scrapy headers as (name, value) pairs, repeated names kept, bytes decoded as latin-1."""
    pairs = []
    for name, values in headers.items():
        for value in values:
            pairs.append((name.decode("latin-1"), value.decode("latin-1")))
    return pairs


def _response_headers(response) -> list[tuple[str, str]]:
    """Response headers as received, except that a body Scrapy already de-chunked no
    longer claims ``Transfer-Encoding: chunked`` (the original is kept, renamed)."""
    out = []
    for name, value in _headers(response.headers):
        if name.lower() == "transfer-encoding":
            name = "X-Archive-Orig-Transfer-Encoding"
        out.append((name, value))
    return out


def _request_headers(request) -> list[tuple[str, str]]:
    pairs = _headers(request.headers)
    if not any(name.lower() == "host" for name, _ in pairs):
        pairs.insert(0, ("Host", urlsplit(request.url).netloc))
    return pairs


class WarcCaptureMiddleware:
    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.archive: Archive | None = None

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy import signals

        mw = cls(crawler)
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        return mw

    def spider_opened(self, spider=None) -> None:
        self.archive = archive_for_crawler(self.crawler)

    def process_response(self, request, response, spider=None):
        from scrapy.exceptions import IgnoreRequest

        if crawl_stopped(self.crawler):
            raise IgnoreRequest("archive is not writable; response dropped")
        if "cached" in response.flags or urlsplit(response.url).scheme not in ("http", "https"):
            return response
        if self.archive is None:
            self.archive = archive_for_crawler(self.crawler)
        parts = urlsplit(request.url)
        protocol = response.protocol or "HTTP/1.1"
        try:
            capture = self.archive.capture(
                response.url,
                method=request.method,
                request_target=(parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
                protocol=protocol.upper(),
                request_headers=_request_headers(request),
                request_body=request.body or b"",
                status=response.status,
                response_headers=_response_headers(response),
                body=response.body,
                ip=str(response.ip_address) if response.ip_address else None,
            )
        except ArchiveWriteError as exc:
            stop_crawl(self.crawler, exc)
            raise IgnoreRequest(str(exc)) from exc
        request.meta["capture"] = capture
        return response
