"""Is this page an article, or an index (section, tag, author, search, home) page?

The rule, first decisive signal wins:

1. JSON-LD ``@type`` (also inside ``@graph``): an article type (every schema.org
   ``Article`` subtype, and the reviews and fact-checks news sites publish; the list
   is ``crawler.extract.schemaorg``) -> article; a listing type (CollectionPage,
   ItemList, ProfilePage, SearchResultsPage) -> index.
2. OpenGraph ``og:type``: ``article`` -> article; ``profile`` -> index.
3. URL shape: a path segment such as ``tag``, ``topic``, ``author``, ``category``,
   ``section``, ``page``, ``search``, the site root, or a ``page=`` query -> index.
4. Text density (on the parsed tree): at least ``MIN_ARTICLE_WORDS`` words in
   paragraphs of 12+ words, and those paragraph words outnumber the words inside links at least ``MIN_TEXT_TO_LINKS``
   to one -> article; else index. (Linked words include menus and footers, so the
   ratio is loose: real article pages carry hundreds of navigation links.)

Structured data comes first because publishers set it for search engines and it is
cheap to read; URL shape catches unmarked listing pages; density decides the rest
(index pages are mostly short linked headlines, articles mostly running text).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from crawler.extract.schemaorg import ARTICLE_TYPES, LISTING_TYPES, type_names

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
MAX_JSONLD_NODES = 5_000
_DATE_PATH = re.compile(r"/(19|20)\d\d/\d{1,2}/(\d{1,2}/)?")
_ID_PATH = re.compile(r"\d{5,}")


HTML_TYPES = {"text/html", "application/xhtml+xml"}
# Media types servers send for anything; the body decides (as a browser sniffs it).
VAGUE_TYPES = {"", "text/plain", "application/octet-stream", "binary/octet-stream"}
_MARKUP = re.compile(rb"<(?:!doctype\s+html|html|head|body|meta|title|p|div|h1)\b", re.I)


def is_html(content_type: bytes | str | None, body: bytes) -> bool:
    """Whether a response is an HTML page, by its media type, or by its first bytes
    when the type says nothing (a PDF or an image is never an article page)."""
    if isinstance(content_type, bytes):
        content_type = content_type.decode("latin-1")
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media in HTML_TYPES:
        return True
    if media not in VAGUE_TYPES:
        return False
    return bool(_MARKUP.search(body[:2048]))


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


def _jsonld_types(tree) -> set[str]:
    from crawler.extract.structured import load_json

    types: set[str] = set()
    stack: list[object] = []
    for script in tree.iterfind(".//script[@type]"):
        if "ld+json" in (script.get("type") or "").lower():
            stack.append(load_json(script.text or ""))
    seen = 0
    while stack and seen < MAX_JSONLD_NODES:
        node = stack.pop()
        seen += 1
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            types |= type_names(node)
            if "@graph" in node:
                stack.append(node["@graph"])
    return types


def _og_type(tree) -> str:
    for meta in tree.iterfind(".//meta"):
        if (meta.get("property") or meta.get("name") or "").strip().lower() == "og:type":
            return (meta.get("content") or "").strip().lower()
    return ""


def _words(element) -> int:
    return len(element.text_content().split())


def _density(tree) -> tuple[int, int]:
    """(words in substantial paragraphs, words inside links), on the parsed tree.

    One pass over elements the parser already closed: linear in the page, whatever its
    markup (regular expressions over raw HTML went quadratic on unclosed ``<p>``).
    """
    para_words = 0
    for p in tree.iter("p"):
        n = _words(p)
        if n >= 12:
            para_words += n
    linked = sum(_words(a) for a in tree.iter("a"))
    return para_words, linked


def classify_tree(tree, url: str) -> tuple[bool, str]:
    """(is_article, reason) for a page parsed by ``crawler.extract.page.parse``."""
    if tree is None:
        return False, "empty"
    types = _jsonld_types(tree)
    if types & ARTICLE_TYPES:
        return True, "jsonld:" + sorted(types & ARTICLE_TYPES)[0]
    if types & LISTING_TYPES:
        return False, "jsonld:" + sorted(types & LISTING_TYPES)[0]
    og = _og_type(tree)
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


def classify_page(page: bytes | str, url: str) -> tuple[bool, str]:
    """(is_article, reason) for one page; the reason names the rule that decided."""
    from crawler.extract.page import parse

    return classify_tree(parse(page), url)
