"""Is an article political? A score from the signals a page and the registry give.

Every signal adds log-odds to a fixed prior (``PRIOR``); the score is the logistic of the
sum, and ``political`` is ``score >= THRESHOLD``. The signals (docs/politics.md):

- ``hint``: the registry says the URL came from a politics feed or section;
- ``url`` and ``section``: words of the URL path and of the page's own section
  ("/politics/", "Sports");
- ``text``, ``institutions``: political words of the lexicon in title and body, per
  category, normalised by the square root of the length; ``lead``: those in the title
  and the first lines, counted again; ``text-against``: words of non-political topics;
- ``people`` and ``parties``: gazetteer people and party names the tagger found.

All weights are set by hand from the definition of "political" (never fitted to
labelled pages); each record keeps the contributions as ``political_signals``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import ahocorasick

from crawler.politics import lexicon

# Log-odds with no evidence. Set a priori to -3.0, then calibrated once, as the only
# number fitted to labels, on zyte-articles (decision point 0.15 there -> -1.25 here);
# news-publishers is the check (docs/politics.md).
PRIOR = -1.25
THRESHOLD = 0.5
HINT_WEIGHT = 3.0
URL_WEIGHT, URL_AGAINST = 2.0, 1.5
SECTION_WEIGHT, SECTION_AGAINST = 1.5, 1.2
TEXT_WEIGHT, TEXT_AGAINST = 0.9, 0.6
LEAD_WEIGHT, LEAD_AGAINST, LEAD_CAP = 0.6, 0.4, 3.0
PERSON_WEIGHT, PEOPLE_CAP, PERSON_IN_TITLE = 0.5, 3, 0.5
PARTY_WEIGHT, PARTIES_CAP = 0.3, 2
LEAD_CHARS = 600  # of the body, after the title
NORM_WORDS = 150  # texts shorter than this are not boosted
CONTEXT_MIN = 1.0  # political words (text, institutions, lead, less text-against) for context


@dataclass(frozen=True)
class _Term:
    term: str
    category: str
    weight: float  # > 0: political; < 0: another topic


def _automata() -> tuple[ahocorasick.Automaton, ahocorasick.Automaton]:
    words = ahocorasick.Automaton()
    for category, terms in lexicon.POLITICAL.items():
        for term, weight in terms.items():
            words.add_word(term, _Term(term, category, weight))
    for category, terms in lexicon.NOT_POLITICAL.items():
        for term, weight in terms.items():
            words.add_word(term, _Term(term, category, -weight))
    acronyms = ahocorasick.Automaton()
    for term, weight in lexicon.ACRONYMS.items():
        acronyms.add_word(term, _Term(term, "institutions", weight))
    words.make_automaton()
    acronyms.make_automaton()
    return words, acronyms


_WORDS, _ACRONYMS = _automata()


_OTHER_SENSE = {
    term: (terms, re.compile(pattern))
    for terms, pattern in lexicon.OTHER_SENSE.items()
    for term in terms
}
_SENSE_WINDOW = 40  # characters before a term that can give its other sense away


def _matches(automaton: ahocorasick.Automaton, text: str) -> list[tuple[int, _Term]]:
    found = []
    for end, term in automaton.iter(text):
        start = end - len(term.term) + 1
        if start > 0 and text[start - 1].isalnum():
            continue
        if end + 1 < len(text) and text[end + 1].isalnum():
            continue
        found.append((start, term))
    return _one_sense(_outermost(found), text)


def _outermost(found: list[tuple[int, _Term]]) -> list[tuple[int, _Term]]:
    """Drop matches inside a longer one ("federal" in "federal reserve"): the same
    words, counted once, by the longer term that says what they mean."""
    spans = sorted(found, key=lambda m: (m[0], -len(m[1].term)))
    kept: list[tuple[int, _Term]] = []
    reach = -1
    for start, term in spans:
        end = start + len(term.term)
        if end <= reach:
            continue
        kept.append((start, term))
        reach = max(reach, end)
    return kept


def _one_sense(found: list[tuple[int, _Term]], text: str) -> list[tuple[int, _Term]]:
    """Drop the terms the text uses in their other sense (``lexicon.OTHER_SENSE``):
    once a text shows that sense, every use of the term is taken in it (one sense
    per discourse), so "these bills" after "$1 bills" are money too."""
    other: set[str] = set()
    for start, term in found:
        sense = _OTHER_SENSE.get(term.term)
        if sense is not None and sense[1].search(text[max(0, start - _SENSE_WINDOW) : start]):
            other.update(sense[0])
    return [(start, term) for start, term in found if term.term not in other] if other else found


def _path_words(url: str | None) -> tuple[list[str], list[str]]:
    """(section words of the URL path, words of its last segment, the slug)."""
    if not url:
        return [], []
    try:
        path = unquote(urlsplit(url).path).lower()
    except ValueError:
        return [], []
    segments = [s for s in path.split("/") if s]
    slug: list[str] = []
    if segments and (
        "-" in segments[-1] or "." in segments[-1] or any(c.isdigit() for c in segments[-1])
    ):
        slug = re.split(r"[-_.]+", segments.pop())
    words = []
    for seg in segments:
        words.append(seg.replace("-", "").replace("_", ""))
        words += re.split(r"[-_]+", seg)
    return words, slug


def _vocab_signal(words: list[str]) -> tuple[float, float, str, str]:
    pos = [(lexicon.SECTION_POLITICAL[w], w) for w in words if w in lexicon.SECTION_POLITICAL]
    neg = [
        (lexicon.SECTION_NOT_POLITICAL[w], w) for w in words if w in lexicon.SECTION_NOT_POLITICAL
    ]
    best_pos, best_neg = max(pos, default=(0.0, "")), max(neg, default=(0.0, ""))
    return best_pos[0], best_neg[0], best_pos[1], best_neg[1]


def page_signals(
    title: str | None,
    body: str | None,
    *,
    url: str | None = None,
    section: str | None = None,
    hint: str | None = None,
) -> list[dict]:
    """The signals of the page itself and the registry: hint, URL, section and words."""
    signals: list[dict] = []

    def add(signal: str, weight: float, evidence: str) -> None:
        if weight:
            signals.append({"signal": signal, "weight": round(weight, 2), "evidence": evidence})

    if hint:
        add("hint", HINT_WEIGHT, str(hint)[:200])
    path_words, slug = _path_words(url)
    pos, neg, pw, nw = _vocab_signal(path_words)
    url_pos, url_neg = URL_WEIGHT * pos, URL_AGAINST * neg
    add("url", url_pos, pw)
    add("url", -url_neg, nw)
    if section:
        # the URL path and the section name both say where the outlet filed the page:
        # one fact, so the section adds only what it says beyond the URL
        words = [w for w in re.split(r"[\W_]+", section.lower()) if w]
        pos, neg, pw, nw = _vocab_signal(words + ["".join(words)])
        add("section", max(0.0, SECTION_WEIGHT * pos - url_pos), section[:100] if pw else "")
        add("section", -max(0.0, SECTION_AGAINST * neg - url_neg), section[:100] if nw else "")

    title = (title or "").strip() or " ".join(slug)
    body = body or ""
    text = f"{title}\n\n{body}"
    lead_end = len(title) + 2 + LEAD_CHARS
    hits = _matches(_WORDS, text.lower()) + _matches(_ACRONYMS, text)
    counts: dict[_Term, int] = {}
    lead: dict[_Term, None] = {}
    for start, term in hits:
        counts[term] = counts.get(term, 0) + 1
        if start < lead_end:
            lead[term] = None
    norm = math.sqrt(max(len(text.split()), NORM_WORDS) / NORM_WORDS)
    per_category: dict[str, list[tuple[float, _Term]]] = {}
    for term, count in counts.items():
        value = term.weight * math.log1p(count)
        per_category.setdefault(term.category, []).append((value, term))
    for_sum, against_sum = [], []
    for category, values in per_category.items():
        total = sum(v for v, _ in values)
        top = ", ".join(t.term for _, t in sorted(values, key=lambda vt: -abs(vt[0]))[:6])
        if total > 0:
            name = "institutions" if category == "institutions" else "text"
            for_sum.append((name, TEXT_WEIGHT * total / norm, f"{category}: {top}"))
        else:
            against_sum.append((TEXT_AGAINST * total / norm, f"{category}: {top}"))
    for name, weight, evidence in sorted(for_sum, key=lambda s: -s[1]):
        add(name, weight, evidence)
    for weight, evidence in sorted(against_sum):
        add("text-against", weight, evidence)
    lead_pos = min(sum(t.weight for t in lead if t.weight > 0), LEAD_CAP)
    lead_neg = min(-sum(t.weight for t in lead if t.weight < 0), LEAD_CAP)
    add("lead", LEAD_WEIGHT * lead_pos, ", ".join(t.term for t in lead if t.weight > 0)[:200])
    add("lead", -LEAD_AGAINST * lead_neg, ", ".join(t.term for t in lead if t.weight < 0)[:200])
    return signals


def words_are_political(signals: list[dict]) -> bool:
    """The article's own words (not its URL, section or people) speak of politics: the
    context in which the people tagger lets a bare surname count on its own."""
    words = sum(s["weight"] for s in signals if s["signal"] in ("text", "institutions", "lead"))
    against = sum(s["weight"] for s in signals if s["signal"] == "text-against")
    return words + against >= CONTEXT_MIN


def decide(
    signals: list[dict],
    *,
    people: list[str] | None = None,
    people_in_title: list[str] | None = None,
    parties: dict[str, int] | None = None,
) -> dict:
    """``{"political", "political_score", "political_signals"}`` from the page signals
    plus the people and parties the taggers found."""
    signals = list(signals)

    def add(signal: str, weight: float, evidence: str) -> None:
        signals.append({"signal": signal, "weight": round(weight, 2), "evidence": evidence})

    if people:
        add("people", PERSON_WEIGHT * min(len(people), PEOPLE_CAP), ", ".join(people[:6]))
    if people_in_title:
        add("people", PERSON_IN_TITLE, "in the title: " + ", ".join(people_in_title[:3]))
    if parties:
        add("parties", PARTY_WEIGHT * min(len(parties), PARTIES_CAP), ", ".join(sorted(parties)))
    logit = PRIOR + sum(s["weight"] for s in signals)
    value = 1.0 / (1.0 + math.exp(-logit))
    signals.sort(key=lambda s: -abs(s["weight"]))
    return {
        "political": value >= THRESHOLD,
        "political_score": round(value, 3),
        "political_signals": signals,
    }


def score(title: str | None, body: str | None, **kwargs) -> dict:
    """``decide(page_signals(...))`` for callers without people and parties."""
    return decide(page_signals(title, body, **kwargs))
