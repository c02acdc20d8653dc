"""Metadata records stay out of a page's captures, in our CDXJ and in other tools'.

A metadata record that carries the article's URL as WARC-Target-URI is indexed by
every CDX tool as a capture of that URL, and replay then serves its JSON as the page.
Ours name the page through a urn: target and point at their capture with
WARC-Refers-To / WARC-Concurrent-To; our sidecars index captures only; archives
written before keep working (re-extraction) and get their sidecars re-written once.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from cdxj_indexer.main import write_cdx_index
from warcio.archiveiterator import ArchiveIterator

from crawler.archive import Archive
from crawler.archive import warc as warcmod
from crawler.archive.reextract import reextract
from crawler.archive.warc import (
    CAPTURES_ONLY_MARKER,
    METADATA_URN_PREFIX,
    cdxj_path,
    reindex_legacy,
    warc_files,
)
from crawler.extract import extract

from .helpers import assert_warcs_valid, jsonl

URL = "https://news.test/2024/05/01/budget-passes/"
CDXJ_INDEXER = str(Path(sys.executable).with_name("cdxj-indexer"))


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


def records(warc_dir: Path) -> list[tuple[str, object, int]]:
    out = []
    for path in warc_files(warc_dir):
        with open(path, "rb") as fh:
            it = ArchiveIterator(fh)
            for rec in it:
                rec.content_stream().read()
                out.append((rec.rec_type, rec.rec_headers, it.get_record_offset()))
    return out


def cdxj_lines(path: Path) -> list[tuple[str, str, dict]]:
    lines = []
    for line in Path(path).read_text().splitlines():
        key, ts, data = line.split(" ", 2)
        lines.append((key, ts, json.loads(data)))
    return lines


def test_a_metadata_record_names_its_capture_but_not_as_the_page(tmp_path):
    with Archive(tmp_path) as archive:
        cap = crawl(archive, URL, page("Budget passes"))
    (meta,) = [h for kind, h, _ in records(tmp_path / "warc") if kind == "metadata"]
    assert meta.get_header("WARC-Target-URI") == METADATA_URN_PREFIX + URL
    assert meta.get_header("WARC-Refers-To") == cap.record_id
    assert meta.get_header("WARC-Concurrent-To") == cap.record_id
    assert meta.get_header("WARC-Date") == cap.fetched_at  # one capture event, one date
    assert meta.get_header("Content-Type") == "application/json"
    assert_warcs_valid(tmp_path / "warc")


def test_our_sidecars_index_the_captures_and_nothing_else(tmp_path):
    with Archive(tmp_path) as archive:
        crawl(archive, URL, page("Budget passes"))
        crawl(archive, URL, page("Budget passes"))  # identical: a revisit
        crawl(archive, URL, page("Budget passes narrowly", 2))
    recs = records(tmp_path / "warc")
    captures = sorted(off for kind, _, off in recs if kind in ("response", "revisit"))
    assert len(captures) == 3
    (path,) = warc_files(tmp_path / "warc")
    lines = cdxj_lines(cdxj_path(path))
    assert sorted(int(d["offset"]) for _, _, d in lines) == captures
    assert all(d["url"] == URL and "status" in d for _, _, d in lines)
    assert (tmp_path / "warc" / CAPTURES_ONLY_MARKER).exists()  # a fresh archive


def test_other_tools_index_the_metadata_apart_from_the_page(tmp_path):
    """cdxj-indexer as anyone runs it (its defaults index metadata records too)."""
    with Archive(tmp_path) as archive:
        crawl(archive, URL, page("Budget passes"))
    (path,) = warc_files(tmp_path / "warc")
    out = subprocess.run([CDXJ_INDEXER, str(path)], capture_output=True, text=True, check=True)
    entries = [json.loads(line.split(" ", 2)[2]) for line in out.stdout.splitlines()]
    at_page = [e for e in entries if e["url"] == URL]
    assert [e["mime"] for e in at_page] == ["text/html"]
    assert [e["url"] for e in entries if e["mime"] == "application/json"] == [
        METADATA_URN_PREFIX + URL
    ]


# --- archives written before the change -------------------------------------------------


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
            old = warcmod._builder.create_warc_record(
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


def test_old_sidecars_are_rewritten_once_to_captures_only(tmp_path):
    legacy_archive(tmp_path)
    warc_dir = tmp_path / "warc"
    (path,) = warc_files(warc_dir)
    before = cdxj_lines(cdxj_path(path))
    assert any(d["mime"] == "application/json" for _, _, d in before)  # the bug
    assert reindex_legacy(warc_dir) == 1
    after = cdxj_lines(cdxj_path(path))
    assert after == [line for line in before if line[2]["mime"] != "application/json"]
    assert len(after) == 3 and (warc_dir / CAPTURES_ONLY_MARKER).exists()
    assert not list(warc_dir.glob("*.tmp"))
    assert reindex_legacy(warc_dir) == 0  # once


def test_reextraction_reads_old_and_new_metadata_records_alike(tmp_path):
    old_live = legacy_archive(tmp_path / "old")
    summary = reextract(tmp_path / "old", out=tmp_path / "old-re")
    assert summary["articles"] == 3 and summary["missing"] == 0
    assert (
        [r["event"] for r in jsonl(tmp_path / "old-re" / "articles.jsonl")]
        == [r["event"] for r in old_live]
        == ["new", "seen", "changed"]
    )
    with Archive(tmp_path / "new") as archive:
        for title, version in (("Budget passes", 1), ("Budget passes", 1), ("Budget passed", 2)):
            crawl(archive, URL, page(title, version))
    summary = reextract(tmp_path / "new", out=tmp_path / "new-re")
    assert summary["articles"] == 3 and summary["missing"] == 0
    assert jsonl(tmp_path / "new-re" / "articles.jsonl") == jsonl(
        tmp_path / "new" / "articles" / "articles.jsonl"
    )
