"""Sitemaps, sitemap indexes and Google News sitemaps -> article entries or child sitemaps.

Dates: ``news:publication_date`` wins over ``lastmod`` as the publication date (the
latter changes on any edit); ``lastmod`` is kept as the entry's ``updated``.
Gzipped sitemaps (``.xml.gz`` served without Content-Encoding) are unpacked here.
"""

from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass, field
from urllib.parse import urljoin

from lxml import etree

from crawler.discovery.entries import Entry, parse_date
from crawler.discovery.feeds import sort_newest_first

MAX_UNPACKED = 50 * 1024 * 1024  # the sitemap protocol's own limit per file


class SitemapError(ValueError):
    """The document is not a sitemap."""


@dataclass
class Sitemap:
    """A parsed sitemap: article entries (urlset) or child sitemaps (sitemapindex)."""

    entries: list[Entry] = field(default_factory=list)
    children: list[Entry] = field(default_factory=list)  # url + lastmod of child sitemaps

    @property
    def is_index(self) -> bool:
        return bool(self.children)


def _local(tag: object) -> str:
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


def _find(node: etree._Element, name: str) -> etree._Element | None:
    for child in node:
        if _local(child.tag) == name:
            return child
    return None


def _text(node: etree._Element | None, name: str) -> str | None:
    if node is None:
        return None
    child = _find(node, name)
    if child is None:
        return None
    value = "".join(child.itertext()).strip()
    return value or None


def _gunzip(body: bytes) -> bytes:
    if body[:2] != b"\x1f\x8b":
        return body
    try:
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out = d.decompress(body, MAX_UNPACKED)
    except (zlib.error, gzip.BadGzipFile) as exc:
        raise SitemapError(f"bad gzip data: {exc}") from None
    if d.unconsumed_tail:
        raise SitemapError("gzipped sitemap unpacks to more than 50 MB")
    return out


def parse_sitemap(body: bytes, base_url: str) -> Sitemap:
    body = _gunzip(body or b"")
    if not body.strip():
        raise SitemapError("empty document")
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        raise SitemapError(f"not XML: {exc}") from None
    if root is None:
        raise SitemapError("not XML")
    kind = _local(root.tag)
    result = Sitemap()
    if kind == "sitemapindex":
        for node in root:
            loc = _text(node, "loc") if _local(node.tag) == "sitemap" else None
            if loc:
                result.children.append(
                    Entry(url=urljoin(base_url, loc), published=parse_date(_text(node, "lastmod")))
                )
        result.children = sort_newest_first(result.children)
    elif kind == "urlset":
        for node in root:
            loc = _text(node, "loc") if _local(node.tag) == "url" else None
            if loc:
                result.entries.append(_url_entry(node, urljoin(base_url, loc)))
        result.entries = sort_newest_first(result.entries)
    else:
        raise SitemapError(f"not a sitemap (root element <{kind or root.tag}>)")
    return result


def _url_entry(node: etree._Element, url: str) -> Entry:
    news = _find(node, "news")
    lastmod = parse_date(_text(node, "lastmod"))
    published = parse_date(_text(news, "publication_date")) or lastmod
    keywords = _text(news, "keywords") or ""
    return Entry(
        url=url,
        published=published,
        updated=lastmod,
        title=_text(news, "title"),
        tags=[k.strip() for k in keywords.split(",") if k.strip()],
    )
