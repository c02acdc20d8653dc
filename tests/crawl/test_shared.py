"""Two crawl workers sharing a Redis frontier (crawler/frontier.py), on a real
``redis-server`` and the loopback news site: they split the site's articles with no
article fetched twice (the site's own access log says so), and when one is killed with
SIGKILL mid-crawl the other takes over its claims and nothing is lost."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from tests.crawl.conftest import NEWSARCHIVE, REPO, Crawler
from tests.site import NewsSite

# Few requests in each worker's downloader at once, so the workers' claims interleave
# (a worker claims an article when it hands it to its downloader).
SHARED = {"CONCURRENT_REQUESTS": "4", "REDIS_LEASE": "2"}


def start(
    crawler: Crawler, worker: str | None, redis_url: str, **settings: str
) -> subprocess.Popen:
    named = ["--worker", worker] if worker else []  # None: the default id of the home
    command = crawler.command("--redis", redis_url, *named, **SHARED, **settings)
    return subprocess.Popen(
        command,
        env=crawler.env(),
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def report_of(crawler: Crawler) -> dict:
    return json.loads((crawler.home / "reports" / "last-crawl.json").read_text())


def new_records(*crawlers: Crawler) -> Counter:
    """How many ``new`` records each article URL has across the workers' archives."""
    return Counter(r["url"] for c in crawlers for r in c.records() if r.get("event") == "new")


def _learnt_articles(crawler: Crawler) -> int:
    """How many articles the worker's learnt boilerplate state of the source counted."""
    from crawler.archive.seen import SeenStore

    store = SeenStore(crawler.home / "seen.sqlite")
    try:
        return json.loads(store.boilerplate_states()["ledger"])["articles"]
    finally:
        store.close()


def article_fetches(site: NewsSite) -> Counter:
    paths = {a.path for a in site.articles}
    return Counter(s.path for s in site.log if s.path in paths)


@pytest.mark.timeout(180)
def test_two_workers_split_a_site_with_no_duplicate_fetch(redis_server, make_crawler):
    with NewsSite(n_articles=40, latency=0.1) as site:
        one, two = make_crawler(site, "w1"), make_crawler(site, "w2")
        run_round(site, redis_server.url, one, two)
        fetches = article_fetches(site)
        reports = [report_of(one), report_of(two)]
        # The next round, after the outlet published 6 more: the new ones are split,
        # and neither worker fetches the other's old articles as new ones (they are not
        # in its archive, but the shared seen-store says whose they are).
        fresh = {a.path for a in site.publish(6)}
        logged = len(site.log)
        run_round(site, redis_server.url, one, two)
        again = Counter(s.path for s in site.log[logged:] if s.path in fetches or s.path in fresh)
        later = [report_of(one), report_of(two)]
    # Every article of the site fetched, none twice (the server's log).
    assert set(fetches) == {a.path for a in site.articles} - fresh
    assert max(fetches.values()) == 1, fetches.most_common(3)
    assert set(again) == fresh and max(again.values()) == 1, again
    assert sum(r["sources"][0]["skipped"].get("other_worker", 0) for r in later) > 0
    # Split between the two archives: each has some, none has another's.
    mine, theirs = one.archived_urls(), two.archived_urls()
    assert mine and theirs
    assert not mine & theirs
    assert len(mine | theirs) == 46
    assert max(new_records(one, two).values()) == 1
    # Each worker's WARC files carry its id; each report names it and what it skipped.
    for crawler, worker, report in ((one, "w1", reports[0]), (two, "w2", reports[1])):
        names = [p.name for p in (crawler.home / "warc").glob("*.warc.gz")]
        assert names and all(n.startswith(f"newsarchive-{worker}-") for n in names), names
        assert report["shared"]["worker"] == worker
        assert report["shared"]["waiting_at_close"] == 0
        source = report["sources"][0]
        assert source["errors"] == {}
        # it saw all 40 in the listings, fetched its own and skipped the other's
        assert source["articles"]["new"] + source["skipped"].get("other_worker", 0) == 40
        # Each worker learns the source's boilerplate from its own articles, in its home.
        learnt = _learnt_articles(crawler)
        assert learnt == sum(r["event"] == "new" for r in crawler.records())


@pytest.mark.timeout(180)
def test_an_archive_crawled_alone_joins_without_its_articles_fetched_again(
    redis_server, make_crawler
):
    with NewsSite(n_articles=12, latency=0.05) as site:
        one, two = make_crawler(site, "w1"), make_crawler(site, "w2")
        assert one.run().returncode == 0  # a lone crawl, before there was a Redis
        old = set(article_fetches(site))
        assert len(one.archived_urls()) == 12
        fresh = {a.path for a in site.publish(4)}
        logged = len(site.log)
        # w1 joins first: its first shared crawl publishes its archive as it starts
        first = start(one, "w1", redis_server.url)
        client, deadline = redis_server.client(), time.monotonic() + 60
        while not client.exists("newsarchive:published:w1"):
            assert first.poll() is None and time.monotonic() < deadline, first.communicate()
            time.sleep(0.05)
        second = start(two, "w2", redis_server.url)
        outs = [p.communicate(timeout=150) for p in (first, second)]
        assert [first.returncode, second.returncode] == [0, 0], outs
        again = Counter(s.path for s in site.log[logged:] if s.path in old | fresh)
    # w2 took none of w1's archive for new articles.
    assert set(again) == fresh and max(again.values()) == 1, again
    assert not two.archived_urls() & one.archived_urls()
    assert len(one.archived_urls() | two.archived_urls()) == 16


@pytest.mark.timeout(180)
def test_each_worker_revisits_its_own_articles_round_after_round(redis_server, make_crawler):
    """Revisit state stays per archive (issue 15): two hours later every article is due,
    and each is re-fetched once, conditionally, by the worker whose archive has it. The
    workers run with their default ids, which stay the same from round to round."""
    clock = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    with NewsSite(n_articles=20, latency=0.05, now=clock) as site:
        one, two = make_crawler(site, "w1"), make_crawler(site, "w2")
        run_round(site, redis_server.url, one, two, ids=False, CRAWL_CLOCK=clock.isoformat())
        mine, theirs = one.archived_urls(), two.archived_urls()
        assert mine and theirs and len(mine | theirs) == 20
        logged = len(site.log)
        later = (clock + timedelta(hours=2)).isoformat()
        run_round(site, redis_server.url, one, two, ids=False, CRAWL_CLOCK=later)
        again = [x for x in site.log[logged:] if x.path in {a.path for a in site.articles}]
    assert Counter(x.path for x in again) == Counter({a.path: 1 for a in site.articles})
    assert all(x.status == 304 and x.headers.get("if-none-match") for x in again)
    for crawler, own in ((one, mine), (two, theirs)):
        seen = {r["url"] for r in crawler.records() if r["event"] == "seen"}
        assert seen == own
        report = report_of(crawler)
        assert report["sources"][0]["revisits"]["requested"] == len(own)
        assert report["shared"]["worker"] != "w1"  # the default id, not a test's


def run_round(
    site: NewsSite, redis_url: str, *crawlers: Crawler, ids: bool = True, **settings: str
) -> None:
    procs = [
        start(c, f"w{i}" if ids else None, redis_url, **settings) for i, c in enumerate(crawlers, 1)
    ]
    outs = [p.communicate(timeout=150) for p in procs]
    assert [p.returncode for p in procs] == [0] * len(procs), outs


@pytest.mark.timeout(180)
def test_a_killed_workers_articles_are_taken_over(redis_server, make_crawler):
    with NewsSite(n_articles=60, latency=0.2) as site:
        victim, survivor = make_crawler(site, "w1"), make_crawler(site, "w2")
        first = start(victim, "w1", redis_server.url)
        second = start(survivor, "w2", redis_server.url)
        deadline = time.monotonic() + 90
        while len(victim.records()) < 5:  # the victim has archived a few, holds more
            assert first.poll() is None, first.communicate()
            assert time.monotonic() < deadline, "the first worker archived nothing"
            time.sleep(0.05)
        os.kill(first.pid, signal.SIGKILL)
        killed_at = time.monotonic()  # the site's log is on the same clock
        first.communicate(timeout=30)
        out, err = second.communicate(timeout=150)
        assert second.returncode == 0, err
        fetches = article_fetches(site)
        paths = {a.path: site.url(a.path) for a in site.articles}
        # Requests that arrived before the survivor could take anything over (the lease
        # is 2 s): the victim's last ones may arrive a moment after the kill.
        settled = killed_at + float(SHARED["REDIS_LEASE"]) / 2
        before = Counter(x.path for x in site.log if x.path in paths and x.arrived < settled)
    # Nothing lost: every article is archived, in one of the two archives. Only an
    # article the victim recorded as it was killed, before it could say so in Redis,
    # can be in both: the survivor took its lease over (at least once, never lost).
    records = new_records(victim, survivor)
    assert set(records) == {site.article_url(i) for i in range(60)}
    last = [r["url"] for r in victim.records() if r.get("event") == "new"][-2:]
    in_both = {url for url, n in records.items() if n > 1}
    assert in_both <= set(last), (in_both, last)
    # While both lived, no article was fetched twice. After: at least once, as only
    # what the victim had claimed and not recorded (in its downloader, or fetched and
    # waiting for extraction) was fetched again, by the survivor.
    assert max(before.values()) == 1
    recorded = {r["url"] for r in victim.records()}
    twice = {p for p, n in fetches.items() if n > 1}
    assert twice <= set(before) and not {paths[p] for p in twice} & recorded - in_both
    report = report_of(survivor)
    assert report["shared"]["waiting_at_close"] == 0
    assert report["sources"][0]["errors"] == {}
    assert survivor.archived_urls() - victim.archived_urls()


@pytest.mark.timeout(120)
def test_a_worker_stopped_early_says_why_its_articles_are_left(redis_server, make_crawler):
    with NewsSite(n_articles=40, latency=0.3) as site:
        crawler = make_crawler(site, "w1")
        proc = start(crawler, "w1", redis_server.url)
        deadline = time.monotonic() + 60
        while len(crawler.records()) < 3:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the worker archived nothing"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGINT)  # a graceful stop, as Ctrl-C or `docker stop`
        out, err = proc.communicate(timeout=60)
    report = report_of(crawler)
    source = report["sources"][0]
    assert len(crawler.records()) < 40
    # Its articles were left because it stopped, not because of --max-articles.
    assert source["left_over"] == ["stopped"]
    assert source["truncated_by_max_articles"] is False
    assert "claimed articles not fetched" in out and "--max-articles" not in out


def test_unreachable_redis_or_bad_worker_id_fail_in_one_line(site, make_crawler, redis_server):
    from tests.redis_server import free_port

    crawler = make_crawler(site)
    for args, says in (
        (["--redis", f"redis://127.0.0.1:{free_port()}/0"], "cannot reach Redis at"),
        (["--redis", "http://127.0.0.1/"], "REDIS_URL 'http://127.0.0.1/'"),
        (["--redis", redis_server.url, "--worker", "a/b"], "worker id 'a/b'"),
    ):
        proc = subprocess.run(
            crawler.command(*args), env=crawler.env(), cwd=REPO, capture_output=True, text=True
        )
        assert proc.returncode == 1
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and says in lines[0], proc.stderr
        assert crawler.records() == []
    assert site.log == []  # nothing was fetched


@pytest.mark.es
@pytest.mark.timeout(300)
def test_every_workers_records_reach_the_shared_index(
    redis_server, make_crawler, es_env, es_client, index_prefix
):
    with NewsSite(n_articles=20, latency=0.05) as site:
        one, two = make_crawler(site, "w1"), make_crawler(site, "w2")
        run_round(site, redis_server.url, one, two)
    assert one.records() and two.records()
    for crawler in (one, two):  # `newsarchive index` of each worker's home
        env = {**crawler.env(), "NEWSARCHIVE_INDEX_PREFIX": index_prefix}
        proc = subprocess.run(
            [str(NEWSARCHIVE), "index"], env=env, cwd=REPO, capture_output=True, text=True
        )
        assert proc.returncode == 0, proc.stderr
    alias = f"{index_prefix}-articles"
    es_client.indices.refresh(index=alias)
    hits = es_client.search(index=alias, size=100, source=False)["hits"]["hits"]
    ids = {r["id"] for c in (one, two) for r in c.records()}
    assert len(ids) == 20 and {h["_id"] for h in hits} == ids
