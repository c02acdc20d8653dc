"""Author names: from raw byline or metadata strings to a clean list of names.

Bylines come as "By Jane Doe and John Roe, Staff Writers", "Doe, Jane", "@jdoe",
profile URLs or the site's own name in a meta tag. ``clean_authors`` keeps the names
only, in page order, without duplicates.
"""

from __future__ import annotations

import re
import unicodedata

_PREFIX_RE = re.compile(
    r"^\s*(?:(?:written|words|reporting|reported|story|text|posted|published|compiled|"
    r"edited|updated|photos?|analysis|commentary|interview)\s+by|by|from|author(?:s|ed by)?|"
    r"von|par|por)\b\s*[:\-–]?\s*",
    re.I,
)
_URL_RE = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+", re.I)
_HANDLE_RE = re.compile(r"(?:^|\s)@\w+")
_SPLIT_RE = re.compile(
    r"\s*(?:;|\||\n|,|&|\band\b|\bund\b|\bwith\b|\u3001|\u00b7|•|(?<=[a-z]{2})\.\s+(?=[A-Z]))\s*",
    re.I,
)
# A name run into the next word by the page's markup: "ERIC TUCKERAssociated Press".
_GLUE_RE = re.compile(r"(?<=[A-Z]{2})(?=[A-Z][a-z])")
# Where the byline turns into its date: "By X | November 18, 2019", "X 27/09/2018",
# "Jane Doe Monday, Nov. 18", "Jeff FoustMonday".
_DATE_START_RE = re.compile(
    r"(?:\b|(?<=[a-z]))(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b|"
    r"\b(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d|\d",
)
# Academic and professional letters after a name: "Jane Doe, MS, RDN".
_CREDENTIALS = {
    *["phd", "md", "ms", "msc", "ma", "mba", "mph", "rd", "rdn", "rn", "dds", "cpa"],
    *["esq", "jr", "sr", "ii", "iii", "bsc", "ba", "llm", "cfa", "facs"],
}
# News-agency names and short forms, for "AP Auto Writer"-style role lines.
_AGENCY_HEADS = {
    *["ap", "afp", "upi", "pa", "dpa", "ani", "pti", "ians", "efe", "ansa", "reuters"],
    *["associated press", "agence france-presse", "press association"],
}
# Desk words a page runs into the name ("Tom Gillespie News", "Staff Reports").
_TRAILING_DESK = {"news", "staff", "reports", "online", "digital", "desk", "follow"}
_LABEL_RE = re.compile(r"^[^\W\d_]{2,15}\s*:\s*(?=\S)")
# Job titles and desk words that follow or replace a name in a byline.
_ROLE_WORDS = set(
    [
        "staff",
        "writer",
        "writers",
        "reporter",
        "reporters",
        "correspondent",
        "correspondents",
        "editor",
        "editors",
        "contributor",
        "contributors",
        "columnist",
        "columnists",
        "senior",
        "chief",
        "deputy",
        "associate",
        "assistant",
        "managing",
        "executive",
        "political",
        "politics",
        "national",
        "international",
        "foreign",
        "business",
        "sports",
        "news",
        "digital",
        "producer",
        "producers",
        "journalist",
        "journalists",
        "analyst",
        "host",
        "anchor",
        "photographer",
        "intern",
        "fellow",
        "bureau",
        "desk",
        "team",
        "contributing",
        "special",
        "freelance",
        "guest",
        "opinion",
        "author",
        "authors",
        "published",
        "updated",
        "newsroom",
        "reports",
        "reporting",
        "investigative",
        "white",
        "house",
        "legal",
        "affairs",
        "health",
        "science",
        "technology",
        "tech",
        "culture",
        "entertainment",
        "lifestyle",
        "travel",
        "economics",
        "economy",
        "markets",
        "finance",
        "politico",
        "data",
        "video",
        "audio",
        "visual",
        "graphics",
        "web",
        "online",
        "social",
        "media",
        "general",
        "assignment",
        "breaking",
        "trending",
        "world",
        "u.s.",
        "us",
        "uk",
        "global",
        "local",
        "metro",
        "city",
        "state",
        "capitol",
        "hill",
        "congressional",
        "campaign",
        "election",
        "elections",
        "climate",
        "environment",
        "energy",
        "education",
        "crime",
        "courts",
        "justice",
        "security",
        "defense",
        "defence",
        "military",
        "diplomatic",
        "weather",
        "royal",
        "showbiz",
        "tv",
        "film",
        "music",
        "books",
        "food",
        "wine",
        "property",
        "motoring",
        "consumer",
        "money",
        "personal",
        "chief's",
        "coordinator",
        "strategist",
        "director",
        "head",
        "of",
        "the",
        "for",
        "at",
        "in",
        "on",
        "a",
        "an",
        "and",
    ]
)
_ROLE_TAIL_RE = re.compile(
    r"\b(?:staff|writer|reporter|correspondent|editor|contributor|columnist|journalist|"
    r"producer|analyst|photographer|intern|fellow)s?\b.*$",
    re.I,
)
_GENERIC = {
    *[
        "admin",
        "administrator",
        "staff",
        "editor",
        "editors",
        "guest",
        "unknown",
        "anonymous",
        "none",
        "null",
    ],
    *["author", "authors", "webdesk", "team", "editorial"],
    *("web desk", "the editors", "editorial board", "editorial staff"),
}


def squash(text: str) -> str:
    """Compare-friendly form: NFKC, case-folded, letters and digits only."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in text if ch.isalnum())


def _is_role_only(part: str) -> bool:
    words = [w.strip(".,:()'\"").lower() for w in part.split()]
    return bool(words) and all(w in _ROLE_WORDS or not w for w in words)


def _flip_last_first(text: str) -> str | None:
    """Flip "Doe, Jane" to "Jane Doe" when the string is exactly one such pair."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 2 or not all(parts):
        return None
    last, first = parts
    if _is_role_only(first) or _is_role_only(last):
        return None
    shape_ok = len(last.split()) == 1 and 1 <= len(first.split()) <= 2 and last[:1].isupper()
    if shape_ok and all(w[:1].isupper() for w in first.split()) and not first.isupper():
        return f"{first} {last}"
    return None


def _clean_part(part: str) -> str | None:
    part = _URL_RE.sub(" ", part)
    part = _HANDLE_RE.sub(" ", part)
    part = _PREFIX_RE.sub("", part)
    part = _LABEL_RE.sub("", part)  # "Text: Jane Doe" in any language
    part = re.sub(r"\s+", " ", part).strip(" \t-–—:|/()[]\"'“”‘’•·*.")
    if not part or _is_role_only(part) or part.casefold().strip(".") in _CREDENTIALS:
        return None
    stripped = _ROLE_TAIL_RE.sub("", part).strip(" ,-–—:|/")
    if stripped and stripped != part:
        if stripped.split()[0].casefold() in _AGENCY_HEADS and len(stripped.split()) > 1:
            return None  # "AP Auto Writer": the previous name's job, not a name
        part = stripped
    while len(part.split()) > 2 and part.split()[-1].casefold() in _TRAILING_DESK:
        part = part.rsplit(" ", 1)[0]
    words = part.split()
    if not part or part.lower() in _GENERIC or _is_role_only(part):
        return None
    if len(part) > 60 or len(words) > 6 or not any(ch.isalpha() for ch in part):
        return None
    if any(ch.isdigit() for ch in part):  # a time, a date or a user name, not a person
        return None
    return part


def split_names(raw: str) -> list[str]:
    """Split one byline string into cleaned names."""
    raw = unicodedata.normalize("NFKC", raw).replace("\xa0", " ")
    raw = re.sub(r"\s+", " ", raw).strip()
    if not raw or raw.startswith(("{", "[", "<")):
        return []
    raw = _PREFIX_RE.sub("", _GLUE_RE.sub(", ", raw))
    date = _DATE_START_RE.search(raw)
    if date and date.start() > 0:
        raw = raw[: date.start()]
    flipped = _flip_last_first(raw)
    if flipped:
        return [flipped]
    names: list[str] = []
    for part in _SPLIT_RE.split(raw):
        name = _clean_part(part)
        if not name:
            continue
        if names and names[-1].casefold() in _AGENCY_HEADS and name.isupper() and " " not in name:
            continue  # "AFP, MANILA": the agency's dateline city
        names.append(name)
    return names


def is_site_name(name: str, site_names: list[str], host: str) -> bool:
    """True when ``name`` is the publication itself: its site name, its domain, or a
    label of its host ("The Ledger", "ledger", "Ledger.example", "X for ledger.example").

    One rule for every field that must not take the site for something else: author
    lists and headline suffixes alike.
    """
    key = squash(name)
    if not key:
        return True
    keys = {squash(s) for s in site_names if s}
    domain = host.lower().removeprefix("www.") if host else ""
    if domain:
        keys.add(squash(domain))
        keys |= {squash(label) for label in domain.split(".")[:-1] if len(label) >= 3}
    keys |= {k[3:] for k in keys if k.startswith("the")}
    if key in keys or key.removeprefix("the") in keys:
        return True
    # "NJ Advance Media for NJ.com": the site given by its domain inside a longer name.
    return bool(domain) and "." in name and squash(domain) in key


def clean_authors(raws: list[str]) -> list[str]:
    """Names from several raw strings, deduplicated case-insensitively, order kept."""
    seen: set[str] = set()
    names = []
    for raw in raws:
        for name in split_names(raw):
            key = squash(name)
            if key and key not in seen:
                seen.add(key)
                names.append(name)
    return names
