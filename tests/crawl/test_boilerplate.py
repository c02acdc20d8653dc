"""Learnt source boilerplate in real crawls of the loopback site: blocks that recur in
every article of the outlet are dropped once they recur, a quote of a few articles is
kept, and what the state learns between two captures of a page never makes an edit."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta

from crawler.archive.identity import content_hash
from crawler.archive.reextract import promote, reextract
from crawler.archive.seen import SeenStore
from crawler.extract import EXTRACTOR_VERSION
from crawler.extract.recurring import RecurringBlocks, fingerprint
from newsarchive.wordiff import change_size
from tests.site import NewsSite

# The outlet's own blocks, inside every story body; no extraction rule knows them.
APP = "Listen to this story in our app, read aloud by a member of the newsroom."
PROMPT = "What do you make of this? Tell our editors in the box at the foot of the page."
BLOCKS = (("top", APP), ("end", PROMPT))
QUOTE = (
    '"We will keep the schools open whatever the budget says," the governor told '
    "reporters outside the capitol on the first day of the standoff."
)
N = 16


def _outlet(**kwargs) -> NewsSite:
    site = NewsSite(n_articles=N, recurring=BLOCKS, validators=False, **kwargs)
    for article in site.articles[6:9]:  # a running story quotes the same words thrice
        article.paragraphs.insert(2, QUOTE)
    return site


def _at(crawler, moment, **settings):
    result = crawler.run(CRAWL_CLOCK=moment.isoformat(), **settings)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def _versions(crawler) -> list[dict]:
    return [r for r in crawler.records() if r["event"] in ("new", "changed")]


def _states(home) -> dict[str, dict]:
    store = SeenStore(home / "seen.sqlite")
    try:
        return {k: json.loads(v) for k, v in store.boilerplate_states().items()}
    finally:
        store.close()


def _dropped(record: dict) -> bool:
    return record["provenance"].get("body_dropped", "").startswith("source-boilerplate")


def test_a_crawl_drops_the_outlets_blocks_once_they_recur_and_keeps_a_quote(make_crawler):
    with _outlet() as site:
        crawler = make_crawler(site)
        result = _at(crawler, site.now)
    records = _versions(crawler)
    assert len(records) == N and result.source["articles"]["new"] == N
    # Fewer than 5 articles had been counted: nothing can be dropped yet.
    for record in records[:5]:
        assert APP in record["body"] and PROMPT in record["body"] and not _dropped(record)
        assert record["content_hash"] == content_hash(record["title"], record["body"])
    # Once they recur (pages in flight may still have had the older snapshot).
    for record in records[-4:]:
        assert APP not in record["body"] and PROMPT not in record["body"]
        assert record["provenance"]["body_dropped"] == "source-boilerplate: 2 blocks"
        # The version is hashed on the body as the rules left it, blocks included.
        assert record["content_hash"] != content_hash(record["title"], record["body"])
    quoted = [r for r in records if QUOTE in r["body"]]
    assert len(quoted) == 3  # in three articles among sixteen: article text, kept
    assert result.source["boilerplate_dropped"] == sum(map(_dropped, records)) >= 4
    state = RecurringBlocks.from_json(_states(crawler.home)["ledger"])
    assert state.articles == N
    assert state.is_recurring(fingerprint(APP)) and not state.is_recurring(fingerprint(QUOTE))


def test_a_re_capture_after_the_state_learnt_is_no_edit_and_a_real_edit_is(make_crawler):
    with _outlet() as site:
        crawler = make_crawler(site)
        t0 = site.now
        _at(crawler, t0)
        first = _versions(crawler)
        early = [r for r in first if not _dropped(r)]
        assert early and all(APP in r["body"] for r in early)
        # Two hours on every article is due for a revisit (fetched whole: the site sends
        # no validators), and three new ones are out.
        site.now = t0 + timedelta(hours=2)
        fresh = site.publish(3, site.now - timedelta(minutes=30))
        second = _at(crawler, site.now)
        src = second.source
        # The state changed between the captures: every re-capture lost the blocks its
        # first capture kept, yet none is a new version.
        assert src["revisits"]["schedule"] == N and src["articles"]["unchanged"] == N
        assert src["articles"]["changed"] == 0 and src["articles"]["new"] == 3
        assert src["boilerplate_dropped"] == N + 3
        # The state survived the restart: the new articles lost the blocks at once.
        new = [r for r in _versions(crawler) if r not in first]
        assert {r["url"] for r in new} == {site.url(a.path) for a in fresh}
        assert all(_dropped(r) and APP not in r["body"] for r in new)
        assert _states(crawler.home)["ledger"]["articles"] == N + 3  # re-captures not counted

        # A real edit of an article whose first version had lost the blocks already.
        late = next(r for r in first if _dropped(r))
        index = next(a.index for a in site.articles if site.url(a.path) == late["url"])
        added = "The governor signed the budget late on Friday after a week of talks."
        site.edit(index, add=added, at=site.now + timedelta(minutes=5))
        site.now += timedelta(minutes=10)
        _at(crawler, site.now)
    changed = [r for r in crawler.records() if r["event"] == "changed"]
    assert [r["url"] for r in changed] == [late["url"]]
    assert "body" in changed[0]["changed_fields"] and added in changed[0]["body"]
    # The body lost no words (the record's words_removed also counts the description,
    # which the site derives from the body's first lines, so it may change too).
    assert APP not in changed[0]["body"] and change_size(late["body"], changed[0]["body"])[1] == 0


def test_an_archive_crawled_without_the_state_gets_no_false_edits(make_crawler):
    """An archive whose records were made without learnt boilerplate (as every crawl
    before extractor 1.3.0): the version hash is the same text's, so re-captures that
    now lose the blocks are not edits."""
    with _outlet() as site:
        crawler = make_crawler(site)
        t0 = site.now
        _at(crawler, t0, LEARN_BOILERPLATE="false")
        old = _versions(crawler)
        assert all(APP in r["body"] and not _dropped(r) for r in old)
        assert _states(crawler.home) == {}
        # Made as by 1.2.0: its version in the records, a seen-store without the table.
        records = crawler.home / "articles" / "articles.jsonl"
        text = records.read_text()
        current = EXTRACTOR_VERSION
        assert {r["extractor"]["version"] for r in old} == {current}
        # A version before 1.3.0 as long as the current one, so no byte offset moves
        # ("1.2.0" beside "1.3.9", "1.2.00" beside "1.3.10").
        made = "1.2." + "0" * (len(current) - 4)
        records.write_text(text.replace(f'"{current}"', f'"{made}"'))
        assert {r["extractor"]["version"] for r in _versions(crawler)} == {made}
        with sqlite3.connect(crawler.home / "seen.sqlite") as db:
            db.execute("DROP TABLE boilerplate")
        site.now = t0 + timedelta(hours=2)
        site.publish(6, site.now - timedelta(minutes=30))  # the state learns from these
        _at(crawler, site.now)
        site.now = t0 + timedelta(hours=8)  # the next revisit of the old articles
        third = _at(crawler, site.now)
    src = third.source
    assert src["revisits"]["schedule"] >= N and src["articles"]["unchanged"] >= N
    assert src["boilerplate_dropped"] >= N  # the old articles, re-extracted without blocks
    assert not [r for r in crawler.records() if r["event"] == "changed"]


def test_reextract_rebuilds_the_crawls_state_and_bodies(make_crawler, tmp_path):
    with _outlet() as site:
        crawler = make_crawler(site)
        # One extraction at a time: every page gets the state of all before it, as
        # re-extraction reads them (with workers, a page in flight may get an older one).
        _at(crawler, site.now, EXTRACT_WORKERS="0")
    live = {r["id"]: r for r in _versions(crawler)}
    assert sum(map(_dropped, live.values())) >= N - 5
    summary = reextract(crawler.home, out=tmp_path / "re")
    assert summary["new"] == N and summary["changed"] == 0
    rebuilt = json.loads((tmp_path / "re" / "boilerplate.json").read_text())
    assert rebuilt == _states(crawler.home)
    lines = (tmp_path / "re" / "articles.jsonl").read_text().splitlines()
    again = {r["id"]: r for r in map(json.loads, lines) if r["event"] == "new"}
    assert again.keys() == live.keys()
    for aid, record in live.items():
        assert again[aid]["body"] == record["body"]
        assert again[aid]["content_hash"] == record["content_hash"]
        assert again[aid]["provenance"] == record["provenance"]
    # Promotion installs the rebuilt states with the records.
    store = SeenStore(crawler.home / "seen.sqlite")
    store.save_boilerplate("ledger", json.dumps(RecurringBlocks().to_json()))
    store.close()
    promote(crawler.home, tmp_path / "re")
    assert _states(crawler.home) == rebuilt
