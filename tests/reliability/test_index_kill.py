"""kill -9 of `newsarchive index` at a seeded random moment, then a second run: the
index holds exactly the expected articles (each at its current version) and versions."""

from __future__ import annotations

import random
import subprocess
import time

import pytest

from tests.reliability.checks import kill_after
from tests.reliability.conftest import reps, seed_for
from tests.reliability.corpus import (
    checkpoint_offset,
    expected,
    index_command,
    indexed,
    run_index,
    write_records,
)

pytestmark = [pytest.mark.reliability, pytest.mark.es, pytest.mark.slow]

ARTICLES = 1500


@pytest.fixture(scope="module")
def duration(es_url, tmp_path_factory, es_client) -> float:
    """How long one uninterrupted run takes here (on its own prefix, deleted after)."""
    home = tmp_path_factory.mktemp("index-reference")
    write_records(home, ARTICLES)
    prefix = f"test-relref-{random.Random().getrandbits(32):08x}"
    began = time.monotonic()
    result = run_index(home, es_url, prefix, "--batch-size", "50")
    took = time.monotonic() - began
    assert result.returncode == 0, result.stderr
    names = list(es_client.indices.get(index=f"{prefix}*").body)
    es_client.indices.delete(index=",".join(names))
    for kind in ("articles", "versions"):
        es_client.indices.delete_index_template(name=f"{prefix}-{kind}")
    for name in ("settings", "articles-mappings", "versions-mappings"):
        es_client.cluster.delete_component_template(name=f"{prefix}-{name}")
    return took


@pytest.mark.parametrize("rep", reps())
def test_kill_9_then_rerun_leaves_exactly_the_expected_documents(
    es_url, es_client, index_prefix, tmp_path, duration, rep, trial
):
    trial.case = "kill -9 of the indexer, then a second run"
    rng = random.Random(seed_for(trial.case, rep))
    home = tmp_path / "home"
    records = write_records(home, ARTICLES)
    size = (home / "articles" / "articles.jsonl").stat().st_size
    cmd, env = index_command(home, es_url, index_prefix, "--batch-size", "50")
    moment = rng.uniform(0.15, 1.0) * duration
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    killed = kill_after(proc, moment)
    done = checkpoint_offset(home, index_prefix)
    if not killed:
        trial.saw("finished before the kill")
    elif done == 0:
        trial.saw("killed before the first checkpoint")
    else:
        trial.saw("killed mid-run")
    trial.notes.append(f"kill at {moment:.2f}s of {duration:.2f}s, checkpoint {done}/{size}")

    second = run_index(home, es_url, index_prefix, "--json")
    assert second.returncode == 0, second.stderr
    want_articles, want_versions = expected(records)
    got_articles, got_versions = indexed(es_client, index_prefix)
    trial.lost = len(set(want_articles) - set(got_articles)) + len(want_versions - got_versions)
    assert got_articles == want_articles
    assert got_versions == want_versions
