"""`newsarchive index`: checkpoints, kills, torn lines, rebuilds, faults."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.checkpoint import checkpoint_path
from indexer.operations import index_new_records, rebuild
from newsarchive.config import Config
from search_cli.cli import cli
from tests.indexer.flaky_proxy import FlakyProxy
from tests.reliability.checks import wait_for
from tests.synthetic import changed_record, new_record, seen_record

pytestmark = pytest.mark.es


@pytest.fixture
def env(es_env: Config, index_prefix: str, monkeypatch) -> Config:
    monkeypatch.setenv("NEWSARCHIVE_INDEX_PREFIX", index_prefix)
    return Config(home=es_env.home, es_url=es_env.es_url, index_prefix=index_prefix)


def _write(home: Path, records: list[dict], *, tail: bytes = b"") -> Path:
    path = home / "articles" / "articles.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "ab") as fh:
        for record in records:
            fh.write(json.dumps(record).encode() + b"\n")
        fh.write(tail)
    return path


def _count(es_client, index: str) -> int:
    es_client.indices.refresh(index=index)
    return es_client.count(index=index)["count"]


def test_cli_loads_only_new_records_and_stops_before_a_torn_line(env, es_client) -> None:
    records = [new_record(i, body_words=40) for i in range(20)]
    half = json.dumps(records[19]).encode()
    path = _write(env.home, records[:19], tail=half[:50])
    runner = CliRunner()
    first = runner.invoke(cli, ["index"])
    assert first.exit_code == 0, first.output
    assert "19 records: 19 indexed" in first.output
    with open(path, "ab") as fh:  # the crawler finishes its line
        fh.write(half[50:] + b"\n")
    second = runner.invoke(cli, ["index"])
    assert "1 record: 1 indexed, 0 updated, 0 unchanged, 0 rejected" in second.output
    nothing = runner.invoke(cli, ["index"])
    assert nothing.output.strip() == "no new records: the index is up to date", nothing.output
    again = runner.invoke(cli, ["index", "--all", "--json"])
    summary = json.loads(again.output)
    assert (summary["records"], summary["unchanged"], summary["indexed"]) == (20, 20, 0)
    assert _count(es_client, f"{env.index_prefix}-articles") == 20


def test_poisoned_record_exits_non_zero_with_dead_letter(env, es_client) -> None:
    bad = new_record(5, body_words=20)
    bad["word_count"] = "many"
    _write(env.home, [new_record(1, body_words=20), bad])
    result = CliRunner().invoke(cli, ["index"])
    assert result.exit_code == 1
    assert "1 record was rejected" in result.output
    assert "Traceback" not in result.output
    letters = list((env.home / "dead-letter").glob("index-*.jsonl"))
    entry = json.loads(letters[0].read_text().splitlines()[0])
    assert entry["record"]["id"] == bad["id"] and entry["reason"]
    assert _count(es_client, f"{env.index_prefix}-articles") == 1


def test_dead_letters_are_retried_once_the_cause_is_gone(env, es_client) -> None:
    base = new_record(1, body_words=20)
    refetch = seen_record(base, after=timedelta(days=2))
    bad = new_record(5, body_words=20)
    bad["word_count"] = "many"
    runner = CliRunner()
    assert "no dead letters" in runner.invoke(cli, ["index", "--retry-dead-letters"]).output
    _write(env.home, [refetch, bad])  # a re-fetch read before its article was ever indexed
    first = runner.invoke(cli, ["index"])
    assert first.exit_code == 1 and "2 records were rejected" in first.output
    (letters,) = (env.home / "dead-letter").glob("index-*.jsonl")
    _write(env.home, [base])  # the cause is gone: the article itself is indexed
    assert runner.invoke(cli, ["index"]).exit_code == 0
    retry = runner.invoke(cli, ["index", "--retry-dead-letters"])
    assert retry.exit_code == 1, retry.output  # the poisoned record still fails
    assert "2 records: 0 indexed, 1 updated, 0 unchanged, 1 rejected" in retry.output
    es_client.indices.refresh(index=f"{env.index_prefix}-articles")
    doc = es_client.get(index=f"{env.index_prefix}-articles", id=base["id"])["_source"]
    assert doc["last_seen"] == refetch["fetched_at"]
    assert (env.home / "dead-letter" / "retried" / letters.name).exists()
    (again,) = (env.home / "dead-letter").glob("index-*.jsonl")  # only what failed again
    lines = [json.loads(line) for line in again.read_text().splitlines()]
    assert [entry["record"]["id"] for entry in lines] == [bad["id"]]
    assert "word_count" in lines[0]["reason"] and lines[0]["source"] == "dead-letter"
    both = runner.invoke(cli, ["index", "--retry-dead-letters", "--rebuild"])
    assert both.exit_code == 2


def test_killed_run_resumes_with_exactly_the_right_documents(env, es_client) -> None:
    records = [new_record(i, body_words=150) for i in range(2000)]
    records += [changed_record(records[i], title=f"Updated {i}") for i in range(0, 2000, 10)]
    path = _write(env.home, records)
    ck = checkpoint_path(env.home, env.index_prefix)
    # The proxy lets ten bulk requests through, then holds the next: the run is killed
    # at that point, provably mid-way, however fast the machine.
    with FlakyProxy(env.es_url, hold_after=10) as proxy:
        proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "newsarchive"), "index", "--batch-size", "50"],
            env={**os.environ, "NEWSARCHIVE_ES_URL": proxy.url},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert proxy.holding.wait(timeout=120), "the run never reached its eleventh bulk"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    offset = json.loads(ck.read_text())["files"]["articles/articles.jsonl"]["offset"]
    assert 0 < offset < path.stat().st_size, "the run was not interrupted mid-way"
    result = CliRunner().invoke(cli, ["index", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert 0 < summary["records"] < len(records)
    assert _count(es_client, f"{env.index_prefix}-articles") == 2000
    assert _count(es_client, f"{env.index_prefix}-versions") == 2200
    edited = es_client.count(index=f"{env.index_prefix}-articles", query={"term": {"version": 2}})
    assert edited["count"] == 200


def test_rebuild_swaps_aliases_while_searches_run(env, es_client) -> None:
    records = [new_record(i, body_words=60) for i in range(300)]
    _write(env.home, records)
    index_new_records(env, client=es_client)
    read_alias = f"{env.index_prefix}-articles"
    seen: list[int] = []
    errors: list[Exception] = []
    stop = threading.Event()

    def searcher() -> None:
        while not stop.is_set():
            try:
                resp = es_client.search(index=read_alias, size=0, track_total_hits=True)
                seen.append(resp["hits"]["total"]["value"])
            except Exception as exc:  # any failure is a test failure
                errors.append(exc)

    def before_swap(new: dict[str, str]) -> None:
        # complete but invisible: the read alias still serves the old index
        assert es_client.count(index=new["articles"])["count"] == 300
        holders = es_client.indices.get_alias(name=read_alias).body
        assert list(holders) == [f"{env.index_prefix}-articles-000001"]

    thread = threading.Thread(target=searcher)
    thread.start()
    try:
        summary, new = rebuild(env, client=es_client, before_swap=before_swap)
        after_swap = len(seen)  # then some searches against the swapped alias, too
        assert wait_for(lambda: len(seen) >= after_swap + 5, 30)
    finally:
        stop.set()
        thread.join()
    assert not errors
    assert seen and set(seen) == {300}
    assert summary.indexed == 300
    assert new["articles"] == f"{env.index_prefix}-articles-000002"
    write = es_client.indices.get_alias(name=f"{env.index_prefix}-articles-write").body
    assert list(write) == [new["articles"]]
    # the old index is kept until --prune; new records go to the new index
    assert es_client.indices.exists(index=f"{env.index_prefix}-articles-000001")
    _write(env.home, [new_record(1000, body_words=20)])
    assert index_new_records(env, client=es_client).indexed == 1
    result = CliRunner().invoke(cli, ["index", "--prune"])
    assert result.exit_code == 0, result.output
    assert f"{env.index_prefix}-articles-000001" in result.output
    assert not es_client.indices.exists(index=f"{env.index_prefix}-articles-000001")
    assert _count(es_client, read_alias) == 301


def test_429_and_503_are_retried(env, es_client) -> None:
    _write(env.home, [new_record(i, body_words=20) for i in range(40)])
    for status in (503, 429):
        with FlakyProxy(env.es_url, fail_bulk=2, status=status) as proxy:
            settings = Config(home=env.home, es_url=proxy.url, index_prefix=env.index_prefix)
            summary = index_new_records(settings, all_records=True)
        assert proxy.failed == 2
        assert summary.rejected == 0 and summary.records == 40
    assert _count(es_client, f"{env.index_prefix}-articles") == 40


def test_unreachable_elasticsearch_is_one_clear_line(env, monkeypatch) -> None:
    monkeypatch.setenv("NEWSARCHIVE_ES_URL", "http://127.0.0.1:9")
    _write(env.home, [new_record(1)])
    result = CliRunner().invoke(cli, ["index"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "http://127.0.0.1:9" in lines[0]
    assert "Traceback" not in result.output


def test_bad_options_are_usage_errors(env) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["index", "--since", "not a date"]).exit_code == 2
    assert runner.invoke(cli, ["index", "--rebuild", "--all"]).exit_code == 2
    assert runner.invoke(cli, ["index", "--records", "x"]).exit_code == 2
