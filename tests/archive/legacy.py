"""A small archive written by this version, and one as the previous version wrote it
(metadata records at the article's URL, sidecars that index them)."""

from __future__ import annotations

import io
import json
from pathlib import Path

from cdxj_indexer.main import write_cdx_index

from crawler.archive import Archive
from crawler.archive import warc as warcmod
from crawler.archive.cdxj import CAPTURES_ONLY_MARKER, cdxj_path
from crawler.archive.writer import warc_files
from crawler.extract import extract

from .helpers import jsonl

URL = "https://news.test/2024/05/01/budget-passes/"


def page(title: str, version: int = 1) -> str:
    paras = "".join(
        f"<p>Lawmakers debated the budget measure at length, session {i}, edition {version}.</p>"
        for i in range(6)
    )
    return f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{paras}</article></body></html>"


def crawl(archive: Archive, url: str, html: str):
    cap = archive.capture(
        url, status=200, body=html.encode(), response_headers=[("Content-Type", "text/html")]
    )
    archive.record_article(
        extract(html, url), capture=cap, source_id="news", outlet="News", http_status=200
    )
    return cap


def legacy_archive(home: Path) -> list[dict]:
    """An archive as the previous version wrote it: metadata records at the article's
    URL, linked by WARC-Concurrent-To only, and sidecars that index them."""
    with Archive(home) as archive:
        for title, version in (("Budget passes", 1), ("Budget passes", 1), ("Budget passed", 2)):
            html = page(title, version)
            cap = archive.capture(URL, status=200, body=html.encode(),
                                  response_headers=[("Content-Type", "text/html")])  # fmt: skip
            payload = {"type": "newsarchive/article", "metadata_version": 2, "source_id": "news",
                       "outlet": "News", "source_tags": {}, "http_status": 200,
                       "feed_entry": None, "extractor": None, "content_hash": None}  # fmt: skip
            data = json.dumps(payload).encode()
            old = warcmod.builder.create_warc_record(
                URL, "metadata", payload=io.BytesIO(data), length=len(data),
                warc_content_type="application/json",
                warc_headers_dict={"WARC-Date": warcmod.warc_date(),
                                   "WARC-Concurrent-To": cap.record_id},
            )  # fmt: skip
            archive.writer.write([old])
            archive.log.article(extract(html, URL), capture=cap, source_id="news",
                                outlet="News", source_tags={}, http_status=200)  # fmt: skip
    warc_dir = home / "warc"
    for path in warc_files(warc_dir):  # the sidecars the previous version wrote
        with open(cdxj_path(path), "w") as out:
            write_cdx_index(out, [str(path)], {"sort": True, "dir_root": str(warc_dir)})
    (warc_dir / CAPTURES_ONLY_MARKER).unlink()
    return jsonl(home / "articles" / "articles.jsonl")
