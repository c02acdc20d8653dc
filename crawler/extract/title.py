"""Headline choice: the on-page headline when metadata confirms it, else clean metadata.

Meta titles often carry the site name ("Headline | The Daily Planet") or a shortened
or SEO variant; the ``<h1>`` is what the reader sees. An ``<h1>`` wins when it agrees
with a metadata title, so a logo or section ``<h1>`` is never taken for the headline.
"""

from __future__ import annotations

import re

from crawler.extract.authors import is_site_name, squash

_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ", " // ", " » ", " « ", " : ", " * ")
# A byline tacked on after the site name: "Headline | Site | by Jane Doe".
_BYLINE_SEGMENT_RE = re.compile(r"^by\s+\S+(?:\s+\S+){0,3}$", re.I)
_WORD_RE = re.compile(r"\w+")


def _words(text: str) -> list[str]:
    return _WORD_RE.findall(text.casefold())


def _is_site(segment: str, site_names: list[str], host: str) -> bool:
    return bool(squash(segment)) and is_site_name(segment, site_names, host)


def strip_site(title: str, site_names: list[str], host: str) -> str:
    """Drop a leading or trailing site name ("X | Site", "Site - X"), and a byline after it."""
    title = " ".join(title.split())
    for _ in range(3):  # "Headline | Section | Site"
        changed = False
        for sep in _SEPARATORS:
            if sep not in title:
                continue
            head, _, tail = title.rpartition(sep)
            after_site = _BYLINE_SEGMENT_RE.match(tail) and _is_site(
                head.rpartition(sep)[2], site_names, host
            )
            if head and (_is_site(tail, site_names, host) or after_site):
                title, changed = head.strip(), True
                break
            first, _, rest = title.partition(sep)
            if rest and _is_site(first, site_names, host):
                title, changed = rest.strip(), True
                break
        if not changed:
            break
    return title


def _agrees(headline: str, meta_title: str) -> bool:
    """The two strings name the same headline (one may be trimmed or suffixed)."""
    a, b = _words(headline), _words(meta_title)
    if not a or not b:
        return False
    if a == b:
        return True
    shorter, longer = (a, b) if len(a) <= len(b) else (b, a)
    if len(shorter) >= 4 and " ".join(longer).startswith(" ".join(shorter)):
        return True
    common = len(set(a) & set(b))
    return common / max(len(set(a)), len(set(b))) >= 0.8


def choose_title(
    candidates: list[tuple[str, str]], h1s: list[str], site_names: list[str], host: str
) -> tuple[str | None, str | None]:
    """(title, source) from metadata candidates ``(source, text)`` and page ``<h1>``s."""
    cleaned = [(src, strip_site(text, site_names, host)) for src, text in candidates if text]
    cleaned = [(src, text) for src, text in cleaned if text]
    for h1 in h1s:
        h1 = " ".join(h1.split())
        if not 2 <= len(h1) <= 400:
            continue
        for _, text in cleaned:
            if _agrees(h1, text):
                return h1, "heuristic"
    if cleaned:
        return cleaned[0][1], cleaned[0][0]
    if len(h1s) == 1 and h1s[0].strip():
        return " ".join(h1s[0].split()), "heuristic"
    return None, None
