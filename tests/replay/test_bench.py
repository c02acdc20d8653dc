"""The replay benchmark's smoke mode runs, so a broken benchmark fails `make test`."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.crawl.conftest import REPO


def test_the_replay_benchmark_runs_in_smoke_mode():
    done = subprocess.run(
        [sys.executable, "benchmarks/bench_replay.py", "--smoke"],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads((REPO / "benchmarks" / "out" / "replay-smoke.json").read_text())
    assert result["articles"] == 5 and result["wacz_valid"] is True
    assert set(result["ttfb_ratio_to_baseline"]) == {"id_", "mp_"}
    assert all(v > 0 for v in result["ttfb_ms_median"].values())
    costs = result["page_requisites"]
    assert costs["with"]["requests_per_article"] > costs["without"]["requests_per_article"]
