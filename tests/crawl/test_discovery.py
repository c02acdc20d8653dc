"""Feed and sitemap parsing, article classification and Retry-After parsing."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta

import pytest

from crawler.discovery import (
    FeedError,
    SitemapError,
    classify_page,
    link_kind,
    parse_feed,
    parse_sitemap,
)
from crawler.middlewares.retry_after import parse_retry_after
from tests.site import NewsSite


@pytest.fixture(scope="module")
def site():
    s = NewsSite(n_articles=12, specials=True)
    s.port = 8000  # rendering only; nothing is served
    return s


def test_rss_and_atom_give_absolute_urls_newest_first_with_aware_dates(site):
    for text in (site.render_rss(), site.render_atom()):
        entries = parse_feed(text.encode(), site.url("/feeds/"))
        dates = [e.published for e in entries]
        assert all(d is not None and d.tzinfo is not None for d in dates)
        assert dates == sorted(dates, reverse=True)
        assert entries[0].url.startswith("http://127.0.0.1:8000/")
        assert entries[-1].authors
    rss = parse_feed(site.render_rss().encode(), site.url())
    assert rss[0].feed_entry()["title"]
    first = next(e for e in rss if e.url == site.article_url(0))
    assert first.published == site.articles[0].published


def test_a_feed_that_is_not_a_feed_is_an_error():
    with pytest.raises(FeedError):
        parse_feed(b"<html><body>Oops</body></html>", "http://x/")
    with pytest.raises(FeedError):
        parse_feed(b"", "http://x/")
    assert parse_feed(b"<rss><channel></channel></rss>", "http://x/") == []


def test_news_sitemap_index_and_gzipped_sitemap(site):
    index = parse_sitemap(site.render_sitemap_index().encode(), site.url())
    assert index.is_index and len(index.children) == 2
    assert index.children[0].published > index.children[1].published
    news = parse_sitemap(site.render_urlset(site.news_articles(), True).encode(), site.url())
    assert [e.url for e in news.entries] == [site.url(a.path) for a in site.news_articles()]
    assert news.entries[0].published == site.articles[0].published
    assert news.entries[0].title == site.articles[0].title and news.entries[0].tags
    packed = gzip.compress(site.render_urlset(site.archive_articles(), False).encode())
    archive = parse_sitemap(packed, site.url())
    assert len(archive.entries) == len(site.archive_articles())
    with pytest.raises(SitemapError):
        parse_sitemap(b"<html></html>", "http://x/")


@pytest.mark.parametrize("index", [0, 1, 2])
def test_articles_of_every_template_style_are_articles(site, index):
    article = site.articles[index]
    is_article, reason = classify_page(site.render_article(article), site.url(article.path))
    assert is_article, reason
    expected = {"jsonld": "jsonld:", "og": "og:", "byline": "density"}[article.style]
    assert reason.startswith(expected)


def test_listing_pages_are_not_articles(site):
    pages = {
        "/section/politics/": site.render_section("politics", 1),
        "/tag/elections/": site.render_listing("Tagged: elections", site.articles),
        "/about": site._page("About", "<h1>About</h1><p>A test site.</p>"),
        # a listing at an article-like URL is still caught by its text density
        "/2024/05/01/a-listing-at-an-article-url/": site.render_listing("World", site.articles),
    }
    for path, html in pages.items():
        is_article, reason = classify_page(html, site.url(path))
        assert not is_article, (path, reason)
    assert classify_page(pages["/section/politics/"], site.url("/x"))[1] == "jsonld:collectionpage"


def test_link_kind_from_url_shape():
    assert link_kind("https://n.example/2024/05/12/senate-passes-bill/") == "article"
    assert link_kind("https://n.example/politics/senate-passes-the-big-bill") == "article"
    assert link_kind("https://n.example/story/123456") == "article"
    assert link_kind("https://n.example/tag/elections/") == "index"
    assert link_kind("https://n.example/author/jane-doe/") == "index"
    assert link_kind("https://n.example/politics/?page=2") == "index"
    assert link_kind("https://n.example/") == "index"
    assert link_kind("https://n.example/subscribe") == "unknown"


def test_retry_after_values():
    assert parse_retry_after(b"7") == 7.0
    now = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    later = (now + timedelta(seconds=30)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert parse_retry_after(later, now=now) == pytest.approx(30)
    assert parse_retry_after("Wed, 01 May 2024 11:00:00 GMT", now=now) == 0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None
