"""Which gazetteer people an article mentions, by the forms a reader recognises.

One Aho–Corasick pass (pyahocorasick) finds every printed surname and alias; each hit
is then read in its context:

- before it: a given name of the person ("Elizabeth Warren", "Bernie Sanders", with
  middle initials or a quoted nickname between), a political title ("Sen. Warren",
  "Gov. Newsom", "President Biden", "Speaker Johnson", "Attorney General James"), a
  neutral word (sentence start, "the", a party or state name) or another first name
  ("Rick Perry": a namesake, never the gazetteer's Scott Perry);
- after it: a possessive or "the ...s" plural is fine, an attributive political noun
  ("the Trump administration", "Obama-era") marks a reference to the person, and a
  further capitalised word means something else ("Warren Buffett", "Lincoln Memorial").

Full mentions (given name or title + surname) establish a person in the article. A bare
surname then resolves to the established person of that surname nearest before it (or
after, for headlines), or to a namesake, who owns it instead. With no one established, a
bare surname counts only when exactly one gazetteer person of the period has it and
either they are a recent president or vice president, the use is attributive, or the
surname is unique in the whole gazetteer, they hold office on the article's date and
the article's own words are about politics. Ambiguity is
never guessed: two candidates left means nobody is tagged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import ahocorasick

from crawler.politics.gazetteer import Gazetteer, Person
from crawler.politics.names import (
    common_given_names,
    fold,
    given_key,
    is_initial,
    is_suffix,
    surname_variants,
)

RECENT_YEARS = 30  # how far back a bare surname may still mean a former office holder

# Written titles (folded, without dots) -> which office kinds they fit. "*" fits anyone
# (the title says "a politician" without saying which office); "honorific" says nothing.
_TITLES: dict[str, set[str]] = {
    "sen": {"sen", "upper"},
    "sens": {"sen", "upper"},
    "senator": {"sen", "upper"},
    "senators": {"sen", "upper"},
    "state sen": {"upper"},
    "state senator": {"upper"},
    "rep": {"rep", "lower", "legislature"},
    "reps": {"rep", "lower", "legislature"},
    "representative": {"rep", "lower", "legislature"},
    "congressman": {"rep"},
    "congresswoman": {"rep"},
    "congressmember": {"rep"},
    "del": {"rep"},
    "delegate": {"rep"},
    "state rep": {"lower"},
    "assemblyman": {"lower"},
    "assemblywoman": {"lower"},
    "assemblymember": {"lower"},
    "gov": {"governor"},
    "governor": {"governor"},
    "govs": {"governor"},
    "lt gov": {"lt_governor"},
    "lieutenant governor": {"lt_governor"},
    "lt governor": {"lt_governor"},
    "president": {"prez", "president"},
    "presidentelect": {"prez", "president"},
    "pres": {"prez", "president"},
    "vice president": {"viceprez", "vice president"},
    "vice presidentelect": {"viceprez", "vice president"},
    "vp": {"viceprez", "vice president"},
    "attorney general": {"attorney general"},
    "atty gen": {"attorney general"},
    "ag": {"attorney general"},
    "secretary of state": {"secretary of state"},
    "treasurer": {"treasurer"},
    "auditor": {"auditor"},
    "mayor": {"mayor"},
    "prime minister": {"prime minister"},
    "pm": {"prime minister"},
    "chancellor": {"chancellor"},
    "premier": {"premier"},
    "chairman": {"*legislator"},
    "chairwoman": {"*legislator"},
    "chair": {"*legislator"},
    "ranking member": {"*legislator"},
    "speaker": {"@speaker"},
    "leader": {"@leader"},
    "majority leader": {"@leader"},
    "minority leader": {"@leader"},
    "whip": {"@whip"},
    "secretary": {"*"},
    "mr": {"honorific"},
    "mrs": {"honorific"},
    "ms": {"honorific"},
    "miss": {"honorific"},
    "dr": {"honorific"},
}
_LEGISLATOR_KINDS = {"sen", "rep", "upper", "lower", "legislature"}

# Titles that mean someone outside the gazetteer ("Judge Warren", "Lt. Col. Vindman").
_OTHER_TITLES = {
    "judge", "justice", "coach", "gen", "general", "col", "colonel", "lt col", "maj", "major",
    "capt", "captain", "sgt", "sergeant", "adm", "admiral", "cmdr", "officer", "detective",
    "det", "prince", "princess", "king", "queen", "pope", "father", "fr", "rev", "reverend",
    "sister", "brother", "saint", "st", "lord", "lady", "dame", "sir", "prof", "professor",
    "agent", "chef", "uncle", "aunt", "baron", "duke", "duchess", "count", "rabbi", "imam",
    "bishop", "cardinal", "deputy", "sheriff", "trooper", "pvt", "cpl", "lt", "lieutenant",
    "ambassador", "commissioner", "director", "ceo", "founder", "dj", "mount", "mt", "fort",
    "lake", "port", "cape", "camp", "new", "north", "south", "east", "west", "upper", "lower",
}  # fmt: skip

# Capitalised words before a surname that are not a first name: the hit stays a bare surname.
_NEUTRAL = {
    "the", "a", "an", "and", "but", "or", "nor", "if", "when", "while", "as", "at", "in", "on",
    "for", "from", "by", "with", "of", "to", "after", "before", "since", "then", "now", "so",
    "that", "this", "these", "those", "yet", "also", "only", "even", "both", "why", "how",
    "what", "where", "who", "whom", "whose", "which", "did", "does", "do", "is", "was", "were",
    "will", "would", "can", "could", "should", "may", "might", "must", "has", "have", "had",
    "let", "says", "said", "say", "tells", "told", "asks", "asked", "under", "over", "against",
    "between", "without", "within", "like", "unlike", "than", "via", "per", "vs", "versus",
    "not", "no", "yes", "former", "ex", "late", "young", "old", "dear", "president's",
    "democrat", "democratic", "democrats", "republican", "republicans", "gop", "independent",
    "progressive", "conservative", "liberal", "libertarian", "moderate", "centrist", "rival",
    "incumbent", "candidate", "nominee", "challenger", "hopeful", "frontrunner", "us", "u.s.",
    "america", "american", "americans", "federal", "state", "house", "senate", "congress",
    "white", "mrs", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
    "sunday", "january", "february", "march", "april", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec", "it", "its", "he", "she", "they", "we", "i", "you", "his",
    "her", "their", "our", "my", "your", "here", "there", "all", "every", "each", "some",
    "many", "most", "more", "any", "one", "two", "three", "first", "last", "next", "new",
    "meanwhile", "however", "still", "just", "again", "because", "though", "although",
    "unless", "until", "whether", "about", "around", "during", "toward", "towards", "behind",
    "beside", "among", "amid", "despite", "into", "onto", "upon", "off", "out", "up", "down",
    "mr.", "ms.", "sens", "gov", "sen", "vs.", "pro", "anti", "non", "never", "ever", "exclusive",
    "watch", "video", "live", "update", "updated", "breaking", "opinion", "analysis", "photos",
    "read", "see", "related", "inside", "meet", "ask", "rep",
}  # fmt: skip

_STATES = {
    "alabama", "alaska", "arizona", "arkansas", "california", "colorado", "connecticut",
    "delaware", "florida", "georgia", "hawaii", "idaho", "illinois", "indiana", "iowa", "kansas",
    "kentucky", "louisiana", "maine", "maryland", "massachusetts", "michigan", "minnesota",
    "mississippi", "missouri", "montana", "nebraska", "nevada", "hampshire", "jersey", "mexico",
    "york", "carolina", "dakota", "ohio", "oklahoma", "oregon", "pennsylvania", "rhode", "island",
    "tennessee", "texas", "utah", "vermont", "virginia", "washington", "wisconsin", "wyoming",
    "ala", "ariz", "ark", "calif", "colo", "conn", "del", "fla", "ga", "ill", "ind", "kan", "ky",
    "la", "md", "mass", "mich", "minn", "miss", "mo", "mont", "neb", "nev", "okla", "ore", "pa",
    "tenn", "tex", "vt", "va", "wash", "wis", "wyo", "nh", "nj", "nm", "ny", "nc", "nd", "sc",
    "sd", "ri", "wv", "dc", "ak", "al", "az", "ar", "ca", "co", "ct", "de", "fl", "hi", "id",
    "ia", "ks", "me", "mi", "mn", "ms", "mt", "ne", "nv", "oh", "ok", "or", "tn", "tx", "ut",
    "wa", "wi", "wy",
}  # fmt: skip
# Countries, regions and cities whose names are also surnames ("Jordan", "Lincoln").
_PLACES = {
    "jordan", "chad", "israel", "georgia", "turkey", "china", "japan", "france", "germany",
    "india", "iran", "iraq", "syria", "egypt", "cuba", "canada", "russia", "ukraine", "poland",
    "spain", "italy", "greece", "kenya", "niger", "mali", "peru", "chile", "brazil", "korea",
    "vietnam", "taiwan", "yemen", "lebanon", "libya", "sudan", "panama", "haiti", "guinea",
    "jamaica", "ireland", "wales", "scotland", "england", "britain", "europe", "africa", "asia",
    "london", "paris", "berlin", "moscow", "beijing", "lincoln", "houston", "austin", "dallas",
    "denver", "phoenix", "jackson", "madison", "cleveland", "orlando", "charlotte", "raleigh",
    "columbus", "boston", "buffalo", "mobile", "troy", "warren", "lansing", "sherman", "tyler",
    "lafayette", "hamilton", "franklin", "monroe", "marshall", "clinton", "springfield",
}  # fmt: skip
_NEUTRAL |= _STATES | _PLACES

# A lowercase word after the surname that makes it a reference to the person.
_ATTRIBUTIVE = {
    "administration", "administration's", "campaign", "campaign's", "presidency", "era",
    "government", "cabinet", "advisers", "adviser", "advisors", "aides", "aide", "allies",
    "ally", "supporters", "loyalists", "impeachment", "camp", "voters", "rally", "rallies",
    "tariffs", "policy", "policies", "doctrine", "agenda", "nomination", "nominee",
    "appointee", "appointees", "white", "team", "transition", "budget", "presidential",
    "years", "tax", "inauguration", "endorsement", "critics", "base", "movement",
}  # fmt: skip
_ATTRIBUTIVE_HYPHEN = {"era", "led", "backed", "aligned", "appointed", "endorsed", "style", "like"}
_HYPHEN_PREFIXES = {"pro", "anti", "non", "ex", "post", "pre", "never", "neo", "then", "mid"}


def _starts_sentence(tokens: list[str], i: int) -> bool:
    """tokens[i] (tokens nearest-first) opens a sentence: nothing or an end mark before it."""
    return i + 1 >= len(tokens) or tokens[i + 1][-1:] in (".", "!", "?", '"', "”", ":")


@dataclass
class _Hit:
    start: int
    end: int
    key: str  # folded surname
    kind: str = "bare"  # full | title | bare | namesake | alias | none
    people: list[int] = field(default_factory=list)
    title: str | None = None
    attributive: bool = False
    uncertain: bool = False  # an unknown capitalised word before it, at a sentence start
    headline: bool = False
    person: int | None = None


class PeopleTagger:
    """Finds gazetteer people in text. Built once per gazetteer; thread-safe to use."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.people: list[Person] = list(gazetteer.people)
        self.by_surname: dict[str, list[int]] = {}
        self.automaton = ahocorasick.Automaton()
        for idx, person in enumerate(self.people):
            key = fold(person.last)
            self.by_surname.setdefault(key, []).append(idx)
            for variant in surname_variants(person.last):
                self.automaton.add_word(variant, ("s", key, len(variant)))
        for idx, person in enumerate(self.people):
            for alias in person.aliases:
                self.automaton.add_word(alias, ("a", idx, len(alias)))
        self.first_names = common_given_names() | {g for p in self.people for g in p.given}
        self.first_names -= _NEUTRAL
        self.automaton.make_automaton()

    # --- finding and reading hits ----------------------------------------------------------

    def _hits(self, text: str) -> list[_Hit]:
        lines: dict[int, tuple[bool, bool]] = {}  # line start -> flags, per call
        raw = []
        for end_idx, (what, ref, length) in self.automaton.iter(text):
            start, end = end_idx - length + 1, end_idx + 1
            if start > 0 and (text[start - 1].isalnum() or text[start - 1] in "@#"):
                continue
            raw.append((start, end, what, ref))
        raw.sort(key=lambda h: (h[0], -(h[1] - h[0])))
        hits, last_end = [], -1
        for start, end, what, ref in raw:  # drop hits inside longer ones ("Van Hollen")
            if start < last_end:
                continue
            if what == "a":
                if end < len(text) and text[end].isalnum():
                    continue
                hits.append(_Hit(start, end, "", kind="alias", person=ref))
                last_end = end
                continue
            hit = self._read(text, start, end, ref, lines)
            if hit is not None:
                hits.append(hit)
                last_end = end
        return hits

    def _line_flags(self, text: str, start: int, lines: dict) -> tuple[bool, bool]:
        """(headline-like line, all capitals) for the line around ``start``."""
        lo = text.rfind("\n", 0, start) + 1
        flags = lines.get(lo)
        if flags is None:
            hi = text.find("\n", start)
            if (hi if hi >= 0 else len(text)) - lo > 300:
                lines[lo] = (False, False)  # a paragraph, not a headline
                return lines[lo]
            line = text[lo : hi if hi >= 0 else len(text)].strip()
            letters = [c for c in line if c.isalpha()]
            caps = len(letters) >= 6 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)
            words = [w for w in re.findall(r"[^\W\d_][\w'’]*", line) if len(w) > 3]
            one_sentence = len(line) < 200 and not re.search(r"[.!?]\s", line)
            titled = len(words) >= 3 and sum(w[0].isupper() for w in words) >= 0.75 * len(words)
            short = len(line) < 120 and not re.search(r"[.!?\"”]$", line)
            flags = lines[lo] = (one_sentence and (caps or titled or short), caps)
        return flags

    def _read(self, text: str, start: int, end: int, key: str, lines: dict) -> _Hit | None:
        """Classify one surname hit by what stands before and after it; None: not a name."""
        after = text[end : end + 60]
        headline, caps = self._line_flags(text, start, lines)
        hit = _Hit(start, end, key, headline=headline)
        # --- after ---
        rest, plural = after, False
        if rest[:2] in ("'s", "’s", "s'", "s’") and not (rest[2:3].isalnum()):
            rest = rest[2:]
        elif rest[:1] in ("'", "’") and not rest[1:2].isalnum():
            rest = rest[1:]
        elif rest[:1] == "s" and not rest[1:2].isalnum():
            if not re.search(r"\b(?:the|The|THE)\s+$", text[max(0, start - 6) : start]):
                return None  # "Adams" is not "Adam" + s; "the Bidens" is
            rest, plural = rest[1:], True
        elif rest[:1].isalnum():
            return None
        if rest.startswith("-"):
            nxt = re.match(r"-([^\W_][\w'’]*)", rest)
            if nxt:
                word = nxt.group(1)
                if word.lower() in _ATTRIBUTIVE_HYPHEN:
                    hit.attributive = True
                elif fold(word) not in self.by_surname:
                    return None  # a compound: "Smith-Jones", "Self-reliant"
        else:
            nxt = re.match(r" ([^\W\d_][\w'’.]*)", rest)
            if nxt:
                word = nxt.group(1)
                if word[0].isupper() and not headline and not caps:
                    if not (is_suffix(word) or word.lower() in _ATTRIBUTIVE):
                        return None  # "Warren Buffett", "Lincoln Memorial", "Trump Tower"
                elif word.lower() in _ATTRIBUTIVE or word.lower().rstrip("'s’") in _ATTRIBUTIVE:
                    hit.attributive = True
            else:
                place = re.match(r",\s+([A-Z][A-Za-z.]+)", rest)
                # "Warren, Mich.", "Washington, D.C.": a place, unless a full name follows
                if place and place.group(1).lower().replace(".", "") in _STATES:
                    hit.kind = "place"
        # --- before ---
        self._read_before(text, start, hit, caps or headline)
        if (
            hit.kind == "bare"
            and not hit.attributive
            and not plural
            and re.search(r"\b(?:the|The|THE)\s+$", text[max(0, start - 5) : start])
        ):
            return None  # "The Hill's request", "the Lincoln": a thing named after someone
        return hit

    def _read_before(self, text: str, start: int, hit: _Hit, headline: bool) -> None:
        before = text[max(0, start - 80) : start]
        if start > 0 and text[start - 1] == "-":
            word = re.search(r"([^\W\d_]+)-$", before)
            prefix = word.group(1) if word else ""
            if prefix.lower() not in _HYPHEN_PREFIXES and fold(prefix) not in self.by_surname:
                hit.kind = "none"  # a compound: "Lloyd-Smith", "Annandale-on-Hudson"
            return
        if not before or not before[-1].isspace() or "\n" in before[-3:]:
            return
        tokens = before.split()
        if not tokens or "\n" in before[before.rfind(tokens[-1]) :]:
            return
        tokens.reverse()
        if len(tokens) >= 2 and tokens[0] in ("of", "of the") and tokens[1][:1].isupper():
            hit.kind = "none"  # "Department of Justice", "Kingdom of Jordan"
            return
        cands = self.by_surname.get(hit.key, [])
        i = 0
        quoted: list[str] = []
        while i < len(tokens):
            tok = tokens[i]
            if tok[-1] in ',;:)!?"”' and not re.fullmatch(r"[\"“].+[\"”]", tok):
                return
            title = self._title_at(tokens, i)
            if title is not None:
                name, width = title
                if name in _OTHER_TITLES:
                    hit.kind = "namesake"
                else:
                    hit.kind, hit.title = "title", name
                return
            key = given_key(tok)
            if re.fullmatch(r"[\"“‘'].+[\"”’']", tok):  # John M. "Mike" Ford
                matching = [c for c in cands if key in self.people[c].given]
                if matching:
                    hit.kind, hit.people = "full", matching
                    return
                quoted.append(tok)
                i += 1
                continue
            matching = [c for c in cands if key and key in self.people[c].given]
            if matching:
                hit.kind, hit.people = "full", matching
                title = self._title_at(tokens, i + 1)
                if title is not None and title[0] not in _OTHER_TITLES:
                    hit.title = title[0]
                return
            if is_initial(tok) and i + 1 < len(tokens) and tokens[i + 1][:1].isupper():
                i += 1
                continue
            if quoted:
                hit.kind = "namesake"
                return
            if tok.endswith(".") and not is_initial(tok):
                return
            low = tok.lower()
            if (
                not tok[0].isupper()
                or low in _NEUTRAL
                or low.endswith(("'s", "’s", "s'", "s’"))
                or not re.fullmatch(r"[^\W\d_][\w'’.-]*", tok)
                or tok.isupper()
                and not headline
            ):
                return  # bare: a lowercase word, a neutral word, a possessive, a number...
            if key in self.first_names:
                hit.kind = "namesake"  # another first name: "Rick Perry", "Billy Graham"
            elif headline or low.endswith("ly") or _starts_sentence(tokens, i):
                hit.uncertain = True  # "Says Biden", "Ironically Trump", "Once Trump": unknown
            else:
                hit.kind = "namesake"  # an unknown first name mid-sentence: "said Fiona Hill"
            return
        return

    def _title_at(self, tokens: list[str], i: int) -> tuple[str, int] | None:
        """The title ending at tokens[i] (tokens are nearest-first), longest first."""
        for width in (3, 2, 1):
            if i + width > len(tokens):
                continue
            words = [given_key(t) for t in reversed(tokens[i : i + width])]
            name = " ".join(words)
            if name in _TITLES or name in _OTHER_TITLES:
                return name, width
            if name.endswith("elect") and name[:-5] in _TITLES:
                return name[:-5], width
        return None

    # --- resolving ----------------------------------------------------------------------

    def _fits(self, person: Person, title: str) -> bool:
        kinds = _TITLES[title]
        if "*" in kinds or "honorific" in kinds:
            return True
        if "*legislator" in kinds:
            return any(t.kind in _LEGISLATOR_KINDS for t in person.terms)
        for kind in kinds:
            if kind.startswith("@"):
                word = kind[1:]
                if any(
                    word in t.lower() and "assistant" not in t.lower()
                    for t, _s, _e in person.titles
                ):
                    return True
        return any(t.kind.lower() in kinds for t in person.terms)

    def _in_force(self, idxs: list[int], day: str | None) -> list[int]:
        if day is None:
            return idxs
        return [i for i in idxs if any(t.covers(day) for t in self.people[i].terms)]

    def _recent(self, idxs: list[int], day: str) -> list[int]:
        since = f"{int(day[:4]) - RECENT_YEARS:04d}{day[4:]}"
        return [
            i
            for i in idxs
            if any(
                (t.end or "9999") >= since and (t.start or "") <= day for t in self.people[i].terms
            )
        ]

    def _narrow(self, idxs: list[int], title: str | None, day: str | None) -> list[int]:
        if title is not None and title in _TITLES:
            idxs = [i for i in idxs if self._fits(self.people[i], title)]
        if len(idxs) > 1:
            current = self._in_force(idxs, day)
            idxs = current or idxs
        return idxs

    def tag(
        self, text: str, day: str | None = None, political: bool = True
    ) -> list[tuple[Person, int, int]]:
        """(person, mentions, first position) for each person mentioned, in text order.

        ``day``: the article's publication date (YYYY-MM-DD) or None. ``political``: the
        text's own words are about politics (the caller's lexicon says so); without it, a
        bare surname of anyone but a recent president or vice president counts only
        after a full mention. (A namesake with the very same full name, "Chris Smith" the
        lineman, cannot be told from the congressman by the name: it is tagged.)
        """
        hits = self._hits(text)
        if not hits:
            return []
        today = day or date.today().isoformat()
        established: dict[int, list[int]] = {}
        namesakes: dict[str, list[int]] = {}
        unsure = {hit.key for hit in hits if hit.uncertain}
        pending: list[_Hit] = []
        for hit in hits:
            if hit.kind == "alias":
                established.setdefault(hit.person, []).append(hit.start)
            elif hit.kind == "full":
                found = self._narrow(hit.people, hit.title, day)
                if len(found) == 1:
                    hit.person = found[0]
                    established.setdefault(hit.person, []).append(hit.start)
            elif hit.kind == "title" and _TITLES.get(hit.title) != {"honorific"}:
                found = self._narrow(self.by_surname[hit.key], hit.title, day)
                if len(found) == 1:
                    hit.person = found[0]
                    established.setdefault(hit.person, []).append(hit.start)
                elif found:
                    hit.people = found
                    pending.append(hit)
                else:  # "Attorney General Barr" is not Rep. Andy Barr, nor is a later "Barr"
                    namesakes.setdefault(hit.key, []).append(hit.start)
            elif hit.kind == "namesake":
                namesakes.setdefault(hit.key, []).append(hit.start)
            elif hit.kind in ("bare", "title"):  # titles "Mr."/"Dr." say no more than bare
                pending.append(hit)
        for hit in pending:
            hit.person = self._resolve_bare(
                text, hit, established, namesakes, today, political and hit.key not in unsure
            )
        counts: dict[int, list[int]] = {}
        for hit in hits:
            if hit.person is not None:
                counts.setdefault(hit.person, []).append(hit.start)
        ordered = sorted(counts.items(), key=lambda kv: kv[1][0])
        return [(self.people[i], len(pos), pos[0]) for i, pos in ordered]

    @staticmethod
    def _recent_executive(person: Person, today: str) -> bool:
        since = f"{int(today[:4]) - RECENT_YEARS:04d}{today[4:]}"
        return any(
            t.kind in ("prez", "viceprez")
            and (t.end or "9999") >= since
            and (t.start or "") <= today
            for t in person.terms
        )

    def _resolve_bare(
        self,
        text: str,
        hit: _Hit,
        established: dict[int, list[int]],
        namesakes: dict[str, list[int]],
        today: str,
        political: bool,
    ) -> int | None:
        """The person a bare surname (or an ambiguous titled one) means, or None."""
        cands = hit.people or self.by_surname.get(hit.key, [])
        owners = [(pos, idx) for idx in cands for pos in established.get(idx, ())]
        owners += [(pos, None) for pos in namesakes.get(hit.key, ())]
        if owners:
            earlier = [o for o in owners if o[0] < hit.start]
            if earlier:
                return max(earlier)[1]
            return min(owners)[1]
        if hit.kind == "title" and hit.people:
            return None  # "Sen. Scott" with two senators Scott and neither named in full
        recent = self._recent(cands, today)
        if len(recent) != 1:
            return None
        person = self.people[recent[0]]
        if self._recent_executive(person, today) or hit.attributive:
            return recent[0]  # "Obama said", "the Trump administration"
        if (
            not political
            or hit.headline
            or hit.uncertain
            or len(cands) != 1  # unambiguous in the whole gazetteer, not only of late
            or hit.key in _NEUTRAL  # "Sunday", "May"
            or not any(t.covers(today) for t in person.terms)
        ):
            return None
        if re.search(rf"\b{re.escape(person.last.lower())}\b", text):
            return None  # the surname is also an ordinary word of this text ("young", "hill")
        return recent[0]
