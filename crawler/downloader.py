"""Scrapy's downloader, holding every host to ``CONCURRENT_REQUESTS_PER_DOMAIN``.

On the asyncio reactor, Scrapy 2.19 starts each download as a task that counts itself
as transferring only once the event loop runs it. With no download delay, the slot's
queue is then handed out in one go: every queued request of a host at once, whatever
the per-host limit (seen in the loopback servers' own logs: 3 at a time with a limit
of 2, more with deeper queues). Here a request counts as transferring from the moment
it is handed out, as the limit means. With a delay (the default 0.5 s) Scrapy hands out
one request per delay anyway; this matters for ``DOWNLOAD_DELAY = 0`` crawls of many
hosts, and costs nothing otherwise.

    DOWNLOADER = "crawler.downloader.Downloader"
"""

from __future__ import annotations

from scrapy.core.downloader import Downloader as ScrapyDownloader


class Downloader(ScrapyDownloader):
    def _wait_for_download(self, slot, request, queue_dfd):
        slot.transferring.add(request)  # the task's own add (and its removal) follow
        return super()._wait_for_download(slot, request, queue_dfd)
