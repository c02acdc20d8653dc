"""Take a kind of evidence out of a page, to see what the extractor does without it.

An outlet the rules have never seen may give less than the benchmark pages do: no
JSON-LD, no author meta tags, a byline that is only markup. ``bench_extract.py
--ablate KIND`` runs every set on its pages with that evidence taken out, beside the
same peer on the same changed pages; a rule that holds only while the metadata is
there shows as a drop.

Kinds: ``jsonld`` (every ``<script type="application/ld+json">``), ``meta`` (every
meta tag whose name or property names an author or a creator), ``visible`` (both, and
``itemprop="author"``/``"creator"``: what is left is the page as the reader sees it),
``classes`` (every class and id name made an opaque token, the same token for the same
name, as sites built with CSS modules or hashed utility classes serve them: no rule can
read "byline" or "related" in them) and ``bare`` (``visible`` and ``classes`` together).
"""

from __future__ import annotations

import hashlib

from lxml import etree

from crawler.extract.page import parse

# What each kind takes out: the JSON-LD, the author meta tags, the author microdata,
# the class and id names.
_TAKES = {
    "jsonld": {"jsonld"},
    "meta": {"meta"},
    "visible": {"jsonld", "meta", "microdata"},
    "classes": {"classes"},
    "bare": {"jsonld", "meta", "microdata", "classes"},
}
KINDS = tuple(_TAKES)
_AUTHOR_META = ("author", "creator", "byl")


def ablate(page: bytes, kind: str) -> bytes:
    """``page`` without the evidence ``kind`` names (unparsable pages are kept as they are).

    The page is decoded as the extractor decodes it and written back as UTF-8 with a
    charset that says so: a page declared in another charset is otherwise read wrongly
    after the round trip, by both systems, and the drop measured is the encoding's.
    """
    if kind not in _TAKES:
        raise ValueError(f"unknown kind {kind!r}; known: {', '.join(KINDS)}")
    takes = _TAKES[kind]
    doc = parse(page)  # decoded and parsed as the extractor does it
    if doc is None:
        return page
    if "jsonld" in takes:
        for el in doc.xpath("//script[@type='application/ld+json']"):
            el.drop_tree()
    for el in list(doc.iter("meta")):
        key = (el.get("name") or el.get("property") or "").lower()
        charset = el.get("charset") or (el.get("http-equiv") or "").lower() == "content-type"
        author = "meta" in takes and any(word in key for word in _AUTHOR_META)
        if (charset or author) and el.getparent() is not None:
            el.getparent().remove(el)
    if "microdata" in takes:
        for el in doc.xpath("//*[@itemprop='author' or @itemprop='creator']"):
            del el.attrib["itemprop"]
    if "classes" in takes:
        for el in doc.xpath("//*[@class or @id]"):
            for name in ("class", "id"):
                if el.get(name) is not None:
                    el.set(name, " ".join(_opaque(token) for token in el.get(name).split()))
    head = doc.find("head")
    if head is not None:
        head.insert(0, etree.Element("meta", charset="utf-8"))
    return etree.tostring(doc, encoding="unicode", method="html", doctype="<!DOCTYPE html>").encode(
        "utf-8"
    )


def _opaque(name: str) -> str:
    """A token that says nothing, the same one wherever ``name`` stands."""
    return "c" + hashlib.blake2s(name.encode("utf-8"), digest_size=4).hexdigest()
