"""Learnt source boilerplate: counting, thresholds, bounds, JSON state, and extract()."""

from __future__ import annotations

import importlib.util
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.archive.identity import content_hash, version_hash
from crawler.extract import extract
from crawler.extract.recurring import RecurringBlocks, fingerprint
from tests.site import NewsSite

REPO = Path(__file__).resolve().parents[2]
APPEAL = ("end", "Pass this story on to three friends: the Ledger grows by word of mouth.")
PITCH = ("middle", "The Morning Wire brings the five biggest stories to your inbox at six.")
QUOTE = '"We keep the schools open whatever the budget says," the governor told reporters.'


def feed(state: RecurringBlocks, article: str, *blocks: str) -> None:
    state.observe(article, [fingerprint(b) for b in blocks])


def story(n: int, part: str = "a") -> str:
    """A block of one story only (fingerprints read digits as 0, so spell the number)."""
    return (
        f"story {'abcdefghij'[n % 10]}{'klmnopqrst'[n // 10 % 10]}{'uvwxyz'[n // 100 % 6]} {part}"
    )


def test_fingerprint_ignores_case_punctuation_spacing_and_digits():
    assert fingerprint("© 2024 The Ledger.") == fingerprint("©  2025 the LEDGER")
    assert fingerprint("Share this story") != fingerprint("Share that story")


def test_block_recurs_only_after_enough_distinct_articles():
    state = RecurringBlocks(min_articles=3)
    for n in range(2):
        feed(state, f"https://ledger.example/{n}", "Subscribe to the Ledger", story(n))
    assert not state.is_recurring(fingerprint("Subscribe to the Ledger"))
    feed(state, "https://ledger.example/1", "Subscribe to the Ledger")  # a revisit
    assert not state.is_recurring(fingerprint("Subscribe to the Ledger"))
    feed(state, "https://ledger.example/2", "Subscribe to the Ledger", story(2))
    assert state.is_recurring(fingerprint("Subscribe to the Ledger"))
    assert not state.is_recurring(fingerprint(story(2)))  # one story's block never


def test_a_quote_in_a_few_articles_among_many_is_not_boilerplate():
    state = RecurringBlocks(min_articles=5, min_share=0.2)
    for n in range(200):
        blocks = ["Read the Ledger every morning", story(n)]
        if n % 30 == 0:  # a running story quotes the same words in seven articles
            blocks.append(QUOTE)
        feed(state, f"https://ledger.example/{n}", *blocks)
    assert state.is_recurring(fingerprint("Read the Ledger every morning"))
    assert not state.is_recurring(fingerprint(QUOTE))
    assert fingerprint(QUOTE) not in state.recurring()


def test_memory_stays_within_capacity_and_recurring_blocks_survive():
    state = RecurringBlocks(capacity=200)
    for n in range(2000):
        feed(state, f"a{n}", "Footer line of the site", *(story(n, i) for i in "abcde"))
    assert len(state) <= 200
    assert state.is_recurring(fingerprint("Footer line of the site"))


def test_state_round_trips_through_json():
    state = RecurringBlocks(min_articles=2)
    for n in range(3):
        feed(state, f"a{n}", "Comment below", story(n))
    again = RecurringBlocks.from_json(json.loads(json.dumps(state.to_json())))
    assert again.recurring() == state.recurring() == {fingerprint("Comment below")}
    assert again.articles == 3


@pytest.mark.parametrize(
    "bad", [None, {}, {"version": 1}, {"version": 1, "min_articles": "x"}, {"version": 9}]
)
def test_malformed_state_is_a_value_error(bad):
    with pytest.raises(ValueError):
        RecurringBlocks.from_json(bad)


def test_one_story_can_never_be_enough():
    with pytest.raises(ValueError):
        RecurringBlocks(min_articles=1)


def outlet(n: int) -> NewsSite:
    site = NewsSite(n_articles=n, recurring=(PITCH, APPEAL), now=datetime(2024, 6, 1, tzinfo=UTC))
    for article in site.articles[2:5]:
        article.paragraphs.insert(1, QUOTE)
    return site


def test_extract_drops_the_outlets_recurring_blocks_and_says_so():
    site = outlet(10)
    state = RecurringBlocks(min_articles=5)
    records = []
    for article in sorted(site.articles, key=lambda a: a.published):
        url = site.article_url(article.index)
        record = extract(site.render_article(article), url, boilerplate=state)
        state.observe(record["canonical_url"], record["block_fingerprints"])
        records.append((article, record))
    first, first_record = records[0]
    assert APPEAL[1] in first_record["body"]  # nothing learnt yet
    last, record = records[-1]
    assert PITCH[1] not in record["body"] and APPEAL[1] not in record["body"]
    assert record["body"].split("\n\n") == site.article_body(last)
    assert record["provenance"]["body_dropped"] == "source-boilerplate: 2 blocks"
    quoted = [r for a, r in records if QUOTE in a.paragraphs]
    assert quoted and all(QUOTE in r["body"] for r in quoted)  # three articles: kept
    # A worker process gets the snapshot: the same drops.
    snapshot = extract(
        site.render_article(last), site.article_url(last.index), boilerplate=state.recurring()
    )
    assert snapshot["body"] == record["body"]
    # The body as the rules left it, for the version hash: the blocks in their places.
    blocks = record["rule_body"].split("\n\n")
    assert blocks[-1] == APPEAL[1] and PITCH[1] in blocks
    assert [b for b in blocks if b not in (APPEAL[1], PITCH[1])] == record["body"].split("\n\n")
    assert "rule_body" not in first_record  # nothing dropped, nothing to say


def test_the_version_hash_is_the_rule_bodys_whatever_the_state_learnt():
    site = outlet(8)
    state = RecurringBlocks(min_articles=5)
    for article in site.articles[1:]:
        url = site.article_url(article.index)
        state.observe(url, extract(site.render_article(article), url, boilerplate=state)[
            "block_fingerprints"])  # fmt: skip
    html, url = site.render_article(site.articles[0]), site.article_url(0)
    plain, learnt = extract(html, url), extract(html, url, boilerplate=state)
    assert learnt["body"] != plain["body"] and "body_dropped" in learnt["provenance"]
    assert (
        version_hash(learnt) == version_hash(plain) == content_hash(plain["title"], plain["body"])
    )


def test_without_a_state_nothing_changes():
    site = outlet(3)
    article = site.articles[0]
    plain = extract(site.render_article(article), site.article_url(0))
    assert "block_fingerprints" not in plain and "body_dropped" not in plain["provenance"]


def test_benchmark_smoke(capsys):
    path = REPO / "benchmarks" / "bench_boilerplate.py"
    spec = importlib.util.spec_from_file_location("bench_boilerplate", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if not (module.bench_extract.DEFAULT_ROOT / "score.py").is_file():
        pytest.skip("no ../shared/benchmarks/score.py beside the repository")
    assert module.main(["--smoke"]) == 0
    out = capsys.readouterr().out
    assert "| all | 36 |" in out and "article paragraphs lost: 0" in out
