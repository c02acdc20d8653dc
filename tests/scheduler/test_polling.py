"""Adaptive polling, rule by rule, on a clock the test moves (no waiting, no crawl)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.sources import Source
from newsarchive.config import Config
from newsarchive.errors import ConfigError
from scheduler.config import ScheduleConfig, load_schedule_config
from scheduler.polling import Bounds, Listing, Poll, after_poll, polls_of
from scheduler.scheduler import Scheduler
from scheduler.state import SourceRecord, load_record, save_record

HOUR = 3600.0
BOUNDS = Bounds(start=HOUR, low=600.0, high=86400.0)


class Clock:
    """Time as the test says it is."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> float:
        self.now += seconds
        return self.now


def _poll(listing: Listing, clock: Clock, new: int, listed: int = 20, status="ok") -> float:
    """Poll ``listing`` when it is due; return its interval afterwards."""
    if listing.last_polled is not None:
        clock.now = listing.due()
    after_poll(listing, Poll(status=status, new=new, listed=listed), BOUNDS, clock.now)
    return listing.interval


def test_the_first_poll_keeps_the_source_interval():
    listing, clock = Listing("http://a/feed", "feed", HOUR), Clock()
    assert _poll(listing, clock, new=20) == HOUR  # everything is new the first time
    assert listing.reason.startswith("first poll, 20 new of 20 entries")
    assert listing.last_polled == clock.now and listing.new == [20]


def test_nothing_new_lengthens_up_to_the_maximum():
    listing, clock = Listing("http://a/feed", "feed", HOUR), Clock()
    _poll(listing, clock, new=5)
    seen = [_poll(listing, clock, new=0) for _ in range(10)]
    assert seen[:3] == [1.5 * HOUR, 2.25 * HOUR, 3.375 * HOUR]
    assert seen[-1] == BOUNDS.high  # a day at most
    assert "nothing new among 20 entries: longer" in listing.reason
    assert "held at the maximum, 24h" in listing.reason


def test_a_304_counts_as_nothing_new_and_keeps_the_last_count():
    listing, clock = Listing("http://a/feed", "feed", HOUR), Clock()
    _poll(listing, clock, new=3, listed=12)
    assert _poll(listing, clock, new=0, listed=0, status="not_modified") == 1.5 * HOUR
    assert listing.reason == "not modified (304): longer" and listing.listed == 12


def test_new_entries_two_polls_running_shorten_down_to_the_minimum():
    listing, clock = Listing("http://a/feed", "feed", HOUR), Clock()
    _poll(listing, clock, new=4)  # first poll
    assert _poll(listing, clock, new=3) == 0.75 * HOUR
    assert "3 new of 20 entries, new entries 2 polls running: shorter" in listing.reason
    seen = [_poll(listing, clock, new=3) for _ in range(10)]
    assert seen[0] == 0.75 * 0.75 * HOUR
    assert seen[-1] == BOUNDS.low and "held at the minimum, 10min" in listing.reason


def test_one_busy_poll_after_a_quiet_one_is_not_a_trend():
    listing, clock = Listing("http://a/feed", "feed", HOUR), Clock()
    _poll(listing, clock, new=2)
    _poll(listing, clock, new=0)  # 1.5 h
    assert _poll(listing, clock, new=2) == 1.5 * HOUR
    assert listing.reason == "2 new of 20 entries after a quiet poll: kept"


def test_a_listing_that_turned_over_halves_its_interval():
    listing, clock = Listing("http://a/feed", "feed", HOUR), Clock()
    _poll(listing, clock, new=0)
    _poll(listing, clock, new=0)  # quiet: 1.5 h
    # 15 of its 20 entries are new: some may have scrolled off unseen
    assert _poll(listing, clock, new=15) == 0.75 * HOUR
    assert "the listing turns over between polls" in listing.reason
    # a share needs entries to mean something: 2 of 2 is not a turnover
    small, clock = Listing("http://a/small", "feed", HOUR), Clock()
    _poll(small, clock, new=0, listed=2)
    _poll(small, clock, new=0, listed=2)
    assert _poll(small, clock, new=2, listed=2) == 1.5 * HOUR


def test_a_late_poll_with_news_is_not_shortened_but_a_quiet_one_lengthens():
    listing, clock = Listing("http://a/feed", "feed", HOUR), Clock()
    _poll(listing, clock, new=3)
    _poll(listing, clock, new=3)  # 45 min
    clock.advance(3 * HOUR)  # the scheduler was down: 3 h 45 min since the last poll
    after_poll(listing, Poll("ok", new=15, listed=20), BOUNDS, clock.now)
    assert listing.interval == 0.75 * HOUR and "came late: not shortened" in listing.reason
    clock.advance(3 * HOUR)
    after_poll(listing, Poll("ok", new=0, listed=20), BOUNDS, clock.now)
    assert listing.interval == 0.75 * 1.5 * HOUR


def test_a_failed_poll_keeps_the_interval_and_the_history():
    listing, clock = Listing("http://a/feed", "feed", HOUR), Clock()
    _poll(listing, clock, new=3)
    _poll(listing, clock, new=3)
    before = listing.interval
    clock.advance(before)
    after_poll(listing, Poll("dead", reason="http_500"), BOUNDS, clock.now)
    assert listing.interval == before and listing.last_polled == clock.now
    assert listing.reason == "the last poll failed (http_500): interval kept"
    assert listing.new == [3, 3]


def test_sections_and_adaptive_off_stay_at_the_source_interval():
    section, clock = Listing("http://a/politics/", "section", HOUR), Clock()
    for new in (9, 9, 0, 0):
        assert _poll(section, clock, new=new) == HOUR
    assert "a section page: the source's interval" in section.reason
    fixed = Bounds(start=HOUR, low=600.0, high=86400.0, adaptive=False)
    feed = Listing("http://a/feed", "feed", HOUR)
    for _ in range(3):
        after_poll(feed, Poll("ok", new=0, listed=5), fixed, clock.advance(HOUR))
    assert feed.interval == HOUR and "adaptive = false" in feed.reason


def test_the_crawl_report_is_read_per_registry_listing():
    row = {
        "discovery": [
            {"url": "http://a/feed", "listing": "http://a/feed", "status": "ok", "entries": 8,
             "new": 2},
            {"url": "http://a/sitemap.xml", "listing": "http://a/sitemap.xml", "status": "ok",
             "sitemaps": 2},
            {"url": "http://a/news.xml", "listing": "http://a/sitemap.xml", "status": "ok",
             "entries": 5, "new": 3},
            {"url": "http://a/old.xml", "listing": "http://a/sitemap.xml", "status": "dead",
             "reason": "http_404"},
            {"url": "http://a/rss", "listing": "http://a/rss", "status": "pending"},
            {"url": "http://a/gone", "listing": "http://a/gone", "status": "dead",
             "reason": "connection_refused"},
        ]
    }  # fmt: skip
    polls = polls_of(row)
    assert polls["http://a/feed"] == Poll("ok", new=2, listed=8)
    assert polls["http://a/sitemap.xml"] == Poll("ok", new=3, listed=5)  # its children's
    assert "http://a/rss" not in polls  # the crawl stopped before it answered
    assert polls["http://a/gone"].failed and polls["http://a/gone"].reason == "connection_refused"


def _source(sid: str, **extra) -> Source:
    feeds = extra.pop("feeds", ("http://127.0.0.1/feed.xml",))
    return Source(
        id=sid, name=sid, homepage="http://127.0.0.1/", domains=("127.0.0.1",), feeds=feeds, **extra
    )


def test_state_survives_a_restart_and_decides_what_is_due(tmp_path: Path):
    clock = Clock()
    settings = Config(home=tmp_path)
    config = ScheduleConfig(default_interval=HOUR, jitter=0)
    source = _source("ap", feeds=("http://127.0.0.1/a.xml", "http://127.0.0.1/b.xml"))
    first = Scheduler(settings, config, [source], clock=clock)
    assert [li.url for li in first.due_listings(source, clock.now)] == list(source.feeds)
    record = first.record("ap")
    listings = first.listings(source, record)
    after_poll(listings[0], Poll("ok", new=0, listed=9), first.bounds(source), clock.now)
    after_poll(listings[1], Poll("ok", new=0, listed=9), first.bounds(source), clock.now)
    clock.advance(HOUR)
    after_poll(listings[0], Poll("ok", new=0, listed=9), first.bounds(source), clock.now)
    after_poll(listings[1], Poll("ok", new=4, listed=9), first.bounds(source), clock.now)
    record.listings = {li.url: li for li in listings}
    save_record(tmp_path / "schedule" / "state", record)

    again = Scheduler(settings, config, [source], clock=clock)  # a restarted scheduler
    a, b = again.listings(source)
    assert (a.interval, b.interval) == (1.5 * HOUR, HOUR)
    assert not again.is_due(source, clock.now + HOUR - 1)
    assert [li.url for li in again.due_listings(source, clock.now + HOUR)] == [b.url]
    assert again.current(source).url == b.url  # the faster listing sets the pace
    status = again.status_lines(clock.now)
    assert status[0].startswith("ap: every 60min (feed http://127.0.0.1/b.xml: 4 new of 9")
    assert status[0].endswith("never run, due in 60min")
    assert status[1] == (
        "  feed http://127.0.0.1/a.xml: every 90min, nothing new among 9 entries: longer"
    )


def test_a_damaged_state_file_reads_as_never_ran(tmp_path: Path):
    folder = tmp_path / "state"
    folder.mkdir()
    (folder / "ap.json").write_text("{not json")
    assert load_record(folder, "ap") == SourceRecord("ap")
    (folder / "ap.json").write_text(
        json.dumps({"last_started": 5.0, "listings": [{"url": "x"}, "junk", None]})
    )
    assert load_record(folder, "ap") == SourceRecord("ap", last_started=5.0)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('min_interval = "2h"\nmax_interval = "1h"', r"'min_interval' \(2h\) is longer than"),
        ("adaptive = 1", "'adaptive' must be true or false"),
        ('[min_intervals]\nap = "soon"', "min_intervals.ap"),
        ("max_batch = 0", "'max_batch' must be an integer >= 1"),
    ],
)
def test_bad_bounds_in_the_schedule_file_say_what_is_wrong(tmp_path: Path, text, message):
    path = tmp_path / "schedule.toml"
    path.write_text(text + "\n")
    with pytest.raises(ConfigError, match=message):
        load_schedule_config(path)


def test_bounds_come_from_the_registry_then_the_schedule_file(tmp_path: Path):
    path = tmp_path / "schedule.toml"
    path.write_text(
        'min_interval = "15min"\nmax_interval = "12h"\n'
        '[min_intervals]\nap = "5min"\n[max_intervals]\nap = "2h"\n'
    )
    config = load_schedule_config(path)
    settings = Config(home=tmp_path)
    sources = [_source("ap"), _source("npr", min_interval=60.0), _source("slow", interval=2e5)]
    scheduler = Scheduler(settings, config, sources)
    ap, npr, slow = (scheduler.bounds(s) for s in sources)
    assert (ap.low, ap.high) == (300, 7200)
    assert (npr.low, npr.high) == (60, 43200)  # the registry's minimum wins
    assert (slow.low, slow.high) == (900, 2e5)  # defaults widen to take in the interval
    with pytest.raises(ConfigError, match=r"source 'ap': 'interval' \(3h\) is longer than"):
        Scheduler(settings, config, [_source("ap", interval=3 * HOUR)])
