"""Finding article URLs: feed and sitemap parsing, and telling article pages from index pages.

Pure functions over bytes, no Scrapy: the spider calls them, tests call them directly.
"""

from crawler.discovery.classify import classify_page, link_kind
from crawler.discovery.entries import Entry
from crawler.discovery.feeds import FeedError, parse_feed
from crawler.discovery.sitemaps import Sitemap, SitemapError, parse_sitemap

__all__ = [
    "Entry",
    "FeedError",
    "Sitemap",
    "SitemapError",
    "classify_page",
    "link_kind",
    "parse_feed",
    "parse_sitemap",
]
