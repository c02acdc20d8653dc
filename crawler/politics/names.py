"""Name keys: how a written name form is compared with a gazetteer person's names.

One place for folding (case, accents, dots), for the given-name forms a person goes by
(first, nickname, the given part of official names, common English short forms) and
for the surname variants the matcher searches for.
"""

from __future__ import annotations

import re
import unicodedata

_SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "v"}

# Common English short forms of given names, both ways (Elizabeth -> Liz, Bob -> Robert):
# general knowledge of how US politicians are named in the press.
_SHORT_FORMS = {
    "abraham": ["abe"],
    "alexander": ["alex"],
    "alexandria": ["alex"],
    "andrew": ["andy", "drew"],
    "anthony": ["tony"],
    "benjamin": ["ben"],
    "bernard": ["bernie"],
    "catherine": ["cathy", "kate"],
    "charles": ["chuck", "charlie"],
    "christopher": ["chris"],
    "daniel": ["dan", "danny"],
    "david": ["dave"],
    "deborah": ["debbie", "deb"],
    "donald": ["don"],
    "douglas": ["doug"],
    "edward": ["ed", "eddie", "ted"],
    "elizabeth": ["liz", "beth", "betsy"],
    "frederick": ["fred"],
    "gerald": ["jerry"],
    "gregory": ["greg"],
    "james": ["jim", "jimmy", "jamie"],
    "jefferson": ["jeff"],
    "jeffrey": ["jeff"],
    "jennifer": ["jen", "jenny"],
    "john": ["jack", "johnny"],
    "jonathan": ["jon"],
    "joseph": ["joe"],
    "joshua": ["josh"],
    "katherine": ["kathy", "kate", "katie"],
    "kathleen": ["kathy"],
    "kenneth": ["ken"],
    "lawrence": ["larry"],
    "margaret": ["maggie", "peggy"],
    "matthew": ["matt"],
    "michael": ["mike"],
    "mitchell": ["mitch"],
    "nancy": [],
    "nicholas": ["nick"],
    "patricia": ["pat", "patty"],
    "patrick": ["pat"],
    "peter": ["pete"],
    "randall": ["randy"],
    "raphael": ["rafael"],
    "richard": ["rick", "dick", "rich"],
    "robert": ["bob", "bobby", "rob"],
    "ronald": ["ron"],
    "samuel": ["sam"],
    "stephen": ["steve"],
    "steven": ["steve"],
    "susan": ["sue"],
    "theodore": ["ted"],
    "thomas": ["tom", "tommy"],
    "timothy": ["tim"],
    "william": ["bill", "will", "billy"],
}


def fold(text: str) -> str:
    """Case- and accent-insensitive form: 'Luján' -> 'lujan'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def given_key(token: str) -> str:
    """Key of one given-name token: folded, without dots, quotes or hyphens ('J.D.' -> 'jd')."""
    return re.sub(r"[.\"'’‘“”\-\s]", "", fold(token))


def is_initial(token: str) -> bool:
    """A middle initial such as 'B.' or 'B' (not 'J.D.', which some go by)."""
    return bool(re.fullmatch(r"[^\W\d_]\.?", token))


def is_suffix(token: str) -> bool:
    return given_key(token).rstrip(",") in _SUFFIXES


def given_forms(*names: str | None) -> set[str]:
    """Every given-name key a person answers to, from first names, nicknames and the
    given part of full names (tokens before the surname), plus common short forms."""
    keys: set[str] = set()
    for name in names:
        if not name:
            continue
        for token in re.split(r"[\s\"“”]+", name):
            token = token.strip(",")
            if not token or is_initial(token) or is_suffix(token):
                continue
            keys.add(given_key(token))
    for key in list(keys):
        keys.update(_SHORT_FORMS.get(key, ()))
        keys.update(long for long, shorts in _SHORT_FORMS.items() if key in shorts)
    keys.discard("")
    return keys


def given_part(full_name: str, last: str) -> str:
    """'Kamala D. Harris' with last 'Harris' -> 'Kamala D.'; '' when the surname is absent."""
    folded, folded_last = fold(full_name), fold(last)
    at = folded.rfind(folded_last)
    return full_name[:at].strip(" ,") if at > 0 else ""


def surname_variants(last: str) -> set[str]:
    """Spellings of a surname as printed: as given, without accents, with the other
    apostrophe, hyphen or space in compounds, and in capitals (headlines)."""
    base = {last.strip()}
    base.add(
        "".join(c for c in unicodedata.normalize("NFKD", last) if not unicodedata.combining(c))
    )
    for form in list(base):
        base.add(form.replace("'", "’"))
        base.add(form.replace("’", "'"))
        if "-" in form:
            base.add(form.replace("-", " "))
        elif " " in form:
            base.add(form.replace(" ", "-"))
    return {v for form in base for v in (form, form.upper())} - {""}


def common_given_names() -> set[str]:
    """Given-name keys known without the gazetteer (the short-form table)."""
    return set(_SHORT_FORMS) | {s for shorts in _SHORT_FORMS.values() for s in shorts}
