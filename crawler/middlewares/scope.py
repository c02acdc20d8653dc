"""Keep every request of the crawl inside the scope of one of its sources.

Every request passes here, including the ones the spider did not make: Scrapy's own
robots.txt fetches carry no source, so they are given the source whose scope holds
their URL (or refused when none does), and their redirects and retries inherit it
like any other request's. A request leaving scope (typically a redirect to another
site) is dropped with ``OutOfScope`` and counted per source, so it shows in the crawl
report. Addresses are checked separately, at connect time (``crawler.resolver``).
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
        allows = getattr(spider, "in_scope", None)
        if allows is None:  # not our spider: Scrapy's own offsite rules apply
            return None
        source_id = request.meta.get("source_id")
        if source_id is None:
            source_id = spider.owner_of(request.url)
            if source_id is None:
                self.crawler.stats.inc_value("dropped/unowned")
                raise OutOfScope(f"offsite: {request.url} is outside every source of the crawl")
            request.meta["source_id"] = source_id
        if allows(source_id, request.url, request.meta.get("kind")):
            return None
        kind = "offsite_redirect" if request.meta.get("redirect_urls") else "offsite"
        self.crawler.stats.inc_value(f"src/{source_id}/dropped/{kind}")
        raise OutOfScope(f"{kind}: {request.url} is outside source {source_id!r}")
