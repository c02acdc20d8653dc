"""kill -9 at random moments (seeded): nothing torn, nothing lost, nothing duplicated."""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from crawler.archive import Archive
from crawler.schema import validate_record

from .crash_worker import ARTICLES
from .helpers import REPO, assert_warcs_valid, jsonl

WORKER = Path(__file__).with_name("crash_worker.py")


def run_worker(home: Path, kill_after: float | None) -> bool:
    """Run the worker; kill -9 it after ``kill_after`` s. True if it ran to completion."""
    proc = subprocess.Popen([sys.executable, str(WORKER), str(home)], cwd=REPO)
    if kill_after is None:
        assert proc.wait(timeout=120) == 0
        return True
    time.sleep(kill_after)
    if proc.poll() is not None:
        assert proc.returncode == 0
        return True
    proc.kill()  # SIGKILL
    proc.wait()
    return False


def versions(home: Path) -> list[tuple[str, int, str]]:
    return [
        (r["id"], r["version"], r["content_hash"])
        for r in jsonl(home / "articles" / "articles.jsonl")
        if r["event"] in ("new", "changed")
    ]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_killed_crawls_end_like_an_uninterrupted_one(tmp_path, seed):
    reference = tmp_path / "reference"
    started = time.monotonic()
    run_worker(reference, None)
    duration = time.monotonic() - started

    home = tmp_path / "killed"
    rng = random.Random(seed)
    kills = attempts = 0
    # Four seeded kills; a run that finished before its kill moment (a warm run is faster
    # than the cold reference) leaves nothing to kill, so start over a little sooner.
    while attempts < 4 or (kills == 0 and attempts < 12):
        attempts += 1
        if not run_worker(home, rng.uniform(0.15, 0.9) * duration):
            kills += 1
            Archive(home).close()  # reopen: repair and reconcile
            assert_warcs_valid(home / "warc")
        elif kills == 0:
            shutil.rmtree(home)
            duration *= 0.7
    run_worker(home, None)
    assert kills >= 1

    assert_warcs_valid(home / "warc")
    got = versions(home)
    assert len(got) == len(set((i, v) for i, v, _ in got)), "duplicate versions"
    assert sorted(got) == sorted(versions(reference))
    lines = (home / "articles" / "articles.jsonl").read_bytes()
    assert lines.endswith(b"\n")
    for record in jsonl(home / "articles" / "articles.jsonl"):
        validate_record(record)
    counts = Counter(v for _, v, _ in got)
    assert counts == {1: ARTICLES, 2: ARTICLES, 3: ARTICLES}
