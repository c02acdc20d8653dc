"""Which news agency a text says it comes from: its dateline, byline or credit line.

Only the places where syndicated copy names its source count: a dateline at the
start of a paragraph ("WASHINGTON (AP) —"), a byline line ("By JANE DOE, Associated
Press"), the authors field, a credit line ("The Associated Press contributed to this
report", "Reporting by ...; Editing by ..."), a copyright line. A wire mentioned in
passing ("told The Associated Press", "Reuters reported") names a source, not the
origin of the text, and does not count.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# short name -> the ways copies spell it (case-insensitive, whole words)
WIRES: dict[str, tuple[str, ...]] = {
    "AP": ("The Associated Press", "Associated Press", "AP"),
    "Reuters": ("Thomson Reuters", "Reuters"),
    "AFP": ("Agence France-Presse", "Agence France Presse", "AFP"),
    "UPI": ("United Press International", "UPI"),
    "Bloomberg": ("Bloomberg News", "Bloomberg"),
    "dpa": ("Deutsche Presse-Agentur", "dpa"),
    "PA": ("PA Media", "Press Association"),
    "Xinhua": ("Xinhua News Agency", "Xinhua"),
    "CNN": ("CNN Wire", "CNN"),
}
_SPELLING = {s.lower(): wire for wire, spellings in WIRES.items() for s in spellings}
_NAME = "|".join(sorted((re.escape(s) for s in _SPELLING), key=len, reverse=True))
_DASH = r"(?:—|–|--?|−)"

# "WASHINGTON (AP) —", "NEW YORK, N.Y. (Reuters) -", "(CNN) —" at a paragraph start
_DATELINE = re.compile(
    rf"^(?:[A-Z][A-Za-z0-9.,'’ -]{{0,60}}?\s*)?\((?P<wire>{_NAME})\)\s*{_DASH}", re.IGNORECASE
)
# a short line of its own: "By JANE DOE, Associated Press", "By Jane Doe | AFP", "AP"
_BYLINE = re.compile(
    rf"^(?:by\s+[^\n]{{2,80}}?[,|/–—-]\s*|by\s+)?(?:the\s+)?(?P<wire>{_NAME})"
    rf"(?:\s+(?:writers?|reporters?|correspondents?|staff|news))?\.?$",
    re.IGNORECASE,
)
_CREDITS = (
    # "The Associated Press contributed to this report." / "AP writers X and Y contributed."
    re.compile(
        rf"\b(?P<wire>{_NAME})\b[^.\n]{{0,100}}?\bcontributed\s+(?:to\s+this\s+(?:report|story|article)|reporting)",
        re.IGNORECASE,
    ),
    # "This story includes reporting from Reuters." / "Material from AFP was used"
    re.compile(
        rf"\b(?:includes?\s+(?:reporting|material|information)\s+from|material\s+from)\s+"
        rf"(?:the\s+)?(?P<wire>{_NAME})\b",
        re.IGNORECASE,
    ),
    # "Copyright 2024 The Associated Press. All rights reserved." / "© 2024 Reuters"
    re.compile(rf"(?:copyright|©|\(c\))\s*(?:\d{{4}}\s*)?(?:the\s+)?(?P<wire>{_NAME})\b", re.I),
)
# a byline run into the first paragraph: "By JANE DOE, Associated Press The Senate..."
_BYLINE_LEAD = re.compile(
    rf"^by\s+[^\n,|]{{2,60}}[,|]\s*(?:the\s+)?(?P<wire>{_NAME})\b", re.IGNORECASE
)
# Reuters' sign-off: "(Reporting by Jane Doe; Editing by John Roe)"
_REUTERS_SIGNOFF = re.compile(r"\breporting by\b[^.\n]{2,200}?;\s*editing by\b", re.I)
# a cheap first look: long names in lower case, short ones as written ("AP", "AFP")
_LONG = {s.lower() for s in _SPELLING if len(s) > 5} | {"reporting by"}
_CLUES = tuple(sorted(c for c in _LONG if not any(o != c and o in c for o in _LONG)))
_SHORT = tuple(sorted({s for names in WIRES.values() for s in names if len(s) <= 5}))
_EDGE = 3000  # characters at each end that hold the first and last paragraphs, at most
_PARAGRAPHS_AT_START = 4  # wrappers put a line or two before the dateline
_PARAGRAPHS_AT_END = 5  # credit lines sit at the end, sometimes before a footer


def canonical(name: str | None) -> str | None:
    """The short name of a wire ("The Associated Press" -> "AP"), or None."""
    if not name:
        return None
    return _SPELLING.get(re.sub(r"\s+", " ", name.strip()).lower())


def _paragraphs(body: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", body) if p.strip()]


def detect(body: str | None, authors: Iterable[str] | None = None) -> tuple[str, str] | None:
    """(wire, how) when the text names the wire it comes from; how is "dateline",
    "byline" or "credit". None when it does not (or names it only in passing)."""
    for author in authors or ():
        if isinstance(author, str) and (m := _BYLINE.match("by " + author.strip()[:100])):
            return canonical(m.group("wire")) or m.group("wire"), "byline"
    if not body:
        return None
    near = body if len(body) <= 2 * _EDGE else body[:_EDGE] + "\n\n" + body[-_EDGE:]
    low = near.lower()
    if not any(c in low for c in _CLUES) and not any(c in near for c in _SHORT):
        return None  # no wire named where wires are named
    paragraphs = _paragraphs(body)
    for p in paragraphs[:_PARAGRAPHS_AT_START]:
        if m := _DATELINE.match(p):
            return canonical(m.group("wire")) or m.group("wire"), "dateline"
        if m := _BYLINE_LEAD.match(p):
            return canonical(m.group("wire")) or m.group("wire"), "byline"
    ends = paragraphs[:_PARAGRAPHS_AT_START] + paragraphs[-_PARAGRAPHS_AT_END:]
    for p in ends:
        for line in p.splitlines():
            line = line.strip()
            if len(line) <= 100 and (m := _BYLINE.match(line)):
                return canonical(m.group("wire")) or m.group("wire"), "byline"
    for p in reversed(paragraphs[-_PARAGRAPHS_AT_END:]):
        if _REUTERS_SIGNOFF.search(p[-300:]):
            return "Reuters", "credit"
        if len(p) > 400:
            continue  # a credit line is short; a long paragraph is reporting
        for pattern in _CREDITS:
            if m := pattern.search(p):
                return canonical(m.group("wire")) or m.group("wire"), "credit"
    return None


def outlet_wire(outlet: str | None, source_id: str | None = None) -> str | None:
    """The short name of a wire outlet ("Associated Press" -> "AP"), else its name."""
    return canonical(outlet) or canonical(source_id) or outlet or source_id
