"""kill -9 of a crawl at a seeded point, then a second crawl: the archive ends exactly
like an uninterrupted crawl's (same articles, none fetched twice, no duplicate
versions, every WARC valid, torn JSONL lines detected and repaired), and the crawl's
extraction workers die with it. (This case replaces the crawl suite's own kill test.)"""

from __future__ import annotations

import random
import signal
import subprocess
from pathlib import Path

import pytest

from tests.crawl.conftest import REPO, Crawler, registry_text
from tests.reliability.checks import (
    archived_urls,
    assert_archive_sound,
    jsonl_state,
    string_tags,
    wait_for,
)
from tests.reliability.conftest import reps, seed_for
from tests.site import NewsSite

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

ARTICLES = 30
PACE = {"DOWNLOAD_DELAY": "0.04", "CONCURRENT_REQUESTS_PER_DOMAIN": "2", "EXTRACT_WORKERS": "1"}


def _crawler(site: NewsSite, root: Path, name: str) -> Crawler:
    home = root / name
    home.mkdir()
    registry = root / f"{name}.toml"
    registry.write_text(string_tags(registry_text(site)))
    return Crawler(home, registry)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The site, and an uninterrupted crawl of it: its archived URLs."""
    root = tmp_path_factory.mktemp("crawl-kill")
    with NewsSite(n_articles=ARTICLES, feed_size=10) as site:
        crawler = _crawler(site, root, "reference")
        result = crawler.run(**PACE)
        assert result.returncode == 0, result.stderr
        expected = crawler.archived_urls()
        assert len(expected) == ARTICLES
        yield site, root, expected


def _children(pid: int) -> list[int]:
    """The live child processes of ``pid`` (the crawl's extraction workers)."""
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


@pytest.mark.parametrize("rep", reps())
def test_kill_9_then_recrawl_equals_an_uninterrupted_crawl(reference, rep, trial):
    site, root, expected = reference
    trial.case = "kill -9 of a crawl, then a second crawl"
    rng = random.Random(seed_for(trial.case, rep))
    crawler = _crawler(site, root, f"killed-{rep}")
    articles = crawler.home / "articles" / "articles.jsonl"
    # The kill comes at a seeded observable point, never after a guessed delay: when the
    # crawl has written K article records (K = 0: as soon as it asked the site anything).
    k = rng.choice([0, *range(1, ARTICLES - 2)])
    served = len(site.log)
    proc = subprocess.Popen(
        crawler.command(**PACE),
        env=crawler.env(),
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def reached() -> bool:
        if k == 0:
            return len(site.log) > served
        return articles.exists() and articles.read_bytes().count(b"\n") >= k

    try:
        assert wait_for(lambda: reached() or proc.poll() is not None, 120)
        assert proc.poll() is None, "the crawl ended before its kill point"
        workers = _children(proc.pid)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    lines, torn = jsonl_state(articles)
    trial.saw("killed before the first record" if lines == 0 else "killed mid-crawl")
    if torn:
        trial.saw("torn JSONL line left by the kill")
    # The extraction workers die with the crawl (a parent-death signal from the kernel).
    assert wait_for(lambda: not any(_alive(w) for w in workers), 10), "workers outlived it"

    done_before = len(archived_urls(assert_archive_sound(crawler.home)))
    second = crawler.run(**PACE)
    assert second.returncode == 0, second.stderr[-3000:]
    records = assert_archive_sound(crawler.home)
    got = archived_urls(records)
    trial.lost = len(expected - got)
    assert got == expected
    assert second.source["articles"]["new"] == ARTICLES - done_before  # nothing twice
    assert {r["version"] for r in records} == {1}, "a re-fetch made a new version"
    if torn:
        assert (crawler.home / "articles" / "articles.jsonl.torn").exists()
    trial.notes.append(f"killed at {k} records ({lines} lines written)")
