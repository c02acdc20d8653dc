"""Is this page an article, or an index (section, tag, author, search, home) page?

The rule, first decisive signal wins:

1. JSON-LD ``@type`` (also inside ``@graph``): an Article type (NewsArticle, Article,
   BlogPosting, ReportageNewsArticle, ...) -> article; a listing type (CollectionPage,
   ItemList, ProfilePage, SearchResultsPage) -> index.
2. OpenGraph ``og:type``: ``article`` -> article; ``profile`` -> index.
3. URL shape: a path segment such as ``tag``, ``topic``, ``author``, ``category``,
   ``section``, ``page``, ``search``, the site root, or a ``page=`` query -> index.
4. Text density: at least ``MIN_ARTICLE_WORDS`` words in paragraphs of 12+ words, and
   those paragraph words outnumber the words inside links at least ``MIN_TEXT_TO_LINKS``
   to one -> article; else index. (Linked words include menus and footers, so the
   ratio is loose: real article pages carry hundreds of navigation links.)

Structured data comes first because publishers set it for search engines and it is
cheap to read; URL shape catches unmarked listing pages; density decides the rest
(index pages are mostly short linked headlines, articles mostly running text).
"""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

ARTICLE_TYPES = {
    "article",
    "newsarticle",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "opinionnewsarticle",
    "reviewnewsarticle",
    "backgroundnewsarticle",
    "askpublicnewsarticle",
    "blogposting",
    "liveblogposting",
    "report",
    "scholarlyarticle",
}
INDEX_TYPES = {"collectionpage", "itemlist", "profilepage", "searchresultspage"}
INDEX_SEGMENTS = {
    "tag",
    "tags",
    "topic",
    "topics",
    "author",
    "authors",
    "category",
    "categories",
    "section",
    "sections",
    "page",
    "search",
    "archive",
    "archives",
    "people",
    "hub",
}
MIN_ARTICLE_WORDS = 120
MIN_TEXT_TO_LINKS = 0.5
_DATE_PATH = re.compile(r"/(19|20)\d\d/\d{1,2}/(\d{1,2}/)?")
_ID_PATH = re.compile(r"\d{5,}")


def link_kind(url: str) -> str:
    """Guess from the URL alone: 'index', 'article' or 'unknown'."""
    parts = urlsplit(url)
    path = parts.path or "/"
    segments = [s.lower() for s in path.split("/") if s]
    if not segments or any(s in INDEX_SEGMENTS for s in segments[:-1] + segments[-1:]):
        return "index"
    if "page" in parse_qs(parts.query):
        return "index"
    last = segments[-1].removesuffix(".html").removesuffix(".htm")
    if _DATE_PATH.search(path) or last.count("-") >= 3 or _ID_PATH.search(last):
        return "article"
    return "unknown"


_JSONLD = re.compile(r"<script[^>]+application/ld\+json[^>]*>(.*?)</script\s*>", re.I | re.S)
_OG_TYPE = re.compile(r"<meta\s[^>]*(?:property|name)=[\"']og:type[\"'][^>]*>", re.I)
_CONTENT = re.compile(r"content=[\"']([^\"']*)[\"']", re.I)
_NOISE = re.compile(r"<(script|style|noscript)\b.*?</\1\s*>|<!--.*?-->", re.I | re.S)
_PARA = re.compile(r"<p\b[^>]*>(.*?)</p\s*>", re.I | re.S)
_LINK = re.compile(r"<a\b[^>]*>(.*?)</a\s*>", re.I | re.S)
_TAG = re.compile(r"<[^>]+>")


def _jsonld_types(html: str) -> set[str]:
    types: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, list):
            for n in node:
                walk(n)
        elif isinstance(node, dict):
            value = node.get("@type")
            for t in value if isinstance(value, list) else [value]:
                if isinstance(t, str):
                    types.add(t.rsplit("/", 1)[-1].lower())
            if "@graph" in node:
                walk(node["@graph"])

    for block in _JSONLD.findall(html):
        try:
            walk(json.loads(block))
        except (ValueError, RecursionError):
            continue
    return types


def _og_type(html: str) -> str:
    tag = _OG_TYPE.search(html)
    content = _CONTENT.search(tag.group(0)) if tag else None
    return content.group(1).strip().lower() if content else ""


def _words(fragment: str) -> int:
    return len(_TAG.sub(" ", fragment).split())


def _density(html: str) -> tuple[int, int]:
    """(words in substantial paragraphs, words inside links), scripts and styles removed.

    Regular expressions instead of a DOM: this runs on every page that does not declare
    its type, and a parse would cost as much as a fifth of the extraction itself.
    """
    text = _NOISE.sub(" ", html)
    para_words = 0
    for p in _PARA.findall(text):
        n = _words(p)
        if n >= 12:
            para_words += n
    linked = sum(_words(a) for a in _LINK.findall(text))
    return para_words, linked


def classify_page(page: bytes | str, url: str) -> tuple[bool, str]:
    """(is_article, reason) for one page; the reason names the rule that decided."""
    html = page.decode("utf-8", errors="replace") if isinstance(page, bytes) else page
    if not html.strip():
        return False, "empty"
    types = _jsonld_types(html)
    if types & ARTICLE_TYPES:
        return True, "jsonld:" + sorted(types & ARTICLE_TYPES)[0]
    if types & INDEX_TYPES:
        return False, "jsonld:" + sorted(types & INDEX_TYPES)[0]
    og = _og_type(html)
    if og == "article":
        return True, "og:article"
    if og == "profile":
        return False, "og:profile"
    if link_kind(url) == "index":
        return False, "url:index"
    words, linked = _density(html)
    if words >= MIN_ARTICLE_WORDS and words >= MIN_TEXT_TO_LINKS * linked:
        return True, "density"
    return False, "density"
