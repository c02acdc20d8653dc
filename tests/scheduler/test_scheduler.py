"""The scheduler, end to end: real crawls of loopback sites, real indexing into the local
Elasticsearch, real processes and signals."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from datetime import datetime

import pytest

from indexer.layout import Layout
from scheduler.locks import SourceLock
from tests.reliability.checks import wait_for
from tests.site import NewsSite

pytestmark = [pytest.mark.es, pytest.mark.slow]
ARTICLE_PATH = re.compile(r"^/\d{4}/\d{2}/\d{2}/")


def _count(es_client, prefix: str) -> int:
    return es_client.count(index=Layout(prefix).articles).body["count"]


def _t(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


def test_once_crawls_indexes_and_respects_the_interval(sched, es_client, index_prefix):
    with NewsSite(n_articles=5) as site:
        sched.write({"ledger": site}, {"ledger": "1h"})
        first = sched.run("--once")
        assert first.returncode == 0, first.stderr
        line = first.stdout.strip().splitlines()[-1]
        assert " ledger ok new=5 changed=0 unchanged=0 errors=0 " in line
        assert _count(es_client, index_prefix) == 5  # crawled, then indexed

        (report,) = sched.reports()
        assert report["status"] == "ok" and report["index"]["indexed"] == 5
        assert report["exit_code"] == 0 and report["finish_reason"] == "finished"

        again = sched.run("--once")  # an hour has not passed
        assert again.returncode == 0 and "no source is due" in again.stdout
        assert len(sched.reports()) == 1

        status = sched.run("--status")
        head = status.stdout.splitlines()[0]
        assert head.startswith("ledger: every 60min (feed ") and "first poll" in head
        assert " ok, due in " in head  # not due: polled less than an hour ago


def test_each_source_runs_at_its_own_interval(sched, es_client, index_prefix):
    with NewsSite(n_articles=2) as fast_site, NewsSite(n_articles=3, seed=11) as slow_site:
        sched.write({"fast": fast_site, "slow": slow_site}, {"fast": "1s", "slow": "1h"})
        result = sched.run("--max-runs", "4", "--seed", "1")
        assert result.returncode == 0, result.stderr
    runs = sched.reports()
    by_source = {sid: [r for r in runs if r["source"] == sid] for sid in ("fast", "slow")}
    assert len(by_source["slow"]) == 1  # due once: its interval is an hour
    assert len(by_source["fast"]) == 3
    starts = sorted(_t(r["started"]) for r in by_source["fast"])
    assert all(b - a >= 1 for a, b in zip(starts, starts[1:], strict=False))
    assert [r["new"] for r in by_source["fast"]] == [2, 0, 0]  # then nothing new
    assert all(r["status"] == "ok" for r in runs)
    assert _count(es_client, index_prefix) == 5
    assert result.stdout.count(" fast ok ") == 3 and result.stdout.count(" slow ok ") == 1


def test_two_schedulers_never_run_a_source_twice_at_once(sched):
    # A crawl takes seconds, the interval is 1s: without the lock, runs would overlap.
    with NewsSite(n_articles=3) as site:
        sched.write({"ledger": site}, {"ledger": "1s"}, crawl_settings={"DOWNLOAD_DELAY": "0.2"})
        procs = [sched.start("--max-runs", "2") for _ in range(2)]
        outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    runs = sorted(sched.reports(), key=lambda r: r["started"])
    assert len(runs) == 4 and all(r["status"] == "ok" for r in runs)
    for before, after in zip(runs, runs[1:], strict=False):
        assert _t(after["started"]) >= _t(before["finished"]) - 1  # ISO seconds: 1s slack
    logs = "".join(out for out, _ in outputs)
    assert "skipped: locked by pid" in logs
    assert SourceLock(sched.home / "schedule" / "locks" / "ledger.lock").holder() is None


def test_a_stale_lock_of_a_dead_process_is_cleared(sched):
    lock_path = sched.home / "schedule" / "locks" / "ledger.lock"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from scheduler.locks import SourceLock; "
            "lock = SourceLock(sys.argv[1]); assert lock.acquire(source='ledger'); "
            "print('locked', flush=True); time.sleep(120)",
            str(lock_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with NewsSite(n_articles=2) as site:
            sched.write({"ledger": site}, {"ledger": "1h"})
            busy = sched.run("--once")  # a live holder: the run is skipped, not forced
            assert busy.returncode == 0
            assert f"skipped: locked by pid {holder.pid}" in busy.stdout
            assert sched.reports() == []

            holder.send_signal(signal.SIGKILL)  # dies holding the lock
            holder.wait(timeout=10)
            assert lock_path.read_text()  # its record is still in the file

            after = sched.run("--once")
        assert after.returncode == 0, after.stderr
        assert f"cleared a stale lock left by pid {holder.pid}" in after.stdout
        (report,) = sched.reports()
        assert report["status"] == "ok" and report["new"] == 2
        assert report["stale_lock_cleared"]["pid"] == holder.pid
        assert lock_path.read_text() == ""  # a clean finish leaves no holder behind
    finally:
        if holder.poll() is None:
            holder.kill()


def test_sigterm_lets_the_crawl_finish_its_records_then_exits(sched):
    slow = {"DOWNLOAD_DELAY": "0.25", "CONCURRENT_REQUESTS": "2"}  # few requests in flight
    with NewsSite(n_articles=30) as site:
        sched.write({"ledger": site}, {"ledger": "1h"}, crawl_settings=slow)
        proc = sched.start()
        # SIGTERM once the crawl has written its first article records (not after a
        # guessed delay): the stop must then keep those and write the ones in flight.
        live = sched.home / "articles" / "articles.jsonl"
        written = lambda: live.exists() and live.read_bytes().count(b"\n") >= 2  # noqa: E731
        assert wait_for(lambda: written() or proc.poll() is not None, 60)
        assert proc.poll() is None, "the scheduler ended before it could be stopped"
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "stop requested" in out
    (report,) = sched.reports()
    assert report["status"] == "stopped" and report["finish_reason"] == "shutdown"
    assert report["index"].startswith("deferred")
    records = sched.records()
    assert 1 <= report["new"] < 30  # stopped early...
    assert len(records) == report["new"]  # ...with every fetched article's record written
    assert all(r["title"] and r["body"] for r in records)
    assert SourceLock(sched.home / "schedule" / "locks" / "ledger.lock").holder() is None
    # nothing left running: the crawl's process group (its extraction workers die with
    # it, by a parent-death signal the kernel delivers a moment later) empties
    deadline = time.monotonic() + 10
    while _group_alive(report["crawl_pid"]):
        assert time.monotonic() < deadline, "crawl processes outlived the scheduler"
        time.sleep(0.1)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_killed_scheduler_leaves_its_crawl_holding_the_lock(sched):
    """kill -9 of the scheduler mid-crawl: the orphaned crawl keeps the source locked
    until it ends; then the lock is free and its stale record is cleared."""
    slow = {"DOWNLOAD_DELAY": "0.2", "CONCURRENT_REQUESTS": "2"}
    lock = SourceLock(sched.home / "schedule" / "locks" / "ledger.lock")
    with NewsSite(n_articles=10) as site:
        sched.write({"ledger": site}, {"ledger": "1s"}, crawl_settings=slow)
        first = sched.start()
        deadline = time.monotonic() + 60
        while not [s for s in site.log if ARTICLE_PATH.match(s.path)]:
            assert time.monotonic() < deadline and first.poll() is None, "no crawl started"
            time.sleep(0.1)
        first.kill()
        first.communicate(timeout=10)

        second = sched.run("--once")  # due (1s interval), but the orphaned crawl holds it
        assert f"skipped: locked by pid {first.pid}" in second.stdout, second.stdout
        while lock.holder() is not None:  # the orphan finishes its crawl on its own
            assert time.monotonic() < deadline + 60, "the orphaned crawl never ended"
            time.sleep(0.2)

        third = sched.run("--once")
    assert third.returncode == 0, third.stderr
    assert f"cleared a stale lock left by pid {first.pid}" in third.stdout
    (report,) = sched.reports()  # the killed scheduler never wrote its report
    assert report["status"] == "ok" and report["stale_lock_cleared"]["pid"] == first.pid


def test_elasticsearch_down_fails_the_run_but_keeps_the_records(sched):
    import socket

    with socket.socket() as s:  # a loopback port nothing listens on
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    sched.env["NEWSARCHIVE_ES_URL"] = dead
    with NewsSite(n_articles=2) as site:
        sched.write({"ledger": site}, {"ledger": "1h"})
        result = sched.run("--once")
    assert result.returncode == 1
    line = result.stdout.strip().splitlines()[-1]
    assert " ledger failed new=2 " in line and f"cannot reach Elasticsearch at {dead}" in line
    assert "Traceback" not in result.stdout + result.stderr
    assert len(sched.records()) == 2  # archived; the next run indexes them


def test_an_index_run_already_going_defers_indexing_without_failing(sched, index_prefix):
    import fcntl

    lock = sched.home / "state" / f"index-{index_prefix}.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    with NewsSite(n_articles=2) as site, open(lock, "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # what a `newsarchive index` in progress holds
        sched.write({"ledger": site}, {"ledger": "1h"})
        result = sched.run("--once")
    assert result.returncode == 0, result.stdout + result.stderr
    (report,) = sched.reports()
    assert report["status"] == "ok" and report["errors"] == 0
    assert report["error"].startswith("indexing deferred: another `newsarchive index` is running")
    assert len(sched.records()) == 2  # archived; the next run indexes them
