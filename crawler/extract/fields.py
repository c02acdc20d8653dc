"""Choose each article field from its sources, best source first, with provenance.

Order of trust, for every field: the page's structured data (JSON-LD, microdata,
OpenGraph and other meta tags), then the feed entry that led to the page, then what
can only be inferred (visible byline, URL, htmldate's page search). A field no source
supports stays empty.
"""

from __future__ import annotations

import html as htmllib
import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree, html

from crawler.extract import dates
from crawler.extract.authors import (
    clean_authors,
    credits_a_picture,
    is_beat_desk,
    is_organisation,
    is_site_name,
    squash,
)
from crawler.extract.boilerplate import is_prose
from crawler.extract.prune import without_others_words
from crawler.extract.schemaorg import type_names
from crawler.extract.structured import Structured
from crawler.extract.title import choose_title, url_slug
from newsarchive.urls import host_under, site_host

PUBLISHED_META = tuple(
    [
        "article:published_time",
        "og:article:published_time",
        "article:published",
        "og:published_time",
        "published_time",
        "datepublished",
        "parsely-pub-date",
        "sailthru.date",
        "pubdate",
        "publishdate",
        "publish-date",
        "publish_date",
        "publication_date",
        "date",
        "dc.date",
        "dc.date.issued",
        "dcterms.issued",
        "dcterms.created",
        "dc.date.created",
        "citation_publication_date",
        "citation_date",
        "article.published",
        "article_date_original",
        "original-publish-date",
        "displaydate",
    ]
)
MODIFIED_META = tuple(
    [
        "article:modified_time",
        "og:article:modified_time",
        "og:updated_time",
        "datemodified",
        "article:modified",
        "modified_time",
        "last-modified",
        "dcterms.modified",
        "dc.date.modified",
        "article.updated",
        "sailthru.lastmodified",
        "lastmod",
    ]
)
AUTHOR_META = tuple(
    [
        "author",
        "article:author",
        "parsely-author",
        "sailthru.author",
        "dc.creator",
        "dcterms.creator",
        "byl",
        "citation_author",
        "cxenseparse:author",
        "og:article:author",
        "article:author_name",
    ]
)
# Byline markup: rel/itemprop "author", a test id or a class that names the byline.
# In any case: generated class names capitalise it ("css-1wkce1i-Byline").
_BYLINE_CLASS_RE = re.compile(
    r"byline|author(?:-|__|_)?name|article-author|post-author|entry-author|"
    r"contributors--author|meta--author|wrote_by",
    re.I,
)
# Where an "author" is an image's photographer or agency, not the story's writer.
_FIGURE_ANCESTOR_XPATH = "ancestor-or-self::*[self::figure or self::figcaption or self::picture]"
_CREDIT_ANCESTOR_XPATH = (
    "ancestor-or-self::*[contains(@class, 'caption') or contains(@class, 'credit')"
    " or contains(@class, 'copyright')]"
)
# A block that holds a picture: "article-image", "photo", "media", "gallery".
_IMAGE_BLOCK_RE = re.compile(
    r"(?:^|[\s_-])(?:image|img|photo|picture|media|gallery|video)s?(?:$|[\s_-])", re.I
)
_IMAGE_BLOCK_WORDS = 60  # more text than a picture and its credit: not an image block
_NON_ALNUM_RE = re.compile(r"[\W_]+")
_TAG_RE = re.compile(r"</?[a-zA-Z][^<>]*>")
_MARKUP_RE = re.compile(r"<(?:/?[a-z][a-z0-9]*)[\s>/]", re.I)
_BREADCRUMB_XPATH = ".//*[contains(@class, 'breadcrumb') or contains(@id, 'breadcrumb')]"


def text(value: Any) -> str:
    """A clean one-line string from a metadata value (entities decoded, spaces collapsed)."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str | int | float) and str(v).strip()), "")
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value") or ""
        if isinstance(value, list):  # a microdata item: every property is a list
            value = next((v for v in value if isinstance(v, str) and v.strip()), "")
    if not isinstance(value, str | int | float):
        return ""
    value = htmllib.unescape(str(value))
    if "<" in value:
        value = _TAG_RE.sub(" ", value)  # "<p>Standfirst</p>" in JSON-LD: keep the text
        if _MARKUP_RE.search(value):  # an unclosed tag: a broken attribute swallowed markup
            return ""
    return " ".join(value.split())


def _first(candidates: Iterable[tuple[str, Any]]) -> tuple[Any, str | None]:
    for source, value in candidates:
        if value:
            return value, source
    return None, None


def _md(st: Structured, key: str) -> Any:
    values = st.microdata.get(key) or []
    return values[0] if values else None


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _terms(value: Any) -> list[str]:
    """Keywords from a list or a comma-separated string."""
    terms = []
    for item in _as_list(value):
        parts = item.split(",") if isinstance(item, str) else [text(item)]
        terms.extend(" ".join(htmllib.unescape(p).split()) for p in parts)
    seen: set[str] = set()
    kept = []
    for term in terms:
        if term and term.casefold() not in seen and len(term) <= 100:
            seen.add(term.casefold())
            kept.append(term)
    return kept


# ------------------------------------------------------------------ title
def title(
    tree: html.HtmlElement, st: Structured, feed: dict, host: str, url: str = ""
) -> tuple[Any, Any]:
    jl, meta = st.jsonld, st.meta_first
    # (source, text, family): a family's sources often copy one field, so vote once.
    candidates = [
        ("json-ld", text(jl.get("headline") or jl.get("name")), "structured"),
        ("microdata", text(_md(st, "headline") or _md(st, "name")), "structured"),
        ("opengraph", text(meta("og:title")), "social"),
        (
            "meta",
            text(meta("twitter:title", "parsely-title", "dc.title", "sailthru.title")),
            "social",
        ),
        ("feed", text(feed.get("title")), "feed"),
        ("meta", text(meta("<title>")), "document"),
    ]
    h1s, sites, placed = [], list(st.site_names), None
    for h1 in tree.iter("h1"):
        if (h1.get("itemprop") or "").casefold() == "alternativeheadline":
            continue  # the page's own markup says it is the second headline
        if _is_masthead(h1, host):
            sites.append(h1.text_content())  # the site's name, set as its logo
            continue
        h1s.append(h1.text_content())
        if placed is None and _over_byline(h1):
            placed = h1.text_content()
        if len(h1s) >= _HEADLINES_READ:
            break
    if not h1s:  # a blog whose only h1 is its name: the post's heading is the first h2
        h1s = [h2.text_content() for h2 in itertools.islice(tree.iter("h2"), 1)]
    return choose_title(candidates, h1s, sites, host, placed, url_slug(urlsplit(url).path))


def following(el: html.HtmlElement, limit: int) -> Iterator[html.HtmlElement]:
    """The first ``limit`` elements after ``el`` in document order, its own inside left
    out (XPath's ``following::`` axis, without building the rest of the page's set)."""
    count, node = 0, el
    while node is not None and count < limit:
        for sib in node.itersiblings():
            for item in sib.iter():
                if isinstance(item.tag, str):
                    yield item
                    count += 1
                    if count >= limit:
                        return
        node = node.getparent()


_HEADLINE_WORDS = 4  # fewer: a section's or a page's name, not a story's headline
_BYLINE_REACH = 25  # elements after the headline where its byline or date stands


def _over_byline(h1: html.HtmlElement) -> bool:
    """An ``<h1>`` set as a story's headline: a sentence-long heading with the story's
    byline or date just below it (a section's name or a logo has neither). The byline
    is its markup or, for a page whose classes name nothing (hashed or utility
    classes), a "By" or a link to an author's page."""
    if len(h1.text_content().split()) < _HEADLINE_WORDS:
        return False
    for el in following(h1, _BYLINE_REACH):
        if el.tag == "time" or (el.attrib and _is_byline(el)) or _is_bare_byline(el):
            return True
        if el.tag == "h1" or (el.tag in ("h2", "h3") and el.find(".//a") is not None):
            return False  # another headline came first (a deck has no link): a list
    return False


_MASTHEAD_RE = re.compile(r"logo|brand|site-?(?:title|name)|masthead|blog-?title", re.I)


def _is_masthead(h1: html.HtmlElement, host: str) -> bool:
    """An ``<h1>`` that is the site's name: a logo, or a link to the home page."""
    if _MASTHEAD_RE.search(f"{h1.get('class') or ''} {h1.get('id') or ''}"):
        return True
    links = h1.findall(".//a")
    if len(links) != 1 or " ".join(links[0].text_content().split()) != " ".join(
        h1.text_content().split()
    ):
        return False
    target = urlsplit(links[0].get("href") or "")
    same_site = not target.netloc or site_host(target.hostname) == site_host(host)
    return same_site and target.path in ("", "/") and not target.query


def _is_bare_byline(el: html.HtmlElement) -> bool:
    """A byline that says so in its words or its link, not in its markup."""
    own = (el.text or "").strip()
    if own and len(own) <= 60 and (_BY_WORD_RE.match(own) or _says_by(own)):
        return True
    return el.tag == "a" and bool(_AUTHOR_PAGE_RE.search(el.get("href") or ""))


def _in_teaser(el: html.HtmlElement) -> bool:
    """Inside a link or a list item: a teaser card's headline, not the page's."""
    return any(up.tag in ("a", "li") for up in el.iterancestors())


_HEADLINES_READ = 10  # h1s weighed for the article's own; a page of teasers has more


def _article_h1(tree: html.HtmlElement, host: str) -> html.HtmlElement | None:
    """The article's headline: the first ``<h1>`` that is not the site's masthead and
    stands over a byline or a date, else the first that is not the masthead. Teaser
    cards and a sticky header that repeats the headline come before the story on some
    pages, each in an ``<h1>`` of its own, with no byline under them; a card's
    headline (in a link or a list item) is never preferred for its byline."""
    heads = [
        h for h in itertools.islice(tree.iter("h1"), _HEADLINES_READ) if not _is_masthead(h, host)
    ]
    if len(heads) > 1:  # the usual page has one: nothing to choose
        chosen = next((h for h in heads if _over_byline(h) and not _in_teaser(h)), None)
        if chosen is not None:
            return chosen
    if heads:
        return heads[0]
    return next((h for h in tree.iter("h1") if not _is_masthead(h, host)), None)


# ---------------------------------------------------------------- authors
def _jsonld_people(value: Any) -> list[tuple[str, bool]]:
    """(name, is_organization) for each JSON-LD author entry."""
    people = []
    for item in _as_list(value)[:30]:
        if isinstance(item, str):
            people.append((item, False))
        elif isinstance(item, dict):
            name = item.get("name")
            if isinstance(name, list):
                name = name[0] if name else ""
            if not name and (item.get("givenName") or item.get("familyName")):
                name = f"{item.get('givenName') or ''} {item.get('familyName') or ''}"
            if isinstance(name, str) and name.strip():
                is_org = bool(type_names(item) - {"person"}) and "person" not in type_names(item)
                people.append((htmllib.unescape(name), is_org))
    return people


def _is_byline(el: html.HtmlElement) -> bool:
    get = el.get  # called on every element of the page: the class, commonest, first
    classes = get("class")
    # Every class the pattern names holds one of these words: test them first, cheaply.
    if (
        classes
        and ("uthor" in classes or "yline" in classes or "wrote_by" in classes)
        and _BYLINE_CLASS_RE.search(classes)
    ):
        return True
    return (
        get("rel") == "author"
        or get("itemprop") == "author"
        or ("byline" in (get("data-testid") or ""))
    )


def _is_image_credit(el: html.HtmlElement) -> bool:
    """Author markup that credits a picture: inside a figure, a caption or a credit, or
    in a small block around an image that holds no headline ("article-image", "photo")."""
    if el.xpath(_FIGURE_ANCESTOR_XPATH):
        return True
    labelled = el.xpath(_CREDIT_ANCESTOR_XPATH)
    if labelled and _captions_a_picture(labelled[-1]):
        return True
    for block in itertools.islice(el.iterancestors(), 3):
        label = f"{block.get('class') or ''} {block.get('id') or ''}"
        if not _IMAGE_BLOCK_RE.search(label) or not block.xpath(".//img | .//video"):
            continue
        # A header or a story that carries a picture is not the picture's block.
        return not block.xpath(".//h1 | .//h2") and (
            len(block.text_content().split()) <= _IMAGE_BLOCK_WORDS
        )
    return False


def _captions_a_picture(el: html.HtmlElement) -> bool:
    """A "caption" or "credit" classed element captions a picture when the nearest block
    around it that holds one is not the story's header: some pages class their byline
    line "caption meta" under a headline with no picture at all."""
    for block in itertools.islice(itertools.chain([el], el.iterancestors()), 4):
        if block.xpath(".//img | .//picture | .//video | .//figure"):
            return not block.xpath(".//h1")
    return False


_MAX_BYLINES = 20
# The names inside a byline that also holds the writer's paper, job or date: "<span
# class="author">Jane Doe</span> <span class="publication">Argus Leader</span>".
_NAME_PARTS = etree.XPath(
    ".//*[contains(concat(' ', normalize-space(@class), ' '), ' author ') or @itemprop='name']"
)


def _byline_text(tree: html.HtmlElement, host: str) -> list[str]:
    """Texts of the byline markup, the article's own first: when some stand just after
    the article's headline, those only, so the bylines of teasers listed before the
    story ("most read", a sidebar) never stand in for its own."""
    h1 = _article_h1(tree, host)
    window = set(following(h1, _NEAR_HEADLINE_ELEMENTS)) if h1 is not None else set()
    found: list[str] = []
    near: list[str] = []
    for el in tree.iter(etree.Element):  # elements only, chosen in libxml2
        if not _is_byline(el):
            continue
        if el.tag in ("meta", "link", "script", "style", "html", "body"):
            continue
        if _is_image_credit(el):
            continue  # a photo credit marked up as an author
        named = [t for t in (_spaced_text(n, lines=True) for n in _NAME_PARTS(el)) if t]
        value = "; ".join(list(dict.fromkeys(named))[:8]) if named else _spaced_text(el, lines=True)
        if not value or len(value) > 200:
            continue
        bucket = near if el in window else found
        if len(bucket) < _MAX_BYLINES:
            bucket.append(value)
        if len(near) >= _MAX_BYLINES or (not window and len(found) >= _MAX_BYLINES):
            break
    return near or found


def image_credits(tree: html.HtmlElement) -> set[str]:
    """Texts of author markup inside figures and captions: photographers, not writers."""
    credits = set()
    for el in tree.xpath(".//*[@itemprop='author']")[:40]:
        if _is_image_credit(el):
            credits.add(squash(el.text_content()))
    return credits


_BY_RE = re.compile(r"^(?:by|written by|posted by|words by)\s+\S", re.I)
# "By chance, ...", "By the time ...": a sentence of the story that opens with "By".
_BY_SENTENCE_RE = re.compile(r"^(?i:by)\s+[a-z]")


def _says_by(text: str) -> bool:
    """Unmarked text that opens as a byline: "By Jane Doe", not "By chance, ..."."""
    return bool(_BY_RE.match(text)) and not _BY_SENTENCE_RE.match(text)


def _story_begun(el: html.HtmlElement) -> bool:
    """A paragraph of the story's prose: the header, where bylines stand, is over (a
    long notice that is no sentence, "You can update your privacy settings", is not)."""
    return el.tag == "p" and is_prose(" ".join(el.text_content().split()))


_BY_REACH = 60  # elements after the headline read for a "By" line, whatever they are
_BY_HEADER_REACH = 150  # ... and further, while the story has not begun
_BY_WORD_RE = re.compile(r"^(?:\|\s*)?(?:by|written by|posted by)\s*:?$", re.I)
# What a dateline or a credit that ends in its writer holds before the "by": a date or
# its verb ("Posted on May 4 by Jane Doe", "Reporting by Jane Doe"), not "Follow us by
# Email".
_DATELINE_LEAD_RE = re.compile(
    r"\d|\b(?:posted|written|published|updated|filed|reporting|reported)\b", re.I
)
# "Posted on September 21, 2020 by Adi Tzlil": a name after "by" at the end of a line.
_TRAILING_BY_RE = re.compile(r"\bby\s+((?:[A-Z][\w.'’-]+\s*){1,4})$")


# A byline's links to the writer's accounts and pages: "Twitter", "Email", "Bio".
_CONTACT = r"(?:twitter|facebook|instagram|linkedin|e-?mail|bio|rss|bluesky|mastodon|tiktok)"
_CONTACT_LABEL_RE = re.compile(
    rf"^\W*(?:follow(?:\s+(?:me|him|her|them))?(?:\s+on\s+{_CONTACT})?|{_CONTACT}(?:\s+me)?)\W*$",
    re.I,
)


def _spaced_text(el: html.HtmlElement, lines: bool = False) -> str:
    """An element's text with its parts spaced apart ("<span>By</span><a>Jane</a>").
    With ``lines``, each ``<br>`` parts it with ";", as a byline's lines are: "By JANE
    DOE<br>AP Writer" is a name and a job, not "JANE DOE AP"; so does a part that is
    a link label to the writer's accounts ("Jane Doe <a>Twitter</a>")."""
    if not lines:
        return " ".join(" ".join(el.itertext()).split())
    pieces: list[str] = []
    block = None
    for p in el.xpath("descendant-or-self::text() | .//br"):
        if not isinstance(p, str):
            pieces.append(";")
            continue
        if not p.strip():
            pieces.append(p)
            continue
        here = _block_of(p, el)
        if block is not None and here is not block:
            pieces.append(";")
        block = here
        pieces.append(";" if _CONTACT_LABEL_RE.match(p) else p)
    return " ".join(" ".join(pieces).split())


# A byline's parts set as blocks of their own: the writer's job, a section's badge, the
# date, each a line under or beside the name ("<a>Jane Doe</a><p>Sports writer</p>").
_BLOCK_PARTS = frozenset(("p", "div", "li", "time", "h2", "h3", "h4", "h5", "h6", "dd", "dt"))


def _block_of(text: Any, top: html.HtmlElement) -> html.HtmlElement:
    """The innermost block element inside ``top`` that holds a text node (else ``top``)."""
    node = text.getparent()
    if node is not None and text.is_tail:
        node = node.getparent()
    while node is not None and node is not top:
        if node.tag in _BLOCK_PARTS:
            return node
        node = node.getparent()
    return top


def _after_by(line: str) -> str:
    """The part of a line from its "By" on ("trending | By Jane Doe" -> "By Jane Doe")."""
    match = re.search(r"(?:^|\W)(by\b.*)$", line, re.I)
    return match.group(1) if match else line


def _by_line_near_headline(tree: html.HtmlElement, host: str) -> list[str]:
    """A "By Jane Doe" line shortly after the headline, for pages with no byline markup.

    The "By" may stand alone with the name in the next element ("<span>By</span>
    <a>Jane Doe</a>"), or close a dateline ("Posted on May 4 by Jane Doe"). The
    first ``_BY_REACH`` elements are read; past them, only while the story has not
    begun (a row of share buttons can stand between headline and byline). A "By"
    that opens a sentence of the story ("By chance, ...") is no byline.
    """
    # A blog whose only <h1> is its name titles posts lower: read from the name then.
    h1 = _article_h1(tree, host)
    if h1 is None:
        h1 = next(tree.iter("h1"), None)
    if h1 is None:
        return []
    for seen, el in enumerate(following(h1, _BY_HEADER_REACH)):
        if seen >= _BY_REACH:  # out in the header's far end: no teaser's byline
            if _story_begun(el):
                return []
            if _in_teaser(el):
                continue
        own = " ".join((el.text or "").split())
        if not own or _is_image_credit(el):
            continue  # a figure's "Photo by X" credits the picture, not the story
        if _BY_WORD_RE.match(own):  # "By" alone: the name follows in the next element
            holder = el  # the name in its own child first ("Written by <a>Jane</a>")
            for _ in range(4):
                line = _after_by(_spaced_text(holder))
                if len(line.split()) > 1:
                    return [line] if len(line) <= 150 else []
                holder = holder.getparent() if holder.getparent() is not None else holder
            nxt = next((n for n in holder.itersiblings() if _spaced_text(n)), None)
            if nxt is not None and len(_spaced_text(nxt)) <= 100:
                return [_spaced_text(nxt)]
            continue
        if _says_by(own):
            line = own if len(own.split()) > 1 and not own.lower().endswith(" by") else None
            if line is None or len(own.split()) < 2:
                line = _spaced_text(el)
            if len(line) <= 150:
                return [line]
            continue
        whole = _spaced_text(el)
        trailing = _TRAILING_BY_RE.search(whole) if len(whole.split()) <= 15 else None
        if (
            trailing
            and _DATELINE_LEAD_RE.search(whole[: trailing.start()])
            and not credits_a_picture(whole)
        ):
            return [trailing.group(1)]
    return []


# The path of an author's page on a news site: /author/jane-doe, /authors/jdoe/,
# /contributors/..., /writers/..., /journalists/..., /reporters/...
_AUTHOR_PAGE_RE = re.compile(
    r"/(?:author|authors|writers?|contributors?|journalists?|reporters?)/[^/?#]+", re.I
)


_ABOVE_HEADLINE_LINES = 3  # short lines just above the headline, in its own block
_ABOVE_HEADLINE_WORDS = 25


def _header_links(h1: html.HtmlElement) -> Iterator[html.HtmlElement]:
    """The links of the headline's header: in the few short lines just above it in its
    own block (a byline set over the headline), then after it until the story begins."""
    above = []
    for sibling in itertools.islice(h1.itersiblings(preceding=True), _ABOVE_HEADLINE_LINES):
        if len(sibling.text_content().split()) > _ABOVE_HEADLINE_WORDS:
            break
        above.append(sibling)
    for sibling in reversed(above):
        yield from sibling.iter("a")
    for el in following(h1, _NEAR_HEADLINE_ELEMENTS):
        if _story_begun(el):
            return
        if el.tag == "a":
            yield el


def _author_page_links(tree: html.HtmlElement, host: str) -> list[str]:
    """Links to the site's author pages in the article's header, for a byline with
    neither byline markup nor a "By" (``<div class="author"><a
    href="/author/jane-doe">Jane Doe</a>``). Only the header's (``_header_links``): a
    menu of the site's writers elsewhere before the headline, or links once the story
    has begun, are not its byline."""
    h1 = _article_h1(tree, host)
    if h1 is None:
        return []
    names: list[str] = []
    for el in _header_links(h1):
        if _is_image_credit(el):
            continue
        target = urlsplit(el.get("href") or "")
        there, here = site_host(target.hostname), site_host(host)
        if target.netloc and not (host_under(there, here) or host_under(here, there)):
            continue  # another site's writer (finance.example.com's is example.com's)
        value = _spaced_text(el)
        if _AUTHOR_PAGE_RE.search(target.path) and value and len(value.split()) <= 5:
            names.append(value)
    return names[:_MAX_BYLINES]


def _article_bylines(found: list[str]) -> list[str]:
    """The byline elements that belong to the article, not to teasers around it.

    A "By ..." element is the article's own byline: the first one wins, or the "By ..."
    element inside it when it holds more than twice its words (the rest is the
    writer's card: "By Jane Doe Jane Doe Opinion writer ... Email Bio Follow"). Without
    one, the first three byline elements are read (names split over several elements);
    an element that starts with an earlier one's text is its author box (name + bio).
    """
    by = [value for value in found if _BY_RE.match(value)]
    if by:
        inner = [
            v for v in by[1:] if by[0].startswith(v) and len(by[0].split()) > 2 * len(v.split())
        ]
        return [inner[0] if inner else by[0]]
    kept: list[str] = []
    for value in found:
        if not any(value.startswith(k) and value != k for k in kept):
            kept.append(value)
        if len(kept) == 3:
            break
    return kept


def _strip_site_tail(name: str, site_names: list[str], host: str) -> str:
    """ "Adam Aaronson PhillyVoice" -> "Adam Aaronson": the site run into the name."""
    words = name.split()
    if is_organisation(name):
        return name  # "7 News WSVN" is the newsroom's own name
    for n in (1, 2, 3):
        if len(words) - n >= 2 and is_site_name(" ".join(words[-n:]), site_names, host):
            return " ".join(words[:-n])
    return name


def _agreement(a: list[str], b: list[str]) -> float:
    """F1 of two name lists, compared in their squashed form."""
    sa, sb = {squash(n) for n in a}, {squash(n) for n in b}
    common = len(sa & sb)
    return 2 * common / (len(sa) + len(sb)) if common else 0.0


_UNSHOWN = ("script", "style", "noscript", "template")  # text the reader never sees


def _compact(text: str) -> str:
    """``squash`` done by a regular expression, for a whole page's text at once."""
    return _NON_ALNUM_RE.sub("", unicodedata.normalize("NFKC", text).casefold())


def _visible_text(tree: html.HtmlElement) -> str:
    """The body's text without what scripts, styles, ``<noscript>`` and ``<template>``
    hold, compacted. The body's whole text is taken in C and the unshown texts, which
    stand in it in document order, are cut out of it: 2.4x faster than an XPath that
    tests every text node's ancestors, and the same text on all benchmark pages."""
    body = tree.find("body")
    if body is None:
        return ""
    whole = body.text_content()
    parts, pos = [], 0
    for el in body.iter(*_UNSHOWN):
        if next(el.iterancestors(*_UNSHOWN), None) is not None:
            continue  # cut with the element around it
        unshown = el.text_content()
        at = whole.find(unshown, pos) if unshown else -1
        if at >= 0:
            parts.append(whole[pos:at])
            pos = at + len(unshown)
    parts.append(whole[pos:])
    return _compact(" ".join(parts))


# How much text after the headline counts as "near" it: where bylines sit.
_NEAR_HEADLINE_CHARS = 600
_NEAR_HEADLINE_ELEMENTS = 40


def _after_headline(tree: html.HtmlElement, host: str) -> str:
    """The page's text just after its headline (the article's ``<h1>``, not a logo):
    where the article's own byline and date stand, unlike a teaser's or a footer's."""
    h1 = _article_h1(tree, host)
    if h1 is None:
        return ""
    parts: list[str] = [h1.tail or ""]
    size = 0
    for el in following(h1, _NEAR_HEADLINE_ELEMENTS):
        if el.tag in ("script", "style", "noscript", "template"):
            continue
        for piece in (el.text, el.tail):
            if piece and piece.strip():
                parts.append(piece)
                size += len(piece)
        if size >= _NEAR_HEADLINE_CHARS:
            break
    return " ".join(" ".join(parts).split())


def _near_headline_text(tree: html.HtmlElement, host: str) -> str:
    """``_after_headline``, compacted for comparing names."""
    return _compact(_after_headline(tree, host))


def _best_supported(
    candidates: list[tuple[str, list[str]]], tree: html.HtmlElement, host: str
) -> tuple[str, list[str]]:
    """The source whose names the rest of the page bears out best.

    Each source is scored by how far the other sources agree with it (F1 of the name
    sets), plus the share of its names that the reader can see on the page, plus the
    share that stands just after the headline (the article's byline, where a name
    seen only in a teaser or a footer does not). Sources that all agree keep their
    order of trust: the first wins a tie.
    """
    if len(candidates) == 1 or all(
        _agreement(candidates[0][1], names) == 1.0 for _, names in candidates[1:]
    ):
        return candidates[0]
    visible = _visible_text(tree)
    near = _near_headline_text(tree, host)
    best, best_score = candidates[0], float("-inf")
    for i, (source, names) in enumerate(candidates):
        score = sum(_agreement(names, other) for j, (_, other) in enumerate(candidates) if j != i)
        score += sum(_compact(n) in visible for n in names) / len(names)
        score += sum(bool(near) and _compact(n) in near for n in names) / len(names)
        if score > best_score + 1e-9:
            best, best_score = (source, names), score
    return best


def authors(tree: html.HtmlElement, st: Structured, feed: dict, host: str) -> tuple[list, Any]:
    """The article's authors, chosen by the evidence of the whole page.

    Every source is read (JSON-LD, microdata, author meta tags, the visible byline,
    the feed). Persons beat organisations: the site's own name or a wire's never hides
    a person another source names. Among the sources that name persons, the one the
    rest of the page supports best wins (``_best_supported``). With no person anywhere,
    an organisation byline (a newsroom, a wire desk) is the author; the site's own name
    only when the visible byline gives it.
    """
    # The author-page links are read here only when nothing else gives a byline, and
    # below only for a byline name that may run on past its link.
    linked = None
    bylines = _byline_text(tree, host) or _by_line_near_headline(tree, host)
    if not bylines:
        bylines = linked = _author_page_links(tree, host)
    byline_key = squash(" ".join(bylines))
    credits = image_credits(tree)
    people = _jsonld_people(st.jsonld.get("author") or st.jsonld.get("creator"))
    jsonld_orgs = {squash(name) for name, is_org in people if is_org}
    jsonld_persons = {squash(name) for name, is_org in people if not is_org}
    sources: list[tuple[str, list[str]]] = [
        ("json-ld", [name for name, _ in people]),
        ("microdata", [text(a) for a in st.microdata.get("author", [])]),
        ("meta", [v for v in st.meta_all(*AUTHOR_META) if "://" not in v and "/" not in v]),
        ("byline", _article_bylines(bylines)),
        ("feed", [text(a) for a in _as_list(feed.get("authors") or feed.get("author"))]),
    ]
    twitter = _twitter_label_author(st)
    if twitter:
        sources.insert(3, ("meta", twitter))
    with_people: list[tuple[str, list[str]]] = []
    orgs_only: list[tuple[str, list[str]]] = []
    every_name: list[str] = []
    for source, raws in sources:
        raws = [r for r in raws if r and squash(r) not in credits]
        raws = [
            r
            for r in raws
            if not is_site_name(r, st.site_names, host)
            or squash(r) in jsonld_persons
            or squash(r) in byline_key
        ]
        names = [_strip_site_tail(n, st.site_names, host) for n in clean_authors(raws)]
        if source == "byline" and any(len(n.split()) > 2 for n in names):
            if linked is None:  # read only for a name that may run on past its link
                linked = _author_page_links(tree, host)
            names = list(dict.fromkeys(part for n in names for part in _as_linked(n, linked)))
        names = [
            n
            for n in names
            if not is_site_name(n, st.site_names, host)
            or squash(n) in jsonld_persons
            or squash(n) in byline_key
        ]
        if not names:
            continue
        every_name.extend(names)
        persons = [
            n
            for n in names
            if squash(n) not in jsonld_orgs
            and not is_organisation(n)
            and not is_site_name(n, st.site_names, host)
        ]
        (with_people if persons else orgs_only).append((source, names))
    if with_people:
        with_people = [
            (source, _split_run_together(names, [n for _, n in with_people if n is not names]))
            for source, names in with_people
        ]
        source, names = _best_supported(with_people, tree, host)
        # The site's own name is not an author next to a person (it is the publication),
        # nor a beat's desk ("Court Reporter": the person's title, read apart).
        kept = [
            n
            for n in names
            if not (is_site_name(n, st.site_names, host) or is_beat_desk(n))
            or squash(n) in jsonld_persons
        ]
        return [_in_full(n, every_name) for n in kept], source
    # An organisation that is more than the site's own name (a wire, a newsroom, a
    # desk: "Mill Gazette Newsroom") is a better author than the bare site name.
    orgs_only.sort(key=lambda c: all(is_site_name(n, st.site_names, host) for n in c[1]))
    for source, names in orgs_only:
        return names, source
    credit = [
        n
        for n in clean_authors(_headline_credit(tree, host))
        if not is_site_name(n, st.site_names, host)
    ]
    return (credit, "byline") if credit else ([], None)


def _as_linked(name: str, linked: list[str]) -> list[str]:
    """A byline's name that runs on past the name its link to the writer's page gives
    ("Sarah Lazare Twitter", "Jane Doe Freelance") is the linked names it holds: the
    rest is the card ("Ana Lima Tom Roe", both linked, is both). A link of one word
    (a first name) is too little of a name to cut at."""
    folded = name.casefold()
    whole = [n for n in linked if len(n.split()) >= 2]
    if not any(len(folded) > len(n) and folded.startswith(n.casefold() + " ") for n in whole):
        return [name]
    return [n for n in whole if n.casefold() in folded]


# How far after the headline a credit line is the story's, and how long it may be.
_CREDIT_AFTER_HEADLINE = 12
_CREDIT_WORDS = 4
_PICTURES = ("img", "picture", "video", "figure")


def _headline_credit(tree: html.HtmlElement, host: str) -> list[str]:
    """A short credit line just under the headline, with no picture beside it: the wire
    or writer of a story whose page has no byline markup ("<h1>...</h1><p
    class="credit">JIJI</p>"). Read only when no other source names an author.

    Between the headline and the credit there is no picture and no story text, and the
    credit's own block (up to the one that holds the headline) holds no picture: a
    picture's credit ("Al Goldis, Associated Press" under a photo) is not a byline.
    """
    h1 = _article_h1(tree, host)
    if h1 is None:
        return []
    for el in following(h1, _CREDIT_AFTER_HEADLINE):
        if el.tag in _PICTURES:
            return []
        if "credit" not in (el.get("class") or "").lower():
            if el.tag in ("h1", "h2", "p") and el.text_content().strip():
                return []  # the story (or another headline) began before any credit
            continue
        line = _spaced_text(el)
        if not line or len(line.split()) > _CREDIT_WORDS or credits_a_picture(line):
            return []
        headline_blocks = set(h1.iterancestors())
        for block in el.iterancestors():
            if block in headline_blocks:
                return [line]
            label = f"{block.get('class') or ''} {block.get('id') or ''}"
            if (
                block.tag in ("figure", "figcaption", "picture")
                or _IMAGE_BLOCK_RE.search(label)
                or block.xpath(".//img | .//picture | .//video")
            ):
                return []
        return []
    return []


def _split_run_together(names: list[str], others: list[list[str]]) -> list[str]:
    """A name that is several names of another source run together is those names:
    "April Roach Daniel O'Mahony", a byline of two links with nothing between them,
    beside a meta author "April Roach, Daniel O'Mahony"."""
    out: list[str] = []
    for name in names:
        out.extend(next(filter(None, (_run_of(squash(name), o) for o in others)), [name]))
    return list(dict.fromkeys(out))


def _run_of(key: str, names: list[str]) -> list[str]:
    """The two or more consecutive ``names`` whose squashed forms, joined, are ``key``."""
    for i in range(len(names) - 1):
        joined = ""
        for j in range(i, len(names)):
            joined += squash(names[j])
            if not key.startswith(joined) or not joined:
                break
            if joined == key and j > i:
                return names[i : j + 1]
    return []


def _in_full(name: str, names: list[str]) -> str:
    """A first name alone ("Pamela", a sign-off) as the one fuller name another source
    gives that starts with it ("Pamela Anderson", even when it is the site's name)."""
    if len(name.split()) != 1:
        return name
    first = name.casefold()
    fuller = {n for n in names if len(n.split()) >= 2 and n.split()[0].casefold() == first}
    return fuller.pop() if len(fuller) == 1 else name


def _twitter_label_author(st: Structured) -> list[str]:
    """The author a page gives in its Twitter card labels ("Written by" / "Jane Doe")."""
    found = []
    for n in ("1", "2", "3"):
        label = (st.meta_first(f"twitter:label{n}") or "").casefold()
        if label.startswith(("written by", "author", "by")):
            value = st.meta_first(f"twitter:data{n}")
            if value:
                found.append(value)
    return found


# ------------------------------------------------------------------ dates
def _date_candidates(
    st: Structured, feed: dict, keys: tuple[str, ...], jl_key: str, feed_keys: tuple[str, ...]
) -> list[tuple[str, dates.When]]:
    raw: list[tuple[str, Any]] = [
        ("json-ld", st.jsonld.get(jl_key)),
        ("microdata", _md(st, jl_key)),
    ]
    for key in keys:
        for value in st.meta.get(key, ()):
            source = "opengraph" if key.startswith(("article:", "og:")) else "meta"
            raw.append((source, value))
    raw.extend(("feed", feed.get(k)) for k in feed_keys)
    parsed = []
    for source, value in raw:
        for item in _as_list(value)[:3]:
            when = dates.parse_date(text(item) if not isinstance(item, int | float) else item)
            if when is not None:
                parsed.append((source, when))
    return parsed


def _htmldate(tree: html.HtmlElement, captured: datetime | None) -> dates.When | None:
    """htmldate's date for a page whose metadata and URL name none.

    Read on a copy without the embedded social posts and the reader comments: their
    dates are someone else's. Its quick search (markup and meta) first; only when that
    finds nothing, its extensive search, which reads the page's text too (a byline's
    "published 25 September 2018", a blog's signed-off date). No date after the
    capture counts: a page cannot show one, and a re-extraction years later then
    finds what the crawl found (htmldate's own bound is the end of today).

    The extensive search ends in guesses: a month alone ("February 2021") becomes its
    first day, a copyright or a lone year the 1st of January. The first of a month
    from it is therefore refused: no date beats a made-up day (a real one lost
    there is one day in thirty).
    """
    try:
        from htmldate import find_date

        own = without_others_words(tree)
        latest = dates.latest_wall_time(captured) if captured else None
        for extensive in (False, True):
            found = find_date(
                own,
                original_date=True,
                extensive_search=extensive,
                outputformat="%Y-%m-%d",
                max_date=latest,
            )
            if found and not (extensive and found.endswith("-01")):
                return dates.parse_date(found)
    except Exception:  # noqa: BLE001 - htmldate failing on odd markup: no date from it
        return None
    return None


def _shown_times(tree: html.HtmlElement, host: str, limit: int = 10) -> list[dates.When]:
    """The times the page shows: its first ``limit`` ``<time datetime>``, then the
    date-times written out under the headline ("Published Nov. 8, 2023, 10:28 p.m.")."""
    found = []
    for el in itertools.islice(tree.iter("time"), limit):
        when = dates.parse_date(el.get("datetime"))
        if when is not None and when.has_time:
            found.append(when)
    return found + dates.times_in_text(_after_headline(tree, host))


def _update_last(pub: list[tuple[str, Any]], mod: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """The publication candidates, with one that is the page's declared update time put
    last when another declares an earlier publication: a CMS that rewrites one
    "datePublished" on every edit, beside an ``article:published_time`` kept from the
    first day, gives the update as the publication (seen on an old Independent page)."""
    updates = {w.sort_key() for _, w in mod}
    first = pub[0][1].sort_key()
    if first not in updates:
        return pub
    # Earlier by more than any two zones differ: a naive local time is no earlier.
    bound = first - dates.ZONE_SPREAD
    earlier = next(
        (c for c in pub[1:] if c[1].sort_key() < bound and c[1].sort_key() not in updates), None
    )
    if earlier is None:
        return pub
    return [earlier, *(c for c in pub if c is not earlier)]


def published_modified(
    tree: html.HtmlElement, st: Structured, feed: dict, url: str, captured: datetime | None = None
) -> tuple[tuple[Any, Any], tuple[Any, Any]]:
    """((published, source), (modified, source)) as ISO strings, reconciled."""
    pub = _date_candidates(st, feed, PUBLISHED_META, "datePublished", ("published", "date"))
    if not pub:
        created = _date_candidates(st, {}, (), "dateCreated", ())
        pub = [c for c in created if c[0] == "json-ld"]
    mod = _date_candidates(st, feed, MODIFIED_META, "dateModified", ("modified", "updated"))
    everything = [w for _, w in pub + mod]
    published = modified = None
    pub_source = mod_source = None
    if pub:
        pub = _update_last(pub, mod)
        pub_source, published = pub[0]
        published = dates.refine(published, [w for _, w in pub[1:]])
    else:
        url_date = dates.date_from_url(url)
        found = url_date or _htmldate(tree, captured)
        if found is not None:
            published, pub_source = found, "url" if url_date else "htmldate"
    if mod:
        mod_source, modified = mod[0]
    if published is not None:
        published = dates.with_page_zone(published, everything)
    if modified is not None:
        modified = dates.with_page_zone(modified, everything)
    if any(w is not None and w.is_utc for w in (published, modified)):  # else skip the walk
        shown = _shown_times(tree, urlsplit(url).hostname or "")
        published = published and dates.in_local_time(published, shown)
        modified = modified and dates.in_local_time(modified, shown)
    if (
        published is not None
        and modified is not None
        and modified.sort_key() < published.sort_key()
        and modified.day < published.day
    ):
        modified, mod_source = None, None  # an update cannot precede the publication
    return (
        (published.iso() if published else None, pub_source),
        (modified.iso() if modified else None, mod_source),
    )


# --------------------------------------------------------- other fields
def section(tree: html.HtmlElement, st: Structured, title_text: str | None) -> tuple[Any, Any]:
    value, source = _first(
        [
            ("json-ld", text(st.jsonld.get("articleSection"))),
            ("microdata", text(_md(st, "articleSection"))),
            ("opengraph", text(st.meta_first("article:section"))),
            ("meta", text(st.meta_first("parsely-section", "section", "category"))),
        ]
    )
    if value:
        return value, source
    crumbs, source = st.breadcrumbs, "json-ld"
    if not crumbs:
        source = "heuristic"
        for el in tree.xpath(_BREADCRUMB_XPATH)[:1]:
            crumbs = [" ".join(a.text_content().split()) for a in el.iter("a", "li", "span")]
            crumbs = [c for c in crumbs if c]
    title_key = squash(title_text or "")
    kept = []
    for crumb in crumbs:
        key = squash(crumb)
        if not key or key in ("home", "homepage", "start", "news") and len(crumbs) > 2:
            continue
        if title_key and (key == title_key or title_key.startswith(key[:40])) and len(key) > 25:
            continue
        if key not in (squash(k) for k in kept) and len(crumb) <= 60:
            kept.append(crumb)
    kept = [k for k in kept if squash(k) not in ("home", "homepage")]
    return (kept[-1], source) if kept else (None, None)


def tags(st: Structured, feed: dict) -> tuple[list, Any]:
    value, source = _first(
        [
            ("json-ld", _terms(st.jsonld.get("keywords"))),
            ("microdata", _terms(st.microdata.get("keywords"))),
            ("opengraph", _terms(st.meta_all("article:tag"))),
            ("meta", _terms(st.meta_all("news_keywords", "keywords", "parsely-tags"))),
            ("feed", _terms(feed.get("tags"))),
        ]
    )
    return (value or [], source)


def declared_body(st: Structured) -> str | None:
    """The article text the page declares in its JSON-LD (``articleBody``), if any."""
    value = st.jsonld.get("articleBody")
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str)), None)
    if not isinstance(value, str) or not value.strip():
        return None
    value = htmllib.unescape(value)
    if "<" in value:  # some CMSs put the HTML of the body there: keep its paragraphs
        value = re.sub(r"(?i)</p>|<br\s*/?>", "\n", value)
        value = _TAG_RE.sub(" ", value)
    lines = (" ".join(line.split()) for line in value.split("\n"))
    return "\n".join(line for line in lines if line) or None


def _image_url(value: Any) -> str:
    for item in _as_list(value):
        if isinstance(item, dict):
            item = item.get("url") or item.get("contentUrl")
        if isinstance(item, str) and item.strip():
            return item.strip()
    return ""


def simple_fields(st: Structured, feed: dict, url: str) -> dict[str, tuple[Any, Any]]:
    """Description, image, language, canonical URL and paywall flag."""
    jl, meta = st.jsonld, st.meta_first
    out: dict[str, tuple[Any, Any]] = {}
    out["description"] = _first(
        [
            ("json-ld", text(jl.get("description"))),
            ("opengraph", text(meta("og:description"))),
            ("meta", text(meta("description", "twitter:description", "dc.description"))),
            ("microdata", text(_md(st, "description"))),
            ("feed", text(feed.get("description") or feed.get("summary"))),
        ]
    )
    image, source = _first(
        [
            ("opengraph", _image_url(meta("og:image", "og:image:url", "og:image:secure_url"))),
            ("json-ld", _image_url(jl.get("image") or jl.get("thumbnailUrl"))),
            ("meta", _image_url(meta("twitter:image", "twitter:image:src"))),
            ("microdata", _image_url(_md(st, "image"))),
            ("feed", _image_url(feed.get("image"))),
        ]
    )
    out["image"] = (urljoin(url, image) if image and url else image, source)
    lang, source = _first(
        [
            ("meta", text(st.lang)),
            ("json-ld", text(jl.get("inLanguage"))),
            ("meta", text(meta("content-language", "dc.language", "og:locale", "language"))),
            ("feed", text(feed.get("language"))),
        ]
    )
    match = re.match(r"^([A-Za-z]{2,3})(?:[-_]|$)", lang or "")
    out["language"] = (match.group(1).lower(), source) if match else (None, None)
    canonical, source = _first(
        [
            ("meta", st.canonical),
            ("opengraph", meta("og:url")),
            ("json-ld", _image_url(jl.get("url"))),
        ]
    )
    if canonical and url:
        canonical = urljoin(url, canonical)
    if not canonical or not urlsplit(canonical).scheme.startswith("http"):
        canonical, source = url, None
    out["canonical_url"] = (canonical, source)
    out["paywalled"] = paywalled(st)
    return out


def _is_false(value: Any) -> bool:
    return value is False or (isinstance(value, str) and value.strip().lower() in ("false", "no"))


def paywalled(st: Structured) -> tuple[bool, Any]:
    if "isAccessibleForFree" in st.jsonld:
        return _is_false(st.jsonld["isAccessibleForFree"]), "json-ld"
    for part in _as_list(st.jsonld.get("hasPart")):
        if isinstance(part, dict) and _is_false(part.get("isAccessibleForFree")):
            return True, "json-ld"
    tier = (st.meta_first("article:content_tier") or "").lower()
    if tier:
        return tier == "locked", "opengraph"
    return False, None
