"""The labelled set of ``bench_stories.py``: real article bodies, copies of them as
syndication makes them, and hard negatives.

Seeds are the truth bodies of ``../shared/benchmarks`` (zyte-articles and
news-publishers). A quarter of them (seeded choice) is held out and never indexed:
their paragraphs are the "local" paragraphs copies add and the new reporting of
follow-up articles, so that text matches nothing in the set by accident.

- **copies**: each seed gets three, each under another outlet's wrapper (header and
  footer boilerplate), each with one or more of: trimmed to the first N paragraphs,
  a local paragraph added, lines re-wrapped (hard line breaks, merged paragraphs),
  a correction appended, light copy-editing (house-style words, one sentence cut),
  and sometimes a wire credit (dateline, byline or credit line).
- **hard negatives, real**: pairs of seeds about one event, found by a rule: they
  share at least ``NAMES_SHARED`` rare proper names and less than a fifth of the
  shorter one's sentences appear in the other (different reporting).
- **hard negatives, follow-ups**: a second article of the seed's outlet on the same
  event: new reporting (held-out text), a lead sentence of the seed rewritten as a
  recap, one or two of its background paragraphs and one of its quotes reused.

Every article knows its truth story (``group``): a seed and its copies share one;
every follow-up is a story of its own.
"""

from __future__ import annotations

import glob
import json
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from urllib.parse import urlsplit

NAMES_SHARED = 5  # rare proper names two real articles must share to be "one event"
NAME_MAX_DF = 6  # a name in more seeds than this is not rare
FOLLOWUP_REUSE = 0.35  # a follow-up reuses at most this share of the seed's words
MIN_WORDS = 80  # shorter bodies (paywall stubs) are not seeds
WIRE_HOSTS = {"reuters.com": "Reuters", "apnews.com": "AP", "ap.org": "AP", "afp.com": "AFP"}


@dataclass
class Article:
    key: str  # unique in the set
    body: str
    outlet: str
    group: str  # truth story
    kind: str  # seed | copy | followup
    wire_outlet: bool = False  # published by a wire (tags kind=wire in the registry)
    wire: str | None = None  # expected syndicated_from, when the set knows it
    transforms: tuple[str, ...] = ()
    seed: str | None = None  # the seed it was made from


@dataclass
class LabelledSet:
    articles: list[Article]
    real_pairs: list[tuple[str, str]]  # hard negatives: (seed key, seed key)
    followups: list[tuple[str, str]]  # hard negatives: (seed key, follow-up key)
    held_out: int = 0
    notes: list[str] = field(default_factory=list)

    def by_key(self) -> dict[str, Article]:
        return {a.key: a for a in self.articles}


# --- reading the seeds -------------------------------------------------------------


def _paragraphs(body: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n|\n", body) if p.strip()]


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "unknown").lower()
    return host[4:] if host.startswith("www.") else host


def load_seeds(root: Path) -> list[tuple[str, str, str]]:
    """(key, body, outlet) of every benchmark page with a body of ``MIN_WORDS``+."""
    out = []
    truth = json.loads((root / "zyte-articles" / "ground-truth.json").read_text("utf-8"))
    for pid, rec in sorted(truth.items()):
        out.append((f"zyte-{pid[:12]}", rec["articleBody"], _host(rec.get("url") or "")))
    for path in sorted(glob.glob(str(root / "news-publishers" / "truth" / "*.json"))):
        rec = json.loads(Path(path).read_text("utf-8"))
        outlet = rec.get("source", {}).get("outlet") or _host(rec.get("url") or "")
        out.append((f"np-{rec['id']}", rec["body"], outlet))
    return [
        s for s in out if len(re.findall(r"\w+", s[1])) >= MIN_WORDS and len(_paragraphs(s[1])) >= 2
    ]


_ENGLISH = frozenset(
    [
        "the",
        "and",
        "of",
        "to",
        "a",
        "in",
        "is",
        "that",
        "for",
        "on",
        "with",
        "was",
        "said",
        "it",
        "as",
        "by",
    ]
)


def is_english(text: str) -> bool:
    words = re.findall(r"[a-z]+", text.lower())
    return bool(words) and sum(w in _ENGLISH for w in words) / len(words) >= 0.15


def wire_of_outlet(outlet: str) -> str | None:
    """The wire an outlet *is* (its registry entry would say kind = "wire")."""
    low = outlet.lower()
    for host, wire in WIRE_HOSTS.items():
        if low == host or low.endswith("." + host) or low == wire.lower():
            return wire
    return None


# --- hard negatives among real articles ----------------------------------------------


def _names(bodies: dict[str, str]) -> dict[str, set[str]]:
    """Rare proper names per body: capitalised words (not sentence-initial) that are
    almost always capitalised in the whole set and occur in few bodies."""
    capital, total, found = Counter(), Counter(), {}
    for key, body in bodies.items():
        names, previous = set(), "."
        for token in re.findall(r"[^\W\d_]+|[.!?]", body):
            if token in ".!?":
                previous = token
                continue
            low = token.lower()
            total[low] += 1
            if token[0].isupper():
                capital[low] += 1
                if previous not in ".!?" and len(token) >= 3:
                    names.add(low)
            previous = token
        found[key] = names
    df: Counter = Counter()
    for key, names in found.items():
        found[key] = {n for n in names if capital[n] >= 0.9 * total[n]}
        df.update(found[key])
    return {key: {n for n in names if df[n] <= NAME_MAX_DF} for key, names in found.items()}


def _sentences(body: str) -> set[str]:
    parts = re.split(r"(?<=[.!?])\s+", body)
    return {" ".join(re.findall(r"\w+", s.lower())) for s in parts if len(s.split()) >= 6}


def same_event_pairs(bodies: dict[str, str]) -> list[tuple[str, str]]:
    """Pairs of different articles on one event: shared rare names, different text."""
    names = _names(bodies)
    sentences = {k: _sentences(b) for k, b in bodies.items()}
    pairs = []
    for a, b in combinations(sorted(bodies), 2):
        if len(names[a] & names[b]) < NAMES_SHARED:
            continue
        shorter = min(len(sentences[a]), len(sentences[b])) or 1
        if len(sentences[a] & sentences[b]) / shorter < 0.2:
            pairs.append((a, b))
    return pairs


# --- how syndication changes a text --------------------------------------------------

_HEADERS = (
    "Advertisement",
    "Listen to this article",
    "Share this story",
    "This article is more than 1 year old",
    "Get the latest news delivered to your inbox",
    "Opinions expressed are the author's own.",
)
_FOOTERS = (
    "Copyright {year} {outlet}. All rights reserved.",
    "Sign up for the {outlet} newsletter to get the day's top stories in your inbox.",
    "Follow {outlet} on Facebook, Twitter and Instagram for more news.",
    "Have a news tip? Email our newsroom at tips@{domain}.",
    "Read more from {outlet}: the stories our readers are talking about this week.",
    "This material may not be published, broadcast, rewritten or redistributed without permission.",
)
_CORRECTIONS = (
    "Correction: An earlier version of this article misstated the day of the meeting. It was on Tuesday, not Wednesday.",
    "This story has been updated to correct the spelling of a name.",
    "Editor's note: This article was updated at 5:40 p.m. with additional details and comment.",
    "Correction: A previous version of this story gave an incorrect figure for the number of people affected.",
)
_CITIES = ("WASHINGTON", "NEW YORK", "LONDON", "CHICAGO", "PARIS", "LOS ANGELES", "BRUSSELS")
_REPORTERS = ("Jane Morrow", "Daniel Okafor", "Lucia Fernandez", "Tom Becker", "Mei Lin")
_WIRE_NAMES = {"AP": "The Associated Press", "Reuters": "Reuters", "AFP": "Agence France-Presse"}
_STYLE = {"percent": "per cent", "said": "says", "toward": "towards", "Mr.": "", "Ms.": ""}
TRANSFORMS = ("trim", "local", "rewrap", "correction", "edit")


def _wrap(paragraphs: list[str], outlet: str, rng: random.Random) -> list[str]:
    domain = re.sub(r"[^a-z0-9]+", "", outlet.lower()) + ".example"
    head = rng.sample(_HEADERS, rng.randint(1, 2))
    feet = [f.format(year=2019, outlet=outlet, domain=domain) for f in rng.sample(_FOOTERS, 2)]
    return head + paragraphs + feet


def _trim(paragraphs: list[str], rng: random.Random) -> list[str]:
    """The first N paragraphs, keeping at least 3 paragraphs and 100 words (nobody
    trims a brief): N between that and all but one."""
    words, low = 0, len(paragraphs)
    for n, p in enumerate(paragraphs, 1):
        words += len(p.split())
        if n >= 3 and words >= 100:
            low = n
            break
    if low >= len(paragraphs) - 1:
        return paragraphs
    return paragraphs[: rng.randint(low, len(paragraphs) - 1)]


class Pool:
    """Held-out paragraphs, each handed out once: text that is new wherever it lands
    (a local paragraph or a follow-up's reporting never matches another article)."""

    def __init__(self, paragraphs: list[str], rng: random.Random) -> None:
        self.items = list(paragraphs)
        rng.shuffle(self.items)

    def take(self, low: int = 20, high: int = 10_000) -> str | None:
        for i, p in enumerate(self.items):
            if low <= len(p.split()) <= high:
                return self.items.pop(i)
        return None


def _local(paragraphs: list[str], pool: Pool, rng: random.Random) -> list[str]:
    local = pool.take(25, 90)
    if local is None:
        return paragraphs
    at = len(paragraphs) if rng.random() < 0.6 else rng.randint(1, min(3, len(paragraphs)))
    return paragraphs[:at] + [local] + paragraphs[at:]


def _rewrap(paragraphs: list[str], rng: random.Random) -> list[str]:
    if rng.random() < 0.5:  # merged paragraphs
        merged = [" ".join(paragraphs[i : i + 2]) for i in range(0, len(paragraphs), 2)]
        return merged
    width = rng.randint(60, 80)  # hard line breaks inside paragraphs
    out = []
    for p in paragraphs:
        lines, line = [], ""
        for word in p.split():
            if line and len(line) + 1 + len(word) > width:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}".strip()
        lines.append(line)
        out.append("\n".join(lines))
    return out


def _edit(paragraphs: list[str], rng: random.Random) -> list[str]:
    """House style: a few words changed, one sentence cut from a middle paragraph."""
    out = []
    for p in paragraphs:
        words = p.split()
        for i, w in enumerate(words):
            if w in _STYLE and rng.random() < 0.5:
                words[i] = _STYLE[w]
        out.append(" ".join(w for w in words if w))
    if len(out) > 4 and rng.random() < 0.6:
        i = rng.randint(2, len(out) - 2)
        sentences = re.split(r"(?<=[.!?])\s+", out[i])
        if len(sentences) > 1:
            del sentences[rng.randrange(len(sentences))]
            out[i] = " ".join(sentences)
    return out


def _credit(paragraphs: list[str], wire: str, rng: random.Random) -> list[str]:
    """A wire named the way copies name it: dateline, byline or credit line."""
    style = rng.choice(("dateline", "byline", "credit"))
    if style == "dateline":
        tag = {"AP": "(AP)", "Reuters": "(Reuters)", "AFP": "(AFP)"}[wire]
        dash = "—" if wire != "Reuters" else "-"
        return [f"{rng.choice(_CITIES)} {tag} {dash} {paragraphs[0]}", *paragraphs[1:]]
    if style == "byline":
        return [f"By {rng.choice(_REPORTERS).upper()}, {_WIRE_NAMES[wire]}", *paragraphs]
    if wire == "Reuters":
        line = f"Reporting by {rng.choice(_REPORTERS)}; Editing by {rng.choice(_REPORTERS)}"
    else:
        line = f"{_WIRE_NAMES[wire]} contributed to this report."
    return [*paragraphs, line]


def make_copy(
    paragraphs: list[str],
    outlet: str,
    ops: tuple[str, ...],
    pool: Pool,
    rng: random.Random,
    wire: str | None = None,
) -> tuple[str, tuple[str, ...]]:
    """The copy's body and the transformations really applied."""
    out = list(paragraphs)
    applied = []
    if "trim" in ops and (trimmed := _trim(out, rng)) != out:
        out = trimmed
        applied.append("trim")
    if "edit" in ops:
        out = _edit(out, rng)
        applied.append("edit")
    if "local" in ops and (extended := _local(out, pool, rng)) != out:
        out = extended
        applied.append("local")
    if "correction" in ops:
        out = [*out, rng.choice(_CORRECTIONS)]
        applied.append("correction")
    if wire:
        out = _credit(out, wire, rng)
        applied.append("credit")
    out = _wrap(out, outlet, rng)
    if "rewrap" in ops:
        out = _rewrap(out, rng)
        applied.append("rewrap")
    return "\n\n".join(out), tuple(sorted(applied))


def make_followup(seed: list[str], pool: Pool, rng: random.Random) -> tuple[str, float] | None:
    """A second article on the seed's event by the seed's outlet: new reporting, a
    recap of the lead, one or two background paragraphs and one quote of the seed.
    What it reuses stays under ``FOLLOWUP_REUSE`` of the seed's words and of its own
    new text (else it would be an update of the seed, not different reporting). Returns the body and the
    share of the seed's words it reuses."""
    if len(seed) < 5:
        return None
    budget = FOLLOWUP_REUSE * sum(len(p.split()) for p in seed)
    new = [pool.take() for _ in range(8)]
    if None in new:
        return None
    lead = re.split(r"(?<=[.!?])\s+", seed[0])[0]
    first, _, rest = lead.partition(" ")
    if first in ("The", "A", "An", "This", "Its", "It", "In", "On"):
        first = first.lower()
    reused = [f"As reported earlier, {first} {rest}"]
    quotes = [s for p in seed for s in re.split(r"(?<=[.!?])\s+", p) if re.search(r"[\"“”]", s)]
    if quotes:
        reused.append(rng.choice(quotes))
    background = seed[len(seed) // 2 :]
    rng.shuffle(background)
    for paragraph in background[:2]:
        if sum(len(p.split()) for p in reused) + len(paragraph.split()) <= budget:
            reused.append(paragraph)
    own = sum(len(p.split()) for p in new[:8])
    while len(reused) > 1 and sum(len(p.split()) for p in reused) > FOLLOWUP_REUSE * own:
        reused.pop()  # the follow-up is mostly its own reporting
    words = sum(len(p.split()) for p in reused)
    if words > budget or words > FOLLOWUP_REUSE * own:
        return None
    recap, *rest_reused = reused
    body = [new[0], new[1], recap, new[2], *rest_reused[1:], new[3], *rest_reused[:1], *new[4:8]]
    return "\n\n".join(body), words / sum(len(p.split()) for p in seed)


# --- the set -------------------------------------------------------------------------


def build(
    root: Path, *, seed: int = 1729, copies: int = 3, limit: int | None = None
) -> LabelledSet:
    """The whole labelled set, deterministic for a given ``seed``. ``limit`` keeps the
    first N seeds (the smoke mode)."""
    rng = random.Random(seed)
    seeds = load_seeds(root)
    rng.shuffle(seeds)
    cut = max(1, len(seeds) // 4)
    held, seeds = seeds[:cut], seeds[cut:]
    if limit is not None:
        seeds = seeds[:limit]
    pool = Pool([p for _, body, _ in held if is_english(body) for p in _paragraphs(body)], rng)
    articles: list[Article] = []
    followups: list[tuple[str, str]] = []
    partners = [f"Partner Gazette {n}" for n in range(1, 41)]
    for key, body, outlet in seeds:
        own_wire = wire_of_outlet(outlet)
        articles.append(
            Article(key, body, outlet, key, "seed", wire_outlet=own_wire is not None, seed=key)
        )
        paragraphs = _paragraphs(body)
        for n in range(copies):
            k = rng.randint(1, 3)
            ops = tuple(sorted(rng.sample(TRANSFORMS, k)))
            credit = None
            if rng.random() < 0.25:
                credit = own_wire or rng.choice(("AP", "Reuters", "AFP"))
            partner = rng.choice(partners)
            text, applied = make_copy(paragraphs, partner, ops, pool, rng, credit)
            articles.append(
                Article(
                    f"{key}~copy{n}",
                    text,
                    partner,
                    key,
                    "copy",
                    wire=credit or own_wire,
                    transforms=applied,
                    seed=key,
                )
            )
        made = make_followup(paragraphs, pool, rng) if is_english(body) else None
        if made is not None:
            fkey = f"{key}~followup"
            articles.append(Article(fkey, made[0], outlet, fkey, "followup", seed=key))
            followups.append((key, fkey))
    seed_bodies = {a.key: a.body for a in articles if a.kind == "seed"}
    real_pairs = same_event_pairs(seed_bodies)
    return LabelledSet(articles, real_pairs, followups, held_out=len(held))
