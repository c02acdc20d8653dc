"""Author names: from raw byline or metadata strings to a clean list of names.

Bylines come as "By Jane Doe and John Roe, Staff Writers", "Doe, Jane", "@jdoe",
profile URLs or the site's own name in a meta tag. ``clean_authors`` keeps the names
only, in page order, without duplicates.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from crawler.extract.dates import MONTH_NAME
from newsarchive.urls import site_host

_PREFIX_RE = re.compile(
    r"^\s*(?:(?:written|words|reporting|reported|story|text|posted|published|compiled|"
    r"edited|updated|photos?|analysis|commentary|interview)\s+by|by|from|author(?:s|ed by)?|"
    r"(?:publi[ée]e?|[ée]crit|r[ée]dig[ée]e?)\s+par|(?:publicad[oa]|escrit[oa])\s+por|"
    r"(?:ver[öo]ffentlicht|verfasst|geschrieben)\s+von|von|par|por|"
    # the label of a link to the writer's page: "View all posts by", "SHOW ALL ARTICLES OF"
    r"(?:(?:view|see|show|read)\s+)?(?:(?:all|more)\s+)?(?:posts|articles|stories)\s+(?:by|of|from))"
    r"\b\s*[:\-–]?\s*",
    re.I,
)
# Profile links, e-mail addresses and bare site paths ("/authors/jane-doe").
_URL_RE = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+|(?:^|\s)/[\w./-]+", re.I)
# An image credit, not a byline: "Image: Agency/Photographer", "(Photo: Getty Images)".
_IMAGE_CREDIT_RE = re.compile(
    r"^\W*(?:images?|photos?|photograph(?:y|s)?|pictures?|pics?|credits?|illustrations?|"
    r"graphics?|videos?|source|foto|bild)\b\s*(?:credits?|by)?\s*[:|/©]",
    re.I,
)
# Words that make a credit line a picture's even unlabelled ("Getty Images",
# "Illustration by ...", "© ..."): such a line credits no writer.
_PICTURE_WORDS_RE = re.compile(
    r"photo|image|picture|illustrat|video|getty|shutterstock|istock|alamy|©", re.I
)


def credits_a_picture(line: str) -> bool:
    """A credit line that names a picture or a picture agency, not a story's writer."""
    return bool(_PICTURE_WORDS_RE.search(line))


# "Brendan Carlin For The Mail On Sunday": the publication the writer works for.
_FOR_PUBLICATION_RE = re.compile(
    r"\s+(?i:for)\s+(?:(?i:the)\s+)?[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*$"
)
# Words that make a name an organisation's (a newsroom, a wire, a desk), not a person's.
_ORG_WORDS = {
    *["news", "press", "agency", "agencies", "wire", "wires", "service", "services"],
    *["staff", "desk", "newsroom", "media", "network", "group", "team", "report"],
    *["reports", "tv", "radio", "channel", "online", "editorial", "board", "bureau"],
    *["times", "post", "herald", "journal", "daily", "weekly", "gazette", "tribune"],
    *["magazine", "inc", "ltd", "llc", "foundation", "institute", "university"],
}
_DESK_WORDS = {"staff", "report", "reports", "desk", "team", "newsroom"}
_ACRONYM_RE = re.compile(r"^[A-Z][A-Z0-9&.]{1,7}$")
_HANDLE_RE = re.compile(r"(?:^|\s)@\w+")
_SPLIT_RE = re.compile(
    r"\s*(?:;|\||\n|,|&|\s/\s|\band\b|\bund\b|\bwith\b|\u3001|\u00b7|•|"
    r"(?<=[a-z]{2})\.\s+(?=[A-Z]))\s*",
    re.I,
)
# A name run into the next word by the page's markup: "ERIC TUCKERAssociated Press".
_GLUE_RE = re.compile(r"(?<=[A-Z]{2})(?=[A-Z][a-z])")
# The same with a space between: "ERIC TUCKER Associated Press" (two capitalised names).
_CAPS_THEN_NAME_RE = re.compile(r"\b([A-Z]{2}[A-Z.'-]* [A-Z]{2}[A-Z.'-]*) (?=[A-Z][a-z])")
# And a name run into an outlet in capitals: "Meg Wagner NEW YORK DAILY NEWS".
_NAME_THEN_CAPS_RE = re.compile(r"(?<=[a-z]) (?=[A-Z]{2}[A-Z.'-]* [A-Z]{2})")
# Where the byline turns into its date: "By X | November 18, 2019", "X 27/09/2018",
# "Jane Doe Monday, Nov. 18", "Jeff FoustMonday".
_DATE_START_RE = re.compile(
    r"(?:\b|(?<=[a-z]))(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b|"
    rf"\b{MONTH_NAME}\.?\s+\d|"
    r"\d{1,4}[/:.-]\d|\b(?:19|20)\d{2}\b|"
    rf"\b\d{{1,2}}\s+{MONTH_NAME}\b",
)
# What joins a byline to its date: "Jane Doe on May 4", "Jane Doe | Updated May 4",
# "Jane Doe last updated 4 April". One way to match each character (``\W*``, not a
# space run or a non-word character: that choice backtracked 2^n times on a row of
# " |" share separators).
_DATE_LEAD_RE = re.compile(
    r"(?:\W*\b(?:on|at|last|updated|modified|published|posted|le|am|el)\b)*\W*$", re.I
)
# Weekdays as dates abbreviate them (English, German, French, Spanish, Dutch).
_WEEKDAY_ABBREVIATIONS = {
    *["mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun"],
    *["mo", "di", "mi", "do", "fr", "sa", "so", "lu", "ma", "me", "je", "ve"],
    *["lun", "mar", "mer", "jeu", "ven", "sam", "dim", "mié", "jue", "vie", "sáb", "dom"],
    *["wo", "vr", "za", "zo"],
}
# A weekday written out: a byline that starts with its date ("Wednesday, 08 Apr 2020")
# leaves it as a part of its own.
_WEEKDAYS = {f"{day}day" for day in ("mon", "tues", "wednes", "thurs", "fri", "satur", "sun")}
# "Posted on May 4 by Jane Doe", "January 17, 2017 at 6:08 PM ET by Jane Doe": the name
# comes after the date.
_DATED_BY_RE = re.compile(
    rf"^(?:(?:posted|published|updated|written)\b|(?={_DATE_START_RE.pattern}))"
    r".{0,60}?\bby\s+(\S.*)$",
    re.I,
)
# A wire named after its writer: "Tom Davies Associated Press".
_TRAILING_AGENCY_RE = re.compile(
    r"^(\S+(?:\s+\S+)+?)\s+(Associated Press|Agence France-Presse|Press Association|Reuters|AFP)"
    r"(?:\s+(?:published|updated|posted))?$",
    re.I,
)
# A link in a writer's card that asks the reader to see more of the writer: "See full
# bio", "View author publications", "Search author on: PubMed", "More from Jane Doe".
_READER_LINK_RE = re.compile(
    r"^(?:see|view|read|search|visit|more)\b.{0,40}?\b(?:bio|biography|profile|"
    r"publications|articles|stories|posts|author|from|by)\b",
    re.I,
)
# A part that starts with a small word in lower case is the rest of a sentence ("of the
# Command Line newsletter", "on Deadspin"), never a name: a name's own particles
# ("van", "de", "al") are none of these.
_LOWER_LEAD_RE = re.compile(r"^(?:of|on|in|at|for|from|with|about|to|and|or|the)\s")
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
# Where a byline names the story's section or the writer's city: "Jane Doe in Politics".
_IN_PLACE_RE = re.compile(r"\s+in\s+[A-Z].*$")
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
        "posted",
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
    *["author", "authors", "webdesk", "team", "editorial", "no author", "unknown author"],
    *("web desk", "the editors", "editorial board", "editorial staff"),
}


# A site's account, not a writer: "jdadmin", "siteadmin", "Webmaster".
_ACCOUNT_RE = re.compile(r"^\S*(?:admin|webmaster)\S*$", re.I)
# A beat before its reporter's title makes a desk of it ("Court Reporter").
_BEAT_ROLES = {"reporter", "reporters", "correspondent", "correspondents"}
_BEATS = {
    *["court", "courts", "crime", "health", "politics", "political", "business"],
    *["sport", "sports", "education", "environment", "science", "technology", "transport"],
    *["energy", "climate", "legal", "royal", "entertainment", "showbiz", "travel"],
    *["motoring", "property", "consumer", "parliamentary", "diplomatic", "security"],
}
# A desk that signs a story without the paper's name: the author when it is the whole
# byline (beside a person's name it is no name: "Jane Doe and Staff").
_BARE_DESKS = {
    *["staff", "newsroom", "the newsroom", "news desk", "newsdesk", "web desk", "webdesk"],
    *["news staff", "editorial staff", "editorial board", "the editorial board", "the editors"],
    *["staff report", "staff reports"],
}
# Lower-case words of a sentence that no name or newsroom holds.
_SENTENCE_WORDS = {
    *["you", "your", "we", "our", "are", "is", "was", "were", "will", "would", "have"],
    *["has", "had", "been", "be", "can", "could", "should", "this", "that", "these", "it"],
}


def squash(text: str) -> str:
    """Compare-friendly form: NFKC, case-folded, letters and digits only."""
    return _squash(str(text))  # a plain str key: lxml's strings hold on to their tree


@functools.lru_cache(maxsize=4096)
def _squash(text: str) -> str:
    """``squash``, cached: a page's site names and candidate names are squashed again
    for every comparison."""
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
    if _is_role_only(first) or _is_role_only(last) or last.casefold() in _AGENCY_HEADS:
        return None  # "Reuters, Washington" is an agency and its dateline
    shape_ok = len(last.split()) == 1 and 1 <= len(first.split()) <= 2 and last[:1].isupper()
    if shape_ok and all(w[:1].isupper() for w in first.split()) and not first.isupper():
        return f"{first} {last}"
    return None


def is_beat_desk(name: str) -> bool:
    """A beat and its reporter, no person: "Court Reporter", "Antrim Court Reporter"."""
    words = [w.strip(".,:()'\"").casefold() for w in name.split()]
    return len(words) >= 2 and words[-1] in _BEAT_ROLES and words[-2] in _BEATS


def is_organisation(name: str) -> bool:
    """A newsroom, wire or desk rather than a person: "AFP", "CBS News", "MND Staff",
    "Court Reporter"."""
    words = [w.strip(".,:()'\"").casefold() for w in name.split()]
    if any(w in _ORG_WORDS for w in words) or is_beat_desk(name):
        return True
    first = name.split()[0] if name.split() else ""
    return first.casefold() in _AGENCY_HEADS or (len(words) == 1 and bool(_ACRONYM_RE.match(name)))


def _role_line(part: str) -> bool:
    """A job or team line after a dash: "Chrome Safe Browsing team", "Staff Writer"."""
    words = [w.strip(".,:()'\"").casefold() for w in part.split()]
    return any(w in _ROLE_WORDS or w in _ORG_WORDS for w in words) and not any(
        _ACRONYM_RE.match(w.strip(".,:()'\"")) for w in part.split()
    )


def _ends_in_beat(text: str) -> bool:
    """The text ends in a beat ("... Court"), or a name in a beat's newsroom ("Jane Doe
    Travel News"; not "Sky Sports News", a newsroom of its own)."""
    words = [w.casefold() for w in text.split()]
    return words[-1] in _BEATS or (
        len(words) >= 4 and words[-1] in _TRAILING_DESK and words[-2] in _BEATS
    )


def _clean_part(part: str) -> str | None:
    part = _URL_RE.sub(" ", part)
    part = _HANDLE_RE.sub(" ", part)
    part = _PREFIX_RE.sub("", part)
    part = _LABEL_RE.sub("", part)  # "Text: Jane Doe" in any language
    part = _IN_PLACE_RE.sub("", part)
    initial = bool(re.search(r"(?:^|\s)[A-Z]\.\s*$", part))  # "Joe S." keeps its dot
    part = re.sub(r"\s+", " ", part).strip(" \t-–—:|/()[]\"'“”‘’•·*.")
    if initial and part:
        part += "."
    if not part or _is_role_only(part) or part.casefold().strip(".") in _CREDENTIALS:
        return None
    if part.casefold() in _WEEKDAYS or _READER_LINK_RE.match(part) or _LOWER_LEAD_RE.match(part):
        return None
    stripped = _ROLE_TAIL_RE.sub("", part).strip(" ,-–—:|/")
    if stripped and stripped != part:
        if stripped.split()[0].casefold() in _AGENCY_HEADS and len(stripped.split()) > 1:
            return None  # "AP Auto Writer": the previous name's job, not a name
        tail = {w.casefold() for w in part[len(stripped) :].split()}
        # "MND Staff", "NBC 7 Staff", "HT Correspondent", "Mill Gazette Staff": the desk
        # of a newsroom or channel (a name with a newsroom word may be a person's run
        # into a desk word: "Tom Gillespie News reporter", so only staff and the like)
        named = _ACRONYM_RE.match(stripped) or any(ch.isdigit() for ch in stripped)
        desk = _DESK_WORDS | _BEAT_ROLES if named else _DESK_WORDS
        if (named or is_organisation(stripped)) and tail <= desk:
            return part
        # "Jane Doe, Court Reporter", "Jane Doe Political Reporter": the beat goes with
        # the title; a beat alone was the previous name's job, not a name
        # ("Travel News Reporter": a beat's newsroom word goes with the beat)
        while stripped and _ends_in_beat(stripped):
            stripped = stripped.rsplit(" ", 1)[0] if " " in stripped else ""
        if not stripped:
            return None
        part = stripped
    # "Tom Gillespie News": a desk word run into a person's name goes; an organisation's
    # own phrase keeps it ("news service reports" is not "news service").
    while (
        len(part.split()) > 2
        and part.split()[-1].casefold() in _TRAILING_DESK
        and not is_organisation(part.rsplit(" ", 1)[0])
    ):
        part = part.rsplit(" ", 1)[0]
    words = part.split()
    half = len(words) // 2
    if half >= 2 and words[:half] == words[half:]:  # "Andrea Wong Andrea Wong": a card's
        words = words[:half]  # name set twice, in the byline and under the picture
        part = " ".join(words)
    if not part or part.lower() in _GENERIC or _is_role_only(part) or _ACCOUNT_RE.match(part):
        return None
    if len(part) > 60 or len(words) > 6 or not any(ch.isalpha() for ch in part):
        return None
    if any(ch.isdigit() for ch in part) and not is_organisation(part):
        return None  # a time, a date or a user name, not a person ("7 News" is a newsroom)
    if any(w in _SENTENCE_WORDS for w in words):
        return None  # "your works are released under": a sentence after "By", not a name
    return part


def split_names(raw: str) -> list[str]:
    """Split one byline string into cleaned names."""
    raw = unicodedata.normalize("NFKC", raw).replace("\xa0", " ")
    raw = re.sub(r"\s+", " ", raw).strip()
    if not raw or raw.startswith(("{", "[", "<")) or _IMAGE_CREDIT_RE.match(raw):
        return []
    dated = _DATED_BY_RE.match(raw)
    if dated:
        raw = dated.group(1)
    raw = _PREFIX_RE.sub("", _GLUE_RE.sub(", ", raw))
    raw = _CAPS_THEN_NAME_RE.sub(r"\1, ", raw)  # "ERIC TUCKER Associated Press"
    raw = _NAME_THEN_CAPS_RE.sub(", ", raw)
    # "Jane Doe - Chrome Safe Browsing team": a role or team line after a dash goes.
    head, *tails = re.split(r"\s[-–—]\s", raw)
    raw = ", ".join([head, *(t for t in tails if not _role_line(t))])
    person = _FOR_PUBLICATION_RE.sub("", raw)
    if person != raw and len(person.split()) >= 2 and not is_organisation(person):
        raw = person  # "Brendan Carlin For The Mail On Sunday"
    date = _DATE_START_RE.search(raw)
    if date and date.start() > 0:
        raw = _DATE_LEAD_RE.sub("", raw[: date.start()])
        if raw.strip(".,").casefold() in _WEEKDAY_ABBREVIATIONS:
            return []  # "Sa 13 Jul 2019": the date's weekday, not a name
    flipped = _flip_last_first(raw)
    if flipped:
        return [flipped]
    desk = raw.strip(" .")
    if (len(desk.split()) <= 3 and is_beat_desk(desk)) or desk.casefold() in _BARE_DESKS:
        return [desk]  # the whole byline is the paper's desk: "Court Reporter", "Newsroom"
    names: list[str] = []
    parts = []
    for part in _SPLIT_RE.split(raw):
        wire = _TRAILING_AGENCY_RE.match(part.strip())
        parts.extend(wire.groups() if wire else [part])
    staff_at = None
    for part in parts:
        name = _clean_part(part)
        if not name:
            if staff_at is None and _PREFIX_RE.sub("", part).strip().casefold() == "staff":
                staff_at = len(names)
            continue
        if names and names[-1].casefold() in _AGENCY_HEADS and " " not in name:
            continue  # "AFP, MANILA", "Reuters, Washington": the agency's dateline city
        names.append(name)
    # "Staff and wire reports": a "Staff" among names is no name (a person's companion,
    # "Jane Doe and Staff"), but beside another desk it is the outlet's own newsroom,
    # half of an organisation byline.
    if staff_at is not None and names and all(is_organisation(n) for n in names):
        names.insert(staff_at, "Staff")
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
    domain = site_host(host)
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
