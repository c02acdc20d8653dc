"""The politics benchmark runs end to end in its smoke mode (a broken benchmark fails here)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ROOT = Path(os.environ.get("NEWSARCHIVE_BENCH_ROOT", REPO.parent / "shared" / "benchmarks"))


@pytest.mark.skipif(not (ROOT / "politics-labels").is_dir(), reason="no shared benchmarks here")
def test_smoke_run_prints_every_table():
    done = subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks" / "bench_politics.py"),
            "--smoke",
            "--bench-root",
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for name in ("zyte-articles", "news-publishers"):
        assert f"| {name} | truth |" in out and f"| {name} | extracted |" in out
        assert f"| {name} | truth, keywords ≥1 baseline |" in out
    assert "ms per synthetic 1,000-word article" in out
    assert "records/s" in out


def test_bad_root_is_one_line(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks" / "bench_politics.py"),
            "--smoke",
            "--bench-root",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2 and "no politics-labels under" in done.stderr
