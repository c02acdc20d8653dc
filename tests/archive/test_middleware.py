"""The Scrapy downloader middleware, driven with real Scrapy objects."""

from __future__ import annotations

import gzip
from ipaddress import ip_address

from scrapy import signals
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator

from crawler.archive.extension import ArchiveExtension
from crawler.archive.middleware import WarcCaptureMiddleware
from crawler.archive.warc import Capture
from crawler.archive.writer import warc_files

from .helpers import assert_warcs_valid


def test_captures_raw_exchange_and_shares_the_archive(tmp_path):
    crawler = get_crawler(
        settings_dict={
            "NEWSARCHIVE_HOME": str(tmp_path),
            "EXTENSIONS": {"crawler.archive.extension.ArchiveExtension": 0},
        }
    )
    crawler._apply_settings()  # builds the extensions, as Crawler.crawl() does
    mw = WarcCaptureMiddleware.from_crawler(crawler)
    html = b"<html><body><p>Raw page</p></body></html>"
    raw = gzip.compress(html, mtime=0)
    request = Request(
        "https://news.test/story?id=7",
        headers={"User-Agent": "newsarchive-test", "Accept-Encoding": "gzip"},
    )
    response = HtmlResponse(
        request.url,
        status=200,
        headers={"Content-Encoding": "gzip", "Transfer-Encoding": "chunked",
                 "Content-Type": "text/html"},
        body=raw,
        request=request,
        ip_address=ip_address("127.0.0.1"),
        protocol="HTTP/1.1",
    )  # fmt: skip
    assert mw.process_response(request, response) is response
    capture = request.meta["capture"]
    assert isinstance(capture, Capture) and capture.status == 200 and not capture.revisit

    redirect = Request("https://news.test/old")
    moved = HtmlResponse(redirect.url, status=301, headers={"Location": "/story?id=7"},
                         body=b"", request=redirect)  # fmt: skip
    mw.process_response(redirect, moved)
    assert redirect.meta["capture"].status == 301

    again = request.replace()
    mw.process_response(again, response.replace(request=again))
    assert again.meta["capture"].revisit

    # the pipeline and the spider get the very same Archive
    archive = crawler.get_extension(ArchiveExtension).archive
    assert archive is mw.archive
    crawler.signals.send_catch_log(signals.engine_stopped)
    assert archive._lock is None  # closed with the crawl

    (path,) = warc_files(tmp_path / "warc")
    with open(path, "rb") as fh:
        recs = [(r.rec_type, r.rec_headers, r.http_headers, r.raw_stream.read())
                for r in ArchiveIterator(fh)]  # fmt: skip
    types = [r[0] for r in recs]
    assert types == ["warcinfo", "response", "request", "response", "request", "revisit",
                     "request"]  # fmt: skip
    _, head, http, payload = recs[1]
    assert http.get_header("Content-Encoding") == "gzip"
    assert payload.endswith(raw)  # the body as it came off the wire, still gzipped
    assert http.get_header("Transfer-Encoding") is None
    assert http.get_header("X-Archive-Orig-Transfer-Encoding") == "chunked"
    assert head.get_header("WARC-IP-Address") == "127.0.0.1"
    req_http = recs[2][2]
    assert req_http.statusline == "/story?id=7 HTTP/1.1"
    assert req_http.get_header("Host") == "news.test"
    assert req_http.get_header("User-Agent") == "newsarchive-test"
    assert recs[3][2].get_statuscode() == "301"
    assert_warcs_valid(tmp_path / "warc")
