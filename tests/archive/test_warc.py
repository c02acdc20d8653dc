"""WARC writing: pairing, digests, revisits, rotation, crash and disk-full safety."""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
import textwrap

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.archive import Archive
from crawler.archive.cdxj import cdxj_path
from crawler.archive.recovery import recover_directory, valid_length
from crawler.archive.writer import warc_files

from .helpers import REPO, assert_warcs_valid


def records(path):
    with open(path, "rb") as fh:
        out = []
        for rec in ArchiveIterator(fh):
            body = rec.content_stream().read()
            out.append((rec.rec_type, rec.rec_headers, rec.http_headers, body))
        return out


def test_response_and_request_are_linked_with_digests(tmp_path):
    body = b"<html><body>hello</body></html>"
    with Archive(tmp_path) as archive:
        cap = archive.capture(
            "https://news.test/a?x=1",
            request_headers=[("User-Agent", "newsarchive-test")],
            status=200,
            response_headers=[("Content-Type", "text/html"), ("Set-Cookie", "a=1"),
                              ("Set-Cookie", "b=2")],
            body=body,
            ip="127.0.0.1",
        )  # fmt: skip
    (path,) = warc_files(tmp_path / "warc")
    recs = records(path)
    assert [r[0] for r in recs] == ["warcinfo", "response", "request"]
    _, resp_h, resp_http, resp_body = recs[1]
    _, req_h, req_http, _ = recs[2]
    assert resp_h.get_header("WARC-Record-ID") == cap.record_id
    assert req_h.get_header("WARC-Concurrent-To") == cap.record_id
    assert resp_h.get_header("WARC-IP-Address") == "127.0.0.1"
    expected = "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode()
    assert resp_h.get_header("WARC-Payload-Digest") == expected == cap.payload_digest
    assert resp_body == body
    assert resp_http.protocol == "HTTP/1.1" and resp_http.get_statuscode() == "200"
    assert [v for k, v in resp_http.headers if k == "Set-Cookie"] == ["a=1", "b=2"]
    assert req_http.protocol == "GET" and req_http.statusline == "/a?x=1 HTTP/1.1"
    assert (cap.offset, cap.warc_file) == (recs and _offset_of(path, cap.record_id), path.name)
    assert cdxj_path(path).exists() and "news.test" in cdxj_path(path).read_text()
    assert_warcs_valid(tmp_path / "warc")


def _offset_of(path, record_id):
    with open(path, "rb") as fh:
        it = ArchiveIterator(fh)
        for rec in it:
            if rec.rec_headers.get_header("WARC-Record-ID") == record_id:
                return it.get_record_offset()
    return None


def test_identical_refetch_is_a_revisit(tmp_path):
    url = "https://news.test/feed.xml"
    with Archive(tmp_path) as archive:
        first = archive.capture(url, status=200, body=b"<rss>1</rss>")
        second = archive.capture(url, status=200, body=b"<rss>1</rss>")
        third = archive.capture(url, status=200, body=b"<rss>2</rss>")
    assert not first.revisit and second.revisit and not third.revisit
    assert second.refers_to["record_id"] == first.record_id
    recs = records(warc_files(tmp_path / "warc")[0])
    revisit = next(r for r in recs if r[0] == "revisit")[1]
    assert revisit.get_header("WARC-Refers-To") == first.record_id
    assert revisit.get_header("WARC-Profile").endswith("/revisit/identical-payload-digest")
    assert revisit.get_header("WARC-Payload-Digest") == first.payload_digest
    assert_warcs_valid(tmp_path / "warc")


def test_files_rotate_by_size_and_each_is_valid(tmp_path):
    with Archive(tmp_path, max_warc_bytes=4000) as archive:
        caps = [
            archive.capture(f"https://news.test/{i}", status=200, body=bytes(range(256)) * 8)
            for i in range(12)
        ]
    files = warc_files(tmp_path / "warc")
    assert len(files) >= 3
    assert {c.warc_file for c in caps} == {p.name for p in files}
    for path in files:
        assert records(path)[0][0] == "warcinfo"
        assert cdxj_path(path).exists()
    assert_warcs_valid(tmp_path / "warc")


def test_torn_record_of_a_dead_writer_is_cut_on_recovery(tmp_path):
    archive = Archive(tmp_path)
    archive.capture("https://news.test/a", status=200, body=b"a" * 5000)
    cap = archive.capture("https://news.test/b", status=200, body=b"b" * 5000)
    path = tmp_path / "warc" / cap.warc_file
    size = path.stat().st_size
    with open(path, "r+b") as fh:  # the crash: half of the last record reached the disk
        fh.truncate(cap.offset + cap.length // 2)
    assert valid_length(path) == cap.offset  # warcio check alone would not notice
    notes = recover_directory(tmp_path / "warc")
    assert notes and "torn" in notes[0]
    assert path.stat().st_size == cap.offset < size
    assert_warcs_valid(tmp_path / "warc")
    assert cdxj_path(path).exists()


DISK_FULL = textwrap.dedent(
    """
    import random, resource, signal, sys
    from pathlib import Path
    from crawler.archive import Archive, ArchiveWriteError
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
    archive = Archive(Path(sys.argv[1]))
    resource.setrlimit(resource.RLIMIT_FSIZE, (1_000_000, 1_000_000))
    body_size, rng, n = int(sys.argv[2]), random.Random(7), 0
    try:
        while True:
            body = rng.randbytes(body_size)  # incompressible: the WARC grows by body_size
            archive.capture(f"https://news.test/{n}", status=200, body=body)
            n += 1
    except ArchiveWriteError as exc:
        print(n, exc, file=sys.stderr)
        sys.exit(3)
    """
)


@pytest.mark.parametrize(("body_size", "failing"), [(50_000, "WARC file"), (500, "seen-store")])
def test_disk_full_stops_with_a_clear_error_and_a_valid_archive(tmp_path, body_size, failing):
    """Large bodies fill the WARC first; small ones fill SQLite's WAL first."""
    proc = subprocess.run(
        [sys.executable, "-c", DISK_FULL, str(tmp_path), str(body_size)],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 3, proc.stderr
    assert f"cannot write {'to ' if failing == 'WARC file' else 'the '}{failing}" in proc.stderr
    assert "left valid" in proc.stderr
    assert "Traceback" not in proc.stderr
    written = int(proc.stderr.split()[0])
    assert written > 5
    # The file ends on a record boundary even before any recovery ran.
    assert_warcs_valid(tmp_path / "warc")
    with Archive(tmp_path) as archive:
        assert not any("torn" in note for note in archive.notes)
        archive.capture("https://news.test/after", status=200, body=b"space again")
    assert_warcs_valid(tmp_path / "warc")


def test_a_second_writer_on_the_same_home_is_refused(tmp_path):
    from newsarchive.errors import NewsarchiveError

    with Archive(tmp_path), pytest.raises(NewsarchiveError, match="another crawl"):
        Archive(tmp_path)


FULL_AT_CLOSE = textwrap.dedent(
    """
    import logging, resource, signal, sys
    from pathlib import Path
    from crawler.archive import Archive
    from crawler.report import save_report
    logging.basicConfig(format="%(levelname)s %(message)s")
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    home = Path(sys.argv[1])
    archive = Archive(home)
    archive.capture("https://news.test/a", status=200, body=b"a" * 5000)
    resource.setrlimit(resource.RLIMIT_FSIZE, (16, 16))  # the disk is now full
    archive.close()
    print("report saved:", save_report({"finished": "2026-01-02T03:04:05+00:00"}, home))
    """
)


def test_closing_on_a_full_disk_logs_one_line_each_and_the_index_is_rebuilt(tmp_path):
    """The CDXJ sidecar and the report are conveniences: on a full disk each costs one
    logged line, no traceback; the next open indexes the WARC file."""
    proc = subprocess.run(
        [sys.executable, "-c", FULL_AT_CLOSE, str(tmp_path)],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 2, proc.stderr
    assert "cannot write its CDXJ index (File too large)" in lines[0]
    assert "cannot save the crawl report" in lines[1] and "File too large" in lines[1]
    assert proc.stdout.strip() == "report saved: None"
    (path,) = warc_files(tmp_path / "warc")
    assert not cdxj_path(path).exists()
    assert not list((tmp_path / "warc").glob("*.tmp"))
    assert not list((tmp_path / "reports").glob("*.json*"))
    assert_warcs_valid(tmp_path / "warc")
    with Archive(tmp_path):
        assert cdxj_path(path).exists()  # recovery indexed the file left without one


FULL_AT_OPEN = textwrap.dedent(
    """
    import resource, signal, sys
    from pathlib import Path
    from crawler.archive import Archive, ArchiveWriteError
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))
    try:
        Archive(Path(sys.argv[1]))
    except ArchiveWriteError as exc:
        print(exc, file=sys.stderr)
        sys.exit(3)
    """
)


def test_opening_on_a_full_disk_is_an_archive_write_error(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-c", FULL_AT_OPEN, str(tmp_path)],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 3, proc.stderr
    assert "Traceback" not in proc.stderr
    assert str(tmp_path / "seen.sqlite") in proc.stderr and "disk full?" in proc.stderr
    with Archive(tmp_path) as archive:  # with room again it opens, and the lock is free
        archive.capture("https://news.test/a", status=200, body=b"room again")
