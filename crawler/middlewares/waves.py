"""Start a source's articles as soon as its listings have answered.

The spider gathers a source's candidates from all its listings (feeds, sitemaps,
sections), then schedules them newest first within its budget. Waiting for the whole
crawl to run idle before that would make every source of a round wait for the slowest
listing of any other (a feed timing out after its retries holds a thousand outlets
back). This spider middleware tells the spider when a listing's callback has finished,
output included (child sitemaps and further section pages are registered by then), and
the spider schedules that source's candidates once none of its listings is pending.
Failed listings reach the spider through its errback, which does the same.
"""

from __future__ import annotations

LISTING_KINDS = ("feed", "sitemap", "section")


class ListingWavesMiddleware:
    """A universal spider middleware (sync and async output alike)."""

    def __init__(self, crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_spider_output(self, response, result, spider=None):
        yield from result
        self._answered(response)

    async def process_spider_output_async(self, response, result, spider=None):
        async for item in result:
            yield item
        self._answered(response)

    def _answered(self, response) -> None:
        meta = response.meta
        answered = getattr(self.crawler.spider, "listing_answered", None)
        if answered is not None and meta.get("kind") in LISTING_KINDS:
            answered(meta.get("source_id"))
