"""Scrapy downloader middleware that archives every HTTP exchange into WARC files.

Enable it close to the downloader so it sees bodies before decompression::

    DOWNLOADER_MIDDLEWARES = {"crawler.archive.middleware.WarcCaptureMiddleware": 950}

It writes to the crawl's archive (``crawler.archive.extension``). If the archive cannot
be written (disk full) the spider is closed with reason ``archive_write_failed`` and the
response is dropped, so nothing unarchived is kept.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from crawler.archive.extension import archive_of
from newsarchive.errors import ArchiveWriteError

log = logging.getLogger(__name__)


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
        self.extension = archive_of(crawler)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    @property
    def archive(self):
        return self.extension.archive

    def process_response(self, request, response, spider=None):
        from scrapy.exceptions import IgnoreRequest

        if self.extension.stopped:
            raise IgnoreRequest("archive is not writable; response dropped")
        if "cached" in response.flags or urlsplit(response.url).scheme not in ("http", "https"):
            return response
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
            self.extension.stop(exc)
            raise IgnoreRequest(str(exc)) from exc
        request.meta["capture"] = capture
        return response
