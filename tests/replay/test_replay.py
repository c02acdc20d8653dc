"""`newsarchive replay`: every capture replays with pywb, safely, from the archive in place."""

from __future__ import annotations

import html
import ipaddress
import json
import os
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from crawler.archive.replay import timestamp14
from crawler.archive.warc import METADATA_URN_PREFIX, payload_digest
from crawler.archive.writer import warc_files
from tests.archive.legacy import legacy_archive
from tests.crawl.conftest import NEWSARCHIVE, REPO
from tests.site import NewsSite

from .conftest import cdx, crawl_site, start_replay, stop_replay, wait_until


def get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read()


def metadata_records(warc_dir: Path) -> list[tuple[str, str]]:
    """(target URI, WARC-Date) of every metadata record."""
    found = []
    for path in warc_files(warc_dir):
        with open(path, "rb") as fh:
            for rec in ArchiveIterator(fh):
                if rec.rec_type == "metadata":
                    h = rec.rec_headers
                    found.append((h.get_header("WARC-Target-URI"), h.get_header("WARC-Date")))
    return found


def test_every_capture_replays_as_it_was_fetched(crawled, replay):
    captures = crawled.captures()
    assert any(c["revisit"] for c in captures) and any(not c["revisit"] for c in captures)
    for cap in captures:
        ts = timestamp14(cap["fetched_at"])
        status, ctype, body = get(replay.url(f"{ts}id_/{cap['url']}"))
        assert (status, ctype.split(";")[0]) == (200, "text/html"), cap
        # the very bytes archived; for a revisit, those of the capture it refers to
        assert payload_digest(body) == cap["digest"], cap
        assert f">{html.escape(cap['title'])}</h1>" in body.decode()


def test_at_a_metadata_records_time_the_page_is_served_not_its_json(crawled, replay):
    metas = metadata_records(crawled.home / "warc")
    assert len(metas) == len(crawled.captures())
    for target, date in metas:
        assert target.startswith(METADATA_URN_PREFIX)
        url = target[len(METADATA_URN_PREFIX) :]
        for mode in ("id_", "mp_"):  # the page as archived, and as the replay frame shows it
            status, ctype, body = get(replay.url(f"{timestamp14(date)}{mode}/{url}"))
            assert (status, ctype.split(";")[0]) == (200, "text/html"), (url, mode)
            assert b"newsarchive/article" not in body and b"</h1>" in body
        assert {e["mime"] for e in cdx(replay, url)} <= {"text/html", "warc/revisit"}


def test_an_archive_written_before_replays_its_pages_not_their_json(tmp_path):
    records = legacy_archive(tmp_path / "home")
    metas = metadata_records(tmp_path / "home" / "warc")
    assert [t for t, _ in metas] == [records[0]["url"]] * 3  # the old shape: the page's URL
    server = start_replay(tmp_path / "home")
    try:
        assert any("re-indexed 1 WARC files" in line for line in server.lines), server.lines
        for url, date in metas:
            status, ctype, body = get(server.url(f"{timestamp14(date)}id_/{url}"))
            assert (status, ctype.split(";")[0]) == (200, "text/html")
            assert b"<h1>Budget pass" in body
    finally:
        assert stop_replay(server) == 0


def test_the_timeline_of_a_url_lists_each_of_its_captures(crawled, replay):
    for i in range(len(crawled.site.articles)):
        url = crawled.site.article_url(i)
        expected = sorted(
            timestamp14(c["fetched_at"]) for c in crawled.captures() if c["url"] == url
        )
        assert len(expected) == 2  # the first crawl, then the re-check
        assert sorted(e["timestamp"] for e in cdx(replay, url)) == expected
    status, ctype, _ = get(replay.url(f"*/{crawled.site.article_url(0)}"))
    assert (status, ctype.split(";")[0]) == (200, "text/html")


def test_what_was_not_archived_is_a_404_and_never_fetched_live(crawled, replay):
    site = crawled.site
    ts = timestamp14(crawled.captures()[0]["fetched_at"])
    for path in ("/static/site.css", f"/img/{site.articles[0].slug}.jpg", "/2099/01/01/not-yet/"):
        for mode in ("mp_", "id_", "im_", "cs_", "js_"):
            status, _, _ = get(replay.url(f"{ts}{mode}/{site.url(path)}"))
            assert status == 404, (path, mode)
    assert len(site.log) == crawled.served  # the live site is up, and was never asked


def _listening_sockets(pids: set[int]) -> set[tuple[str, int]]:
    inodes = set()
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state != "0A" or inode not in inodes:  # 0A: LISTEN
                continue
            addr_hex, port_hex = local.split(":")
            raw = bytes.fromhex(addr_hex)
            raw = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
            found.add((str(ipaddress.ip_address(raw)), int(port_hex, 16)))
    return found


def _process_tree(pid: int) -> set[int]:
    pids, todo = set(), [pid]
    while todo:
        current = todo.pop()
        pids.add(current)
        for task in Path(f"/proc/{current}/task").iterdir():
            todo += [int(c) for c in (task / "children").read_text().split()]
    return pids


def test_replay_listens_on_the_loopback_interface_only(replay):
    sockets = _listening_sockets(_process_tree(replay.proc.pid))
    assert ("127.0.0.1", replay.port) in sockets
    assert all(ipaddress.ip_address(addr).is_loopback for addr, _ in sockets), sockets


def test_captures_archived_while_replay_runs_are_served_without_a_restart(tmp_path):
    with NewsSite(n_articles=3) as site:
        crawler = crawl_site(site, tmp_path / "home")
        server = start_replay(tmp_path / "home")
        try:
            url = site.article_url(0)
            assert len(cdx(server, url)) == 1
            time.sleep(1.1)  # the next capture gets another 14-digit timestamp
            site.edition = 2
            assert crawler.run("--recheck-days", "30").returncode == 0
            entries = wait_until(lambda: (found := cdx(server, url)) and len(found) == 2 and found)
            assert entries, cdx(server, url)
            latest = max(e["timestamp"] for e in entries)
            status, _, body = get(server.url(f"{latest}id_/{url}"))
            assert status == 200 and b"Update 2: this story was revised" in body
        finally:
            assert stop_replay(server) == 0


def run_replay(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(NEWSARCHIVE), "replay", *args], cwd=REPO, capture_output=True, text=True,
        env={**os.environ, "NEWSARCHIVE_HOME": str(home), **env}, timeout=120,
    )  # fmt: skip


def test_replay_says_what_is_wrong_in_one_line(tmp_path, crawled, replay):
    empty = run_replay(tmp_path / "empty")
    assert empty.returncode == 1 and "no WARC files in" in empty.stderr
    assert "Traceback" not in empty.stderr and len(empty.stderr.strip().splitlines()) == 1
    busy = run_replay(crawled.home, "--port", str(replay.port))
    assert busy.returncode == 1 and "choose another port" in busy.stderr, busy.stderr
    assert "Traceback" not in busy.stderr
    bad = run_replay(crawled.home, "--port", "70000")
    assert bad.returncode == 2 and "70000" in bad.stderr
    missing = run_replay(
        crawled.home,
        "--port",
        "1",
        NEWSARCHIVE_REPLAY_VENV=str(tmp_path / "none"),
        PATH="/nonexistent",
    )
    assert missing.returncode == 1 and "pywb is not installed" in missing.stderr, missing.stderr
    assert json.dumps(missing.stderr).count("\\n") == 1  # one line
