"""Re-extraction rebuilds the same article records from the WARC files alone."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.archive import Archive
from crawler.archive.reextract import reextract
from crawler.extract import extract

from .helpers import jsonl


def page(title: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<html><head><title>{title}</title>"
        f'<meta name="author" content="Ann Writer"></head>'
        f"<body><article><h1>{title}</h1>{body}</article></body></html>"
    )


PARAS = [f"Lawmakers debated the caf\u00e9 measure at length, session {i}, into the night."
         for i in range(6)]  # fmt: skip


def crawl(home):
    """What the crawler does: capture the raw bytes (gzip, windows-1252 on the wire),
    extract the page decoded with the HTTP charset, record."""
    pages = [
        ("https://news.test/a", page("Budget passes", PARAS)),
        ("https://news.test/b", page("Court rules", PARAS[:4])),
        ("https://news.test/a", page("Budget passes", PARAS)),  # identical: a revisit
        ("https://news.test/a", page("Budget passes narrowly", PARAS)),  # a new version
    ]
    with Archive(home) as archive:
        for url, html in pages:
            cap = archive.capture(
                url, status=200, body=gzip.compress(html.encode("cp1252"), mtime=0),
                response_headers=[("Content-Type", "text/html; charset=windows-1252"),
                                  ("Content-Encoding", "gzip")],
            )  # fmt: skip
            archive.record_article(
                extract(html, url, feed_entry={"published": "2024-05-02T08:00:00Z"}),
                capture=cap, source_id="news", outlet="News", source_tags={"lean": "left"},
                http_status=200, feed_entry={"published": "2024-05-02T08:00:00Z"},
            )  # fmt: skip
        gone = archive.capture("https://news.test/b", status=410, body=b"")
        archive.record_removed("https://news.test/b", capture=gone, source_id="news", status=410)


def test_reextract_rebuilds_identical_records(tmp_path):
    crawl(tmp_path)
    live = jsonl(tmp_path / "articles" / "articles.jsonl")
    assert [r["event"] for r in live] == ["new", "new", "seen", "changed", "removed"]
    assert live[2]["capture"]["revisit"] is True
    summary = reextract(tmp_path, out=tmp_path / "re")
    assert summary["articles"] == 4 and summary["missing"] == 0
    assert (summary["new"], summary["changed"], summary["unchanged"], summary["removed"]) == (
        2, 1, 1, 1,
    )  # fmt: skip
    assert "caf\u00e9" in live[0]["body"]
    assert jsonl(tmp_path / "re" / "articles.jsonl") == live
    assert not list((tmp_path / "re").glob(".seen*"))


def test_metadata_records_tie_captures_to_records_without_repeating_the_text(tmp_path):
    import json

    from warcio.archiveiterator import ArchiveIterator

    crawl(tmp_path)
    live = [r for r in jsonl(tmp_path / "articles" / "articles.jsonl") if r["event"] != "removed"]
    metas = []
    for path in sorted((tmp_path / "warc").glob("*.warc.gz")):
        with open(path, "rb") as fh:
            for rec in ArchiveIterator(fh):
                if rec.rec_type == "metadata":
                    metas.append(json.loads(rec.content_stream().read()))
    articles = [m for m in metas if m["type"] == "newsarchive/article"]
    assert [m["content_hash"] for m in articles] == [r["content_hash"] for r in live]
    for meta in articles:
        assert meta["metadata_version"] == 2 and meta["source_id"] == "news"
        assert meta["feed_entry"] == {"published": "2024-05-02T08:00:00Z"}
        assert meta["extractor"]["name"]
        assert PARAS[0] not in json.dumps(meta, ensure_ascii=False)  # the body is in the JSONL


def test_reextract_uses_the_current_extractor(tmp_path):
    crawl(tmp_path)

    def newer(html, url, *, feed_entry=None, politics_hint=None, encoding=None, captured=None):
        record = extract(
            html, url, feed_entry=feed_entry, politics_hint=politics_hint, encoding=encoding
        )
        record["extractor"] = {"name": "newer", "version": "2"}
        record["section"] = "politics"
        return record

    reextract(tmp_path, out=tmp_path / "re", extract=newer)
    records = [r for r in jsonl(tmp_path / "re" / "articles.jsonl") if r["event"] == "new"]
    assert {r["extractor"]["name"] for r in records} == {"newer"}
    assert {r["section"] for r in records} == {"politics"}


def test_reextract_command(tmp_path, monkeypatch):
    from search_cli.cli import cli

    monkeypatch.setenv("NEWSARCHIVE_HOME", str(tmp_path))
    runner = CliRunner()
    empty = runner.invoke(cli, ["reextract"])
    assert empty.exit_code == 1 and "no WARC files" in empty.output
    crawl(tmp_path)
    result = runner.invoke(cli, ["reextract", "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "2 new, 1 changed, 1 unchanged, 1 removed" in result.output
    again = runner.invoke(cli, ["reextract", "--out", str(tmp_path / "out")])
    assert again.exit_code == 1 and "already holds" in again.output
    default = runner.invoke(cli, ["reextract"])
    assert default.exit_code == 0 and "articles/reextract-" in default.output


def newer(html, url, *, feed_entry=None, politics_hint=None, encoding=None, captured=None):
    """A newer extractor: the same text, one field it now finds."""
    record = extract(
        html, url, feed_entry=feed_entry, politics_hint=politics_hint, encoding=encoding
    )
    record["extractor"] = {"name": "newer", "version": "2"}
    record["section"] = "politics"
    return record


def capture_page(archive, url: str, html: str):
    cap = archive.capture(url, status=200, body=html.encode(), response_headers=[
        ("Content-Type", "text/html; charset=utf-8")])  # fmt: skip
    return archive.record_article(
        newer(html, url), capture=cap, source_id="news", outlet="News", source_tags={},
        http_status=200,
    )  # fmt: skip


def test_promote_makes_the_set_live_and_later_crawls_continue_from_it(tmp_path):
    from crawler.archive.reextract import promote

    def steadier(html, url, *, feed_entry=None, politics_hint=None, encoding=None, captured=None):
        # A newer extractor that reads the headline without the word an edit added:
        # the edit of article a is no new version any more.
        record = newer(html, url, feed_entry=feed_entry, encoding=encoding)
        record["title"] = record["title"].replace(" narrowly", "")
        return record

    crawl(tmp_path)
    live_path = tmp_path / "articles" / "articles.jsonl"
    old = jsonl(live_path)
    assert [r["version"] for r in old if r["url"] == "https://news.test/a"] == [1, 1, 2]
    reextract(tmp_path, out=tmp_path / "re", extract=steadier)
    done = promote(tmp_path, tmp_path / "re")
    assert done["records"] == len(old) == 5
    assert jsonl(live_path) == jsonl(tmp_path / "re" / "articles.jsonl")
    assert [r["event"] for r in jsonl(live_path)] == ["new", "new", "seen", "seen", "removed"]
    assert jsonl(Path(done["kept"])) == old  # nothing is lost
    # The seen-store now follows the promoted records: article a is at version 1, so
    # an edit found by the next crawl is its version 2 (it would be 3 on the old state).
    with Archive(tmp_path) as archive:
        same = capture_page(archive, "https://news.test/a", page("Budget passes", PARAS))
        edited = capture_page(archive, "https://news.test/a", page("Budget fails", PARAS))
    assert same.kind == "unchanged"
    assert edited.kind == "changed" and edited.record["version"] == 2
    assert [r["event"] for r in jsonl(live_path)[5:]] == ["seen", "changed"]


def test_promote_refuses_a_set_the_archive_has_moved_past(tmp_path):
    from crawler.archive.reextract import promote
    from newsarchive.errors import NewsarchiveError

    crawl(tmp_path)
    reextract(tmp_path, out=tmp_path / "re")
    with Archive(tmp_path) as archive:  # a crawl after the re-extraction
        capture_page(archive, "https://news.test/c", page("Council meets", PARAS))
    before = (tmp_path / "articles" / "articles.jsonl").read_bytes()
    with pytest.raises(NewsarchiveError, match="changed after"):
        promote(tmp_path, tmp_path / "re")
    assert (tmp_path / "articles" / "articles.jsonl").read_bytes() == before


def test_promote_waits_for_no_crawl(tmp_path):
    from crawler.archive.reextract import promote
    from newsarchive.errors import NewsarchiveError

    crawl(tmp_path)
    reextract(tmp_path, out=tmp_path / "re")
    with Archive(tmp_path), pytest.raises(NewsarchiveError, match="another crawl"):
        promote(tmp_path, tmp_path / "re")


def test_a_promotion_cut_short_leaves_a_consistent_archive(tmp_path, monkeypatch):
    import os

    from crawler.archive.reextract import promote

    crawl(tmp_path)
    live_path = tmp_path / "articles" / "articles.jsonl"
    old = jsonl(live_path)
    reextract(tmp_path, out=tmp_path / "re", extract=newer)

    def crash(*args):
        raise OSError("power cut")

    with monkeypatch.context() as patch:  # dies after the store reset, before the rename
        patch.setattr(os, "replace", crash)
        with pytest.raises(OSError):
            promote(tmp_path, tmp_path / "re")
    assert jsonl(live_path) == old
    with Archive(tmp_path) as archive:  # the next open replays the old records
        again = capture_page(archive, "https://news.test/a", page("Budget passes narrowly", PARAS))
    assert again.kind == "unchanged" and again.record["version"] == 2
    assert jsonl(live_path)[:5] == old


def test_a_promotion_cut_short_after_the_rename_leaves_the_new_set(tmp_path, monkeypatch):
    import crawler.archive.reextract as rx

    crawl(tmp_path)
    reextract(tmp_path, out=tmp_path / "re", extract=newer)
    new = jsonl(tmp_path / "re" / "articles.jsonl")

    class Dies:
        def __init__(self, *args, **kwargs):
            raise OSError("power cut")  # the new file is in place; the replay never ran

    with monkeypatch.context() as patch:
        patch.setattr(rx, "ArticleLog", Dies)
        with pytest.raises(OSError):
            rx.promote(tmp_path, tmp_path / "re")
    assert jsonl(tmp_path / "articles" / "articles.jsonl") == new
    with Archive(tmp_path) as archive:  # the next open replays the new records
        same = capture_page(archive, "https://news.test/a", page("Budget passes narrowly", PARAS))
    assert same.kind == "unchanged" and same.record["version"] == 2


def test_reextract_promote_command(tmp_path, monkeypatch):
    from search_cli.cli import cli

    monkeypatch.setenv("NEWSARCHIVE_HOME", str(tmp_path))
    runner = CliRunner()
    crawl(tmp_path)
    made = runner.invoke(cli, ["reextract", "--out", str(tmp_path / "re")])
    assert f"newsarchive reextract --promote {tmp_path / 're'}" in made.output
    result = runner.invoke(cli, ["reextract", "--promote", "re"])  # relative to the home
    assert result.exit_code == 0, result.output
    assert "now holds its 5 records" in result.output and "index --rebuild" in result.output
    bad = runner.invoke(cli, ["reextract", "--promote", str(tmp_path / "warc")])
    assert bad.exit_code == 1 and "not a re-extracted record set" in bad.output
    both = runner.invoke(cli, ["reextract", "--out", "x", "--promote", "re"])
    assert both.exit_code == 2


def test_reextract_into_a_folder_that_cannot_be_made_is_one_line(tmp_path, monkeypatch):
    from search_cli.cli import cli

    monkeypatch.setenv("NEWSARCHIVE_HOME", str(tmp_path))
    crawl(tmp_path)
    (tmp_path / "blocker").write_text("a file, not a folder")
    result = CliRunner().invoke(cli, ["reextract", "--out", str(tmp_path / "blocker" / "re")])
    assert result.exit_code == 1
    assert "cannot write the record set" in result.output and "Traceback" not in result.output


def test_reextract_reports_progress_and_draws_it_on_a_terminal(tmp_path):
    import os
    import pty
    import subprocess
    import sys

    crawl(tmp_path)
    seen: list[dict] = []
    summary = reextract(tmp_path, out=tmp_path / "out", progress=seen.append)
    assert [s["articles"] for s in seen] == list(range(1, summary["articles"] + 1))
    assert seen[-1]["file"] == seen[-1]["files"] == summary["warc_files"]
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("newsarchive")), "reextract", "--out", str(tmp_path / "tty")],
        stdout=follower, stderr=follower, env={**os.environ, "NEWSARCHIVE_HOME": str(tmp_path)},
    )  # fmt: skip
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the command ended
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert proc.wait(timeout=120) == 0, shown
    assert b"\rre-extracting: WARC file 1 of " in shown and b"re-extracted 4" in shown, shown


def test_reextract_bounds_the_dates_of_a_page_by_its_capture(tmp_path):
    # A date read from the page's text can be no later than the capture: re-extraction
    # reads the capture's WARC-Date, so it finds what the crawl found, whenever it runs.
    from datetime import UTC, datetime

    from newsarchive.clock import Clock

    url = "https://news.test/depot"
    html = page("Depot reopens", PARAS).replace(
        "<h1>Depot reopens</h1>", "<h1>Depot reopens</h1><p>Published on 14 June 2024</p>"
    )
    assert extract(html, url)["published"] == "2024-06-14"  # bound: today
    with Archive(tmp_path, clock=Clock(datetime(2024, 6, 1, 9, 0, tzinfo=UTC))) as archive:
        cap = archive.capture(url, status=200, body=html.encode(), response_headers=[
            ("Content-Type", "text/html; charset=utf-8")])  # fmt: skip
        archive.record_article(
            extract(html, url, captured=cap.moment()), capture=cap, source_id="news",
            outlet="News", source_tags={}, http_status=200,
        )  # fmt: skip
    assert jsonl(tmp_path / "articles" / "articles.jsonl")[0]["published"] is None
    reextract(tmp_path, out=tmp_path / "out")
    (again,) = jsonl(tmp_path / "out" / "articles.jsonl")
    assert again["published"] is None
