"""Metadata records stay out of a page's captures, in our CDXJ and in other tools'.

A metadata record that carries the article's URL as WARC-Target-URI is indexed by
every CDX tool as a capture of that URL, and replay then serves its JSON as the page.
Ours name the page through a urn: target and point at their capture with
WARC-Refers-To / WARC-Concurrent-To; our sidecars index captures only; archives
written before keep working (re-extraction) and get their sidecars re-written once.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from crawler.archive import Archive
from crawler.archive.cdxj import CAPTURES_ONLY_MARKER, cdxj_path
from crawler.archive.recovery import reindex_legacy
from crawler.archive.reextract import reextract
from crawler.archive.warc import METADATA_URN_PREFIX
from crawler.archive.writer import warc_files

from .helpers import assert_warcs_valid, jsonl
from .legacy import URL, crawl, legacy_archive, page

CDXJ_INDEXER = str(Path(sys.executable).with_name("cdxj-indexer"))


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
