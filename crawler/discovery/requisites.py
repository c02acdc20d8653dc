"""The page requisites of an article: what a browser loads to show it as it was.

Images (``src``, the first ``srcset``/``<source>`` candidate), stylesheets, scripts,
icons and video posters named in the page's markup. Resources named only inside CSS
(fonts, background images) are not followed: that needs a CSS parser and one more round
of requests per stylesheet, and the markup's own resources give replay its look. Scope,
politeness and size bounds are the crawl's (``NewsSpider``); here only which URLs.
"""

from __future__ import annotations

from urllib.parse import urldefrag, urljoin, urlsplit

from lxml.html import HtmlElement

MAX_REQUISITES = 60  # per page: a gallery of hundreds is capped, not fetched whole

# (xpath, attribute): the places a page names a resource it needs to render.
_PLACES = (
    ("//link[contains(concat(' ', normalize-space(@rel), ' '), ' stylesheet ')]", "href"),
    ("//script[@src]", "src"),
    ("//img[@src]", "src"),
    ("//img[@srcset]", "srcset"),
    ("//picture/source[@srcset]", "srcset"),
    ("//video[@poster]", "poster"),
    ("//link[contains(concat(' ', normalize-space(@rel), ' '), ' icon ')]", "href"),
)


def _first_candidate(srcset: str) -> str:
    """The first URL of a ``srcset`` ("a.jpg 1x, b.jpg 2x" -> "a.jpg")."""
    first = srcset.split(",")[0].strip()
    return first.split()[0] if first else ""


def requisite_urls(tree: HtmlElement | None, page_url: str) -> list[str]:
    """Absolute http(s) URLs of the page's requisites, in page order, each once, at
    most ``MAX_REQUISITES``. ``data:`` and other schemes are left out."""
    if tree is None:
        return []
    found: dict[str, None] = {}
    for xpath, attribute in _PLACES:
        for element in tree.xpath(xpath):
            raw = (element.get(attribute) or "").strip()
            if attribute == "srcset":
                raw = _first_candidate(raw)
            if not raw:
                continue
            try:
                url = urldefrag(urljoin(page_url, raw))[0]
            except ValueError:  # "http://[::1" and the like: not a URL
                continue
            if urlsplit(url).scheme in ("http", "https") and url != page_url:
                found.setdefault(url, None)
                if len(found) >= MAX_REQUISITES:
                    return list(found)
    return list(found)
