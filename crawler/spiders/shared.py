"""The news spider's side of a shared frontier (``crawler.frontier``): claim articles a
few at a time per source before fetching them, settle each claim once its page is
handled, and take over what a dead worker left. A mixin of the news spider; without
``REDIS_URL`` it is not in the way and the crawl is a lone one.

Claims are made ahead of the downloader, ``claim_ahead`` per source (twice the per-host
concurrency): a source's article requests wait here in order, and each response (or
failure) of one lets the next be claimed, all claims of one reactor turn in one Redis
round trip. So workers take turns on a source as they fetch, and an article another
worker holds or has done never becomes a request here.
"""

from __future__ import annotations

import logging
from collections import deque

from crawler.archive.extension import archive_home
from crawler.frontier import DEFAULT_LEASE, DEFAULT_PAGE_TTL, SharedFrontier, worker_id
from crawler.middlewares.claims import ClaimedElsewhere
from crawler.spiders.state import SourceState

log = logging.getLogger(__name__)

REDIS_FAILED = "redis_failed"  # the close reason when Redis stops answering


def settlement(outcome: str | None) -> str:
    """What a page's outcome (the pipeline's ``item.outcome``) makes of its claim."""
    if outcome == "not_article":
        return "page"
    if outcome == "error":
        return "failed"
    return "done"  # new, changed, unchanged, empty_extraction, removed (or already)


class SharedClaims:
    """Needs ``crawler``, ``states``, ``archive`` and ``stat`` of the spider."""

    frontier: SharedFrontier | None = None

    def open_frontier(self, settings) -> None:
        """Connect when ``REDIS_URL`` is set (a ConfigError stops the crawl at start)."""
        self.waiting: dict[str, tuple[SourceState, object]] = {}  # url -> its request
        self.pending: dict[str, deque] = {}  # source id -> article requests not claimed yet
        self.out: dict[str, int] = {}  # source id -> claimed requests not answered yet
        self.claim_ahead = max(2 * settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 2), 2)
        self._refill_due = False
        self._heartbeat = None
        url = (settings.get("REDIS_URL") or "").strip()
        if not url:
            return
        self.frontier = SharedFrontier(
            url,
            worker_id(settings.get("WORKER_ID"), archive_home(settings)),
            prefix=settings.get("REDIS_PREFIX") or "newsarchive",
            lease=settings.getfloat("REDIS_LEASE", DEFAULT_LEASE),
            page_ttl=settings.getint("REDIS_PAGE_TTL", DEFAULT_PAGE_TTL),
        )

    def start_heartbeat(self) -> None:
        """At the crawl's start: publish this archive's articles (once per Redis) and
        start saying this worker is alive."""
        if self.frontier is None:
            return
        sent = self.frontier.publish(self.archive.archived_urls())
        if sent:
            log.info("Redis: published %d archived article URLs of this worker", sent)
        from twisted.internet import task

        self._heartbeat = task.LoopingCall(self._beat)
        self._heartbeat.start(self.frontier.lease_ms / 3000, now=True)

    def _beat(self) -> None:
        try:
            self.frontier.heartbeat()
        except Exception as exc:  # noqa: BLE001 - a missed beat is retried; the lease is 3 beats
            log.warning("Redis heartbeat failed: %s", exc)

    def send_article(self, state: SourceState, request) -> None:
        """Hand an article request to the crawl: at once when alone, else in turn."""
        if self.frontier is None:
            self.crawler.engine.crawl(request)
            return
        self.pending.setdefault(state.source.id, deque()).append(request)
        self._refill_soon()

    def _refill_soon(self) -> None:
        if not self._refill_due:
            from twisted.internet import reactor

            self._refill_due = True
            reactor.callLater(0, self.refill)

    def refill(self) -> None:
        """Claim the next requests of every source with room, in one round trip per
        pass, until each source is full or has none left. Redis failing stops the crawl
        (its sources' listings are then read again next time)."""
        self._refill_due = False
        try:
            self._refill()
        except Exception as exc:  # noqa: BLE001 - redis errors, one line and a clean stop
            if not self.crawler.crawling:
                return
            log.error("Redis: cannot claim articles (%s): stopping the crawl", exc)
            from scrapy.utils.defer import deferred_from_coro

            deferred_from_coro(self.crawler.engine.close_spider_async(reason=REDIS_FAILED))

    def _refill(self) -> None:
        while True:
            batch = []
            for sid, queue in self.pending.items():
                room = self.claim_ahead - self.out.get(sid, 0)
                while queue and room > 0:
                    batch.append((self.states[sid], queue.popleft()))
                    room -= 1
            if not batch:
                return
            answers = self.frontier.claim(request.url for _, request in batch)
            for state, request in batch:
                self._answered(state, request, answers[request.url])

    def _answered(self, state: SourceState, request, answer: str) -> None:
        if answer == "mine":
            request.meta["claimed"] = request.url  # the claims middleware need not ask
            self.out[state.source.id] = self.out.get(state.source.id, 0) + 1
            self.crawler.engine.crawl(request)
            return
        if not request.meta.get("revisit"):
            state.scheduled -= 1  # not fetched here: it does not use up this worker's budget
        if answer == "busy":
            self.waiting[request.url] = (state, request)
        else:
            self.stat(state.source.id, "skipped/other_worker")

    def article_answered(self, request) -> None:
        """A claimed article request got its response or failed: the next may go."""
        if self.frontier is None or "claimed" not in request.meta:
            return
        sid = request.meta["source_id"]
        self.out[sid] = max(self.out.get(sid, 0) - 1, 0)
        if self.pending.get(sid):
            self._refill_soon()

    def claim_request(self, request) -> str:
        """Claim an article request the spider did not claim under this URL (a redirect's
        target) as it goes to the downloader (``middlewares.claims``)."""
        if self.frontier is None or request.meta.get("claimed") == request.url:
            return "mine"
        return self.frontier.claim([request.url])[request.url]

    def held_elsewhere(self, failure) -> bool:
        """Whether a failed article request was only claimed by another worker: one held
        by a live worker waits (``retry_waiting``), one done by another is skipped."""
        if not failure.check(ClaimedElsewhere):
            return False
        request = failure.request
        self.article_answered(request)
        request.meta.pop("claimed", None)
        self._answered(self.states[request.meta["source_id"]], request, failure.value.answer)
        return True

    def retry_waiting(self) -> bool:
        """At idle: claim what is still pending, claim again what other workers held,
        fetch what a dead one left. True while there is anything left to wait for."""
        if self.frontier is None:
            return False
        # Idle: nothing is in flight here, so a lease still held is one whose page ended
        # without a settlement (its callback raised). Released, or two workers waiting
        # on each other's such leases would wait for ever.
        self.out.clear()
        released = self.frontier.release_held()
        if released:
            self.crawler.stats.inc_value("redis/released_at_idle", released)
        if any(self.pending.values()):
            self.refill()
            return True
        if not self.waiting:
            return False
        for url, answer in self.frontier.claim(list(self.waiting)).items():
            if answer == "busy":
                continue
            state, request = self.waiting.pop(url)
            if answer == "mine":
                self.crawler.stats.inc_value("redis/taken_over")
                if not request.meta.get("revisit"):
                    state.scheduled += 1
                request = request.replace(dont_filter=True)  # it may have been seen once
                request.meta["claimed"] = request.url
                self.crawler.engine.crawl(request)
            else:
                self.stat(state.source.id, "skipped/other_worker")
        return bool(self.waiting)

    def settle(self, urls: list[str | None], outcome: str) -> None:
        """A claimed page is handled (``outcome``: done, page or failed)."""
        if self.frontier is None:
            return
        urls = [u for u in urls if u]
        held = [u for u in urls if self.frontier.key(u) in self.frontier.held]
        if not held:  # a discovery page or a page requisite: never claimed
            return
        self.frontier.settle(urls, outcome)

    def close_frontier(self) -> None:
        """Stop the heartbeat and release this worker's leases. A source left with
        articles not fetched (pending here, or held by a worker that may yet die) keeps
        its listings to be read again: its validators are not remembered."""
        if self._heartbeat is not None and self._heartbeat.running:
            self._heartbeat.stop()
        for sid, queue in self.pending.items():
            if queue:
                self.states[sid].left_over.add("stopped")
        for state, _ in self.waiting.values():
            state.left_over.add("stopped")
        if self.frontier is not None:
            self.crawler.stats.set_value("redis/held_at_close", len(self.frontier.held))
            try:
                self.frontier.close()
            except Exception as exc:  # noqa: BLE001 - the leases then expire on their own
                log.warning("Redis: could not release this worker's claims: %s", exc)

    def shared_report(self) -> dict | None:
        """The report's ``shared`` block: this worker and what the frontier cost."""
        if self.frontier is None:
            return None
        stats = self.crawler.stats
        return {
            "worker": self.frontier.worker,
            "redis_round_trips": self.frontier.round_trips,
            "taken_over": stats.get_value("redis/taken_over", 0),
            "waiting_at_close": len(self.waiting),
        }
