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
_SPLIT_RE = re.compile(r"\s*(?:;|\||\n|,|&|\band\b|\bund\b|\bwith\b|\u3001|\u00b7|•)\s*", re.I)
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
_DATEISH_RE = re.compile(
    r"\b(?:\d{1,2}:\d{2}|\d{4}|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*\b.*\d",
    re.I,
)


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
    part = re.sub(r"\s+", " ", part).strip(" \t-–—:|/()[]\"'“”‘’•·*.")
    if not part or _is_role_only(part):
        return None
    stripped = _ROLE_TAIL_RE.sub("", part).strip(" ,-–—:|/")
    if stripped and stripped != part and len(stripped.split()) >= 1:
        part = stripped
    words = part.split()
    if not part or part.lower() in _GENERIC or _is_role_only(part):
        return None
    if len(part) > 60 or len(words) > 6 or not any(ch.isalpha() for ch in part):
        return None
    if sum(ch.isdigit() for ch in part) > 0 and _DATEISH_RE.search(part):
        return None
    return part


def split_names(raw: str) -> list[str]:
    """Split one byline string into cleaned names."""
    raw = unicodedata.normalize("NFKC", raw).replace("\xa0", " ")
    raw = re.sub(r"\s+", " ", raw).strip()
    if not raw or raw.startswith(("{", "[", "<")):
        return []
    raw = _PREFIX_RE.sub("", raw)
    flipped = _flip_last_first(raw)
    if flipped:
        return [flipped]
    names = []
    for part in _SPLIT_RE.split(raw):
        name = _clean_part(part)
        if name:
            names.append(name)
    return names


def is_site_name(name: str, site_names: list[str], host: str) -> bool:
    """True when ``name`` is the publication itself (its site name or domain)."""
    key = squash(name)
    if not key:
        return True
    keys = {squash(s) for s in site_names if s}
    keys |= {k[3:] for k in keys if k.startswith("the")}
    label = host.lower().removeprefix("www.").split(".")[0] if host else ""
    return key in keys or key.removeprefix("the") in keys or (bool(label) and key == squash(label))


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
