"""Who a user means by a name: the gazetteer people of ``--person``.

A name is read the way the tagger reads an article (``crawler.politics``), so
"Sen. Warren", "Elizabeth Warren", "Bernie Sanders" and "AOC" mean what they mean in
the text; a gazetteer id ("S000364") is taken as it is; a bare surname matches every
person of that surname. More than one match is never guessed: the caller gets the
candidates to list.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from crawler.politics import load_gazetteer, load_tagger
from crawler.politics.gazetteer import Person
from crawler.politics.names import fold, surname_variants
from newsarchive.errors import NewsarchiveError

MAX_LISTED = 8  # candidates an ambiguous name lists


class PersonError(NewsarchiveError):
    """A name that names nobody, or more than one person (a usage error)."""


@dataclass(frozen=True)
class Candidate:
    id: str
    name: str
    described: str  # "D, senator from MA, 2013-" : enough to choose

    def __str__(self) -> str:
        return f"{self.name} ({self.id}; {self.described})" if self.described else self.name


def describe(person: Person) -> str:
    """Party, latest office and its years: "Democratic, Senator, MA, 2013-"."""
    term, _ = person.term_at(None)
    if term is None:
        return ""
    years = f"{(term.start or '')[:4]}-{(term.end or '')[:4]}" if term.start else ""
    return ", ".join(filter(None, [term.party, term.office, term.state, years]))


def candidates_for(name: str) -> list[Person]:
    """Every gazetteer person ``name`` can mean (see the module docstring)."""
    gazetteer = load_gazetteer()
    wanted = " ".join(name.split())
    if not wanted:
        return []
    by_id = gazetteer.by_id()
    if wanted in by_id:
        return [by_id[wanted]]
    tagged = [person for person, _, _ in load_tagger().tag(wanted)]
    if tagged:
        return tagged
    key = fold(wanted.strip(" .,"))
    return [p for p in gazetteer.people if key in {fold(v) for v in surname_variants(p.last)}]


def resolve(name: str) -> list[str]:
    """The one person's gazetteer id(s) ``name`` means; PersonError otherwise."""
    found = candidates_for(name)
    if len(found) == 1:
        return [found[0].id]
    if not found:
        names = sorted({p.name for p in load_gazetteer().people})
        close = difflib.get_close_matches(" ".join(name.split()), names, n=3, cutoff=0.75)
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        raise PersonError(f"no one in the gazetteer is called {name!r}{hint}")
    listed = "; ".join(str(Candidate(p.id, p.name, describe(p))) for p in found[:MAX_LISTED])
    more = f"; and {len(found) - MAX_LISTED} more" if len(found) > MAX_LISTED else ""
    raise PersonError(
        f"{name!r} is ambiguous: {len(found)} people match: {listed}{more}. "
        'Use a full name, a title ("Sen. ...") or the id'
    )
