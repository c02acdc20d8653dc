"""Many sources in one round: one crawl process, polite per host as the servers saw it,
each source's outcome its own; and adaptive intervals moved by real polls."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from indexer.layout import Layout
from newsarchive.config import Config
from scheduler.config import load_schedule_config
from scheduler.scheduler import Scheduler
from tests.site import NewsSite

pytestmark = [pytest.mark.es, pytest.mark.slow]
PER_HOST = 2


def _most_at_once(spans: list[tuple[float, float]]) -> int:
    """The most requests a server was handling at one moment (arrival to answer)."""
    events = sorted([(start, 1) for start, _ in spans] + [(end, -1) for _, end in spans])
    busy = most = 0
    for _, step in events:  # at equal times an answer (-1) sorts before an arrival
        busy += step
        most = max(most, busy)
    return most


def test_fifty_outlets_crawl_in_one_round_polite_per_host(sched, es_client, index_prefix):
    sites = [
        NewsSite(n_articles=3, seed=i, host=f"127.0.0.{i + 2}", latency=0.05) for i in range(50)
    ]
    dead = NewsSite(n_articles=3, host="127.0.0.90")  # its server is gone by the round
    with contextlib.ExitStack() as stack:
        for site in [*sites, dead]:
            stack.enter_context(site)
        dead.stop()
        outlets = {f"o{i:02d}": site for i, site in enumerate(sites)} | {"dead": dead}
        # Room for 100 requests at once: only the per-host limit holds each host back.
        settings = {"CONCURRENT_REQUESTS": "100", "CONCURRENT_REQUESTS_PER_DOMAIN": str(PER_HOST)}
        sched.write(outlets, {}, crawl_settings=settings)
        result = sched.run("--once", timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "round: 51 sources (153 listings due) in one crawl" in result.stdout

    reports = {r["source"]: r for r in sched.reports()}
    assert len(reports) == 51
    assert len({r["crawl_pid"] for r in reports.values()}) == 1  # one crawl process
    for sid in outlets:
        if sid != "dead":
            assert reports[sid]["status"] == "ok" and reports[sid]["new"] == 3, reports[sid]
            assert reports[sid]["errors"] == 0
    # The dead outlet's failure is its own: its report, its listings, nobody else's.
    gone = reports["dead"]
    assert gone["new"] == 0 and gone["dead_feeds"] == 3 and gone["errors"] >= 3
    assert {li["status"] for li in gone["listings"]} == {"dead"}
    assert all("connection_refused" in li["reason"] for li in gone["listings"])
    assert es_client.count(index=Layout(index_prefix).articles).body["count"] == 150

    spans = {sid: [(s.arrived, s.answered) for s in site.log] for sid, site in outlets.items()}
    per_host = {sid: _most_at_once(s) for sid, s in spans.items() if sid != "dead"}
    assert max(per_host.values()) <= PER_HOST, per_host  # never more, on any host
    assert sum(n == PER_HOST for n in per_host.values()) >= 25  # and the limit was reached
    everyone = [span for s in spans.values() for span in s]
    assert _most_at_once(everyone) >= 20  # while the crawl as a whole kept many hosts busy
    assert all(any(s.path == "/robots.txt" for s in site.log) for site in sites)


def test_intervals_follow_the_news_of_real_polls(sched, es_client, index_prefix):
    """Four rounds an hour or so apart on the scheduler's clock (the crawls are real):
    first poll, unchanged (304), news after a quiet poll, news again."""
    clock = [datetime.now(UTC).timestamp()]
    with NewsSite(n_articles=4) as site:
        sched.write({"ledger": site}, {"ledger": "1h"})
        config = load_schedule_config(sched.schedule)
        settings = Config(
            home=sched.home, es_url=sched.env["NEWSARCHIVE_ES_URL"], index_prefix=index_prefix
        )

        def round_at(hours: float, publish: int = 0) -> dict:
            clock[0] += hours * 3600
            if publish:
                site.publish(publish, datetime.fromtimestamp(clock[0] - 60, UTC))
            scheduler = Scheduler(  # a new scheduler each time: the state is on disk
                settings, config, [_ledger(sched)], sources_file=str(sched.registry),
                log=print, clock=lambda: clock[0],
            )  # fmt: skip
            (report,) = scheduler.run_once()
            assert report["status"] == "ok", report
            return {li["url"].rsplit("/", 1)[1]: li for li in report["listings"]}

        first = round_at(0)
        assert first["rss.xml"]["interval"] == 3600
        assert first["rss.xml"]["reason"].startswith("first poll, 4 new of 4 entries")
        quiet = round_at(1)
        assert quiet["rss.xml"]["status"] == "not_modified"
        assert quiet["rss.xml"]["interval"] == 5400
        assert quiet["sitemap.xml"]["interval"] == 5400
        busy = round_at(1.5, publish=2)
        assert busy["rss.xml"]["new"] == 2 and busy["rss.xml"]["interval"] == 5400
        assert busy["rss.xml"]["reason"] == "2 new of 6 entries after a quiet poll: kept"
        again = round_at(1.5, publish=1)
        assert again["rss.xml"]["new"] == 1 and again["rss.xml"]["interval"] == 4050
        assert "new entries 2 polls running: shorter" in again["rss.xml"]["reason"]
    assert es_client.count(index=Layout(index_prefix).articles).body["count"] == 7

    state = json.loads((sched.home / "schedule" / "state" / "ledger.json").read_text())
    rss = next(li for li in state["listings"] if li["url"].endswith("rss.xml"))
    assert rss["interval"] == 4050 and rss["new"] == [4, 0, 2, 1]
    status = sched.run("--status")
    assert status.returncode == 0, status.stderr
    assert "every 67.5min" in status.stdout and "new entries 2 polls running" in status.stdout


def _ledger(sched):
    from crawler.sources import load_sources

    (source,) = load_sources(sched.registry)
    return source


def test_a_source_crawling_elsewhere_is_left_out_of_the_round(sched, es_client, index_prefix):
    """No overlap with a running crawl of the same source: a source whose lock another
    process holds is skipped, the rest of the round crawls."""
    lock_path = sched.home / "schedule" / "locks" / "busy.lock"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from scheduler.locks import SourceLock; "
            "lock = SourceLock(sys.argv[1]); assert lock.acquire(source='busy'); "
            "print('locked', flush=True); time.sleep(120)",
            str(lock_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        sites = [NewsSite(n_articles=2, seed=i, host=f"127.0.1.{i + 1}") for i in range(3)]
        with contextlib.ExitStack() as stack:
            for site in sites:
                stack.enter_context(site)
            sched.write(dict(zip(("busy", "free1", "free2"), sites, strict=True)), {})
            result = sched.run("--once", timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
        assert f"busy skipped: locked by pid {holder.pid}" in result.stdout
        assert "round: 2 sources (6 listings due) in one crawl" in result.stdout
        assert sites[0].log == []  # not one request to the source crawling elsewhere
        reports = {r["source"]: r for r in sched.reports()}
        assert sorted(reports) == ["free1", "free2"]
        assert all(r["status"] == "ok" and r["new"] == 2 for r in reports.values())
        assert not (sched.home / "schedule" / "state" / "busy.json").exists()  # still due
    finally:
        holder.kill()
        holder.wait()
