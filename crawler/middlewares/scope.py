"""Keep every request of a source inside the source's allowed domains.

A request leaving scope (typically a redirect to another site) is dropped with
``OutOfScope`` and counted per source, so it shows in the crawl report.
"""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest


class OutOfScope(IgnoreRequest):
    """The request's host is not one of its source's allowed domains."""


class ScopeMiddleware:
    def __init__(self, crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request, spider=None):
        spider = spider or self.crawler.spider
        source_id = request.meta.get("source_id")
        allows = getattr(spider, "in_scope", None)
        if source_id is None or allows is None or allows(source_id, request.url):
            return None
        kind = "offsite_redirect" if request.meta.get("redirect_urls") else "offsite"
        self.crawler.stats.inc_value(f"src/{source_id}/dropped/{kind}")
        raise OutOfScope(f"{kind}: {request.url} is outside source {source_id!r}")
