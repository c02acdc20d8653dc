"""A synthetic news site on loopback, for crawl, index, search and reliability tests.

``NewsSite`` generates a small political news outlet from the templates beside this
file: articles in three styles (JSON-LD NewsArticle + OpenGraph, OpenGraph only, a
visible byline only), with breadcrumbs, share widgets, related lists, comments and shop
links; RSS and Atom feeds; a sitemap index over a Google News sitemap and a gzipped
archive sitemap; section pages with pagination; tag, author and service pages; and
robots.txt. With ``specials=True`` the feed also lists pages that misbehave: a robots-
disallowed page, redirects in and out of scope, 404, 500, 429 + Retry-After, a Latin-1
page and an oversized page.

``section_paths=True`` files articles under their section (``/politics/<date>/<slug>/``,
``/world/...``, each section's listing also at ``/politics/``), for the registry's
include/exclude path scope. Per-test knobs,
changeable while the server runs: ``edition`` (rewrites article 0),
``storm_429`` (every article answers 429), ``gone`` (slugs that answer 404),
``emptied`` (slugs whose page comes without its paragraphs), ``publish(n, when)``
(n new articles at the top of the feeds and news sitemap), and ``log`` (every request
served, with when it arrived and when its answer began, the bytes sent and the page's
ETag). ``host`` puts the site on another loopback address (127.0.0.0/8: a host of its
own for per-host politeness) and ``latency`` holds every answer that long, so
concurrent requests overlap visibly.

The site has a clock, ``now``, that a test moves: ``edit(i, ...)`` changes article
``i`` (headline, an added or rewritten paragraph) from a time on, saying so in its
listings (sitemap ``lastmod``, Atom ``updated``) unless ``signal=False`` (a stealth
edit); ``remove(i, at)`` makes it answer 404 from then. ``published_at`` gives the
articles their publication times, and ``hide_future=True`` keeps an article out of
the listings (and 404) until then, so a benchmark can live weeks of an outlet's life
without waiting. Article pages carry ``ETag`` and ``Last-Modified`` and answer
conditional requests with 304 (``validators=False``: neither). ``recurring`` gives the outlet blocks of its own that
every article carries inside its story body (a share appeal, a newsletter pitch, a comment prompt),
for the tests and the benchmark of the learnt source boilerplate. Use it as a context manager::

    with NewsSite(n_articles=12) as site:
        site.url("/feeds/rss.xml")

``write_static(dir)`` renders the same site to files for a separate static server
(``python -m tests.site.static DIR``), as the crawl benchmark does.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import string
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from http.server import ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from tests.loopback import QuietHandler

TEMPLATES = Path(__file__).with_name("templates")
SECTIONS = ("politics", "world")
AUTHORS = ("Jane Doe", "John Q. Public", "Maria Lopez", "Sam Carter", "Li Wei")
TAGS = ("elections", "congress", "immigration", "economy", "courts", "white-house")
_SUBJECTS = (
    "Senate",
    "House Democrats",
    "Republican Governors",
    "The White House",
    "Chicago Mayor",
    "Supreme Court",
    "Election Officials",
    "Campaign Staff",
    "Border Agents",
    "Federal Judge",
)
_VERBS = (
    "Rejects",
    "Backs",
    "Blocks",
    "Unveils",
    "Questions",
    "Delays",
    "Expands",
    "Challenges",
)
_OBJECTS = (
    "Spending Bill",
    "Voter ID Rules",
    "Immigration Plan",
    "Tariff Deal",
    "Police Database Access",
    "Debate Schedule",
    "Redistricting Map",
    "Ethics Inquiry",
)
_TEXT = (
    "officials said the measure would change how the state handles the issue while critics "
    "argued the plan lacked support from voters and lawmakers in both parties who met on "
    "tuesday to discuss the proposal which has drawn attention across the country after weeks "
    "of debate over funding enforcement and the role of federal agencies in local policing "
    "according to records reviewed by reporters and statements released by the campaign"
)
_WORDS = _TEXT.split()


# Bytes of a reply besides the body and our headers: status line, Server, Date and
# Content-Length headers, blank line (what BaseHTTPRequestHandler sends).
_HEAD_BYTES = 17 + 37 + 37 + 24 + 2


def parse_http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None


def _tpl(name: str) -> string.Template:
    return string.Template((TEMPLATES / name).read_text(encoding="utf-8"))


@dataclass
class Article:
    index: int
    slug: str
    title: str
    section: str
    author: str
    published: datetime
    tags: list[str]
    paragraphs: list[str]
    style: str  # "jsonld", "og" or "byline"
    prefix: str = ""  # "/politics" when the site files articles under their section

    @property
    def path(self) -> str:
        return f"{self.prefix}/{self.published:%Y/%m/%d}/{self.slug}/"


@dataclass
class Special:
    """A page that misbehaves on purpose (only with ``specials=True``)."""

    name: str
    path: str
    published: datetime


@dataclass
class Served:
    at: float
    path: str
    status: int
    headers: dict[str, str] = field(default_factory=dict)  # of the request
    arrived: float = 0.0  # when the request came in (monotonic clock)
    answered: float = 0.0  # when its answer started (after ``latency``)
    bytes: int = 0  # sent: status line, headers and body
    etag: str | None = None  # of the page as it was then (articles)


@dataclass
class Revision:
    """A change the outlet makes to a published article, from ``at`` on (site time)."""

    at: datetime
    title: str | None = None  # the new headline
    add: str | None = None  # a paragraph added after the lead
    replace: tuple[int, str] | None = None  # (paragraph number, its new text)
    signal: bool = True  # the listings date the article anew (sitemap lastmod, Atom updated)


class NewsSite:
    def __init__(
        self,
        n_articles: int = 12,
        *,
        specials: bool = False,
        per_page: int = 4,
        feed_size: int = 8,
        seed: int = 7,
        huge_bytes: int = 2 * 1024 * 1024,
        retry_after: int = 1,
        now: datetime | None = None,
        heavy: bool = False,
        recurring: tuple[tuple[str, str], ...] = (),
        section_paths: bool = False,
        host: str = "127.0.0.1",
        latency: float = 0.0,
        validators: bool = True,
        published_at: list[datetime] | None = None,
        hide_future: bool = False,
    ) -> None:
        self.now = (now or datetime.now(UTC)).replace(second=0, microsecond=0)
        self.host = host
        self.latency = latency
        self.validators = validators  # ETag/Last-Modified on article pages, 304s
        self.hide_future = hide_future  # an article exists from its publication time on
        self._published_at = published_at
        self.per_page = per_page
        self.feed_size = feed_size
        self.huge_bytes = huge_bytes
        self.retry_after = retry_after
        self.heavy = heavy  # pad pages with the chrome real news sites carry (~100 KB)
        # The outlet's own boilerplate inside the story body, as (where, text) with where
        # "top", "middle" or "end": what crawler.extract.recurring learns to drop.
        self.recurring = recurring
        # Articles at /<section>/<date>/<slug>/, as outlets whose URLs name the desk.
        self.section_paths = section_paths
        self.edition = 1
        self.storm_429 = False
        self.gone: set[str] = set()
        self.emptied: set[str] = set()
        self.revisions: dict[int, list[Revision]] = {}
        self.removed_at: dict[int, datetime] = {}
        self.log: list[Served] = []
        self._lock = threading.Lock()
        self._busy_served = False
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        rng = random.Random(seed)
        self._rng = rng
        self.articles = [self._make_article(i, rng) for i in range(n_articles)]
        self._by_path = {a.path: a for a in self.articles}
        self.specials: dict[str, Special] = {}
        if specials:
            day = self.now - timedelta(hours=1)
            d = f"{day:%Y/%m/%d}"
            for name, path in (
                ("private", f"/private/{d}/secret-memo-on-the-budget-talks/"),
                ("moved", "/go/moved"),
                ("offsite", "/go/offsite"),
                ("missing", f"/{d}/missing-story-that-was-taken-down/"),
                ("broken", f"/{d}/server-breaks-on-this-story-page/"),
                ("busy", f"/{d}/busy-server-story-retry-later/"),
                ("latin1", f"/{d}/latin1-encoded-story-about-cafe-politics/"),
                ("huge", f"/{d}/oversized-story-with-a-huge-page/"),
            ):
                self.specials[path] = Special(name, path, day)

    # ---- content -------------------------------------------------------------------
    def _make_article(self, i: int, rng: random.Random) -> Article:
        title = f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} {i + 1}"
        slug = "-".join(w.strip(".").lower() for w in title.split())
        paragraphs = [
            " ".join(rng.choice(_WORDS) for _ in range(rng.randint(28, 48))).capitalize() + "."
            for _ in range(rng.randint(6, 9))
        ]
        return Article(
            index=i,
            slug=slug,
            title=title,
            section=SECTIONS[i % 2],
            author=AUTHORS[i % len(AUTHORS)],
            published=(
                self._published_at[i]
                if self._published_at
                else self.now - timedelta(hours=6 * i + 1)
            ),
            tags=rng.sample(TAGS, 2),
            paragraphs=paragraphs,
            style=("jsonld", "og", "byline")[i % 3],
            prefix=f"/{SECTIONS[i % 2]}" if self.section_paths else "",
        )

    def publish(self, n: int, when: datetime | None = None) -> list[Article]:
        """Add ``n`` articles published at ``when`` (default now), newest first in the
        feeds and the news sitemap, as an outlet's next hour of news."""
        when = (when or datetime.now(UTC)).replace(microsecond=0)
        with self._lock:
            fresh = []
            for _ in range(n):
                article = self._make_article(len(self.articles), self._rng)
                article.published = when
                self.articles.insert(0, article)
                self._by_path[article.path] = article
                fresh.append(article)
            self.now = max(self.now, when.replace(second=0))
        return fresh

    def url(self, path: str = "/") -> str:
        if self.port == 80:
            return f"http://{self.host}{path}"
        return f"http://{self.host}:{self.port}{path}"

    def article_url(self, i: int) -> str:
        return self.url(self.articles[i].path)

    def special_url(self, name: str) -> str:
        return self.url(next(s.path for s in self.specials.values() if s.name == name))

    # ---- the site's life: edits, removals, publication times ---------------------
    def edit(
        self,
        i: int,
        *,
        title: str | None = None,
        add: str | None = None,
        replace: tuple[int, str] | None = None,
        at: datetime | None = None,
        signal: bool = True,
    ) -> Revision:
        """Change article ``i`` from ``at`` (default: the site's ``now``) on."""
        revision = Revision(at or self.now, title, add, replace, signal)
        with self._lock:
            self.revisions.setdefault(i, []).append(revision)
            self.revisions[i].sort(key=lambda r: r.at)
        return revision

    def remove(self, i: int, at: datetime | None = None) -> None:
        """Article ``i`` answers 404 from ``at`` (default: ``now``) on."""
        self.removed_at[i] = at or self.now

    def _applied(self, article: Article) -> list[Revision]:
        return [r for r in self.revisions.get(article.index, ()) if r.at <= self.now]

    def exists(self, article: Article) -> bool:
        """Published (when ``hide_future``) and not removed, at the site's ``now``."""
        if self.hide_future and article.published > self.now:
            return False
        removed = self.removed_at.get(article.index)
        return removed is None or removed > self.now

    def visible(self) -> list[Article]:
        """The articles that exist now, newest first."""
        found = [a for a in self.articles if self.exists(a)]
        return sorted(found, key=lambda a: a.published, reverse=True)

    def title_of(self, article: Article) -> str:
        title = article.title
        for revision in self._applied(article):
            title = revision.title or title
        return title

    def listed_date(self, article: Article) -> datetime:
        """The date the listings give the article: its last signalled edit, else its
        publication."""
        signalled = [r.at for r in self._applied(article) if r.signal]
        return max([article.published, *signalled])

    def modified_at(self, article: Article) -> datetime:
        """When the page last changed (its Last-Modified), stealth edits included."""
        return max([article.published, *(r.at for r in self._applied(article))])

    def article_body(self, article: Article) -> list[str]:
        if article.slug in self.emptied:
            return []
        paragraphs = list(article.paragraphs)
        if article.index == 0 and self.edition > 1:
            paragraphs.insert(
                1, f"Update {self.edition}: this story was revised after new statements."
            )
        for revision in self._applied(article):
            if revision.replace is not None:
                number, text = revision.replace
                if 0 <= number < len(paragraphs):
                    paragraphs[number] = text
            if revision.add is not None:
                paragraphs.insert(min(1, len(paragraphs)), revision.add)
        return paragraphs

    def render_article(self, article: Article, charset: str = "utf-8") -> str:
        base = self.url()
        url = base + article.path.lstrip("/")
        title = self.title_of(article)
        head = [f'<link rel="canonical" href="{url}">']
        date_text = f"{article.published:%B %d, %Y %H:%M} UTC"
        if article.style in ("jsonld", "og"):
            head += [
                '<meta property="og:type" content="article">',
                f'<meta property="og:title" content="{title}">',
                f'<meta property="og:url" content="{url}">',
                f'<meta property="article:published_time" '
                f'content="{article.published.isoformat()}">',
                f'<meta property="article:section" content="{article.section.title()}">',
            ]
        if article.style == "jsonld":
            data = {
                "@context": "https://schema.org",
                "@type": "NewsArticle",
                "headline": title,
                "datePublished": article.published.isoformat(),
                "author": [{"@type": "Person", "name": article.author}],
                "articleSection": article.section.title(),
                "keywords": article.tags,
                "mainEntityOfPage": url,
            }
            head.append(f'<script type="application/ld+json">{json.dumps(data)}</script>')
        author_slug = article.author.lower().replace(" ", "-").replace(".", "")
        byline = (
            f'<p class="byline">By <a href="/author/{author_slug}/">{article.author}</a>'
            f' | <time datetime="{article.published.isoformat()}">{date_text}</time></p>'
        )
        related = [a for a in self.articles if a.index != article.index][:4]
        main = _tpl("article.html").substitute(
            section=article.section,
            section_title=article.section.title(),
            short_title=title[:40] + "...",
            title=title,
            byline=byline,
            url=url,
            slug=article.slug,
            paragraphs="\n".join(f"    <p>{p}</p>" for p in self._with_recurring(article)),
            tag_links=" ".join(f'<a href="/tag/{t}/">{t}</a>' for t in article.tags),
            related="\n".join(f'    <li><a href="{a.path}">{a.title}</a></li>' for a in related),
        )
        if self.heavy:
            head.append(self._heavy_head(article))
            main = self._heavy_menu() + main + self._heavy_comments(article)
        return self._page(title, main, "\n".join(head), charset)

    def _with_recurring(self, article: Article) -> list[str]:
        """The body's paragraphs with the outlet's recurring blocks put in their places."""
        paragraphs = self.article_body(article)
        if not self.recurring or not paragraphs:
            return paragraphs
        middle = len(paragraphs) // 2
        top = [t for w, t in self.recurring if w == "top"]
        mid = [t for w, t in self.recurring if w == "middle"]
        end = [t for w, t in self.recurring if w == "end"]
        return top + paragraphs[:middle] + mid + paragraphs[middle:] + end

    def _heavy_head(self, article: Article) -> str:
        """Inline CSS and a JSON app state blob, as server-rendered news pages ship."""
        css = "\n".join(
            f".c{i} {{ margin: {i % 7}px; color: #{i * 2654435761 % 0xFFFFFF:06x}; }}"
            for i in range(400)
        )
        state = {
            "props": {
                "page": {"id": article.index, "title": article.title, "section": article.section},
                "related": [
                    {"id": j, "title": self.articles[j % len(self.articles)].title, "score": j / 7}
                    for j in range(article.index, article.index + 150)
                ],
                "ads": [{"slot": f"ad-{j}", "sizes": [[300, 250], [728, 90]]} for j in range(60)],
            }
        }
        return (
            f"<style>{css}</style>\n"
            f'<script id="__APP_STATE__" type="application/json">{json.dumps(state)}</script>'
        )

    def _heavy_menu(self) -> str:
        links = [
            f'<li><a href="/tag/{t}/">{t.title()} {n}</a></li>' for n in range(40) for t in TAGS
        ]
        return f'<nav class="mega-menu"><ul>{"".join(links)}</ul></nav>'

    def _heavy_comments(self, article: Article) -> str:
        rng = random.Random(article.index)
        items = [
            f'<div class="comment"><b>reader{rng.randint(1, 9999)}</b> '
            f"<p>{' '.join(rng.choice(_WORDS) for _ in range(rng.randint(8, 30)))}</p>"
            f'<a href="/comments/{article.index}/{c}">Reply</a></div>'
            for c in range(60)
        ]
        trending = "".join(f'<li><a href="{a.path}">{a.title}</a></li>' for a in self.articles[:50])
        return f'<section class="more-comments">{"".join(items)}</section><ul class="trending">{trending}</ul>'

    def _page(self, title: str, main: str, head_extra: str = "", charset: str = "utf-8") -> str:
        return _tpl("base.html").substitute(
            charset=charset, page_title=title, head_extra=head_extra, main=main
        )

    def render_listing(self, heading: str, items: list[Article], pagination: str = "") -> str:
        lis = "\n".join(
            f'<li><a href="{a.path}">{self.title_of(a)}</a> <span class="date">'
            f"{a.published:%b %d}</span></li>"
            for a in items
        )
        main = _tpl("listing.html").substitute(heading=heading, items=lis, pagination=pagination)
        head = ""
        if heading.lower() == "politics":
            head = '<script type="application/ld+json">{"@context":"https://schema.org","@type":"CollectionPage","name":"Politics"}</script>'
        return self._page(heading, main, head)

    def render_section(self, section: str, page: int) -> str | None:
        items = [a for a in self.visible() if a.section == section]
        pages = max(1, -(-len(items) // self.per_page))
        if page > pages:
            return None
        chunk = items[(page - 1) * self.per_page : page * self.per_page]
        nav = []
        if page > 1:
            nav.append(f'<a href="/section/{section}/?page={page - 1}">Previous</a>')
        if page < pages:
            nav.append(f'<a href="/section/{section}/?page={page + 1}">Next</a>')
        return self.render_listing(section.title(), chunk, " ".join(nav))

    def _feed_items(self) -> list[tuple[str, str, datetime, str, datetime]]:
        """(path, title, published, author, listed date) of the feeds' entries, newest
        first."""
        rows = [
            (a.path, self.title_of(a), a.published, a.author, self.listed_date(a))
            for a in self.visible()[: self.feed_size]
        ]
        rows += [
            (s.path, s.name.title() + " special page", s.published, "Desk", s.published)
            for s in self.specials.values()
        ]
        return sorted(rows, key=lambda r: r[2], reverse=True)

    def render_rss(self) -> str:
        items = "\n".join(
            f"<item><title>{t}</title><link>{self.url(p)}</link>"
            f'<guid isPermaLink="true">{self.url(p)}</guid>'
            f"<pubDate>{format_datetime(d)}</pubDate><dc:creator>{a}</dc:creator>"
            + (f"<atom:updated>{u.isoformat()}</atom:updated>" if u > d else "")
            + f"<category>Politics</category><description>{t}.</description></item>"
            for p, t, d, a, u in self._feed_items()
        )
        return _tpl("feed_rss.xml").substitute(base=self.url().rstrip("/"), items=items)

    def render_atom(self) -> str:
        entries = "\n".join(
            f'<entry><title>{self.title_of(a)}</title><link rel="alternate" href="{self.url(a.path)}"/>'
            f"<id>{self.url(a.path)}</id><published>{a.published.isoformat()}</published>"
            f"<updated>{self.listed_date(a).isoformat()}</updated>"
            f"<author><name>{a.author}</name></author></entry>"
            for a in self.visible()[: self.feed_size]
        )
        return _tpl("feed_atom.xml").substitute(
            base=self.url().rstrip("/"), updated=self.now.isoformat(), entries=entries
        )

    def news_articles(self) -> list[Article]:
        return [a for a in self.visible() if self.now - a.published <= timedelta(hours=48)]

    def archive_articles(self) -> list[Article]:
        return [a for a in self.visible() if self.now - a.published > timedelta(hours=48)]

    def render_urlset(self, articles: list[Article], news: bool) -> str:
        rows = []
        for a in articles:
            listed = self.listed_date(a)
            lastmod = f"<lastmod>{listed.isoformat()}</lastmod>"
            extra = (
                (lastmod if listed > a.published else "")
                + f"<news:news><news:publication><news:name>The Loopback Ledger</news:name>"
                f"<news:language>en</news:language></news:publication>"
                f"<news:publication_date>{a.published.isoformat()}</news:publication_date>"
                f"<news:title>{self.title_of(a)}</news:title>"
                f"<news:keywords>{', '.join(a.tags)}</news:keywords></news:news>"
                if news
                else lastmod
            )
            rows.append(f"<url><loc>{self.url(a.path)}</loc>{extra}</url>")
        return _tpl("sitemap_urlset.xml").substitute(urls="\n".join(rows))

    def render_sitemap_index(self) -> str:
        children = []
        for path, arts in (
            ("/sitemaps/news.xml", self.news_articles()),
            ("/sitemaps/archive.xml.gz", self.archive_articles()),
        ):
            newest = max((self.listed_date(a) for a in arts), default=self.now)
            children.append(
                f"<sitemap><loc>{self.url(path)}</loc>"
                f"<lastmod>{newest.isoformat()}</lastmod></sitemap>"
            )
        return _tpl("sitemap_index.xml").substitute(children="\n".join(children))

    def robots(self) -> str:
        return (
            "User-agent: *\nDisallow: /private/\nDisallow: /search\n\n"
            f"Sitemap: {self.url('/sitemap.xml')}\n"
        )

    # ---- HTTP ----------------------------------------------------------------------
    def respond(self, raw_path: str, headers: dict[str, str]) -> tuple[int, dict, bytes]:
        """(status, headers, body) for one GET; the handler and tests both use it."""
        parts = urlsplit(raw_path)
        path, query = parts.path, parse_qs(parts.query)
        html = {"Content-Type": "text/html; charset=utf-8"}
        xml = {"Content-Type": "application/xml; charset=utf-8"}
        if path == "/robots.txt":
            return 200, {"Content-Type": "text/plain"}, self.robots().encode()
        if path in ("/feeds/rss.xml", "/feeds/atom.xml", "/sitemap.xml", "/sitemaps/news.xml"):
            text = {
                "/feeds/rss.xml": self.render_rss,
                "/feeds/atom.xml": self.render_atom,
                "/sitemap.xml": self.render_sitemap_index,
                "/sitemaps/news.xml": lambda: self.render_urlset(self.news_articles(), True),
            }[path]()
            return self._conditional(text.encode(), xml, headers)
        if path == "/sitemaps/archive.xml.gz":
            body = gzip.compress(
                self.render_urlset(self.archive_articles(), False).encode(), mtime=0
            )
            return self._conditional(body, {"Content-Type": "application/x-gzip"}, headers)
        if path == "/":
            return 200, html, self.render_listing("Latest", self.visible()[:10]).encode()
        if path.startswith("/section/") or (self.section_paths and path.strip("/") in SECTIONS):
            section = path.strip("/").split("/")[-1]
            page = int((query.get("page") or ["1"])[0] or 1)
            text = self.render_section(section, page) if section in SECTIONS else None
            if text is None:
                return 404, html, b"<html><body><h1>Not found</h1></body></html>"
            return 200, html, text.encode()
        if path.startswith("/tag/") or path.startswith("/author/"):
            name = path.strip("/").split("/")[-1]
            items = [
                a
                for a in self.visible()
                if name in a.tags or a.author.lower().replace(" ", "-").replace(".", "") == name
            ]
            head = "Articles by " if path.startswith("/author/") else "Tagged: "
            return 200, html, self.render_listing(head + name, items).encode()
        if path in ("/about", "/privacy", "/contact", "/subscribe"):
            main = f"<h1>{path[1:].title()}</h1><p>The Loopback Ledger is a test site.</p>"
            return 200, html, self._page(path[1:].title(), main).encode()
        if path in self.specials:
            return self._special(self.specials[path])
        article = self._by_path.get(path)
        if article is None or (self.hide_future and article.published > self.now):
            return 404, html, b"<html><body><h1>Page not found</h1></body></html>"
        if self.storm_429:
            return 429, {"Retry-After": str(self.retry_after)}, b"Too many requests"
        if article.slug in self.gone or not self.exists(article):
            return 404, html, b"<html><body><h1>This story is gone</h1></body></html>"
        page = self.render_article(article).encode()
        if not self.validators:
            return 200, html, page
        return self._conditional(page, html, headers, self.modified_at(article))

    def _conditional(
        self, body: bytes, headers: dict, request_headers: dict, modified: datetime | None = None
    ) -> tuple:
        """200 with ETag and Last-Modified, or 304 when the request's If-None-Match holds
        the ETag (or, without one, its If-Modified-Since is not before Last-Modified)."""
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        modified = (modified or self.now).replace(microsecond=0)
        out = dict(headers, ETag=etag, **{"Last-Modified": format_datetime(modified, True)})
        match = request_headers.get("if-none-match")
        if match is not None:
            fresh = etag in [t.strip() for t in match.split(",")]
        else:
            since = parse_http_date(request_headers.get("if-modified-since"))
            fresh = since is not None and modified <= since
        if fresh:
            return 304, {"ETag": etag, "Last-Modified": out["Last-Modified"]}, b""
        return 200, out, body

    def _special(self, special: Special) -> tuple[int, dict, bytes]:
        html = {"Content-Type": "text/html; charset=utf-8"}
        fake = Article(
            index=-1,
            slug=special.path.strip("/").split("/")[-1],
            title=f"The {special.name} story everyone is talking about",
            section="politics",
            author="Desk",
            published=special.published,
            tags=["elections"],
            paragraphs=[" ".join(_WORDS[:40]).capitalize() + "."] * 5,
            style="jsonld",
        )
        if special.name == "moved":
            return 301, {"Location": self.articles[0].path}, b""
        if special.name == "offsite":
            target = f"http://localhost:{self.port}{self.articles[1].path}"
            return 302, {"Location": target}, b""
        if special.name == "missing":
            return 404, html, b"<html><body><h1>Not found</h1></body></html>"
        if special.name == "broken":
            return 500, html, b"<html><body><h1>Internal server error</h1></body></html>"
        if special.name == "busy":
            with self._lock:
                first, self._busy_served = not self._busy_served, True
            if first:
                return 429, {"Retry-After": str(self.retry_after)}, b"slow down"
            return 200, html, self.render_article(fake).encode()
        if special.name == "latin1":
            fake.title = "Café owners protest the new señor mayor's façade rules"
            fake.paragraphs = [
                "Les propriétaires de café disent que la réglementation est trop stricte "
                "et que le maire n'a pas consulté les commerçants du quartier avant de décider."
            ] * 4 + [" ".join(_WORDS).capitalize() + "."]
            text = self.render_article(fake, charset="iso-8859-1")
            return 200, {"Content-Type": "text/html; charset=iso-8859-1"}, text.encode("latin-1")
        if special.name == "huge":
            text = self.render_article(fake)
            pad = "<!-- " + "x" * self.huge_bytes + " -->"
            return 200, html, text.replace("</body>", pad + "</body>").encode()
        # "private": robots.txt forbids it, so a polite crawler never asks.
        return 200, html, self.render_article(fake).encode()

    def requests_for(self, path_part: str) -> list[Served]:
        with self._lock:
            return [s for s in self.log if path_part in s.path]

    def start(self, port: int = 0) -> NewsSite:
        """Serve on 127.0.0.1:``port`` (0: a free one); ``self.port`` says which."""
        site = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:  # noqa: N802
                arrived = time.monotonic()
                hdrs = {k.lower(): v for k, v in self.headers.items()}
                try:
                    status, headers, body = site.respond(self.path, hdrs)
                except Exception as exc:  # a bug in the site must show, not hang the test
                    status, headers, body = 500, {}, repr(exc).encode()
                if site.latency:
                    time.sleep(site.latency)
                sent = (
                    len(body) + _HEAD_BYTES + sum(len(k) + len(v) + 4 for k, v in headers.items())
                )
                etag = headers.get("ETag")
                # Logged before the answer goes out: once the client has it, it may send
                # its next request, which must not overlap this one in the log.
                with site._lock:
                    now = time.monotonic()
                    site.log.append(Served(now, self.path, status, hdrs, arrived, now, sent, etag))
                self.reply(status, headers, body)

        self._server = ThreadingHTTPServer((self.host, port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> NewsSite:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ---- static rendering (benchmark) ----------------------------------------------
    def write_static(self, root: Path, port: int, sitemap_chunk: int = 1000) -> None:
        """Render every page to ``root`` as the server at ``127.0.0.1:port`` would serve it."""
        self.port = port
        root = Path(root)

        def put(path: str, data: str | bytes) -> None:
            target = root / path.lstrip("/")
            if path.endswith("/"):
                target = target / "index.html"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data.encode() if isinstance(data, str) else data)

        put("/robots.txt", self.robots())
        put("/feeds/rss.xml", self.render_rss())
        children = []
        for n in range(0, len(self.articles), sitemap_chunk):
            path = f"/sitemaps/part-{n // sitemap_chunk:04d}.xml"
            put(path, self.render_urlset(self.articles[n : n + sitemap_chunk], True))
            children.append(f"<sitemap><loc>{self.url(path)}</loc></sitemap>")
        put("/sitemap.xml", _tpl("sitemap_index.xml").substitute(children="\n".join(children)))
        for article in self.articles:
            put(article.path, self.render_article(article))
