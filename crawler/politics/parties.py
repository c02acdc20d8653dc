"""Which US parties an article names: by name and the common forms of the press.

Case matters: "Democrats", "Democratic Party", "Dems", "DNC", "(D-Mass.)" name the
party; "democratic norms" does not, nor does "Democratic Republic of Congo". An
"Independent" counts only as a party label ("independent Sen.", "(I-Vt.)",
"Independent Party"), never as a newspaper or an adjective. One Aho–Corasick pass finds
the candidates; a short look at what follows confirms them.
"""

from __future__ import annotations

import re

import ahocorasick

_WORDS = {
    "Democratic": ["Democrat", "Democrats", "Democratic", "Dems", "DNC", "DFL", "DEMOCRAT",
                   "DEMOCRATS", "DEMOCRATIC"],
    "Republican": ["Republican", "Republicans", "GOP", "RNC", "Grand Old Party", "REPUBLICAN",
                   "REPUBLICANS"],
    "Libertarian": ["Libertarian", "Libertarians", "LIBERTARIAN"],
    "Green": ["Green Party", "GREEN PARTY"],
    "Independent": ["Independent Party"],
}  # fmt: skip
_LABELS = {"D": "Democratic", "R": "Republican", "I": "Independent"}
# What may follow a word for it to be the party ("Democratic Republic of Congo" is not).
_NOT_AFTER = {"Democratic": re.compile(r"\s+Republic|\s+People's|\s+Union|\s+Alliance")}
_LABEL = re.compile(r"([DRI])-[A-Z][A-Za-z]{0,5}\.?(?=[\s,);])")
_INDEPENDENT = re.compile(
    r"[Ii]ndependents?\s+(?:Sen\.|Rep\.|Gov\.|senators?|candidates?|lawmakers?|voters)"
)


def party_named(name: str) -> str | None:
    """The party a user means by ``name`` ("GOP", "democrats", "Green"), in the form
    ``find_parties`` gives; None when it names none."""
    key = " ".join(name.split()).casefold()
    for party, words in _WORDS.items():
        if key == party.casefold() or key in {w.casefold() for w in words}:
            return party
    return {"green": "Green", "independent": "Independent", "independents": "Independent"}.get(key)


def _automaton() -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for party, words in _WORDS.items():
        for word in words:
            automaton.add_word(word, (party, len(word)))
    for letter in _LABELS:
        automaton.add_word(f"{letter}-", ("label", 2))
    automaton.add_word("ndependent", ("independent", 10))
    automaton.make_automaton()
    return automaton


_AUTOMATON = _automaton()


def find_parties(text: str) -> dict[str, int]:
    """Party name -> number of mentions in ``text`` (parties not named are left out)."""
    found: dict[str, int] = {}
    for end, (party, length) in _AUTOMATON.iter(text):
        start = end - length + 1
        if party == "independent":
            start -= 1
            if not _INDEPENDENT.match(text, start):
                continue
            party = "Independent"
        elif party == "label":  # (D-Mass.), R-Texas, I-Vt.
            if start > 0 and text[start - 1] not in " (\u00a0":
                continue
            match = _LABEL.match(text, start)
            if not match:
                continue
            party = _LABELS[match.group(1)]
            end = match.end() - 1
        if start > 0 and text[start - 1].isalnum():
            continue
        if end + 1 < len(text) and text[end + 1].isalnum():
            continue
        after = _NOT_AFTER.get(party)
        if after is not None and after.match(text, end + 1):
            continue
        found[party] = found.get(party, 0) + 1
    return found
