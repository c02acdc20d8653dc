"""kill -9 at random moments (seeded): nothing torn, nothing lost, nothing duplicated."""

from __future__ import annotations

import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from crawler.archive import Archive
from crawler.schema import validate_record
from tests.reliability.checks import wait_for

from .crash_worker import ARTICLES
from .helpers import REPO, assert_warcs_valid, jsonl

WORKER = Path(__file__).with_name("crash_worker.py")


def run_worker(home: Path, kill_at: int | None) -> bool:
    """Run the worker; kill -9 it once the record file has grown by ``kill_at`` lines
    (an observable point, not a guessed delay). True if it ran to completion."""
    records = home / "articles" / "articles.jsonl"
    before = records.read_bytes().count(b"\n") if records.exists() else 0
    proc = subprocess.Popen([sys.executable, str(WORKER), str(home)], cwd=REPO)
    if kill_at is None:
        assert proc.wait(timeout=120) == 0
        return True

    def grown() -> bool:
        return records.exists() and records.read_bytes().count(b"\n") >= before + kill_at

    wait_for(lambda: grown() or proc.poll() is not None, 120, step=0.001)
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
    run_worker(reference, None)
    total = (reference / "articles" / "articles.jsonl").read_bytes().count(b"\n")

    home = tmp_path / "killed"
    rng = random.Random(seed)
    kills = 0
    for _ in range(4):  # four seeded kills, each some way into what is left to do
        if not run_worker(home, rng.randint(1, max(1, total // 5))):
            kills += 1
            Archive(home).close()  # reopen: repair and reconcile
            assert_warcs_valid(home / "warc")
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
