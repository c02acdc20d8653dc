"""Hostile HTML pages for the extractor fuzz: generated (hypothesis) and mutated (seeded).

Generated pages combine broken markup, deep nesting, huge attributes, JSON-LD that is
not JSON or not the expected shape, odd and mixed encodings and binary bodies. Mutated
pages start from real article pages (the loopback site's three styles and the
extraction fixtures) and flip bytes, cut, splice and inject fragments.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from hypothesis import strategies as st

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "extract"
ENCODINGS = ("utf-8", "latin-1", "cp1252", "utf-16", "utf-16-be", "shift_jis", "koi8-r", "gb18030")
DECLARED = (
    "utf-8",
    "iso-8859-1",
    "windows-1252",
    "utf-16",
    "x-unknown",
    "",
    'utf-8; x="',
    "shift_jis",
)

_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200)
_words = st.text(alphabet="abcdefghij klmnop ", min_size=0, max_size=400)
_names = st.sampled_from(
    ["p", "div", "span", "article", "main", "section", "h1", "h2", "a", "time", "meta",
     "script", "style", "table", "td", "li", "ul", "svg", "math", "template", "iframe",
     "noscript", "br", "img", "title", "head", "body", "html", "x-" + "y" * 300]
)  # fmt: skip
_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | _text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_text, inner, max_size=4),
    max_leaves=30,
)
_ld_keys = st.sampled_from(
    ["@type", "@context", "@graph", "@id", "headline", "author", "datePublished",
     "dateModified", "articleSection", "keywords", "publisher", "image", "name",
     "mainEntityOfPage", "inLanguage", "description", "articleBody", "isAccessibleForFree"]
)  # fmt: skip


@st.composite
def jsonld(draw) -> str:
    kind = draw(st.integers(0, 4))
    if kind == 0:  # not JSON at all
        return draw(_text) + "{" * draw(st.integers(0, 50))
    if kind == 1:  # deeply nested arrays/objects
        depth = draw(st.integers(50, 3000))
        return '{"@type":"NewsArticle","author":' + "[" * depth + "1" + "]" * depth + "}"
    if kind == 2:  # the expected keys with values of any shape
        obj = draw(st.dictionaries(_ld_keys, _json_values, max_size=10))
        return json.dumps(obj, allow_nan=True)
    if kind == 3:  # a graph with references that go nowhere or in circles
        n = draw(st.integers(1, 20))
        graph = [
            {"@id": f"#n{i}", "@type": draw(st.sampled_from(["NewsArticle", "Person", "x"])),
             "author": {"@id": f"#n{(i + 1) % n}"}, "headline": draw(_text)}
            for i in range(n)
        ]  # fmt: skip
        return json.dumps({"@context": "https://schema.org", "@graph": graph})
    return json.dumps(draw(_json_values), allow_nan=True)


@st.composite
def fragment(draw) -> str:
    kind = draw(st.integers(0, 7))
    name = draw(_names)
    if kind == 0:
        return f"<{name}>{draw(_words)}"  # never closed
    if kind == 1:
        return f"</{name}>" * draw(st.integers(1, 5))  # closed, never opened
    if kind == 2:
        depth = draw(st.integers(100, 20000))
        return f"<{name}>" * depth + draw(_words) + f"</{name}>" * (depth // 2)
    if kind == 3:
        size = draw(st.integers(1000, 300_000))
        return f'<{name} data-x="{"a" * size}" class="{draw(_text)}">{draw(_words)}</{name}>'
    if kind == 4:
        return f'<script type="application/ld+json">{draw(jsonld())}</script>'
    if kind == 5:
        prop = draw(st.sampled_from(["og:title", "article:published_time", "author", "og:type"]))
        return f'<meta property="{prop}" name="{prop}" content="{draw(_text)}">'
    if kind == 6:
        return "<!--" + draw(_text) + "<![CDATA[" + draw(_text) + "<?php " + draw(_text)
    return "<p>" + draw(_text) + "</p>"


@st.composite
def page(draw) -> bytes:
    """One generated page, as the bytes a server would send."""
    if draw(st.integers(0, 9)) == 0:  # a binary body
        return draw(st.binary(max_size=5000)) + draw(
            st.sampled_from([b"", b"\x89PNG\r\n\x1a\n", b"\x1f\x8b\x08"])
        )
    declared = draw(st.sampled_from(DECLARED))
    head = f'<meta charset="{declared}"><title>{draw(_text)}</title>'
    parts = draw(st.lists(fragment(), min_size=1, max_size=8))
    html = f"<!doctype html><html><head>{head}</head><body>{''.join(parts)}</body></html>"
    codec = draw(st.sampled_from(ENCODINGS))
    data = html.encode(codec, errors="replace")
    if draw(st.booleans()):  # mix in a chunk of another encoding, or raw invalid bytes
        other = draw(st.sampled_from(ENCODINGS))
        cut = draw(st.integers(0, len(data)))
        data = (
            data[:cut] + draw(_text).encode(other, errors="replace") + b"\xff\xfe\xc3(" + data[cut:]
        )
    return data


# ---- mutation ----------------------------------------------------------------------

INJECTIONS = (
    b'<script type="application/ld+json">{"@type": "NewsArticle", "author": 12</script>',
    b'<script type="application/ld+json">[[[[[[[[[[[[[[[[[[[[</script>',
    b'<script type="application/ld+json">{"@graph": {"@graph": null}}</script>',
    b'<meta property="article:published_time" content="99999-99-99T99:99">',
    b'<time datetime="-0001-13-32">yesterday-ish</time>',
    b"<div>" * 5000,
    b"</html></body><html><body>",
    b"\x00\x00\x00",
    b"\xef\xbb\xbf\xff\xfe",
    b'<a href="javascript:alert(1)">x</a><a href="http://[::1">y</a>',
    b'<meta http-equiv="content-type" content="text/html; charset=utf-16">',
    b'<p class="byline">By ' + b"A" * 100_000 + b"</p>",
    b"<![CDATA[",
    b"<svg><foreignObject><p>",
)


def seed_pages() -> list[bytes]:
    """Real article pages: the loopback site's three styles and the extraction fixtures."""
    from tests.site import NewsSite

    site = NewsSite(n_articles=3)
    site.port = 8000
    pages = [site.render_article(a).encode() for a in site.articles]
    pages += [p.read_bytes() for p in sorted(FIXTURES.glob("*.html"))]
    return pages


def mutate(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        op = rng.randrange(6)
        at = rng.randrange(len(out) + 1)
        if op == 0 and out:  # flip bytes
            for _ in range(rng.randint(1, 20)):
                out[rng.randrange(len(out))] = rng.randrange(256)
        elif op == 1:  # cut the tail (a truncated download)
            del out[at:]
        elif op == 2:  # inject a hostile fragment
            out[at:at] = rng.choice(INJECTIONS)
        elif op == 3 and out:  # duplicate a slice many times
            end = min(len(out), at + rng.randint(1, 2000))
            out[at:at] = bytes(out[at:end]) * rng.randint(2, 50)
        elif op == 4:  # delete a slice
            del out[at : at + rng.randint(1, 500)]
        else:  # splice in random bytes
            out[at:at] = rng.randbytes(rng.randint(1, 300))
    return bytes(out)
