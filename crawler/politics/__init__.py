"""Political understanding of an article: is it political, whom and which parties it names.

    tag(title, body, *, published=None, url=None, section=None, hint=None) -> dict

gives the record fields ``POLITICS_FIELDS``:

- ``political`` (bool), ``political_score`` (0-1) and ``political_signals`` (the
  provenance of the decision: a list of ``{signal, weight, evidence}``, see
  ``relevance``);
- ``people``: ``[{id, name, party, office, state, district, mentions}]`` in order of
  first mention, party and office as in force on the publication date (``published``,
  ISO 8601; undated: the latest term; office null when no term covers the date);
- ``parties``: the party names the text uses, sorted (``["Democratic", "Republican"]``).

``hint`` is registry context, e.g. ``"politics feed https://example.org/politics.rss"``:
the crawler passes it for URLs found through a politics-only feed or section.

The gazetteer is the shipped one plus the files of ``NEWSARCHIVE_GAZETTEER``; it is
loaded once per process (``load_tagger()``), which raises ``ConfigError`` if a configured
file is unusable. Tagging itself never raises for any text.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from crawler.politics import relevance
from crawler.politics.gazetteer import Gazetteer, configured_files, load
from crawler.politics.parties import find_parties
from crawler.politics.people import PeopleTagger

POLITICS_FIELDS = ("political", "political_score", "political_signals", "people", "parties")
MAX_TEXT_CHARS = 400_000  # a record's body is far shorter; scraped input is bounded anyway
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")


@cache
def _tagger(files: tuple[Path, ...]) -> PeopleTagger:
    return PeopleTagger(load(files))


def load_tagger(files: tuple[Path, ...] | None = None) -> PeopleTagger:
    """The people tagger over the shipped gazetteer plus ``files`` (default: the settings')."""
    return _tagger(configured_files() if files is None else tuple(files))


def load_gazetteer(files: tuple[Path, ...] | None = None) -> Gazetteer:
    return load(configured_files() if files is None else tuple(files))


def publication_day(published: str | None) -> str | None:
    """'2019-11-13T10:00:00-05:00' -> '2019-11-13'; None for anything else."""
    if isinstance(published, str) and _DAY.match(published):
        return published[:10]
    return None


def tag(
    title: str | None,
    body: str | None,
    *,
    published: str | None = None,
    url: str | None = None,
    section: str | None = None,
    hint: str | None = None,
    tagger: PeopleTagger | None = None,
) -> dict:
    """The politics fields of one article (see the module docstring)."""
    tagger = tagger or load_tagger()
    title = (title if isinstance(title, str) else "")[:2000]
    body = (body if isinstance(body, str) else "")[:MAX_TEXT_CHARS]
    text = f"{title}\n\n{body}"
    day = publication_day(published)
    signals = relevance.page_signals(title, body, url=url, section=section, hint=hint)
    people = []
    in_title = []
    for person, mentions, first in tagger.tag(text, day, relevance.words_are_political(signals)):
        term, in_force = person.term_at(day)
        people.append(
            {
                "id": person.id,
                "name": person.name,
                "party": term.party if term else None,
                "office": term.office if term and in_force else None,
                "state": term.state if term else None,
                "district": term.district if term and in_force else None,
                "mentions": mentions,
            }
        )
        if first < len(title):
            in_title.append(person.name)
    parties = find_parties(text)
    result = relevance.decide(
        signals, people=[p["name"] for p in people], people_in_title=in_title, parties=parties
    )
    result["people"] = people
    result["parties"] = sorted(parties)
    return result


def tag_record(record: dict, hint: str | None = None, tagger: PeopleTagger | None = None) -> dict:
    """``tag`` on an article record's fields (for re-tagging archived records offline)."""
    return tag(
        record.get("title"),
        record.get("body") or record.get("description"),
        published=record.get("published"),
        url=record.get("canonical_url") or record.get("url"),
        section=record.get("section"),
        hint=hint,
        tagger=tagger,
    )


__all__ = [
    "POLITICS_FIELDS",
    "load_gazetteer",
    "load_tagger",
    "publication_day",
    "tag",
    "tag_record",
]
