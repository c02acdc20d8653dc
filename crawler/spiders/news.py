"""The one news spider: feeds, sitemaps and section pages of the registry's sources.

Crawl in two phases per wave. Discovery documents (feeds, sitemaps, section pages) are
fetched first (highest priority); their article URLs become *candidates*, and so do the
archived articles the revisit policy finds due (``spiders.revisits``). When the spider
runs idle, candidates are scheduled per source: new articles newest first, at most
``max_articles``; archived ones only when they are due (a listing's date moved past
their last capture, or their revisit schedule says so), oldest due first within the
source's revisit budget, each re-fetch conditional on the validators of its last
capture. Index pages met while following sections add more candidates for the next
wave. "Now" is the crawl's one clock (``Archive.clock``; ``-s CRAWL_CLOCK=...``).

Restart safety: nothing here is persistent except the archive itself. A crawl killed
at any point re-discovers from the listings and skips what the archive already holds,
so it loses nothing and writes no duplicate versions. Conditional-GET validators of a
source's feeds/sitemaps are only saved when the crawl finished and every candidate of
that source was handled, so a cut-short crawl never hides entries behind a 304.

Many sources crawl at once in one spider (the scheduler hands it every due source):
Scrapy's downloader keeps per-host politeness (one slot per host), and every count,
error and listing row is kept per source, so one source's failure stays in its own row
of the report. A plan (``crawler.plan``) can restrict a crawl to some listings of a
source; each listing's row then says how many of its entries were new since its
previous poll, which is what the scheduler adapts its interval to.

What becomes of article responses is ``spiders.articles``; the per-source candidates
and budget are ``spiders.state``.

    scrapy crawl news -a source=ap,reuters [-a since=2024-05-01] [-a max_articles=50]
                      [-a revisit=0]
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Request, Response

from crawler.archive.extension import archive_of
from crawler.discovery import FeedError, SitemapError, link_kind, parse_feed, parse_sitemap
from crawler.discovery.entries import Entry
from crawler.plan import read_plan
from crawler.report import error_kind
from crawler.resolver import trust_homepages
from crawler.settings import REVISIT_BUDGET, REVISIT_SCHEDULE
from crawler.sources import Source, load_sources, select_sources, under_section
from crawler.spiders.articles import ArticlePages
from crawler.spiders.revisits import (
    RevisitPolicy,
    dated_per_article,
    headline_changed,
    parse_schedule,
    policy_for,
)
from crawler.spiders.shared import SharedClaims
from crawler.spiders.state import Candidate, SourceState
from newsarchive.dates import DateError, parse_since
from newsarchive.errors import ArchiveWriteError, ConfigError

DISCOVERY_PRIORITY = 1_000_000


class NewsSpider(ArticlePages, SharedClaims, scrapy.Spider):
    name = "news"
    custom_settings: dict[str, Any] = {}

    def __init__(
        self,
        source: str | None = None,
        all: str | bool = False,  # noqa: A002  (scrapy -a all=1)
        since: str | None = None,
        max_articles: str | int | None = None,
        recheck_days: str | int | None = None,
        sources_file: str | None = None,
        plan: str | dict | None = None,
        revisit: str | bool | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        registry = load_sources(sources_file)
        ids = [s.strip() for s in (source or "").split(",") if s.strip()]
        if not ids and not all:
            raise ConfigError("name a source (-a source=ID[,ID...]) or use -a all=1")
        self.selected = select_sources(registry, ids, all_=bool(all) and not ids)
        self._since_arg = since
        self.since = parse_since(since)  # read again at start, by the crawl's clock
        self.max_articles = int(max_articles) if max_articles not in (None, "") else None
        self._recheck_arg = recheck_days
        self.plan = read_plan(plan) or {}
        self._revisit_arg = revisit
        self.revisits: dict[str, RevisitPolicy] = {}  # source id -> its policy (none: off)
        self.states: dict[str, SourceState] = {}
        self._owners: dict[str, str] = {}  # host:port of a homepage or listing -> source
        for src in self.selected:
            state = SourceState(source=src)
            hosts = {urlsplit(u).hostname or "" for u in src.feeds + src.sitemaps + src.sections}
            state.scope_hosts = {h.lower() for h in hosts if h}
            self.states[src.id] = state
            for url in (src.homepage, *src.discovery_urls):
                self._owners.setdefault(urlsplit(url).netloc.lower(), src.id)
        self.report: dict[str, Any] | None = None
        self.started_at = datetime.now(UTC)

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        # The report is saved (and validators remembered) on spider_closed; the archive
        # extension closes the archive later, when the engine stops.
        crawler.signals.connect(spider._on_closed, signal=signals.spider_closed)
        recheck = spider._recheck_arg
        spider.recheck_days = int(
            recheck if recheck not in (None, "") else crawler.settings.getint("RECHECK_DAYS", 0)
        )
        settings = crawler.settings
        spider.conditional_refetch = settings.getbool("CONDITIONAL_REFETCH", True)
        enabled = spider._revisit_arg
        if enabled in (None, ""):
            enabled = settings.getbool("REVISIT_ENABLED", True)
        elif isinstance(enabled, str):
            enabled = enabled.strip().lower() not in ("0", "false", "no", "off")
        if enabled:
            default = parse_schedule(
                settings.get("REVISIT_SCHEDULE", REVISIT_SCHEDULE), "REVISIT_SCHEDULE"
            )
            budget = settings.getint("REVISIT_BUDGET", REVISIT_BUDGET)
            for sid, state in spider.states.items():
                policy = policy_for(state.source.revisit, default, budget)
                if policy is not None:
                    spider.revisits[sid] = policy
        spider.open_frontier(settings)  # a shared frontier of several workers, if any
        spider.section_max_pages = crawler.settings.getint("SECTION_MAX_PAGES", 5)
        spider.sitemap_max_depth = crawler.settings.getint("SITEMAP_MAX_DEPTH", 3)
        spider.sitemap_max_documents = crawler.settings.getint("SITEMAP_MAX_DOCUMENTS", 100)
        spider.requisites_all = crawler.settings.getbool("PAGE_REQUISITES", False)
        spider.requisite_max_size = crawler.settings.getint("REQUISITE_MAXSIZE", 5_000_000)
        spider.requisites_per_source = crawler.settings.getint("REQUISITES_PER_SOURCE", 2000)
        crawler.signals.connect(spider._on_idle, signal=signals.spider_idle)
        crawler.signals.connect(spider._on_response, signal=signals.response_received)
        crawler.signals.connect(spider._on_item, signal=signals.item_scraped)
        crawler.signals.connect(spider._on_error, signal=signals.spider_error)
        return spider

    @property
    def archive(self):
        """The crawl's archive (``crawler.archive.extension``)."""
        return archive_of(self.crawler).archive

    def now(self) -> datetime:
        """The crawl's time (its one clock, which the archive holds)."""
        return self.archive.clock.now()

    # ---- scope ------------------------------------------------------------------------
    def in_scope(self, source_id: str, url: str, kind: str | None = None) -> bool:
        """Whether a request of ``source_id`` may fetch ``url``; a page requisite
        (``kind`` "requisite") may also come from the source's ``requisite_hosts``."""
        # Only http(s): an ftp:// or file:// link on an allowed host must not be fetched
        # (Scrapy's FTP handler ignores DOWNLOAD_TIMEOUT and can hang the crawl).
        if urlsplit(url).scheme not in ("http", "https"):
            return False
        state = self.states.get(source_id)
        if state is None:
            return False
        host = (urlsplit(url).hostname or "").lower()
        if kind == "requisite" and self.wants_requisites(state):
            return state.source.requisite_in_scope(url)
        return state.source.in_scope(url) or host in state.scope_hosts

    def owner_of(self, url: str) -> str | None:
        """The source a request without one belongs to (Scrapy's robots.txt fetches):
        the one whose homepage or listings are on the same host and port, else the
        first whose scope holds ``url``."""
        sid = self._owners.get(urlsplit(url).netloc.lower())
        if sid is not None:
            return sid if self.in_scope(sid, url) else None
        owner = next((sid for sid in self.states if self.in_scope(sid, url)), None)
        if owner is None and urlsplit(url).path == "/robots.txt":  # a requisite host's
            owner = next((s for s in self.states if self.in_scope(s, url, "requisite")), None)
        return owner

    def stat(self, source_id: str, name: str, count: int = 1) -> None:
        self.crawler.stats.inc_value(f"src/{source_id}/{name}", count)

    # ---- discovery --------------------------------------------------------------------
    async def start(self):
        # Here, not in __init__: the reactor (and its resolver) exist once the crawl runs.
        trust_homepages(state.source.homepage for state in self.states.values())
        self.start_heartbeat()
        self.started_at = self.now()
        self.since = parse_since(self._since_arg, now=self.started_at)
        for state in self.states.values():
            src = state.source
            requests = [self._discovery_request(src, url, "feed") for url in src.feeds]
            requests += [self._discovery_request(src, url, "sitemap") for url in src.sitemaps]
            requests += [
                self._discovery_request(src, url, "section", depth=0, page=1)
                for url in src.sections
            ]
            for request in requests:
                if request is not None:
                    yield request
            if self.recheck_days:
                self._add_known_for_recheck(state)
            if state.source.id in self.revisits:
                self._add_due_revisits(state, self.revisits[state.source.id])

    def _discovery_request(self, src: Source, url: str, kind: str, **meta: Any) -> Request | None:
        """A request for a feed, sitemap or section page; None when this crawl already
        has one for that URL (or the source's sitemap budget is spent, or the plan leaves
        this registry listing out)."""
        state = self.states[src.id]
        planned = self.plan.get(src.id)
        if planned is not None and "listing" not in meta and url not in planned:
            return None
        headers = {}
        if kind in ("feed", "sitemap"):
            etag, last_modified = self.archive.validators(url)
            if etag:
                headers["If-None-Match"] = etag
            if last_modified:
                headers["If-Modified-Since"] = last_modified
        callback = {"feed": self.parse_feed, "sitemap": self.parse_sitemap}.get(
            kind, self.parse_section
        )
        # A politics listing's hint, inherited by its child sitemaps and pagination pages,
        # like the registry listing they come from (whose report row counts their news).
        meta["politics_hint"] = meta.get("politics_hint") or src.politics_hint(url, kind)
        meta["listing"] = meta.get("listing") or url
        request = Request(
            url,
            callback=callback,
            errback=self._discovery_failed,
            headers=headers,
            priority=DISCOVERY_PRIORITY,
            dont_filter=True,
            meta={"source_id": src.id, "kind": kind, "handle_httpstatus_list": [304], **meta},
        )
        # Keyed by the URL as Scrapy sends it (escaped), and carried through redirects,
        # so every report row is answered by its own response.
        if request.url in state.docs:
            return None
        if kind == "sitemap":
            if state.sitemaps >= self.sitemap_max_documents:
                self.stat(src.id, "skipped/sitemap_limit")
                return None
            state.sitemaps += 1
        request.meta["doc_url"] = request.url
        state.docs[request.url] = {
            "url": request.url,
            "kind": kind,
            "status": "pending",
            "listing": meta["listing"],
        }
        return request

    def _doc(self, response_or_request, **update: Any) -> None:
        meta = response_or_request.meta
        state = self.states[meta["source_id"]]
        url = meta.get("doc_url") or response_or_request.url
        state.docs.setdefault(url, {"url": url, "kind": meta.get("kind")}).update(update)

    def _keep_validators(self, response: Response) -> None:
        etag = response.headers.get(b"ETag")
        last_modified = response.headers.get(b"Last-Modified")
        if etag or last_modified:
            state = self.states[response.meta["source_id"]]
            state.validators[response.request.url] = (
                etag.decode("latin-1") if etag else None,
                last_modified.decode("latin-1") if last_modified else None,
            )

    def parse_feed(self, response: Response):
        if response.status == 304:
            self._doc(response, status="not_modified")
            return
        try:
            entries = parse_feed(response.body, response.url)
        except FeedError as exc:
            self._doc(response, status="dead", reason=str(exc), http_status=response.status)
            return
        self._keep_validators(response)
        self._doc(
            response,
            status="ok" if entries else "empty",
            entries=len(entries),
            new=self._new_entries(response, entries),
            http_status=200,
        )
        self._add_entries(
            response.meta["source_id"], entries, depth=0, hint=response.meta.get("politics_hint")
        )

    def parse_sitemap(self, response: Response):
        if response.status == 304:
            self._doc(response, status="not_modified")
            return
        try:
            sitemap = parse_sitemap(response.body, response.url)
        except SitemapError as exc:
            self._doc(response, status="dead", reason=str(exc), http_status=response.status)
            return
        self._keep_validators(response)
        source_id = response.meta["source_id"]
        state = self.states[source_id]
        if sitemap.is_index:
            children = [c for c in sitemap.children if self._in_window(c.published)]
            skipped = len(sitemap.children) - len(children)
            self._doc(response, status="ok", sitemaps=len(sitemap.children), skipped_old=skipped)
            depth = response.meta.get("sitemap_depth", 0) + 1
            if depth > self.sitemap_max_depth:  # an index of indexes of indexes...
                self.stat(source_id, "skipped/sitemap_depth", len(children))
                return
            for child in children:
                request = self._discovery_request(
                    state.source,
                    child.url,
                    "sitemap",
                    sitemap_depth=depth,
                    politics_hint=response.meta.get("politics_hint"),
                    listing=response.meta.get("listing"),
                )
                if request is not None:
                    yield request
            return
        self._doc(
            response,
            status="ok" if sitemap.entries else "empty",
            entries=len(sitemap.entries),
            new=self._new_entries(response, sitemap.entries),
            http_status=200,
        )
        self._add_entries(
            source_id, sitemap.entries, depth=0, hint=response.meta.get("politics_hint")
        )

    def parse_section(self, response: Response):
        source_id = response.meta["source_id"]
        state = self.states[source_id]
        if response.status == 304 or not hasattr(response, "xpath"):
            self._doc(response, status="dead", reason="not an HTML page")
            return
        self._doc(response, status="ok", http_status=response.status)
        page = response.meta.get("page", 1)
        hint = response.meta.get("politics_hint")
        base = urlsplit(response.url)
        found = 0
        for href in response.xpath("//a/@href").getall():
            url = response.urljoin(href.strip()).split("#")[0]
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not self.in_scope(source_id, url):
                continue
            if parts.path == base.path and parts.query != base.query:
                # Pagination of this section: follow only forward, up to SECTION_MAX_PAGES.
                number = (parse_qs(parts.query).get("page") or [""])[0]
                ahead = number.isdigit() and page < int(number) <= self.section_max_pages
                if ahead and url not in state.docs:
                    request = self._discovery_request(
                        state.source,
                        url,
                        "section",
                        depth=response.meta["depth"],
                        page=int(number),
                        politics_hint=hint,
                        listing=response.meta.get("listing"),
                    )
                    if request is not None:
                        yield request
                continue
            if link_kind(url) == "index" or url == response.url:
                continue
            found += self._add_candidate(
                state,
                url,
                None,
                None,
                response.meta["depth"] + 1,
                hint=hint if under_section(url, response.url) else None,
            )
        self._doc(response, links=found)

    def _new_entries(self, response: Response, entries: list[Entry]) -> int:
        """How many of a listing's entries are new since its previous poll (the plan's):
        dated after it, or, undated or never polled, not in the archive yet."""
        source_id = response.meta["source_id"]
        source = self.states[source_id].source
        since = self.plan.get(source_id, {}).get(response.meta.get("listing"))
        new = 0
        for entry in entries:
            if not source.in_scope(entry.url) or not source.wants(entry.url):
                continue
            if since is not None and entry.published is not None:
                new += entry.published.timestamp() > since
            else:
                new += not self.archive.is_archived(entry.url)
        return new

    def _discovery_failed(self, failure):
        request = failure.request
        kind = error_kind(failure)
        status = "blocked" if kind == "robots_disallowed" else "dead"
        self._doc(request, status=status, reason=kind)
        self.stat(request.meta["source_id"], f"errors/{kind}")
        self.listing_answered(request.meta["source_id"])

    def listing_answered(self, source_id: str) -> None:
        """A listing of the source has been handled (``middlewares.waves``): once none is
        pending, its candidates go out, without waiting for the other sources."""
        state = self.states.get(source_id)
        if state is not None and not any(d.get("status") == "pending" for d in state.docs.values()):
            self._flush([state])

    # ---- candidates -------------------------------------------------------------------
    def _in_window(self, published: datetime | None) -> bool:
        return self.since is None or published is None or published >= self.since

    def _add_entries(
        self, source_id: str, entries: list[Entry], depth: int, hint: str | None = None
    ) -> None:
        state = self.states[source_id]
        signals = dated_per_article(entries)  # else the dates are the listing's, not theirs
        for entry in entries:
            if not self.in_scope(source_id, entry.url) or not state.source.in_scope(entry.url):
                self.stat(source_id, "skipped/offsite_entry")
                continue
            if not self._in_window(entry.published):
                self.stat(source_id, "skipped/too_old")
                continue
            self._add_candidate(
                state, entry.url, entry.published, entry, depth, hint=hint,
                changed_at=entry.changed_at if signals else None, title=entry.title,
            )  # fmt: skip

    def _add_candidate(
        self,
        state: SourceState,
        url: str,
        published: datetime | None,
        entry: Entry | None,
        depth: int,
        recheck: bool = False,
        hint: str | None = None,
        changed_at: datetime | None = None,
        title: str | None = None,
    ) -> int:
        outcome = state.add(url, published, entry, depth, recheck, hint, changed_at, title)
        if outcome == "out_of_scope":  # the registry's include/exclude path scope
            self.stat(state.source.id, "skipped/path_scope")
        return int(outcome == "added")

    def _add_known_for_recheck(self, state: SourceState) -> None:
        horizon = self.now() - timedelta(days=self.recheck_days)
        for url in self.archive.known_article_urls(state.source.id):
            article = self.archive.article_state(url)
            if article is None:
                continue
            # Age by publication date; an undated article is aged from its first capture.
            when = (article.fields or {}).get("published") or article.first_seen
            try:
                published = parse_since(when)
            except DateError:
                published = None
            if published and published >= horizon:
                self._add_candidate(state, url, published, None, 0, recheck=True)

    def _add_due_revisits(self, state: SourceState, policy: RevisitPolicy) -> None:
        """The source's archived articles whose revisit schedule says they are due."""
        now = self.now()
        for url, version_seen, last_seen in self.archive.revisit_window(
            state.source.id, policy.window_days
        ):
            since, last = _moment(version_seen), _moment(last_seen)
            if since is None or last is None:
                continue
            due = policy.next_due(since, last)
            if due is not None and due <= now:
                self._add_candidate(state, url, None, None, 0)

    def _wants(self, state: SourceState, cand: Candidate) -> str | None:
        """ "fresh" (a new article, or one the re-check window wants), "revisit" (an
        archived one that is due: ``cand.revisit`` says why) or None (archived, not due)."""
        if cand.recheck:
            return "fresh"
        article = self.archive.article_state(cand.url)
        if article is None or article.removed:
            return "fresh"
        now = self.now()
        recheck_from = now - timedelta(days=self.recheck_days)
        if self.recheck_days and cand.published and cand.published >= recheck_from:
            return "fresh"
        policy = self.revisits.get(state.source.id)
        since, last = _moment(article.version_seen), _moment(article.last_seen)
        if policy is None or since is None or last is None:
            return None
        if policy.signalled(cand.changed_at, last, now):
            cand.revisit, cand.due = "signal", cand.changed_at
            return "revisit"
        if headline_changed(cand.titles, article.listed_titles, article.fields.get("title")):
            cand.revisit, cand.due = "headline", last
            return "revisit"
        due = policy.next_due(since, last)
        if due is not None and due <= now:
            cand.revisit, cand.due = "schedule", due
            return "revisit"
        return None

    def _flush(self, states: list[SourceState] | None = None) -> int:
        """Schedule waiting candidates (of ``states``, default all) within each source's
        budgets: new articles newest first (``max_articles``), due revisits signalled
        first, then oldest due first (the revisit budget)."""
        total = 0
        for state in self.states.values() if states is None else states:
            if not state.candidates:
                continue
            fresh, due = [], []
            for cand in state.newest_first():
                stream = self._wants(state, cand)
                if stream is None:
                    self.stat(state.source.id, "skipped/known")
                    state.requested.add(cand.url)
                else:
                    (fresh if stream == "fresh" else due).append(cand)
            for i, cand in enumerate(fresh):
                if self.max_articles is not None and state.scheduled >= self.max_articles:
                    state.left_over.add("max_articles")
                    for rest in fresh[i:]:  # keep them for a later wave (budget refunds)
                        state.candidates[rest.url] = rest
                    break
                state.scheduled += 1
                total += self._schedule(state, cand)
            policy = self.revisits.get(state.source.id)
            due.sort(key=lambda c: (c.revisit == "schedule", c.due))
            for cand in due:
                if policy is None or state.revisits >= policy.budget:
                    self.stat(state.source.id, "revisits/over_budget")
                    state.requested.add(cand.url)  # still due: the next crawl takes it
                    if cand.revisit != "schedule":  # its listing must be read again next time
                        state.left_over.add("revisit_budget")
                    continue
                state.revisits += 1
                self.stat(state.source.id, f"revisits/{cand.revisit}")
                total += self._schedule(state, cand)
        return total

    def _schedule(self, state: SourceState, cand: Candidate) -> int:
        state.requested.add(cand.url)
        self.send_article(state, self._article_request(state, cand))  # claimed, if shared
        return 1

    def _on_idle(self, spider=None) -> None:
        if self._flush():
            raise DontCloseSpider
        if self.retry_waiting():  # other workers still hold articles this one saw
            raise DontCloseSpider

    # ---- accounting and report -------------------------------------------------------
    def _on_error(self, failure, response=None, spider=None) -> None:
        """A callback that raised: counted in its own source's errors (Scrapy logs it)."""
        source_id = getattr(response, "meta", {}).get("source_id")
        if source_id in self.states:
            self.stat(source_id, "errors/spider_exception")

    def _on_response(self, response, request, spider=None) -> None:
        if request.meta.get("kind") == "article":
            self.article_answered(request)
        source_id = request.meta.get("source_id")
        if source_id in self.states:
            self.stat(source_id, "pages_fetched")
            self.stat(source_id, "bytes_fetched", len(response.body))

    def _on_closed(self, spider=None, reason: str = "finished") -> None:
        from crawler.report import build_report, save_report

        self.close_frontier()

        if reason == "finished":
            try:
                for state in self.states.values():
                    if state.truncated or state.failed:
                        continue
                    for url, (etag, last_modified) in state.validators.items():
                        self.archive.remember_validators(url, etag, last_modified)
            except ArchiveWriteError as exc:  # a cache: the next crawl fetches unconditionally
                self.logger.warning("validators not remembered: %s", exc)
        self.report = build_report(self, reason)
        self.report_path = save_report(self.report, self.archive.home)


def _moment(value: str | None) -> datetime | None:
    """An ISO 8601 time of the archive (``first_seen``, ``last_seen``) as a datetime."""
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
