"""What happens to an article response: a page for the pipeline, a removal, or a
failure for the report. A mixin of the news spider, kept apart from discovery.

The pipeline's answer comes back on Scrapy's ``item_scraped`` signal (``_on_item``):
the pipeline never reaches into the spider.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapy.http import Request, Response

from crawler.discovery import link_kind
from crawler.discovery.classify import is_html
from crawler.extract.page import declared_charset
from crawler.items import FetchedPage
from crawler.report import error_kind
from crawler.spiders.shared import settlement
from crawler.spiders.state import Candidate, SourceState

REMOVED_STATUSES = (404, 410)


def validators_of(response: Response) -> dict | None:
    """ETag and Last-Modified of a response, for a conditional re-fetch later; None
    when it sent neither."""
    found = {}
    for name, key in ((b"ETag", "etag"), (b"Last-Modified", "last_modified")):
        value = response.headers.get(name)
        found[key] = value.decode("latin-1") if value else None
    return found if any(found.values()) else None


class ArticlePages:
    """Article requests and their responses (needs ``states``, ``archive``, ``stat``,
    ``_add_candidate`` and ``settle`` of the spider)."""

    def _article_request(self, state: SourceState, cand: Candidate) -> Request:
        """The request for a candidate. A re-fetch of an archived article is conditional
        (``If-None-Match`` / ``If-Modified-Since`` from its last capture), and comes after
        the new articles of the wave."""
        priority = cand.published.toordinal() - 700_000 if cand.published else 0
        known = self.archive.is_archived(cand.url)
        conditional = known and getattr(self, "conditional_refetch", True)
        etag, last_modified = self.archive.revalidation(cand.url) if conditional else (None, None)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return Request(
            cand.url,
            callback=self.parse_article,
            errback=self._article_failed,
            headers=headers,
            priority=0 if cand.revisit else max(priority, 0),
            meta={
                "source_id": state.source.id,
                "kind": "article",
                "depth": cand.depth,
                "feed_entry": cand.entry.feed_entry() if cand.entry else None,
                "politics_hint": cand.politics_hint,
                "recheck": cand.recheck or known,
                "revisit": cand.revisit,
                "listed_titles": list(cand.titles),
                "conditional": bool(headers),
                "handle_httpstatus_list": [*REMOVED_STATUSES, *([304] if headers else [])],
            },
        )

    def parse_article(self, response: Response):
        meta = response.meta
        source_id = meta["source_id"]
        requested = (meta.get("redirect_urls") or [response.request.url])[0]
        capture = meta.get("capture")
        state = self.states[source_id]
        went_home = urlsplit(response.url).path in ("", "/") and urlsplit(requested).path not in (
            "",
            "/",
        )
        if response.status == 304:
            # Not modified since the capture the conditional request named: recorded as
            # seen (the capture is a revisit of that payload), nothing to extract.
            if not meta.get("conditional") or capture is None or not capture.revisit:
                state.failed = True
                self.stat(source_id, "errors/http_304")
                self.settle([requested, response.url], "failed")
                return
            yield FetchedPage(
                url=requested,
                source_id=source_id,
                status=304,
                capture=capture,
                outlet=state.source.name,
                source_tags=dict(state.source.tags),
                kind="not_modified",
                feed_entry=meta.get("feed_entry"),
                listed_titles=list(meta.get("listed_titles") or []),
                politics_hint=meta.get("politics_hint"),
                requested_url=requested,
                validators=validators_of(response),
            )
            return
        if response.status in REMOVED_STATUSES or went_home:
            if meta.get("recheck"):
                yield FetchedPage(
                    url=requested,
                    source_id=source_id,
                    status=response.status,
                    capture=capture,
                    outlet=state.source.name,
                    kind="removed",
                    requested_url=requested,
                )
            else:
                state.failed = True
                self.stat(source_id, f"errors/http_{response.status}")
                self.settle([requested, response.url], "failed")
            return
        if not is_html(response.headers.get(b"Content-Type"), response.body):
            # A PDF, image or feed behind an article link: archived (the WARC has it),
            # never extracted as an article.
            self.stat(source_id, "not_article/not_html")
            self.settle([requested, response.url], "page")
            return
        yield FetchedPage(
            url=response.url,
            source_id=source_id,
            status=response.status,
            capture=capture,
            outlet=state.source.name,
            source_tags=dict(state.source.tags),
            body=response.body,
            encoding=declared_charset(response.headers.get(b"Content-Type")),
            feed_entry=meta.get("feed_entry"),
            listed_titles=list(meta.get("listed_titles") or []),
            politics_hint=meta.get("politics_hint"),
            depth=meta.get("depth", 0),
            requested_url=requested,
            wants_requisites=self.wants_requisites(state),
            validators=validators_of(response),
        )

    def _article_failed(self, failure) -> None:
        if self.held_elsewhere(failure):  # another worker of a shared frontier has it
            return
        request = failure.request
        self.article_answered(request)
        source_id = request.meta["source_id"]
        self.states[source_id].failed = True
        self.stat(source_id, f"errors/{error_kind(failure)}")
        self.settle([*(request.meta.get("redirect_urls") or ()), request.url], "failed")

    def _on_item(self, item, response=None, spider=None) -> None:
        """What the pipeline made of a page: an analysis that failed keeps the source's
        listings to be read again; a page that is not an article gives back its place
        in the budget and, within ``section_depth``, its links as candidates."""
        state = self.states.get(getattr(item, "source_id", None))
        if state is None or not isinstance(item, FetchedPage):
            return
        self.settle([item.requested_url, item.url], settlement(item.outcome))
        if item.outcome == "error":
            state.failed = True
        elif item.outcome == "not_article":
            self._follow_index(state, item)
        elif item.requisites:
            self._fetch_requisites(state, item.requisites)

    def _follow_index(self, state: SourceState, page: FetchedPage) -> None:
        state.scheduled -= 1  # an index page does not use up the article budget
        if page.depth >= state.source.section_depth:
            return
        for url in page.links:
            if state.source.in_scope(url) and link_kind(url) != "index":
                self._add_candidate(state, url, None, None, page.depth + 1)

    # ---- page requisites ----------------------------------------------------------------
    def wants_requisites(self, state: SourceState) -> bool:
        """Opt-in: the crawl's PAGE_REQUISITES setting, or the source's ``requisites``."""
        return bool(getattr(self, "requisites_all", False) or state.source.requisites)

    def _fetch_requisites(self, state: SourceState, urls: list[str]) -> None:
        """Request an article's requisites once per crawl and URL, within the source's
        requisite scope, size bound and per-crawl cap. They are archived like any other
        response (the capture middleware); a repeat of the same bytes in a later crawl
        is a WARC revisit. Their failures are counted, never the source's failure."""
        sid = state.source.id
        for url in urls:
            if url in state.requisites:
                continue
            if not state.source.requisite_in_scope(url):
                self.stat(sid, "requisites/out_of_scope")
                continue
            if len(state.requisites) >= self.requisites_per_source:
                self.stat(sid, "requisites/over_cap")
                continue
            state.requisites.add(url)
            self.crawler.engine.crawl(
                Request(
                    url,
                    callback=self._requisite_fetched,
                    errback=self._requisite_failed,
                    priority=-1,
                    meta={
                        "source_id": sid,
                        "kind": "requisite",
                        "download_maxsize": self.requisite_max_size,
                        "download_warnsize": 0,
                    },
                )
            )

    def _requisite_fetched(self, response: Response) -> None:
        self.stat(response.meta["source_id"], f"requisites/http_{response.status // 100}xx")

    def _requisite_failed(self, failure) -> None:
        self.stat(failure.request.meta["source_id"], f"requisites/{error_kind(failure)}")
