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

from lxml import html as lxml_html

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


def _jsonld_types(tree: lxml_html.HtmlElement) -> set[str]:
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

    for script in tree.xpath('//script[@type="application/ld+json"]'):
        try:
            walk(json.loads(script.text or ""))
        except (ValueError, RecursionError):
            continue
    return types


def _density(tree: lxml_html.HtmlElement) -> tuple[int, int]:
    """(words in substantial paragraphs, words inside links)."""
    body = tree.find("body")
    if body is None:
        body = tree
    for bad in body.xpath("//script|//style|//noscript"):
        bad.drop_tree()
    linked = sum(len(a.text_content().split()) for a in body.iter("a"))
    para_words = 0
    for p in body.iter("p"):
        n = len(p.text_content().split())
        if n >= 12:
            para_words += n
    return para_words, linked


def classify_page(page: bytes | str | lxml_html.HtmlElement, url: str) -> tuple[bool, str]:
    """(is_article, reason) for one page; the reason names the rule that decided."""
    if isinstance(page, lxml_html.HtmlElement):
        tree = page
    else:
        try:
            tree = lxml_html.document_fromstring(page)
        except (ValueError, TypeError, Exception):  # empty or undecodable document
            return False, "unparseable"
    types = _jsonld_types(tree)
    if types & ARTICLE_TYPES:
        return True, "jsonld:" + sorted(types & ARTICLE_TYPES)[0]
    if types & INDEX_TYPES:
        return False, "jsonld:" + sorted(types & INDEX_TYPES)[0]
    og = tree.xpath('string(//meta[@property="og:type"]/@content)').strip().lower()
    if og == "article":
        return True, "og:article"
    if og == "profile":
        return False, "og:profile"
    if link_kind(url) == "index":
        return False, "url:index"
    words, linked = _density(tree)
    if words >= MIN_ARTICLE_WORDS and words >= MIN_TEXT_TO_LINKS * linked:
        return True, "density"
    return False, "density"
