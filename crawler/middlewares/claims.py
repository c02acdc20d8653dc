"""Claim in the shared frontier every article request the spider did not claim.

Only with ``REDIS_URL`` (``crawler.frontier``). The spider claims its article requests
itself, a few per source ahead of the downloader (``spiders.shared``), and marks each
with the URL it claimed; a request under another URL (a redirect's target, which may be
an article another worker has) is claimed here, after the scope and robots.txt
middlewares let it through. One another worker holds or has done is dropped with
``ClaimedElsewhere``; the spider keeps the held ones to claim again (``retry_waiting``).
Discovery pages and page requisites are never claimed: every worker reads the listings.
"""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest


class ClaimedElsewhere(IgnoreRequest):
    """Another worker holds this article ("busy") or has archived it ("taken")."""

    def __init__(self, answer: str, url: str) -> None:
        super().__init__(f"{url}: {answer} by another worker")
        self.answer = answer


class ClaimsMiddleware:
    def __init__(self, crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request, spider=None):
        spider = spider or self.crawler.spider
        if getattr(spider, "frontier", None) is None or request.meta.get("kind") != "article":
            return None
        answer = spider.claim_request(request)
        if answer != "mine":
            raise ClaimedElsewhere(answer, request.url)
        return None
