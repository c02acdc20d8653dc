"""Elasticsearch stopped in the middle of `newsarchive index`: a clean one-line error and
a non-zero exit; after it comes back, the next run completes with nothing lost.

A dedicated local node (never the session's shared one) is stopped with SIGTERM at a
seeded moment after the first checkpoint and started again on the same data. The
repeated runs use the real CLI with the indexer's retry budget cut from 8 attempts
(about a minute of backoff) to 3, so each repetition takes seconds; the full run also
checks the unmodified command once.
"""

from __future__ import annotations

import random
import subprocess
import sys
import time

import pytest

from newsarchive import localnode
from newsarchive.config import Config
from tests.reliability.checks import wait_for
from tests.reliability.conftest import FULL, reps, seed_for
from tests.reliability.corpus import (
    checkpoint_offset,
    expected,
    index_command,
    indexed,
    run_index,
    write_records,
)

pytestmark = [pytest.mark.reliability, pytest.mark.es, pytest.mark.slow]

ARTICLES = 2500
# The real CLI, with only the retry budget changed (the default is 8 attempts).
SHORT_RETRIES = (
    "import functools, indexer.operations as r; "
    "r.index_new_records = functools.partial(r.index_new_records, attempts=3); "
    "from search_cli.cli import main; main()"
)


class Node:
    """A local node of our own, stopped and restarted on the same data."""

    def __init__(self, home) -> None:
        self.settings = Config(home=home, local_port=0)
        self.url = ""

    def start(self) -> str:
        state, _ = localnode.start(self.settings)
        self.url = state.url
        return self.url

    def stop(self) -> None:
        localnode.stop(self.settings)

    def client(self):
        from elasticsearch import Elasticsearch

        return Elasticsearch(self.url, request_timeout=30)


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    n = Node(tmp_path_factory.mktemp("own-es"))
    n.start()
    yield n
    n.stop()


def _stop_mid_run(node: Node, home, prefix: str, rng: random.Random, patient: bool):
    """Start an index run, stop the node once the run has checkpointed, wait for the
    run's end. Returns (completed process, checkpoint offset at the stop)."""
    cmd, env = index_command(home, node.url, prefix, "--batch-size", "50")
    if not patient:
        cmd = [sys.executable, "-c", SHORT_RETRIES, *cmd[1:]]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for(lambda: checkpoint_offset(home, prefix) > 0, 60, 0.01)
        time.sleep(rng.uniform(0.0, 0.6))
        at = checkpoint_offset(home, prefix)
        node.stop()
        out, err = proc.communicate(timeout=180)
    finally:
        if proc.poll() is None:
            proc.kill()
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err), at


def _case(node: Node, tmp_path, rep: int, trial, patient: bool) -> None:
    rng = random.Random(seed_for(trial.case, rep))
    prefix = f"test-esstop-{rng.getrandbits(32):08x}"
    home = tmp_path / "home"
    records = write_records(home, ARTICLES)
    size = (home / "articles" / "articles.jsonl").stat().st_size
    old_url = node.url
    try:
        result, at = _stop_mid_run(node, home, prefix, rng, patient)
    finally:
        node.start()
    trial.notes.append(f"stopped at checkpoint {at}/{size}")
    if result.returncode == 0:
        trial.saw("run finished before the stop")
    else:
        trial.saw("clean error, exit 1")
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr, result.stderr
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1, result.stderr
        assert old_url in lines[0] and "Elasticsearch" in lines[0], lines[0]
    again = run_index(home, node.url, prefix, "--json")
    assert again.returncode == 0, again.stderr
    client = node.client()
    try:
        want_articles, want_versions = expected(records)
        got_articles, got_versions = indexed(client, prefix)
        trial.lost = len(set(want_articles) - set(got_articles)) + len(want_versions - got_versions)
        assert got_articles == want_articles
        assert got_versions == want_versions
    finally:
        client.close()  # the node and its data go with the module


@pytest.mark.parametrize("rep", reps())
def test_es_stopped_mid_index_then_back(node, tmp_path, rep, trial):
    trial.case = "Elasticsearch stopped during an index run"
    _case(node, tmp_path, rep, trial, patient=False)


@pytest.mark.skipif(not FULL, reason="about a minute of backoff: full run only")
def test_es_stopped_mid_index_with_the_default_retry_budget(node, tmp_path, trial):
    trial.case = "Elasticsearch stopped during an index run (default retries)"
    _case(node, tmp_path, 0, trial, patient=True)
