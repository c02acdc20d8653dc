"""RSS 2.0, RSS 1.0 (RDF) and Atom feeds -> entries, newest first."""

from __future__ import annotations

from urllib.parse import urljoin

from lxml import etree

from crawler.discovery.entries import Entry, parse_date


class FeedError(ValueError):
    """The document is not a feed (HTML error page, garbage, empty body)."""


def _local(tag: object) -> str:
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


def _children(node: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in node if _local(c.tag) == name]


def _text(node: etree._Element, *names: str) -> str | None:
    for name in names:
        for child in _children(node, name):
            value = "".join(child.itertext()).strip()
            if value:
                return value
    return None


def _parse_xml(body: bytes) -> etree._Element:
    if not body or not body.strip():
        raise FeedError("empty document")
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"not XML: {exc}") from None
    if root is None:
        raise FeedError("not XML")
    return root


def parse_feed(body: bytes, base_url: str) -> list[Entry]:
    """Entries of an RSS/Atom feed, sorted newest first (undated entries last)."""
    root = _parse_xml(body)
    kind = _local(root.tag)
    if kind == "rss":
        channel = next(iter(_children(root, "channel")), root)
        items = _children(channel, "item")
        entries = [_rss_item(i, base_url) for i in items]
    elif kind == "rdf":
        entries = [_rss_item(i, base_url) for i in _children(root, "item")]
    elif kind == "feed":
        entries = [_atom_entry(e, base_url) for e in _children(root, "entry")]
    else:
        raise FeedError(f"not a feed (root element <{kind or root.tag}>)")
    found = [e for e in entries if e is not None]
    return sort_newest_first(found)


def sort_newest_first(entries: list[Entry]) -> list[Entry]:
    dated = sorted((e for e in entries if e.published), key=lambda e: e.published, reverse=True)
    return dated + [e for e in entries if not e.published]


def _rss_item(item: etree._Element, base_url: str) -> Entry | None:
    link = _text(item, "link")
    if not link:
        guid = next(iter(_children(item, "guid")), None)
        if guid is not None and guid.get("isPermaLink", "true") != "false":
            link = (guid.text or "").strip()
    if not link:
        return None
    authors = [a for a in (_text(item, "creator"), _text(item, "author")) if a]
    tags = ["".join(c.itertext()).strip() for c in _children(item, "category")]
    return Entry(
        url=urljoin(base_url, link),
        published=parse_date(_text(item, "pubdate", "date", "published", "updated")),
        updated=parse_date(_text(item, "updated", "modified")),  # atom:updated, dcterms:modified
        title=_text(item, "title"),
        authors=authors[:1],
        tags=[t for t in tags if t],
        summary=_text(item, "description"),
    )


def _atom_entry(entry: etree._Element, base_url: str) -> Entry | None:
    href = None
    for link in _children(entry, "link"):
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            href = link.get("href")
            break
    if not href:
        return None
    authors = [_text(a, "name") for a in _children(entry, "author")]
    tags = [c.get("term") or c.get("label") for c in _children(entry, "category")]
    return Entry(
        url=urljoin(base_url, href.strip()),
        published=parse_date(_text(entry, "published", "issued", "updated", "modified")),
        updated=parse_date(_text(entry, "updated", "modified")),
        title=_text(entry, "title"),
        authors=[a for a in authors if a],
        tags=[t for t in tags if t],
        summary=_text(entry, "summary"),
    )
