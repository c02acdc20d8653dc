"""Turn raw page bytes into one lxml tree, within fixed size bounds.

Every later step reads this one tree, so a page is decoded and parsed once. Input
beyond ``MAX_INPUT_BYTES`` is cut off (a truncated document still parses) and so are
elements beyond ``MAX_ELEMENTS``; libxml2 itself caps nesting depth. Together they
bound parse and extraction time and memory for pathological pages.
"""

from __future__ import annotations

import codecs
import re

from lxml import etree, html

MAX_INPUT_BYTES = 8 * 1024 * 1024
# Real article pages have a few thousand elements (under 2,000 on all benchmark pages);
# past this many, the rest of the document is dropped so extraction time stays bounded.
MAX_ELEMENTS = 25_000

_PARSER = html.HTMLParser(
    remove_comments=True, remove_pis=True, collect_ids=False, default_doctype=False
)
# Every element is an ``HtmlElement``, chosen in C. lxml.html's own lookup is a Python
# call for each element proxy made (the form classes it picks are never used here), and
# the extractor's walks and trafilatura's make hundreds of thousands (a tenth of the
# profiled time on the news-publishers pages).
_PARSER.set_element_class_lookup(
    etree.ElementDefaultClassLookup(
        element=html.HtmlElement,
        comment=html.HtmlComment,
        pi=html.HtmlProcessingInstruction,
        entity=html.HtmlEntity,
    )
)
_CHARSET_RE = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.I
)
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _codec(name: str) -> str | None:
    try:
        found = codecs.lookup(name.strip().lower()).name
    except LookupError:
        return None
    # Pages declaring latin-1 or ascii are nearly always windows-1252 in practice.
    return "cp1252" if found in ("latin-1", "iso8859-1", "ascii") else found


# A declaration wins when it decodes all but this share of the bytes (at least
# MIN_BAD_BYTES): one stray byte must not send a whole UTF-8 page to the guesser.
MAX_BAD_SHARE = 0.001
MIN_BAD_BYTES = 8


def _decode_mostly(data: bytes, codec: str) -> str | None:
    """``data`` decoded with ``codec``, bad bytes as U+FFFD, unless too many are bad."""
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        pass
    except LookupError:
        return None
    text = data.decode(codec, errors="replace")
    marker = "\ufffd".encode(codec, errors="ignore")
    bad = text.count("\ufffd") - (data.count(marker) if marker else 0)
    return text if bad <= max(MIN_BAD_BYTES, len(data) * MAX_BAD_SHARE) else None


def declared_charset(content_type: bytes | str | None) -> str | None:
    """The charset an HTTP ``Content-Type`` value names, if it names a known one."""
    from w3lib.encoding import http_content_type_encoding

    if isinstance(content_type, bytes):
        content_type = content_type.decode("latin-1")
    return http_content_type_encoding(content_type) if content_type else None


def decode(data: bytes, declared: str | None = None) -> str:
    """Decode page bytes: BOM, then ``declared`` (the HTTP charset), then the page's
    meta charset, each if it decodes all but a few bytes; then strict UTF-8; else a
    guess."""
    data = data[:MAX_INPUT_BYTES]
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data.decode(name, errors="replace")
    match = _CHARSET_RE.search(data[:8192])
    candidates = [
        _codec(declared) if declared else None,
        _codec(match.group(1).decode("ascii")) if match else None,
    ]
    for codec in dict.fromkeys(c for c in candidates if c):
        text = _decode_mostly(data, codec)
        if text is not None:
            return text
    try:  # undeclared (or declared wrongly): UTF-8 only if it is wholly UTF-8
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:200_000]).best()
        if best is not None and best.encoding:
            return data.decode(best.encoding, errors="replace")
    except Exception:  # noqa: BLE001 - a failed guess falls back to cp1252
        pass
    return data.decode("cp1252", errors="replace")


def parse(page: bytes | str, encoding: str | None = None) -> html.HtmlElement | None:
    """Parse a page into an lxml tree; ``None`` for an empty or unparsable page.

    ``encoding``: the charset the HTTP response declared, if any (see ``decode``).
    """
    if isinstance(page, bytes | bytearray):
        text = decode(bytes(page), encoding)
    else:
        text = str(page)[:MAX_INPUT_BYTES]
    text = _XML_DECL_RE.sub("", text, count=1).replace("\x00", "")
    if not text.strip():
        return None
    try:
        tree = html.document_fromstring(text, parser=_PARSER)
    except (etree.ParserError, ValueError, etree.XMLSyntaxError):
        return None
    if tree is None or not len(tree):
        return None
    _truncate(tree, MAX_ELEMENTS)
    return tree


def _truncate(tree: html.HtmlElement, limit: int) -> None:
    """Drop every element after the first ``limit`` in document order."""
    if tree.xpath("count(//node())") <= limit:
        return  # the usual page: counted in C, nothing to cut
    extra = []
    for count, el in enumerate(tree.iter()):
        if count >= limit:
            extra.append(el)
    for el in reversed(extra):
        parent = el.getparent()
        if parent is not None:
            parent.remove(el)
