"""The registry's politics scope in a real crawl: include/exclude path patterns cut every
discovered URL, and politics listings hand their hint to extraction (and re-extraction)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.archive.reextract import reextract
from tests.site import NewsSite

# Links of the site's page chrome that are neither index pages nor articles: a section
# page offers them as candidates, so the path scope sees (and counts) them too.
CHROME = ("/subscribe", "/about", "/privacy", "/contact")


@pytest.mark.parametrize(
    "scope",
    [
        {"include": ["/politics/"]},
        {"include": ["/politics/", "/world/"], "exclude": ["/world/"]},  # exclude wins
    ],
    ids=["include", "exclude-wins"],
)
def test_a_general_sitemap_yields_only_its_politics_paths(make_crawler, scope):
    with NewsSite(n_articles=12, section_paths=True) as site:
        crawler = make_crawler(
            site,
            feeds=["/feeds/rss.xml"],
            sitemaps=["/sitemap.xml"],
            sections=["/section/world/"],
            **scope,
        )
        result = crawler.run()
    assert result.returncode == 0, result.stderr
    politics = {site.url(a.path) for a in site.articles if a.section == "politics"}
    world = {site.url(a.path) for a in site.articles if a.section == "world"}
    assert len(politics) == len(world) == 6
    assert crawler.archived_urls() == politics
    # Out of scope means never asked for, from any listing (sitemap, feed, section).
    fetched = {site.url(s.path) for s in site.log}
    assert not fetched & world
    assert not [p for p in CHROME if site.requests_for(p)]
    # Counted once per URL, though the sitemap, the feed and the section all list them.
    assert result.source["skipped"]["path_scope"] == len(world) + len(CHROME)
    assert "discovered URLs outside the source's include/exclude paths" in result.stdout


def _hint(record: dict) -> str | None:
    hints = [s for s in record["political_signals"] if s["signal"] == "hint"]
    assert len(hints) <= 1
    return hints[0]["evidence"] if hints else None


def test_politics_listings_reach_extraction_and_reextraction(make_crawler):
    # The feed lists articles 0 and 1; the politics section's first page 0, 2, 4, 6; the
    # sitemap all twelve. Only the feed and the section are politics listings.
    with NewsSite(n_articles=12, feed_size=2, section_paths=True) as site:
        feed, section = site.url("/feeds/rss.xml"), site.url("/politics/")
        crawler = make_crawler(
            site,
            feeds=["/feeds/rss.xml"],
            sitemaps=["/sitemap.xml"],
            sections=["/politics/"],
            politics_listings=[feed, section],
        )
        result = crawler.run()
    assert result.returncode == 0, result.stderr
    records = {r["url"]: r for r in crawler.records() if r["event"] == "new"}
    assert len(records) == 12
    hints = {i: _hint(records[site.article_url(i)]) for i in range(12)}
    assert hints[1] == f"politics feed {feed}"
    assert hints[0] in (f"politics feed {feed}", f"politics section {section}")
    for i in (2, 4, 6):
        assert hints[i] == f"politics section {section}"
    for i in (3, 5, 7, 8, 9, 10, 11):  # found in the general sitemap only
        assert hints[i] is None, i
    hinted = records[site.article_url(2)]["political_signals"]
    assert next(s for s in hinted if s["signal"] == "hint")["weight"] > 0

    # Re-extraction from the WARCs alone hands the same hint to the extractor.
    summary = reextract(crawler.home)
    assert summary["articles"] == 12
    lines = Path(summary["records"]).read_text().splitlines()
    rebuilt = {r["url"]: r for r in map(json.loads, lines) if r["event"] == "new"}
    assert {u: r["political_signals"] for u, r in rebuilt.items()} == {
        u: r["political_signals"] for u, r in records.items()
    }
