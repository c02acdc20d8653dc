"""Check a registry's listings from this machine: ``newsarchive sources --check``.

Fetches each feed, sitemap and section page of the chosen sources once, and the
robots.txt of every host they are on, and says per URL what a crawl would get from it:
HTTP status, items found, the newest item's date, whether robots.txt lets our agent
fetch it, and a verdict:

- ``ok``: it answers, parses, and lists in-scope items, the newest (when dated) within
  ``stale_days``;
- ``empty``: it answers and parses but lists nothing the crawl would take (no items, or
  none on the source's domains and inside its include/exclude paths);
- ``stale``: its newest item is older than ``stale_days``;
- ``blocked``: robots.txt disallows our agent (then the URL is not fetched), or the
  server refuses this client (401, 403, 429);
- ``dead``: anything else: 404/410/5xx, not a feed/sitemap/HTML page, connection
  refused, timeout, DNS, TLS, too large, or refused by the crawler's scope rules.

The rules are the crawler's: http(s) only; every hop of a redirect must stay on the
source's domains (or the hosts of its own listings); a host that resolves to a
non-public address is refused unless the homepage of a checked source resolves there
(``crawler.resolver``), and the connection goes to the very address that was checked.
robots.txt is read with Protego, as Scrapy reads it, for the crawler's User-Agent; a
robots.txt that cannot be fetched lets everything through, as in a crawl. Politely:
one request at a time per host, ``delay`` seconds apart, ``timeout`` per request.

Plain standard library HTTP (``http.client``): no reactor is needed to fetch a few
dozen documents, and the address pinning is a few lines.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import textwrap
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urljoin, urlsplit

from crawler.sources import Source

VERDICTS = ("ok", "empty", "stale", "blocked", "dead")
REDIRECTS = (301, 302, 303, 307, 308)
REFUSED = (401, 403, 429)  # the server will not serve this client: blocked, not dead
MAX_REDIRECTS = 5
MAX_HOSTS_AT_ONCE = 8


@dataclass
class UrlCheck:
    """What checking one URL of one source found."""

    source_id: str
    kind: str  # "robots", "feed", "sitemap" or "section"
    url: str
    status: int | None = None  # HTTP status of the final response
    items: int | None = None  # entries; child sitemaps of an index; article links
    in_scope: int | None = None  # of those, the ones a crawl would take
    newest: str | None = None  # the newest item's date (UTC, ISO 8601)
    robots: str | None = None  # "allowed", "disallowed" or "unknown" (None: robots rows)
    verdict: str = "dead"
    reason: str = ""  # why, when the verdict is not plainly ok
    final_url: str | None = None  # where redirects ended

    def to_dict(self) -> dict:
        return asdict(self)


class FetchError(Exception):
    """A fetch that gave no usable response; ``kind`` is a crawl-report style name."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind
        self.detail = detail


@dataclass
class Response:
    status: int
    url: str
    body: bytes
    content_type: str


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to ``ip`` (the address that passed the check), whatever the name says."""

    def __init__(self, host: str, port: int, ip: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._create_connection = lambda address, t, src=None: socket.create_connection(
            (ip, address[1]), t, src
        )


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """The same over TLS: the certificate is verified for the host name (SNI too)."""

    def __init__(self, host: str, port: int, ip: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._create_connection = lambda address, t, src=None: socket.create_connection(
            (ip, address[1]), t, src
        )


class Checker:
    """One check run: the sources, the politeness state and the robots.txt cache."""

    def __init__(
        self,
        sources: list[Source],
        *,
        user_agent: str,
        timeout: float = 15.0,
        delay: float = 1.0,
        stale_days: float = 7.0,
        max_bytes: int = 10 * 1024 * 1024,
        now: datetime | None = None,
    ) -> None:
        self.sources = sources
        self.user_agent = user_agent
        self.timeout = timeout
        self.delay = delay
        self.stale_after = timedelta(days=stale_days)
        self.stale_days = stale_days
        self.max_bytes = max_bytes
        self.now = now or datetime.now(UTC)
        self._lock = threading.Lock()
        self._host_locks: dict[str, threading.Lock] = {}
        self._last_request: dict[str, float] = {}
        self._trusted: set[str] | None = None
        self._robots: dict[str, tuple[object | None, UrlCheck]] = {}

    # ---- the run ------------------------------------------------------------------
    def run(self) -> list[UrlCheck]:
        """Every robots.txt first, then every listing; rows in registry order."""
        plan = [(s, kind, url) for s in self.sources for kind, url in _listings(s)]
        robots_urls = {}
        for source, _kind, url in plan:
            robots_urls.setdefault(_robots_url(url), source)
        self._per_host(
            [(robots_urls[u], "robots", u) for u in robots_urls], self._fetch_robots_task
        )
        results: dict[tuple[str, str, str], UrlCheck] = {}
        self._per_host(
            plan, lambda s, k, u: results.__setitem__((s.id, k, u), self._check_listing(s, k, u))
        )
        rows: list[UrlCheck] = []
        for source in self.sources:
            seen: set[str] = set()
            for kind, url in _listings(source):
                robots_url = _robots_url(url)
                if robots_url not in seen:
                    seen.add(robots_url)
                    row = UrlCheck(**self._robots[robots_url][1].to_dict())
                    row.source_id = source.id
                    rows.append(row)
                rows.append(results[(source.id, kind, url)])
        return rows

    def _per_host(self, tasks: list[tuple[Source, str, str]], work) -> None:
        """Run ``work(source, kind, url)`` for every task: one host's tasks in order, in
        one thread, several hosts at once."""
        by_host: dict[str, list[tuple[Source, str, str]]] = {}
        for task in tasks:
            by_host.setdefault(urlsplit(task[2]).netloc.lower(), []).append(task)
        if not by_host:
            return

        def run_host(host_tasks: list[tuple[Source, str, str]]) -> None:
            for source, kind, url in host_tasks:
                work(source, kind, url)

        with ThreadPoolExecutor(max_workers=min(MAX_HOSTS_AT_ONCE, len(by_host))) as pool:
            for future in [pool.submit(run_host, t) for t in by_host.values()]:
                future.result()

    # ---- robots.txt ---------------------------------------------------------------
    def _fetch_robots_task(self, source: Source, _kind: str, url: str) -> None:
        from protego import Protego

        row = UrlCheck(source.id, "robots", url)
        parser = None
        try:
            response = self.fetch(source, url)
        except FetchError as exc:
            row.reason = f"{exc}; a crawl goes on as if there were no robots.txt"
        else:
            row.status, row.final_url = response.status, _moved(url, response.url)
            # As Scrapy does: whatever came back is parsed (an error page allows all).
            parser = Protego.parse(response.body.decode("utf-8", errors="ignore"))
            row.verdict = "ok"
            if response.status >= 400:
                row.reason = f"HTTP {response.status}: no robots.txt, everything allowed"
        with self._lock:
            self._robots[url] = (parser, row)

    def robots_allows(self, url: str) -> str:
        parser, _row = self._robots.get(_robots_url(url), (None, None))
        if parser is None:
            return "unknown"
        return "allowed" if parser.can_fetch(url, self.user_agent) else "disallowed"

    # ---- listings -----------------------------------------------------------------
    def _check_listing(self, source: Source, kind: str, url: str) -> UrlCheck:
        row = UrlCheck(source.id, kind, url, robots=self.robots_allows(url))
        if row.robots == "disallowed":
            row.verdict, row.reason = "blocked", "robots.txt disallows our agent (not fetched)"
            return row
        try:
            response = self.fetch(source, url)
        except FetchError as exc:
            row.reason = str(exc)
            return row
        row.status, row.final_url = response.status, _moved(url, response.url)
        if response.status in REFUSED:
            row.verdict, row.reason = "blocked", f"HTTP {response.status}: refused to this client"
            return row
        if not 200 <= response.status < 300:
            row.reason = f"HTTP {response.status}"
            return row
        try:
            self._read(source, kind, response, row)
        except ValueError as exc:  # FeedError, SitemapError: not what the registry says
            row.reason = str(exc)[:200]
            return row
        except (RecursionError, MemoryError, LookupError, TypeError) as exc:  # hostile input
            row.reason = f"unreadable: {type(exc).__name__}"
            return row
        self._judge(row)
        return row

    def _read(self, source: Source, kind: str, response: Response, row: UrlCheck) -> None:
        from crawler.discovery import parse_feed, parse_sitemap

        if kind == "feed":
            self._count(source, parse_feed(response.body, response.url), row)
        elif kind == "sitemap":
            sitemap = parse_sitemap(response.body, response.url)
            if sitemap.is_index:
                row.items = len(sitemap.children)
                row.newest = _newest(c.published for c in sitemap.children)
                row.reason = f"a sitemap index of {row.items} sitemaps (not fetched here)"
            else:
                self._count(source, sitemap.entries, row)
        else:
            links = self._section_links(source, response)
            row.items = len(links)
            row.in_scope = sum(1 for link in links if source.wants(link))

    def _count(self, source: Source, entries: list, row: UrlCheck) -> None:
        """Entries, and those a crawl takes: http(s), on the source's domains, in its paths."""
        taken = [
            e
            for e in entries
            if urlsplit(e.url).scheme in ("http", "https")
            and source.in_scope(e.url)
            and source.wants(e.url)
        ]
        row.items, row.in_scope = len(entries), len(taken)
        row.newest = _newest(e.published for e in taken)

    def _section_links(self, source: Source, response: Response) -> list[str]:
        """The article links a crawl would take from a section page (the spider's rule)."""
        from crawler.discovery import link_kind
        from crawler.discovery.classify import is_html
        from crawler.extract.page import parse

        if not is_html(response.content_type, response.body):
            raise ValueError("not an HTML page")
        tree = parse(response.body)
        base = urlsplit(response.url)
        links: dict[str, None] = {}
        for href in tree.xpath("//a/@href") if tree is not None else ():
            try:
                link = urljoin(response.url, href.strip()).split("#")[0]
                parts = urlsplit(link)
            except ValueError:
                continue
            if not self.in_scope(source, link) or parts.path == base.path:
                continue  # off the source, or this page itself and its pagination
            if link_kind(link) != "index":
                links[link] = None
        return list(links)

    def _judge(self, row: UrlCheck) -> None:
        taken = row.items if row.in_scope is None else row.in_scope
        if not taken:
            row.verdict = "empty"
            if row.items:
                row.reason = (
                    f"{row.items} items, none on the source's domains and inside its "
                    "include/exclude paths"
                )
            return
        if row.newest and datetime.fromisoformat(row.newest) < self.now - self.stale_after:
            age = (self.now - datetime.fromisoformat(row.newest)).days
            row.verdict = "stale"
            row.reason = f"newest item {age} days old (stale after {self.stale_days:g})"
            return
        row.verdict = "ok"

    # ---- fetching -----------------------------------------------------------------
    def in_scope(self, source: Source, url: str) -> bool:
        """The crawler's scope: http(s), on the source's domains or its listings' hosts."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return False
        host = (parts.hostname or "").lower()
        listing_hosts = {(urlsplit(u).hostname or "").lower() for u in source.discovery_urls}
        return source.in_scope(url) or host in listing_hosts

    def fetch(self, source: Source, url: str) -> Response:
        """GET ``url`` for ``source``, following redirects that stay in its scope."""
        for hop in range(MAX_REDIRECTS + 1):
            if not self.in_scope(source, url):
                kind = "offsite_redirect" if hop else "offsite"
                raise FetchError(kind, f"{url} is outside source {source.id!r}")
            status, location, body, content_type = self._get(url)
            if status in REDIRECTS and location:
                url = urljoin(url, location)
                continue
            return Response(status, url, body, content_type)
        raise FetchError("too_many_redirects", f"more than {MAX_REDIRECTS}")

    def _get(self, url: str) -> tuple[int, str | None, bytes, str]:
        parts = urlsplit(url)
        host = parts.hostname or ""
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise FetchError("bad_url", url) from None
        ip = self._address(host, port)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        target = quote(target, safe="/%:@!$&'()*+,;=?~-._")  # as received, non-ASCII escaped
        cls = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
        with self._polite(parts.netloc.lower()):
            conn = cls(host, port, ip, self.timeout)
            try:
                conn.request(
                    "GET", target, headers={"User-Agent": self.user_agent, "Accept": "*/*"}
                )
                response = conn.getresponse()
                body = response.read(self.max_bytes + 1)
            except ssl.SSLCertVerificationError as exc:
                raise FetchError("tls_certificate", exc.verify_message or str(exc)) from None
            except TimeoutError:
                raise FetchError("timeout", f"no answer in {self.timeout:g} s") from None
            except ConnectionRefusedError:
                raise FetchError("connection_refused") from None
            except (OSError, http.client.HTTPException) as exc:
                raise FetchError("connection_failed", type(exc).__name__) from None
            except ValueError as exc:  # a URL http.client will not send (from a Location)
                raise FetchError("bad_url", str(exc)[:200]) from None
            finally:
                conn.close()
        if len(body) > self.max_bytes:
            raise FetchError("too_large", f"more than {self.max_bytes} bytes")
        return (
            response.status,
            response.getheader("Location"),
            body,
            response.getheader("Content-Type") or "",
        )

    def _address(self, host: str, port: int) -> str:
        """The address to connect to: a public one, or one a checked homepage is at."""
        from crawler.resolver import is_public

        addresses = _resolve(host, port)
        if not addresses:
            raise FetchError("dns", f"cannot resolve {host}")
        for ip in addresses:
            if is_public(ip):
                return ip
        trusted = self._trusted_addresses()
        for ip in addresses:
            if ip in trusted:
                return ip
        raise FetchError(
            "private_address",
            f"{host} resolves to {addresses[0]}, a non-public address no checked source "
            "has its homepage at",
        )

    def _trusted_addresses(self) -> set[str]:
        with self._lock:
            if self._trusted is None:
                hosts = {urlsplit(s.homepage).hostname or "" for s in self.sources}
                self._trusted = {ip for h in hosts if h for ip in _resolve(h, 0)}
            return self._trusted

    @contextmanager
    def _polite(self, host: str) -> Iterator[None]:
        """One request at a time per host, ``delay`` seconds after the previous one."""
        with self._lock:
            lock = self._host_locks.setdefault(host, threading.Lock())
        with lock:
            wait = self._last_request.get(host, -float("inf")) + self.delay - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                yield
            finally:
                self._last_request[host] = time.monotonic()


def check_sources(sources: list[Source], **options) -> list[UrlCheck]:
    """Check every listing of ``sources`` (see ``Checker`` for the options)."""
    return Checker(sources, **options).run()


def _listings(source: Source) -> Iterable[tuple[str, str]]:
    yield from (("feed", u) for u in source.feeds)
    yield from (("sitemap", u) for u in source.sitemaps)
    yield from (("section", u) for u in source.sections)


def _robots_url(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/robots.txt"


def _resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        return []
    return list(dict.fromkeys(info[4][0] for info in infos))


def _newest(dates: Iterable[datetime | None]) -> str | None:
    known = [d for d in dates if d is not None]
    return max(known).isoformat() if known else None


def _moved(url: str, final: str) -> str | None:
    return final if final != url else None


def summary(rows: list[UrlCheck]) -> dict[str, int]:
    """How many listing URLs got each verdict (robots rows left out)."""
    counts = dict.fromkeys(VERDICTS, 0)
    for row in rows:
        if row.kind != "robots":
            counts[row.verdict] += 1
    return counts


def format_table(rows: list[UrlCheck]) -> str:
    """The check as text that fits 80 columns: one line of figures per URL, the URL on
    the next line, and why on a third when there is something to say."""
    head = ("source", "kind", "status", "items", "newest", "robots", "verdict")
    table = [head]
    for r in rows:
        items = "-" if r.items is None else str(r.items)
        if r.in_scope is not None and r.in_scope != r.items:
            items = f"{r.in_scope}/{r.items}"
        table.append(
            (
                r.source_id,
                r.kind,
                "-" if r.status is None else str(r.status),
                items,
                (r.newest or "-")[:10],
                {"allowed": "yes", "disallowed": "no", "unknown": "?"}.get(r.robots or "", "-"),
                r.verdict,
            )
        )
    widths = [max(len(t[i]) for t in table) for i in range(len(head))]
    lines = ["  ".join(v.ljust(w) for v, w in zip(head, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for r, cells in zip(rows, table[1:], strict=True):
        lines.append("  ".join(v.ljust(w) for v, w in zip(cells, widths, strict=True)).rstrip())
        lines.append(f"  {r.url}")
        if r.final_url:
            lines.append(f"    -> {r.final_url}")
        if r.reason:
            lines.extend(
                textwrap.wrap(r.reason, 80, initial_indent="    ", subsequent_indent="    ")
            )
    counts = summary(rows)
    listed = sum(counts.values())
    sources = len({r.source_id for r in rows})
    lines.append(
        f"{listed} URL{'s' * (listed != 1)} of {sources} source{'s' * (sources != 1)}: "
        + ", ".join(f"{n} {verdict}" for verdict, n in counts.items())
    )
    return "\n".join(lines)


__all__ = [
    "VERDICTS",
    "Checker",
    "FetchError",
    "UrlCheck",
    "check_sources",
    "format_table",
    "summary",
]
