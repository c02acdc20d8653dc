"""kill -9 of a crawl at a seeded random moment, then a second crawl: the archive ends
exactly like an uninterrupted crawl's (same articles, no duplicate versions, every WARC
valid, torn JSONL lines detected and repaired)."""

from __future__ import annotations

import random
import subprocess
import time
from pathlib import Path

import pytest

from tests.crawl.conftest import REPO, Crawler, registry_text
from tests.reliability.checks import (
    archived_urls,
    assert_archive_sound,
    jsonl_state,
    kill_after,
    string_tags,
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
    """The site, and an uninterrupted crawl of it: its archived URLs and its duration."""
    root = tmp_path_factory.mktemp("crawl-kill")
    with NewsSite(n_articles=ARTICLES, feed_size=10) as site:
        crawler = _crawler(site, root, "reference")
        began = time.monotonic()
        result = crawler.run(**PACE)
        duration = time.monotonic() - began
        assert result.returncode == 0, result.stderr
        expected = crawler.archived_urls()
        assert len(expected) == ARTICLES
        yield site, root, expected, duration


@pytest.mark.parametrize("rep", reps())
def test_kill_9_then_recrawl_equals_an_uninterrupted_crawl(reference, rep, trial):
    site, root, expected, duration = reference
    trial.case = "kill -9 of a crawl, then a second crawl"
    rng = random.Random(seed_for(trial.case, rep))
    crawler = _crawler(site, root, f"killed-{rep}")
    moment = rng.uniform(0.2, 1.0) * duration
    proc = subprocess.Popen(
        crawler.command(**PACE),
        env=crawler.env(),
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    killed = kill_after(proc, moment)
    lines, torn = jsonl_state(crawler.home / "articles" / "articles.jsonl")
    if not killed:
        trial.saw("finished before the kill")
    elif lines == 0:
        trial.saw("killed before the first record")
    else:
        trial.saw("killed mid-crawl")
    if torn:
        trial.saw("torn JSONL line left by the kill")

    second = crawler.run(**PACE)
    assert second.returncode == 0, second.stderr[-3000:]
    records = assert_archive_sound(crawler.home)
    got = archived_urls(records)
    trial.lost = len(expected - got)
    assert got == expected
    assert {r["version"] for r in records} == {1}, "a re-fetch made a new version"
    if torn:
        assert (crawler.home / "articles" / "articles.jsonl.torn").exists()
    trial.notes.append(f"kill at {moment:.2f}s of {duration:.2f}s, {lines} lines before")
