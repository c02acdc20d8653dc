"""The news spider's side of a shared frontier (``crawler.frontier``): claim new articles
before fetching them, settle each claim once its page is handled, and take over what a
dead worker left. A mixin of the news spider; without ``REDIS_URL`` every method is a
no-op and the crawl is a lone one.
"""

from __future__ import annotations

import logging

from crawler.frontier import DEFAULT_LEASE, DEFAULT_PAGE_TTL, SharedFrontier, worker_id
from crawler.middlewares.claims import ClaimedElsewhere
from crawler.spiders.state import SourceState

log = logging.getLogger(__name__)


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
        self._heartbeat = None
        url = (settings.get("REDIS_URL") or "").strip()
        if not url:
            return
        self.frontier = SharedFrontier(
            url,
            worker_id(settings.get("WORKER_ID")),
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

    def claim_request(self, request) -> str:
        """Claim an article request as it goes to the downloader (``middlewares.claims``):
        "mine", "busy" (held by a live worker) or "taken" (done by another)."""
        if self.frontier is None:
            return "mine"
        return self.frontier.claim([request.url])[request.url]

    def held_elsewhere(self, failure) -> bool:
        """Whether a failed article request was only claimed by another worker: one held
        by a live worker waits (``retry_waiting``), one done by another is skipped."""
        if not failure.check(ClaimedElsewhere):
            return False
        request = failure.request
        state = self.states[request.meta["source_id"]]
        state.scheduled -= 1  # not fetched here: it does not use up this worker's budget
        if failure.value.answer == "busy":
            self.waiting[request.url] = (state, request)
        else:
            self.stat(state.source.id, "skipped/other_worker")
        return True

    def retry_waiting(self) -> bool:
        """Claim again what other workers held; fetch what a dead one left. True while
        something is still held by a live worker (the crawl then waits for it)."""
        if self.frontier is None:
            return False
        # Idle: nothing is in flight here, so a lease still held is one whose page ended
        # without a settlement (its callback raised). Released, or two workers waiting
        # on each other's such leases would wait for ever.
        released = self.frontier.release_held()
        if released:
            self.crawler.stats.inc_value("redis/released_at_idle", released)
        if not self.waiting:
            return False
        for url, answer in self.frontier.claim(list(self.waiting)).items():
            if answer == "busy":
                continue
            state, request = self.waiting.pop(url)
            if answer == "mine":
                self.crawler.stats.inc_value("redis/taken_over")
                state.scheduled += 1
                self.crawler.engine.crawl(request.replace(dont_filter=True))
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
        if self._heartbeat is not None and self._heartbeat.running:
            self._heartbeat.stop()
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
