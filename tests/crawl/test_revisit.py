"""The revisit policy, end to end: default crawls of the loopback site, its clock and the
crawl's (``CRAWL_CLOCK``) moved forward, catch edits and removals without any option."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
from datetime import timedelta

from warcio.archiveiterator import ArchiveIterator

from crawler.archive.reader import read_capture
from crawler.archive.warc import NOT_MODIFIED_PROFILE
from tests.crawl.conftest import REPO
from tests.reliability.checks import assert_archive_sound, string_tags, wait_for

REWRITE = "Senate leaders walk back their budget deal after a weekend of pressure"


def _at(crawler, moment, *args: str, **settings: str):
    """A default crawl whose clock reads ``moment``."""
    result = crawler.run(*args, CRAWL_CLOCK=moment.isoformat(), **settings)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def _article_hits(site, i: int):
    return site.requests_for(site.articles[i].path)


def test_a_default_crawl_twice_captures_a_stealth_edit_and_a_removal(site, make_crawler):
    crawler = make_crawler(site)
    t0 = site.now
    first = _at(crawler, t0)
    assert first.source["articles"]["new"] == 12

    # Neither moves a date in a listing: the revisit schedule finds them (the feed's new
    # headline also makes the rewritten article due, before its schedule does).
    site.edit(0, title=REWRITE, at=t0 + timedelta(minutes=30), signal=False)
    site.remove(3, at=t0 + timedelta(minutes=30))
    site.now = t0 + timedelta(hours=2)
    second = _at(crawler, site.now)

    src = second.source
    assert src["articles"]["changed"] == 1 and src["articles"]["removed"] == 1
    # +1 h after first seen: all of them are due, the rewritten one by its headline
    assert (src["revisits"]["schedule"], src["revisits"]["headline"]) == (11, 1)
    assert src["revisits"]["not_modified"] == 10  # the others answered 304, no body sent
    records = crawler.records()
    changed = [r for r in records if r["event"] == "changed"]
    assert [(r["url"], r["version"]) for r in changed] == [(site.article_url(0), 2)]
    assert changed[0]["title"] == REWRITE and "title" in changed[0]["changed_fields"]
    assert changed[0]["previous"]["title"] == site.articles[0].title
    assert changed[0]["words_added"] > 0 and changed[0]["words_removed"] > 0
    removed = [r["url"] for r in records if r["event"] == "removed"]
    assert removed == [site.article_url(3)]
    # Every re-fetch was conditional on the validators of the first capture.
    for i in range(12):
        again = _article_hits(site, i)[1]
        assert again.headers.get("if-none-match") and again.headers.get("if-modified-since")

    # Right after, nothing is due: no article is fetched a third time.
    served = len(site.log)
    third = _at(crawler, site.now + timedelta(minutes=10))
    assert third.source["revisits"]["requested"] == 0
    paths = {a.path for a in site.articles}
    assert not [s for s in site.log[served:] if s.path in paths]


def test_a_304_is_a_server_not_modified_revisit_of_the_payload(site, make_crawler):
    crawler = make_crawler(site)
    t0 = site.now
    _at(crawler, t0)
    _at(crawler, t0 + timedelta(hours=2))
    url = site.article_url(5)
    new, seen = [r for r in crawler.records() if r["url"] == url]
    assert (new["event"], seen["event"], seen["http_status"]) == ("new", "seen", 304)
    assert seen["content_hash"] == new["content_hash"]
    assert (
        seen["capture"]["revisit"]
        and seen["capture"]["refers_to"]["record_id"] == (new["capture"]["record_id"])
    )

    # warcio reads it as WARC 1.1 describes a server-not-modified revisit.
    path = crawler.home / "warc" / seen["capture"]["warc_file"]
    with path.open("rb") as stream:
        stream.seek(seen["capture"]["offset"])
        record = next(iter(ArchiveIterator(stream)))
    headers = record.rec_headers
    assert record.rec_type == "revisit"
    assert headers.get_header("WARC-Profile") == NOT_MODIFIED_PROFILE
    assert headers.get_header("WARC-Refers-To") == new["capture"]["record_id"]
    assert headers.get_header("WARC-Refers-To-Target-URI") == url
    assert record.http_headers.get_statuscode() == "304"
    assert record.content_stream().read() == b""

    # Replay's index lists the capture it confirmed, not the empty 304.
    from crawler.archive.cdxj import cdxj_path

    warcs = list((crawler.home / "warc").glob("*.warc.gz"))
    assert len(warcs) == 2 and all(cdxj_path(w).exists() for w in warcs)  # both crawls'
    lines = [
        line
        for warc in warcs
        if cdxj_path(warc).exists()
        for line in cdxj_path(warc).read_text().splitlines()
        if f'"url": "{url}"' in line
    ]
    assert len(lines) == 1 and '"status": "200"' in lines[0]

    # Following it (as `show --raw` does) gives the page the 304 confirmed.
    page = read_capture(crawler.home / "warc", seen["capture"]).body
    assert page == read_capture(crawler.home / "warc", new["capture"]).body
    assert site.title_of(site.articles[5]).encode() in page


def test_a_listing_dated_after_the_last_capture_makes_an_article_due_at_once(site, make_crawler):
    crawler = make_crawler(site)
    t0 = site.now
    _at(crawler, t0)
    # Ten minutes on, before any point of the schedule: article 1 is edited and its
    # listings say so (sitemap lastmod, Atom updated); article 2 is edited silently.
    edited = t0 + timedelta(minutes=5)
    site.edit(
        1, add="Correction: An earlier version of this article misstated the vote.", at=edited
    )
    site.edit(2, add="A paragraph added without a word.", at=edited, signal=False)
    site.now = t0 + timedelta(minutes=10)
    result = _at(crawler, site.now)

    revisits = result.source["revisits"]
    assert (revisits["signal"], revisits["schedule"]) == (1, 0)
    assert len(_article_hits(site, 1)) == 2 and len(_article_hits(site, 2)) == 1
    changed = [r for r in crawler.records() if r["event"] == "changed"]
    assert [r["url"] for r in changed] == [site.article_url(1)]
    assert changed[0]["corrections"] == [
        {
            "kind": "correction",
            "text": "Correction: An earlier version of this article misstated the vote.",
        }
    ]


def test_a_new_headline_in_a_listing_makes_an_article_due_at_once(site, make_crawler):
    """A stealth headline rewrite moves no date, but the feeds and the news sitemap show
    the new headline: the article is due at once, before any point of its schedule."""
    crawler = make_crawler(site)
    t0 = site.now
    _at(crawler, t0)
    first = {r["url"]: r for r in crawler.records()}[site.article_url(0)]
    assert first["listed_titles"] == [site.articles[0].title]
    site.edit(0, title=REWRITE, at=t0 + timedelta(minutes=5), signal=False)
    site.edit(
        1, add="A paragraph added without a word.", at=t0 + timedelta(minutes=5), signal=False
    )
    site.now = t0 + timedelta(minutes=10)
    revisits = _at(crawler, site.now).source["revisits"]
    assert (revisits["headline"], revisits["signal"], revisits["schedule"]) == (1, 0, 0)
    changed = [r for r in crawler.records() if r["event"] == "changed"]
    assert [(r["url"], r["title"]) for r in changed] == [(site.article_url(0), REWRITE)]
    assert changed[0]["listed_titles"] == [REWRITE]
    assert len(_article_hits(site, 1)) == 1  # a body edit shows in no listing: not yet

    # The new headline is known now: it makes nothing due again, even once the store
    # is rebuilt from the records; a second rewrite does.
    for path in crawler.home.glob("seen.sqlite*"):
        path.unlink()
    site.now = t0 + timedelta(minutes=20)
    assert _at(crawler, site.now).source["revisits"]["requested"] == 0
    site.edit(0, title=REWRITE + " again", signal=False)
    site.now = t0 + timedelta(minutes=30)
    assert _at(crawler, site.now).source["revisits"]["headline"] == 1
    assert len(_article_hits(site, 0)) == 3


def test_a_captured_change_restarts_the_schedule(site, make_crawler):
    crawler = make_crawler(site)
    t0 = site.now
    _at(crawler, t0)
    site.edit(
        0, add="A first paragraph added quietly.", at=t0 + timedelta(minutes=20), signal=False
    )
    # A minute before the +1 h point: close enough (``EARLY``), so no crawl interval is
    # lost waiting for it; all twelve are due.
    site.now = t0 + timedelta(minutes=59)
    assert _at(crawler, site.now).source["revisits"]["schedule"] == 12
    second_edit = site.now + timedelta(minutes=20)
    site.edit(0, add="A paragraph added without a word.", at=second_edit, signal=False)

    # An hour on, only the article just edited is due again: its schedule counts from
    # the capture of its new version (+1 h); the others' next point is +6 h.
    site.now = t0 + timedelta(hours=2)
    assert _at(crawler, site.now).source["revisits"]["schedule"] == 1
    changed = [r for r in crawler.records() if r["event"] == "changed"]
    assert [(r["url"], r["version"]) for r in changed] == [
        (site.article_url(0), 2),
        (site.article_url(0), 3),
    ]
    assert [len(_article_hits(site, i)) for i in (0, 1, 11)] == [3, 2, 2]


def test_the_schedule_state_is_rebuilt_from_the_records(site, make_crawler):
    """When each version was captured comes from the records: a store from before that
    column, or a lost one, is rebuilt with it, and the schedule reads the same."""
    from crawler.archive.store import Archive

    crawler = make_crawler(site)
    t0 = site.now
    _at(crawler, t0)
    site.edit(4, title=REWRITE, signal=False)
    _at(crawler, t0 + timedelta(hours=2))
    by_url = {}
    for r in crawler.records():
        if r["event"] in ("new", "changed"):
            by_url[r["url"]] = r["fetched_at"]
    assert by_url[site.article_url(4)] > by_url[site.article_url(5)]

    def version_seen() -> dict[str, str]:
        with Archive(crawler.home) as archive:
            return {url: archive.article_state(url).version_seen for url in by_url}

    assert version_seen() == by_url
    seen = crawler.home / "seen.sqlite"
    db = sqlite3.connect(seen)
    db.execute("ALTER TABLE articles DROP COLUMN version_seen")  # as an older store was
    db.close()
    assert version_seen() == by_url
    for path in crawler.home.glob("seen.sqlite*"):
        path.unlink()
    assert version_seen() == by_url
    # And the crawl reads it: only article 4 (changed at +2 h) is due an hour later.
    later = _at(crawler, t0 + timedelta(hours=3))
    assert later.source["revisits"]["schedule"] == 1
    assert len(_article_hits(site, 4)) == 3


def test_no_revisit_and_a_source_override_turn_the_schedule_off(site, make_crawler):
    t0 = site.now
    off = make_crawler(site, "off", revisit=False)
    flagged = make_crawler(site, "flagged")
    for crawler in (off, flagged):
        _at(crawler, t0)
    site.edit(0, title=REWRITE, signal=False)
    later = t0 + timedelta(hours=2)
    assert _at(off, later).source["revisits"]["requested"] == 0
    assert _at(flagged, later, "--no-revisit").source["revisits"]["requested"] == 0
    assert not [r for r in off.records() + flagged.records() if r["event"] != "new"]

    budget = make_crawler(site, "budget", revisit=["30min"])
    _at(budget, t0)
    limited = _at(budget, later, REVISIT_BUDGET="4").source["revisits"]
    assert (limited["requested"], limited["over_budget"]) == (4, 8)
    rest = _at(budget, later + timedelta(minutes=1)).source["revisits"]
    assert rest["requested"] == 8  # the next crawl takes those still due


def test_kill_9_during_a_revisit_round_loses_no_state(tmp_path):
    from tests.crawl.conftest import Crawler, registry_text
    from tests.site import NewsSite

    with NewsSite(n_articles=24, feed_size=24) as site:
        home = tmp_path / "home"
        home.mkdir()
        registry = tmp_path / "sources.toml"
        registry.write_text(string_tags(registry_text(site)))
        crawler = Crawler(home, registry)
        t0 = site.now
        _at(crawler, t0)
        site.edit(20, title=REWRITE, signal=False)
        site.now = later = t0 + timedelta(hours=2)
        articles = home / "articles" / "articles.jsonl"
        before = articles.read_bytes().count(b"\n")
        pace = {"DOWNLOAD_DELAY": "0.1", "CONCURRENT_REQUESTS_PER_DOMAIN": "1"}
        proc = subprocess.Popen(
            crawler.command(CRAWL_CLOCK=later.isoformat(), **pace),
            env=crawler.env(),
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:  # killed once the round has recorded a few re-fetches, not after a guess
            assert wait_for(
                lambda: articles.read_bytes().count(b"\n") >= before + 5 or proc.poll() is not None,
                120,
            )
            assert proc.poll() is None, "the crawl ended before its kill point"
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
        done = {r["url"] for r in assert_archive_sound(home) if r["event"] != "new"}
        assert 5 <= len(done) < 24

        resumed = _at(crawler, later + timedelta(minutes=1))
        records = assert_archive_sound(home)
        revisited = [r["url"] for r in records if r["event"] != "new"]
        # Every article was re-fetched in the round, and what the killed crawl had
        # recorded is not due again (a kill between its WARC write and its JSONL line
        # may cost one article a second fetch).
        assert set(revisited) == {site.article_url(i) for i in range(24)}
        assert resumed.source["revisits"]["requested"] <= 24 - len(done) + 1
        changed = [r for r in records if r["event"] == "changed"]
        assert [(r["url"], r["version"]) for r in changed] == [(site.article_url(20), 2)]


def test_bad_revisit_settings_fail_with_one_line(site, make_crawler):
    crawler = make_crawler(site)
    for setting, value, message in (
        ("CRAWL_CLOCK", "half past noon", "CRAWL_CLOCK: 'half past noon' is not an ISO 8601"),
        ("REVISIT_SCHEDULE", "1h,soon", "REVISIT_SCHEDULE: 'soon' is not a duration"),
    ):
        result = crawler.run(**{setting: value})
        assert result.returncode != 0
        errors = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(errors) == 1 and message in errors[0], result.stderr[-2000:]
        assert "Traceback" not in result.stderr
    assert not site.log  # nothing was fetched


def test_which_listing_headlines_are_new():
    """The rule behind the headline signal: new to every capture's listings and to the
    archived title, compared as normalized text; an article without listing headlines
    on record (archived before they were kept) gives none."""
    from crawler.schema.record import listed_title
    from crawler.spiders.revisits import headline_changed
    from crawler.spiders.state import Candidate, _add_title

    known = ("Senate passes the budget", "Budget passes Senate")  # an A/B pair
    assert headline_changed(["Senate rejects the budget"], known, "Senate passes the budget")
    assert not headline_changed(["Budget passes Senate"], known, "Senate passes the budget")
    # The feed's headline differs from the page's: only a new one of the feed counts.
    assert not headline_changed(["Feed: Senate passes"], ("Feed: Senate passes",), "Page title")
    assert not headline_changed(["senate PASSES the  budget"], known, None)
    assert not headline_changed(["Senate\u2019s budget"], ("Senate's budget",), None)
    assert not headline_changed(["Anything at all"], (), "Senate passes the budget")
    # What a listing sends is bounded before it is kept.
    assert listed_title(" a\n\tb ") == "a b" and listed_title("   ") is None
    assert len(listed_title("x" * 5000)) == 300
    cand = Candidate("https://example.org/a", None, None, 0)
    for i in range(20):
        _add_title(cand, f"Headline {i % 7}")
    assert cand.titles == [f"Headline {i}" for i in range(5)]
