"""Structured metadata of a page: JSON-LD, microdata and ``<meta>`` tags.

A small parser on the shared lxml tree (extruct is several times slower and parses the
page again). ``read_structured`` returns a ``Structured`` holding, per source, the raw
values for each article field; choosing among them is the job of ``fields``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from lxml import html

from crawler.extract.schemaorg import ARTICLE_TYPES, PAGE_TYPES, SITE_TYPES, type_names

MAX_SCRIPT_CHARS = 2_000_000
MAX_NODES = 5_000
MAX_DEPTH = 16
MAX_CLAIM_REVIEWS = 20  # verdicts read per page (a round-up of claims has a dozen)
# Keys under which a node is something *other* than the page's article.
_ASIDE_KEYS = {
    "hasPart",
    "isPartOf",
    "relatedLink",
    "citation",
    "mentions",
    "about",
    "review",
    "comment",
    "subjectOf",
    "workExample",
    "itemListElement",
    "liveBlogUpdate",
    "sharedContent",
    "video",
    "associatedMedia",
}
# Keys under which an organisation is a story's author or source, not the publishing site.
_CREDIT_KEYS = {"author", "creator", "contributor", "sourceOrganization", "editor", "provider"}
_TRAILING_COMMA_RE = re.compile(r",\s*([}\]])")


@dataclass
class Structured:
    """Values found in the page's structured data, keyed by source then field."""

    jsonld: dict[str, Any] = field(default_factory=dict)
    microdata: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, list[str]] = field(default_factory=dict)
    breadcrumbs: list[str] = field(default_factory=list)
    site_names: list[str] = field(default_factory=list)
    canonical: str | None = None
    lang: str | None = None
    claim_reviews: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (source, node)

    def meta_first(self, *keys: str) -> str | None:
        for key in keys:
            for value in self.meta.get(key, ()):
                if value.strip():
                    return value.strip()
        return None

    def meta_all(self, *keys: str) -> list[str]:
        return [v.strip() for key in keys for v in self.meta.get(key, ()) if v.strip()]


def load_json(text: str) -> Any:
    """A JSON-LD script's data, forgiving of HTML comments, CDATA and trailing commas."""
    text = text.strip()
    for junk in ("<!--", "-->", "//<![CDATA[", "//]]>", "<![CDATA[", "]]>"):
        text = text.replace(junk, "")
    text = text.strip().rstrip(";")
    if not text or len(text) > MAX_SCRIPT_CHARS:
        return None
    try:
        return json.loads(text, strict=False)
    except (ValueError, RecursionError):
        try:
            return json.loads(_TRAILING_COMMA_RE.sub(r"\1", text), strict=False)
        except (ValueError, RecursionError):
            return None


def _jsonld_nodes(tree: html.HtmlElement) -> list[tuple[dict, str | None]]:
    """Every typed JSON-LD object with the key it hangs under (None: top level/@graph)."""
    found: list[tuple[dict, str | None]] = []
    for script in tree.iterfind(".//script[@type]"):
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        data = load_json(script.text or "")
        stack: list[tuple[Any, str | None, int]] = [(data, None, 0)]
        while stack and len(found) < MAX_NODES:
            obj, key, depth = stack.pop()
            if depth > MAX_DEPTH:
                continue
            if isinstance(obj, list):
                stack.extend((item, key, depth + 1) for item in reversed(obj))
            elif isinstance(obj, dict):
                if "@type" in obj:
                    found.append((obj, key))
                for sub_key, value in reversed(list(obj.items())):
                    if isinstance(value, dict | list):
                        inherited = key if sub_key == "@graph" else sub_key
                        stack.append((value, inherited, depth + 1))
    return found


def _norm_url(url: str) -> str:
    url = re.sub(r"^https?://(www\.)?", "", url.strip().lower())
    return url.split("#")[0].split("?")[0].rstrip("/")


def _node_url(node: dict) -> set[str]:
    urls = set()
    for key in ("url", "@id", "mainEntityOfPage"):
        value = node.get(key)
        if isinstance(value, dict):
            value = value.get("@id") or value.get("url")
        if isinstance(value, str) and value:
            urls.add(_norm_url(value))
    return urls


def _pick_article(nodes: list[tuple[dict, str | None]], page_urls: set[str]) -> dict | None:
    best, best_score = None, float("-inf")
    for position, (node, key) in enumerate(nodes):
        types = type_names(node)
        if types & ARTICLE_TYPES:
            score = 10.0
        elif types & PAGE_TYPES and (node.get("headline") or node.get("datePublished")):
            score = 0.0
        else:
            continue
        if key in _ASIDE_KEYS:
            score -= 8
        score += 3 * bool(node.get("headline")) + 2 * bool(node.get("datePublished"))
        score += 2 * bool(node.get("author")) + bool(node.get("articleBody"))
        score += 4 * bool(_node_url(node) & page_urls)
        score -= position * 0.01
        if score > best_score:
            best, best_score = node, score
    return best


def _resolve(value: Any, index: dict[str, dict]) -> Any:
    """Replace a bare ``{"@id": ...}`` reference by the node it names."""
    if isinstance(value, list):
        return [_resolve(v, index) for v in value[:50]]
    if isinstance(value, dict) and set(value) <= {"@id", "@type"} and value.get("@id") in index:
        return index[value["@id"]]
    return value


def _breadcrumb_names(node: dict, index: dict[str, dict]) -> list[str]:
    items = node.get("itemListElement")
    items = items if isinstance(items, list) else [items]
    named = []
    for item in items:
        if not isinstance(item, dict):
            continue
        target = _resolve(item.get("item"), index)
        name = item.get("name") or (target.get("name") if isinstance(target, dict) else None)
        try:
            position = float(item.get("position") or 0)
        except (TypeError, ValueError):
            position = 0.0
        if isinstance(name, str) and name.strip():
            named.append((position, name.strip()))
    return [name for _, name in sorted(named, key=lambda pair: pair[0])]


def _read_jsonld(tree: html.HtmlElement, result: Structured, page_urls: set[str]) -> None:
    nodes = _jsonld_nodes(tree)
    if not nodes:
        return
    index = {n["@id"]: n for n, _ in nodes if isinstance(n.get("@id"), str)}
    article = _pick_article(nodes, page_urls)
    for node, key in nodes:
        types = type_names(node)
        if "claimreview" in types and len(result.claim_reviews) < MAX_CLAIM_REVIEWS:
            result.claim_reviews.append(
                ("json-ld", {k: _resolve(v, index) for k, v in node.items()})
            )
        if "breadcrumblist" in types and not result.breadcrumbs:
            result.breadcrumbs = _breadcrumb_names(node, index)
        # An organisation that wrote or supplied the story (a wire's author node) is not
        # the site: only free-standing and publisher nodes name it.
        if types & SITE_TYPES and isinstance(node.get("name"), str) and key not in _CREDIT_KEYS:
            result.site_names.append(node["name"])
    if article is None:
        return
    result.jsonld = {key: _resolve(value, index) for key, value in article.items()}
    publisher = result.jsonld.get("publisher")
    for item in publisher if isinstance(publisher, list) else [publisher]:
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            result.site_names.append(item["name"])
    crumb = result.jsonld.get("breadcrumb")
    if isinstance(crumb, dict) and not result.breadcrumbs:
        result.breadcrumbs = _breadcrumb_names(crumb, index)


def _itemprop_value(el: html.HtmlElement) -> str:
    tag = el.tag if isinstance(el.tag, str) else ""
    if el.get("content") is not None:
        return el.get("content") or ""
    if tag == "time" and el.get("datetime"):
        return el.get("datetime") or ""
    if tag in ("a", "link", "area"):
        return el.get("href") or ""
    if tag in ("img", "source", "video", "audio", "embed", "iframe"):
        return el.get("src") or ""
    if tag == "meta":
        return el.get("content") or ""
    return " ".join(el.text_content().split())


def _scope_props(scope: html.HtmlElement) -> dict[str, list[Any]]:
    """Properties of one microdata item; nested items become dicts."""
    props: dict[str, list[Any]] = {}
    stack = list(reversed(scope))
    count = 0
    while stack and count < MAX_NODES:
        el = stack.pop()
        count += 1
        if not isinstance(el.tag, str):
            continue
        names = (el.get("itemprop") or "").split()
        nested = el.get("itemscope") is not None
        if names:
            value: Any = _scope_props(el) if nested else _itemprop_value(el)
            for name in names:
                props.setdefault(name, []).append(value)
        if not nested:
            stack.extend(reversed(el))
    return props


def _read_microdata(tree: html.HtmlElement, result: Structured) -> None:
    for scope in tree.iterfind(".//*[@itemscope]"):
        kind = (scope.get("itemtype") or "").rstrip("/").rsplit("/", 1)[-1].lower()
        if kind == "claimreview" and len(result.claim_reviews) < MAX_CLAIM_REVIEWS:
            result.claim_reviews.append(("microdata", _scope_props(scope)))
        if kind in ARTICLE_TYPES and not result.microdata:
            result.microdata = _scope_props(scope)
        elif kind == "breadcrumblist" and not result.breadcrumbs:
            props = _scope_props(scope)
            names = []
            for item in props.get("itemListElement", []):
                if isinstance(item, dict):
                    name = (item.get("name") or [""])[0]
                    if isinstance(name, dict):
                        name = (name.get("name") or [""])[0]
                    if isinstance(name, str) and name.strip():
                        names.append(name.strip())
            result.breadcrumbs = names


def _read_meta(tree: html.HtmlElement, result: Structured) -> None:
    head = tree.find("head")
    scope = head if head is not None and len(head) else tree
    for el in scope.iter("meta", "link", "title"):
        if el.tag == "meta":
            key = el.get("property") or el.get("name") or el.get("itemprop") or el.get("http-equiv")
            content = el.get("content")
            if key and content is not None:
                result.meta.setdefault(key.strip().lower(), []).append(content)
        elif el.tag == "link":
            rel = (el.get("rel") or "").lower().split()
            if "canonical" in rel and el.get("href") and not result.canonical:
                result.canonical = el.get("href", "").strip()
        elif el.tag == "title" and "title" not in result.meta:
            result.meta["<title>"] = [el.text_content()]
    if scope is not tree:  # some sites put their article meta tags in the body
        for el in tree.find("body").iter("meta") if tree.find("body") is not None else ():
            key = el.get("property") or el.get("name")
            if key and el.get("content") is not None and el.getparent().get("itemscope") is None:
                result.meta.setdefault(key.strip().lower(), []).append(el.get("content"))
    result.lang = tree.get("lang") or tree.get("xml:lang")


def read_structured(tree: html.HtmlElement, url: str) -> Structured:
    """Collect JSON-LD, microdata and meta values of a parsed page."""
    result = Structured()
    _read_meta(tree, result)
    page_urls = {_norm_url(u) for u in (url, result.canonical, result.meta_first("og:url")) if u}
    _read_jsonld(tree, result, page_urls)
    _read_microdata(tree, result)
    site = result.meta_first("og:site_name", "application-name", "twitter:site")
    if site:
        result.site_names.append(site)
    return result
