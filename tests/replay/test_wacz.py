"""WACZ packages of chosen captures: valid by the spec, replayable in pywb and a browser."""

from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.archive.replay import REPO as REPLAY_REPO
from crawler.archive.replay import replay_url, timestamp14
from crawler.archive.wacz import verify_wacz, write_wacz
from crawler.archive.warc import payload_digest
from newsarchive.errors import NewsarchiveError
from tests.browser import Browser, LoggingProxy, chromium

from .conftest import Replay, free_port, stop_replay, wait_until
from .test_browser import HEADLINE
from .test_replay import get

TOOLS = REPLAY_REPO / ".venv-replay" / "bin"
SEARCH = {"query": "voter id", "filters": {"outlet": "The Loopback Ledger"},
          "searched_at": "2026-12-01T10:00:00Z"}  # fmt: skip


def pages_of(crawled) -> list[dict]:
    """What a search hands over: the article records of its hits, with their titles."""
    return [{**c["record"], "title": c["title"]} for c in crawled.captures()]


@pytest.fixture(scope="module")
def package(crawled, tmp_path_factory):
    out = tmp_path_factory.mktemp("wacz") / "evidence.wacz"
    summary = write_wacz(out, crawled.home / "warc", pages_of(crawled), title="Voter ID coverage",
                         description="Articles matching `voter id`.", metadata={"search": SEARCH})  # fmt: skip
    return out, summary


def warc_records(path: Path) -> list[tuple[str, dict]]:
    with zipfile.ZipFile(path) as zf, zf.open("archive/data.warc.gz") as fh:
        return [(r.rec_type, dict(r.rec_headers.headers)) for r in ArchiveIterator(fh)]


def test_the_package_meets_the_spec_and_says_what_search_made_it(crawled, package):
    out, summary = package
    assert verify_wacz(out) == []
    validate = subprocess.run([str(TOOLS / "wacz"), "validate", "-f", str(out)],
                              capture_output=True, text=True)  # fmt: skip
    assert validate.returncode == 0 and "Validation succeeded" in validate.stdout, validate.stdout
    with zipfile.ZipFile(out) as zf:
        package_json = json.loads(zf.read("datapackage.json"))
        lines = [json.loads(x) for x in zf.read("pages/pages.jsonl").decode().splitlines()]
    assert package_json["newsarchive"]["search"] == SEARCH
    assert package_json["title"] == "Voter ID coverage"
    pages = pages_of(crawled)
    assert [(p["url"], p["ts"], p["title"]) for p in lines[1:]] == [
        (p["url"], p["fetched_at"], p["title"]) for p in pages
    ]
    assert summary["missing_metadata"] == 0


def test_the_package_holds_each_capture_with_its_request_metadata_and_original(crawled, package):
    out, _ = package
    records = warc_records(out)
    assert records[0][0] == "warcinfo"
    by_id = {h["WARC-Record-ID"]: (kind, h) for kind, h in records}
    for page in pages_of(crawled):
        ptr = page["capture"]
        kind, _ = by_id[ptr["record_id"]]
        assert kind == ("revisit" if ptr["revisit"] else "response")
        linked = {k for k, h in records if h.get("WARC-Concurrent-To") == ptr["record_id"]}
        assert linked == {"request", "metadata"}
        if ptr["revisit"]:
            assert by_id[ptr["refers_to"]["record_id"]][0] == "response"
    sources = {}
    for path in (crawled.home / "warc").glob("*.warc.gz"):
        with open(path, "rb") as fh:
            sources.update({r.rec_headers.get_header("WARC-Record-ID"): dict(r.rec_headers.headers)
                            for r in ArchiveIterator(fh)})  # fmt: skip
    for rid, (_, headers) in list(by_id.items())[1:]:
        assert headers == sources[rid]  # copied as written


def test_a_damaged_or_incomplete_package_is_reported(package, tmp_path):
    out, _ = package

    def rewrite(name: str, change) -> Path:
        target = tmp_path / f"{len(list(tmp_path.iterdir()))}.wacz"
        with zipfile.ZipFile(out) as src, zipfile.ZipFile(target, "w") as dst:
            for info in src.infolist():
                data = change(info.filename, src.read(info.filename))
                if data is not None:
                    dst.writestr(info, data)
        return target

    flipped = rewrite(
        "warc", lambda n, d: d[:-5] + bytes([d[-5] ^ 1]) + d[-4:] if n.endswith(".warc.gz") else d
    )
    assert any("archive/data.warc.gz: its SHA-256" in p for p in verify_wacz(flipped))
    no_pages = rewrite("pages", lambda n, d: None if n.startswith("pages/") else d)
    assert any("pages/pages.jsonl" in p for p in verify_wacz(no_pages))
    repackaged = rewrite(
        "package",
        lambda n, d: d.replace(b"Voter ID", b"Voter IX") if n == "datapackage.json" else d,
    )
    assert "datapackage-digest.json does not match datapackage.json" in verify_wacz(repackaged)
    assert verify_wacz(tmp_path / "missing.wacz")[0].startswith("not a ZIP file")


def test_pointers_that_do_not_match_the_archive_are_refused(crawled, tmp_path):
    page = pages_of(crawled)[0]
    wrong = {**page, "capture": {**page["capture"], "offset": page["capture"]["offset"] + 1}}
    with pytest.raises(NewsarchiveError, match="is not at"):
        write_wacz(tmp_path / "x.wacz", crawled.home / "warc", [wrong], title="x")
    with pytest.raises(NewsarchiveError, match="no pages"):
        write_wacz(tmp_path / "x.wacz", crawled.home / "warc", [], title="x")
    assert not (tmp_path / "x.wacz").exists()


@pytest.fixture(scope="module")
def wacz_in_pywb(package, tmp_path_factory):
    """The package added to a stock pywb collection (`wb-manager add --unpack-wacz`)."""
    out, _ = package
    root = tmp_path_factory.mktemp("pywb-wacz")
    for args in (["init", "evidence"], ["add", "--unpack-wacz", "evidence", str(out)]):
        done = subprocess.run(
            [str(TOOLS / "wb-manager"), *args], cwd=root, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
    port = free_port()
    proc = subprocess.Popen([str(TOOLS / "wayback"), "--bind", "127.0.0.1", "--port", str(port)],
                            cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    server = Replay(proc, port)

    def answers() -> bool:
        try:
            return get(f"{server.base}/")[0] == 200
        except OSError:
            return proc.poll() is not None  # stop waiting for a server that died

    try:
        assert wait_until(answers, 60) and proc.poll() is None, "pywb did not start"
        yield server
    finally:
        stop_replay(server)


def test_the_package_replays_in_pywb(crawled, wacz_in_pywb):
    base = f"{wacz_in_pywb.base}/evidence"
    for page in pages_of(crawled):
        status, _, body = get(f"{base}/{timestamp14(page['fetched_at'])}id_/{page['url']}")
        assert status == 200 and payload_digest(body) == page["capture"]["digest"], page["url"]


@pytest.mark.slow
@pytest.mark.skipif(chromium() is None, reason="no Chromium here: `apt-get install chromium`")
def test_a_browser_shows_the_same_page_from_the_package(crawled, wacz_in_pywb):
    page = next(p for p in pages_of(crawled) if p["capture"]["revisit"])
    proxy = LoggingProxy({f"127.0.0.1:{wacz_in_pywb.port}"})
    browser = Browser(chromium(), proxy)
    try:
        url = replay_url(wacz_in_pywb.base, page["fetched_at"], page["url"], collection="evidence")
        browser.load(url)
        assert browser.wait_for(HEADLINE) == page["title"]
        origin = f"127.0.0.1:{wacz_in_pywb.port}"
        assert all(origin in u for u in browser.page_requests if u.startswith("http")), (
            browser.page_requests
        )
    finally:
        browser.close()
        proxy.close()
    assert len(crawled.site.log) == crawled.served
