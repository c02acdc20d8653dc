"""kill -9 in the middle of a crawl, then run it again: nothing lost, nothing doubled."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.crawl.conftest import REPO
from tests.site import NewsSite

SLOW = {"DOWNLOAD_DELAY": "0.08", "CONCURRENT_REQUESTS_PER_DOMAIN": "1", "EXTRACT_WORKERS": "2"}


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
def test_kill_9_and_resume_matches_an_uninterrupted_crawl(make_crawler):
    with NewsSite(n_articles=40, feed_size=10) as site:
        reference = make_crawler(site, "reference")
        assert reference.run(**SLOW).returncode == 0
        expected = reference.archived_urls()
        assert len(expected) == 40

        crawler = make_crawler(site, "killed")
        articles = crawler.home / "articles" / "articles.jsonl"
        proc = subprocess.Popen(
            crawler.command(**{**SLOW}),
            env=crawler.env(),
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if articles.exists() and len(articles.read_text().splitlines()) >= 8:
                    break
                time.sleep(0.05)
            workers = _children(proc.pid)
            assert workers, "the extraction pool should be running"
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        finally:
            if proc.poll() is None:
                proc.kill()
        done_before = len(crawler.archived_urls())
        assert 8 <= done_before < 40, "the kill should land mid-crawl"
        # The extraction workers die with the crawl.
        deadline = time.monotonic() + 10
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(_alive(w) for w in workers)

        resumed = crawler.run(**SLOW)
        assert resumed.returncode == 0, resumed.stderr
        assert crawler.archived_urls() == expected
        assert resumed.source["articles"]["new"] == 40 - done_before
        events = Counter((r["url"], r["event"]) for r in crawler.records())
        assert all(n == 1 for (_, event), n in events.items() if event == "new")
        assert not [k for k in events if k[1] == "changed"]
        assert {r["version"] for r in crawler.records()} == {1}
