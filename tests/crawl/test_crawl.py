"""End-to-end crawls of the loopback news site, run as `newsarchive crawl` subprocesses."""

from __future__ import annotations

import json
import subprocess
from datetime import timedelta
from pathlib import Path

from tests.crawl.conftest import REPO


def _article_requests(site) -> list[str]:
    paths = {a.path for a in site.articles}
    return [s.path for s in site.log if s.path in paths]


def test_full_crawl_archives_articles_and_reports_each_failure(special_site, make_crawler):
    site = special_site
    crawler = make_crawler(
        site, feeds=["/feeds/rss.xml", "/feeds/atom.xml", "/feeds/gone.xml"], sections=[]
    )
    result = crawler.run()
    assert result.returncode == 0, result.stderr
    expected = {site.article_url(i) for i in range(12)}
    expected |= {site.special_url("busy"), site.special_url("latin1")}
    assert crawler.archived_urls() == expected

    src = result.source
    assert src["articles"]["new"] == 14
    errors = src["errors"]
    assert errors["http_500"] == 1  # the broken page, after Scrapy's retries
    assert errors["robots_disallowed"] == 1
    assert errors["offsite_redirect"] == 1
    assert errors["too_large"] == 1
    assert errors["http_404"] == 2  # the missing article and the dead feed
    dead = [d["url"] for d in src["dead_feeds"]]
    assert dead == [site.url("/feeds/gone.xml")]
    assert "dead feed" in result.stdout and "gone.xml" in result.stdout

    # robots.txt: the disallowed page was never asked for.
    assert not site.requests_for("/private/")
    # Scope: the redirect to http://localhost was dropped, not followed.
    assert not [s for s in site.log if s.headers.get("host", "").startswith("localhost")]
    # A descriptive User-Agent on every request.
    assert all("newsarchive/" in s.headers.get("user-agent", "") for s in site.log)

    # Retry-After: the 429 page was asked again only after the server's delay.
    busy = site.requests_for("busy-server-story")
    assert [s.status for s in busy] == [429, 200]
    assert busy[1].at - busy[0].at >= site.retry_after * 0.95

    records = {r["url"]: r for r in crawler.records()}
    latin1 = records[site.special_url("latin1")]
    assert latin1["title"].startswith("Café owners protest the new señor mayor")
    first = records[site.article_url(0)]
    assert first["source_id"] == "ledger" and first["outlet"] == "The Loopback Ledger"
    assert first["source_tags"] == {"lean": "center", "collection": ["test", "loopback"]}
    assert first["capture"]["warc_file"]
    # The redirect from /go/moved landed on article 0 and did not make a second article.
    assert len([r for r in crawler.records() if r["id"] == first["id"]]) == 1


def test_second_crawl_uses_conditional_get_and_fetches_no_article_again(site, make_crawler):
    crawler = make_crawler(site)
    first = crawler.run()
    assert first.returncode == 0, first.stderr
    assert first.source["articles"]["new"] == 12
    fetched = len(_article_requests(site))
    assert fetched == 12  # each article once, though feeds and sitemaps overlap

    second = crawler.run()
    assert second.returncode == 0, second.stderr
    assert len(_article_requests(site)) == fetched
    assert not any(second.source["articles"].values())
    feed_hits = site.requests_for("/feeds/rss.xml")
    assert [s.status for s in feed_hits] == [200, 304]
    assert feed_hits[1].headers.get("if-none-match")
    statuses = {d["url"]: d["status"] for d in second.source["discovery"]}
    assert statuses[site.url("/feeds/rss.xml")] == "not_modified"


def test_recheck_finds_an_edited_article_and_a_removed_one(site, make_crawler):
    crawler = make_crawler(site)
    assert crawler.run().returncode == 0
    site.edition = 2  # article 0 gets a new paragraph
    site.gone.add(site.articles[3].slug)  # article 3 now answers 404
    result = crawler.run("--recheck-days", "7")
    assert result.returncode == 0, result.stderr
    articles = result.source["articles"]
    assert articles["changed"] == 1 and articles["removed"] == 1
    assert articles["unchanged"] == 10
    events = [(r["url"], r["event"], r["version"]) for r in crawler.records()]
    assert (site.article_url(0), "changed", 2) in events
    assert (site.article_url(3), "removed", 1) in events
    assert not [e for e in events if e[1] == "changed" and e[0] != site.article_url(0)]


def test_a_known_article_extracted_without_a_body_is_not_a_new_version(site, make_crawler):
    crawler = make_crawler(site)
    assert crawler.run().returncode == 0
    url = site.article_url(1)
    site.emptied.add(site.articles[1].slug)  # a paywall stub, a broken page
    result = crawler.run("--recheck-days", "7")
    assert result.returncode == 0, result.stderr
    articles = result.source["articles"]
    assert (articles["empty_extraction"], articles["changed"], articles["unchanged"]) == (1, 0, 11)
    assert "empty extraction: 1 known articles" in result.stdout
    mine = [r for r in crawler.records() if r["url"] == url]
    assert [(r["event"], r["version"]) for r in mine] == [("new", 1), ("seen", 1)]
    assert mine[1]["capture"]["record_id"] != mine[0]["capture"]["record_id"]  # archived

    site.emptied.clear()  # the page is whole again: the same version as before
    again = crawler.run("--recheck-days", "7")
    assert again.returncode == 0, again.stderr
    assert again.source["articles"]["unchanged"] == 12
    assert {r["version"] for r in crawler.records()} == {1}


def test_since_window_skips_old_entries_and_old_sitemaps(site, make_crawler):
    crawler = make_crawler(site, feeds=[])
    since = (site.now - timedelta(hours=30)).isoformat()
    result = crawler.run("--since", since)
    assert result.returncode == 0, result.stderr
    recent = {
        site.url(a.path) for a in site.articles if a.published >= site.now - timedelta(hours=30)
    }
    assert crawler.archived_urls() == recent
    assert 0 < len(recent) < 12
    # The archive sitemap's lastmod is older than the window: not even fetched.
    assert not site.requests_for("/sitemaps/archive.xml.gz")


def test_max_articles_takes_the_newest_and_leaves_the_rest_for_later(site, make_crawler):
    crawler = make_crawler(site)
    result = crawler.run("--max-articles", "3")
    assert result.returncode == 0, result.stderr
    assert crawler.archived_urls() == {site.article_url(i) for i in range(3)}
    assert result.source["truncated_by_max_articles"] is True
    assert result.source["left_over"] == ["max_articles"]
    assert "--max-articles" in result.stdout
    # The feeds' validators were not saved, so the next crawl sees the remaining entries.
    again = crawler.run("--max-articles", "3")
    assert crawler.archived_urls() == {site.article_url(i) for i in range(6)}
    assert again.source["articles"]["new"] == 3


def test_section_pages_are_followed_and_index_pages_not_archived(site, make_crawler):
    crawler = make_crawler(site, feeds=[], sitemaps=[], sections=["/section/politics/"])
    result = crawler.run()
    assert result.returncode == 0, result.stderr
    politics = {site.url(a.path) for a in site.articles if a.section == "politics"}
    assert crawler.archived_urls() == politics
    # Pagination followed forward only, each page once.
    assert len(site.requests_for("/section/politics/?page=2")) == 1
    assert not site.requests_for("/section/politics/?page=1")
    # Service pages linked from the section were fetched, judged not articles, not archived.
    assert site.requests_for("/about")
    assert sum(result.source["not_article"].values()) >= 4
    assert not [u for u in crawler.archived_urls() if "/about" in u or "/tag/" in u]


def test_a_429_storm_is_waited_out_politely_and_reported(make_crawler):
    from tests.site import NewsSite

    with NewsSite(n_articles=2, feed_size=2) as site:
        site.storm_429 = True
        crawler = make_crawler(site, sitemaps=[], feeds=["/feeds/rss.xml"])
        result = crawler.run()
    assert result.returncode == 0, result.stderr
    assert result.source["errors"]["http_429"] == 2
    assert result.source["retry_after_waits"] >= 4
    hits = sorted(s.at for s in site.log if s.status == 429)
    assert len(hits) == 6  # 2 articles x (1 try + 2 retries)
    gaps = [b - a for a, b in zip(hits, hits[1:], strict=False)]
    # The first two went out together (2 per host); after the first 429 the host was
    # paused for Retry-After seconds before each further request.
    assert min(gaps[1:]) >= site.retry_after * 0.95
    assert crawler.archived_urls() == set()


def test_bad_input_fails_with_one_line(site, make_crawler, tmp_path):
    crawler = make_crawler(site)
    result = crawler.run("--source", "nope")
    assert result.returncode == 1
    assert "unknown source id 'nope'" in result.stderr
    assert "Traceback" not in result.stderr
    result = crawler.run("--since", "someday")
    assert result.returncode == 2 and "as a date" in result.stderr


def test_scrapy_crawl_command_works_too(site, make_crawler):
    crawler = make_crawler(site)
    cmd = [
        str(Path(crawler.command()[0]).with_name("scrapy")),  # beside newsarchive in the venv
        "crawl",
        "news",
        "-a",
        "source=ledger",
        "-a",
        f"sources_file={crawler.registry}",
        "-s",
        f"NEWSARCHIVE_HOME={crawler.home}",
        "-s",
        "AUTOTHROTTLE_ENABLED=0",
        "-s",
        "DOWNLOAD_DELAY=0",
        "-s",
        "EXTRACT_WORKERS=1",
    ]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert len(crawler.archived_urls()) == 12
    report = json.loads((crawler.home / "reports" / "last-crawl.json").read_text())
    assert report["sources"][0]["articles"]["new"] == 12


def test_a_second_crawl_on_a_locked_archive_fails_cleanly(site, make_crawler):
    from crawler.archive import Archive

    crawler = make_crawler(site)
    with Archive(crawler.home):
        result = crawler.run()
    assert result.returncode == 1
    assert "another crawl is writing to the archive" in result.stderr
    assert "Traceback" not in result.stderr
