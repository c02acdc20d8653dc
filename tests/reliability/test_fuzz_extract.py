"""Fuzz the extractor with generated and mutated pages: no exception escapes, every
result is a complete, JSON-serializable record, and time per page stays bounded."""

from __future__ import annotations

import json
import random
import time

import pytest
from hypothesis import HealthCheck, given, seed, settings

from crawler.extract import ARTICLE_FIELDS, DEFAULT_TIMEOUT, extract
from crawler.worker import analyse_page
from tests.reliability.conftest import BASE_SEED, FULL, REPEAT, seed_for
from tests.reliability.pages import mutate, page, seed_pages

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

PAGES = (500 if FULL else 250) * REPEAT  # per generator: 10,000 pages in all in the full run
URL = "https://news.example/2024/05/01/story-about-the-budget/"
# A page may take long (a 20,000-deep tree), never unboundedly: well inside the time the
# extractor gives itself (its own limit is off here, pytest-timeout holds SIGALRM).
BOUND = DEFAULT_TIMEOUT


class Stats:
    def __init__(self) -> None:
        self.pages = 0
        self.slowest = 0.0
        self.errors = 0
        self.articles = 0

    def check(self, data: bytes) -> None:
        began = time.perf_counter()
        record = extract(data, URL)
        # what the crawl's workers run: classification, then extraction
        analysed = analyse_page(data, URL, None, {"title": "t"})
        took = time.perf_counter() - began
        self.pages += 1
        self.slowest = max(self.slowest, took)
        assert took < BOUND, f"{took:.1f}s for one page"
        assert set(ARTICLE_FIELDS) <= set(record)
        assert isinstance(record["body"], str) and isinstance(record["authors"], list)
        assert isinstance(record["word_count"], int)
        json.dumps(record, allow_nan=False)  # it must be storable as a JSONL line
        assert analysed["kind"] in ("article", "index"), analysed
        self.errors += "error" in record
        self.articles += analysed["kind"] == "article"


def _report(trial, stats: Stats, what: str) -> None:
    trial.tries = stats.pages
    trial.saw("no exception escaped", stats.pages)
    if stats.errors:
        trial.saw("caught failure or timeout (empty record with error)", stats.errors)
    trial.notes.append(
        f"{what}: max {stats.slowest:.2f} s/page, {stats.articles} classified as articles"
    )


def test_generated_pages(trial):
    trial.case = "extractor fuzz: generated pages (hypothesis)"
    stats = Stats()

    @seed(seed_for(trial.case, BASE_SEED))
    @settings(
        max_examples=PAGES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(page())
    def run(data: bytes) -> None:
        stats.check(data)

    run()
    _report(trial, stats, "generated")


def test_mutated_pages(trial):
    trial.case = "extractor fuzz: mutated real pages"
    rng = random.Random(seed_for(trial.case, 0))
    seeds = seed_pages()
    stats = Stats()
    for _ in range(PAGES):
        data = mutate(rng.choice(seeds), rng)
        try:
            stats.check(data)
        except BaseException:
            print("failing page (first 500 bytes):", data[:500])
            raise
    _report(trial, stats, "mutated")


def test_control_character_after_a_script_does_not_break_classification():
    """Found by the mutation fuzz: lxml's drop_tree() of a <script> whose tail held a
    control character raised ValueError (fixed in 86fa165, classify by regexes)."""
    page = b"<p>text</p><script></script>\x0b after"
    assert analyse_page(page, URL, None, None)["kind"] == "index"


def test_a_malformed_link_on_an_index_page_is_passed_over():
    """Found by the mutation fuzz: urljoin raises ValueError on ``http://[::1`` (an
    unclosed IPv6 literal), which made the whole page an analysis error."""
    page = b'<html><body><a href="http://[::1/x">x</a><a href="/politics/">y</a></body></html>'
    result = analyse_page(page, "https://news.example/", None, None)
    assert result["kind"] == "index" and result["links"] == ["https://news.example/politics/"]
