"""The claims of the shared frontier (crawler/frontier.py) on a real redis-server:
what each worker is told about an article, and when a dead worker's lease passes on."""

from __future__ import annotations

import time

import pytest

from crawler.frontier import SharedFrontier, worker_id
from newsarchive.errors import ConfigError

URL = "https://www.example.org/2026/11/30/story/?utm_source=feed"


def test_claims_between_two_live_workers(redis_server):
    one = SharedFrontier(redis_server.url, "w1", lease=5)
    two = SharedFrontier(redis_server.url, "w2", lease=5)
    one.heartbeat(), two.heartbeat()
    assert one.claim([URL]) == {URL: "mine"}
    # The same article under another form of its URL is the same claim.
    same = "http://example.org/2026/11/30/story/"
    assert two.claim([same]) == {same: "busy"}
    assert one.claim([URL]) == {URL: "mine"}  # asking again changes nothing
    one.settle([URL], "done")
    assert two.claim([same]) == {same: "taken"}
    assert one.held == set()
    # A failed fetch is released for anyone; a page that is no article is held a while.
    other = "https://example.org/a/"
    assert two.claim([other]) == {other: "mine"}
    two.settle([other], "failed")
    assert one.claim([other]) == {other: "mine"}
    one.settle([other], "page")
    assert 0 < redis_server.client().ttl(one.key(other)) <= one.page_ttl
    assert two.claim([other]) == {other: "taken"}
    # close() releases only this worker's own leases.
    third = "https://example.org/b/"
    assert two.claim([third]) == {third: "mine"}
    one.close()
    assert redis_server.client().get(two.key(third)) == b"lease:w2"
    two.close()
    assert redis_server.client().get(two.key(third)) is None
    assert redis_server.client().exists("newsarchive:alive:w2") == 0


def test_a_dead_workers_lease_passes_to_the_next_claim(redis_server):
    dead = SharedFrontier(redis_server.url, "dead", lease=0.5)
    alive = SharedFrontier(redis_server.url, "alive", lease=5)
    dead.heartbeat()
    assert dead.claim([URL]) == {URL: "mine"}
    assert alive.claim([URL]) == {URL: "busy"}
    time.sleep(0.7)  # no heartbeat: its lease is no longer backed by a live worker
    assert alive.claim([URL]) == {URL: "mine"}
    assert redis_server.client().get(alive.key(URL)) == b"lease:alive"
    # a done claim never passes on, dead owner or not
    alive.settle([URL], "done")
    assert dead.claim([URL]) == {URL: "taken"}


def test_an_archive_is_published_once_per_redis(redis_server):
    one = SharedFrontier(redis_server.url, "w1")
    two = SharedFrontier(redis_server.url, "w2")
    assert two.claim(["https://example.org/c/"])["https://example.org/c/"] == "mine"
    urls = [f"https://example.org/{i}/" for i in range(2500)] + ["https://example.org/c/"]
    assert one.publish(urls, batch=1000) == 2501
    assert one.publish(urls) is None  # the marker says it was done
    assert two.claim(["https://example.org/7/"]) == {"https://example.org/7/": "taken"}
    # a key another worker already had is left alone
    assert redis_server.client().get(one.key("https://example.org/c/")) == b"lease:w2"
    redis_server.client().flushall()  # Redis lost its data: published again
    assert one.publish(urls) == 2501


def test_bad_settings_fail_clearly(redis_server, tmp_path):
    with pytest.raises(ConfigError, match="cannot reach Redis"):
        SharedFrontier("redis://127.0.0.1:1/0", "w1")
    with pytest.raises(ConfigError, match="must be positive"):
        SharedFrontier(redis_server.url, "w1", lease=0)
    with pytest.raises(ConfigError, match="worker id"):
        worker_id("../etc", tmp_path)
    assert worker_id("  node-7.lab ", tmp_path) == "node-7.lab"
    # by default: the host and the home, the same for every crawl of one home
    assert worker_id("", tmp_path / "a") == worker_id(None, tmp_path / "a")
    assert worker_id("", tmp_path / "a") != worker_id("", tmp_path / "b")
