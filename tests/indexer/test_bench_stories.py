"""The same-story benchmark runs (its smoke mode), so a broken benchmark fails the tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BENCH_ROOT = REPO.parent / "shared" / "benchmarks"

pytestmark = [pytest.mark.es, pytest.mark.slow]


@pytest.mark.skipif(not (BENCH_ROOT / "zyte-articles").is_dir(), reason="no ../shared/benchmarks")
def test_bench_stories_smoke(es_url: str, tmp_path: Path) -> None:
    out = tmp_path / "stories.json"
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "bench_stories.py"), "--smoke", "--out", str(out)],
        env=os.environ | {"NEWSARCHIVE_ES_URL": es_url},
        capture_output=True, text=True, timeout=600, cwd=REPO,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(out.read_text())
    quality, cost = result["quality"], result["cost"]
    assert (
        result["labelled"]
        == result["set"]["seeds"] + result["set"]["copies"] + result["set"]["followups"]
    )
    assert quality["true_pairs"] > 0 and quality["recall"] >= 0.9 and quality["precision"] >= 0.9
    assert quality["hard_negatives_merged"] == 0
    assert quality["stories_whose_root_is_not_the_earliest"] == 0
    assert cost["with_docs_per_s"] > 0 and cost["without_docs_per_s"] > 0
    crawl = result["crawl_side"]  # what the crawler's text_sample costs, beside extraction
    assert result["records_carry_text_sample"] and crawl["pages"] > 0
    assert 0 < crawl["text_sample_ms_per_article"] < crawl["extract_ms_per_article"]
    assert "precision" in proc.stdout
