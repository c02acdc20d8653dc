"""Every benchmark still runs: each in its smoke mode (a handful of pages, records or
queries, seconds), as `make bench-*` would start it. Their figures are not checked:
performance is the benchmarks' business, not the tests'."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tests.crawl.conftest import REPO

pytestmark = pytest.mark.slow


def _bench(name: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / f"bench_{name}.py"), "--smoke"],
        cwd=REPO, env={**os.environ, **env}, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def test_bench_crawl_runs():
    result = _bench("crawl")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "bare" in result.stdout and "ours" in result.stdout
    assert "CPU/article" in result.stdout


def test_bench_scale_runs():
    result = _bench("scale")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "sequential" in result.stdout and "concurrent" in result.stdout
    assert "x faster" in result.stdout and "CPU/article concurrent / single-source" in result.stdout


def test_bench_scale_redis_runs():
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    result = _bench("scale_redis")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    for run in ("lone", "one", "two"):
        assert f"\n{run} " in result.stdout
    assert "duplicate fetches with two workers: 0" in result.stdout
    assert "round trips and" in result.stdout


@pytest.mark.es
def test_bench_index_runs(es_url):
    result = _bench("index", NEWSARCHIVE_ES_URL=es_url)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "docs/s" in result.stdout + result.stderr


@pytest.mark.es
def test_bench_search_runs(es_url):
    result = _bench("search", NEWSARCHIVE_ES_URL=es_url)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert '"search_end_to_end_ms"' in result.stdout


def test_bench_boilerplate_crawl_runs():
    result = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "bench_boilerplate.py"), "--crawl", "--smoke"],
        cwd=REPO, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    if "no score.py" in result.stderr:
        pytest.skip("no ../shared/benchmarks/score.py beside the repository")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "| ledger | 12 |" in result.stdout and "body F1 after" in result.stdout
    assert "time per article: wall" in result.stdout


def test_bench_edits_runs():
    result = _bench("edits")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    for policy in ("default", "recheck", "never"):
        assert f"\n{policy} " in result.stdout
    assert "bytes: default / recheck" in result.stdout
    assert "\nceiling " in result.stdout and "superseded before the next crawl" in result.stdout
    assert "crawled when the scheduler would (recheck every 3h)" in result.stdout
