"""Politics benchmark: relevance and people tagging on the labelled pages, plus speed.

    python benchmarks/bench_politics.py [--bench-root PATH] [--records 100000] [--smoke]

In one run, for each labelled set (``politics-labels``, ``people-labels``):

- precision/recall of ``political`` (borderline pages left out) beside two keyword
  filters (a fixed list of political words, as news-please users configure one: any hit,
  and at least three hits);
- precision/recall of ``people`` (page-level sets of gazetteer ids), also without Trump,
  beside a baseline that matches full names only ("First Last", official names);
- each on two inputs: the truth title + body the labels were made on, and our own
  extractor's output from the raw HTML (the realistic pipeline);
- ms per article of both taggers (median over the pages, and on synthetic 1,000-word
  articles) against the keyword filter's time, and tagging throughput over synthetic
  records (``--records``).

The labels are for measuring only: nothing here feeds back into the taggers. This is a
measurement, not a test: it never fails on a low score. ``--smoke`` runs a few pages and
records in seconds (a test runs it so a broken benchmark fails ``make test``).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

DEFAULT_ROOT = Path(os.environ.get("NEWSARCHIVE_BENCH_ROOT", REPO.parent / "shared" / "benchmarks"))
SETS = ("zyte-articles", "news-publishers")
TRUMP = "govtrack:412733"

# The keyword baseline: a fixed list of political words (chosen before any measurement,
# the kind of list a news-please user filters its output with).
KEYWORDS = (
    "politics", "political", "election", "elections", "government", "congress", "senate",
    "senator", "president", "democrat", "democrats", "republican", "republicans", "parliament",
    "minister", "vote", "campaign", "policy", "white house", "lawmakers", "legislation",
    "governor", "trump", "biden", "impeachment",
)  # fmt: skip
_KEYWORDS = re.compile(r"\b(?:" + "|".join(re.escape(k) for k in KEYWORDS) + r")\b", re.I)


def keyword_hits(text: str) -> int:
    return len(_KEYWORDS.findall(text))


# --- pages ---------------------------------------------------------------------------------


def load_pages(root: Path, name: str) -> list[dict]:
    """id, url, truth title/body/published and the raw HTML of every page of one set."""
    bench = root / name
    pages = []
    if (bench / "ground-truth.json").is_file():
        truth = json.loads((bench / "ground-truth.json").read_text(encoding="utf-8"))
        for pid, rec in sorted(truth.items()):
            pages.append(
                {"id": pid, "url": rec.get("url") or "", "title": "", "body": rec["articleBody"]}
            )
    else:
        for path in sorted((bench / "truth").glob("*.json")):
            rec = json.loads(path.read_text(encoding="utf-8"))
            pages.append(
                {
                    "id": path.stem,
                    "url": rec.get("url") or "",
                    "title": rec.get("title") or "",
                    "body": rec.get("body") or "",
                    "published": rec.get("published"),
                }
            )
    for page in pages:
        page["html"] = gzip.decompress((bench / "html" / f"{page['id']}.html.gz").read_bytes())
    return pages


def load_labels(root: Path, name: str) -> tuple[dict[str, str], dict[str, set[str]]]:
    politics = json.loads((root / "politics-labels" / f"{name}.json").read_text(encoding="utf-8"))
    people = json.loads((root / "people-labels" / f"{name}.json").read_text(encoding="utf-8"))
    return (
        {pid: v["label"] for pid, v in politics.items()},
        {pid: {p["id"] for p in v} for pid, v in people.items()},
    )


# --- baselines -------------------------------------------------------------------------------


class FullNameBaseline:
    """People by exact full names only ("Elizabeth Warren", official_full, nickname + last)."""

    def __init__(self, people) -> None:
        forms: dict[str, set[str]] = {}
        for p in people:
            for first in filter(None, (p.first, p.nickname)):
                forms.setdefault(f"{first} {p.last}", set()).add(p.id)
            for full in (p.name, *p.names):
                forms.setdefault(full, set()).add(p.id)
        self.forms = {f: ids for f, ids in forms.items() if len(ids) == 1}
        alternation = "|".join(re.escape(f) for f in sorted(self.forms, key=len, reverse=True))
        self.pattern = re.compile(rf"\b(?:{alternation})\b")

    def tag(self, text: str) -> set[str]:
        return {next(iter(self.forms[m])) for m in self.pattern.findall(text)}


# --- scoring ----------------------------------------------------------------------------------


def pr(tp: int, fp: int, fn: int) -> tuple[float | None, float | None]:
    p = tp / (tp + fp) if tp + fp else None
    r = tp / (tp + fn) if tp + fn else None
    return p, r


def relevance_counts(pred: dict[str, bool], gold: dict[str, str]) -> tuple[int, int, int, int]:
    tp = fp = fn = n = 0
    for pid, label in gold.items():
        if label == "borderline" or pid not in pred:
            continue
        n += 1
        is_pol = label == "political"
        tp += pred[pid] and is_pol
        fp += pred[pid] and not is_pol
        fn += (not pred[pid]) and is_pol
    return tp, fp, fn, n


def people_counts(
    pred: dict[str, set[str]], gold: dict[str, set[str]], drop: str | None = None
) -> tuple[int, int, int]:
    tp = fp = fn = 0
    for pid, want in gold.items():
        if pid not in pred:
            continue
        got = pred[pid] - {drop}
        want = want - {drop}
        tp, fp, fn = tp + len(got & want), fp + len(got - want), fn + len(want - got)
    return tp, fp, fn


def fmt(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


# --- synthetic text ----------------------------------------------------------------------------

_FILLER = [
    "the",
    "a",
    "of",
    "and",
    "to",
    "in",
    "that",
    "it",
    "was",
    "for",
    "on",
    "with",
    "as",
    "his",
    "her",
    "they",
    "at",
    "be",
    "this",
    "from",
    "have",
    "or",
    "by",
    "one",
    "had",
    "not",
    "but",
    "what",
    "all",
    "were",
    "when",
    "we",
    "there",
    "can",
    "an",
    "your",
    "which",
    "their",
    "said",
    "if",
    "do",
    "will",
    "each",
    "about",
    "how",
    "up",
    "out",
    "them",
    "then",
    "she",
    "many",
    "some",
    "so",
    "these",
    "would",
    "other",
    "into",
    "has",
    "more",
    "two",
    "like",
    "him",
    "time",
    "see",
    "could",
    "make",
    "than",
    "first",
    "been",
    "its",
    "who",
    "now",
    "people",
    "my",
    "made",
    "over",
    "did",
    "down",
    "only",
    "way",
    "find",
    "use",
    "may",
    "water",
    "long",
    "little",
    "very",
    "after",
    "words",
    "called",
    "just",
    "where",
    "most",
    "know",
    "get",
    "through",
    "back",
    "much",
    "before",
    "go",
    "good",
    "new",
    "write",
    "our",
    "used",
    "me",
    "man",
    "too",
    "any",
    "day",
    "same",
    "right",
    "look",
    "think",
    "also",
    "around",
    "another",
    "came",
    "come",
    "work",
    "three",
    "word",
    "must",
    "because",
    "does",
    "part",
    "even",
    "place",
    "well",
    "such",
    "here",
    "take",
    "why",
    "things",
    "help",
    "put",
    "years",
    "different",
    "away",
    "again",
    "off",
    "went",
    "old",
    "number",
    "great",
    "tell",
    "men",
    "say",
    "small",
    "every",
    "found",
    "still",
    "between",
    "name",
    "should",
    "home",
    "big",
    "give",
    "air",
    "line",
    "set",
    "own",
    "under",
    "read",
    "last",
    "never",
    "us",
    "left",
    "end",
    "along",
    "while",
    "might",
    "next",
    "sound",
    "below",
    "saw",
    "something",
    "thought",
    "both",
    "few",
    "those",
    "always",
    "looked",
    "show",
    "large",
    "often",
    "together",
    "asked",
    "house",
    "world",
    "going",
    "want",
    "school",
    "important",
]
_TOPIC = [
    "senate",
    "vote",
    "bill",
    "election",
    "campaign",
    "governor",
    "lawmakers",
    "policy",
    "tariffs",
    "troops",
    "protest",
    "court",
    "budget",
    "immigration",
    "season",
    "game",
    "team",
    "album",
    "recipe",
    "market",
    "shares",
    "investors",
    "study",
    "researchers",
]


def synthetic_articles(people, n: int, words: int, seed: int = 14) -> list[tuple[str, str]]:
    """``n`` (title, body) pairs of about ``words`` words: filler, topic words, names."""
    rng = random.Random(seed)
    names = [
        (p.first or p.nickname or "", p.last) for p in people if p.first or p.nickname
    ]  # every kind of form: full, titled, bare
    out = []
    for _ in range(n):
        tokens: list[str] = []
        while len(tokens) < words:
            sentence = rng.choices(_FILLER, k=rng.randint(8, 18))
            roll = rng.random()
            if roll < 0.25:
                sentence.insert(rng.randrange(len(sentence)), rng.choice(_TOPIC))
            if roll < 0.15:
                first, last = rng.choice(names)
                form = rng.choice((f"{first} {last}", f"Sen. {last}", last, f"President {last}"))
                sentence.insert(rng.randrange(len(sentence)), form)
            if roll > 0.95:
                sentence.insert(0, rng.choice(("Democrats", "Republicans", "GOP")))
            sentence[0] = sentence[0].capitalize()
            tokens += sentence
            tokens[-1] += "."
        body = " ".join(tokens)
        out.append((" ".join(rng.choices(_FILLER + _TOPIC, k=8)).capitalize(), body))
    return out


def timed(fn, items, repeat: int = 1) -> list[float]:
    """ms per call of ``fn(item)`` for each item (best of ``repeat``)."""
    out = []
    for item in items:
        best = None
        for _ in range(repeat):
            start = time.perf_counter()
            fn(item)
            ms = (time.perf_counter() - start) * 1000
            best = ms if best is None else min(best, ms)
        out.append(best)
    return out


# --- the run ------------------------------------------------------------------------------------


def run(root: Path, sets: list[str], records: int, smoke: bool, show_errors: bool) -> str:
    from crawler.extract import extract
    from crawler.politics import load_tagger, relevance, tag
    from crawler.politics.gazetteer import load

    tagger = load_tagger(())
    people = load(()).people
    baseline = FullNameBaseline(people)
    lines = [
        "| set | input | relevance P | relevance R | pages | people P | people R | "
        "people P w/o Trump | people R w/o Trump | pairs |",
        "|" + "---|" * 10,
    ]
    errors: list[str] = []
    page_ms: dict[str, list[float]] = {"people": [], "relevance": [], "keywords": []}
    for name in sets:
        pages = load_pages(root, name)
        gold_pol, gold_people = load_labels(root, name)
        if smoke:
            pages = pages[:4]
        inputs: dict[str, dict[str, dict]] = {"truth": {}, "extracted": {}}
        for page in pages:
            inputs["truth"][page["id"]] = {
                "title": page["title"],
                "body": page["body"],
                "published": page.get("published"),
                "url": page["url"],
                "section": None,
            }
            rec = extract(page["html"], page["url"])
            inputs["extracted"][page["id"]] = {
                "title": rec["title"],
                "body": rec["body"],
                "published": rec["published"],
                "url": rec["canonical_url"] or page["url"],
                "section": rec["section"],
            }
        for kind, docs in inputs.items():
            pol, ppl, kw1, kw3, base_ppl = {}, {}, {}, {}, {}
            for pid, doc in docs.items():
                result = tag(
                    doc["title"],
                    doc["body"],
                    published=doc["published"],
                    url=doc["url"],
                    section=doc["section"],
                    tagger=tagger,
                )
                pol[pid] = result["political"]
                ppl[pid] = {p["id"] for p in result["people"]}
                text = f"{doc['title'] or ''}\n\n{doc['body'] or ''}"
                hits = keyword_hits(text)
                kw1[pid], kw3[pid] = hits >= 1, hits >= 3
                base_ppl[pid] = baseline.tag(text)
                if kind == "truth":
                    day = doc["published"][:10] if doc["published"] else None
                    page_ms["people"] += timed(lambda t, d=day: tagger.tag(t, d), [text])
                    page_ms["keywords"] += timed(keyword_hits, [text])
                    page_ms["relevance"] += timed(
                        lambda d: relevance.score(d["title"], d["body"], url=d["url"]), [doc]
                    )
                if show_errors:
                    label = gold_pol.get(pid)
                    if label in ("political", "not_political") and pol[pid] != (
                        label == "political"
                    ):
                        errors.append(
                            f"{name} {kind} relevance {pid}: label {label}, score {result['political_score']}"
                        )
                    want = gold_people.get(pid, set())
                    if ppl[pid] != want:
                        errors.append(
                            f"{name} {kind} people {pid}: extra {sorted(ppl[pid] - want)} missing {sorted(want - ppl[pid])}"
                        )
            for system, pred, pred_people in (
                ("newsarchive", pol, ppl),
                ("baseline", None, base_ppl),
            ):
                if pred is not None:
                    tp, fp, fn, n = relevance_counts(pred, gold_pol)
                    rel = pr(tp, fp, fn)
                else:
                    rel, n = (None, None), 0
                p_all = pr(*people_counts(pred_people, gold_people))
                p_nt = pr(*people_counts(pred_people, gold_people, TRUMP))
                pairs = sum(len(gold_people.get(pid, ())) for pid in docs)
                label = kind if system == "newsarchive" else f"{kind}, full-name baseline"
                lines.append(
                    f"| {name} | {label} | {fmt(rel[0])} | {fmt(rel[1])} | {n or ''} "
                    f"| {fmt(p_all[0])} | {fmt(p_all[1])} | {fmt(p_nt[0])} | {fmt(p_nt[1])} | {pairs} |"
                )
            for label, pred in (("keywords ≥1", kw1), ("keywords ≥3", kw3)):
                tp, fp, fn, n = relevance_counts(pred, gold_pol)
                p, r = pr(tp, fp, fn)
                lines.append(
                    f"| {name} | {kind}, {label} baseline | {fmt(p)} | {fmt(r)} | {n} | | | | | |"
                )

    # speed: synthetic 1,000-word articles, then throughput over many records
    long_docs = synthetic_articles(people, 5 if smoke else 200, 1000)
    texts = [f"{t}\n\n{b}" for t, b in long_docs]
    ms_people = statistics.median(timed(lambda t: tagger.tag(t, "2024-01-01"), texts, 3))
    ms_rel = statistics.median(timed(lambda tb: relevance.score(*tb), long_docs, 3))
    ms_kw = statistics.median(timed(keyword_hits, texts, 3))
    ms_all = statistics.median(
        timed(lambda tb: tag(tb[0], tb[1], published="2024-01-01", tagger=tagger), long_docs, 3)
    )
    many = synthetic_articles(people, 200 if smoke else records, 400, seed=15)
    start = time.perf_counter()
    for title, body in many:
        tag(title, body, published="2024-01-01", tagger=tagger)
    elapsed = time.perf_counter() - start
    med = {k: statistics.median(v) for k, v in page_ms.items() if v}
    speed = [
        "",
        "| timing | people tagger | relevance | keyword filter (baseline) | whole tag() |",
        "|---|---|---|---|---|",
        f"| ms per benchmark page (median, truth text) | {med['people']:.3f} | {med['relevance']:.3f} "
        f"| {med['keywords']:.3f} | |",
        f"| ms per synthetic 1,000-word article (median) | {ms_people:.3f} | {ms_rel:.3f} "
        f"| {ms_kw:.3f} | {ms_all:.3f} |",
        f"| ratio to the keyword filter (1,000 words) | {ms_people / ms_kw:.1f}× | {ms_rel / ms_kw:.1f}× | 1.0× "
        f"| {ms_all / ms_kw:.1f}× |",
        "",
        f"throughput: {len(many):,} synthetic records of ~400 words tagged in {elapsed:.1f} s "
        f"= {len(many) / elapsed:,.0f} records/s (one process)",
    ]
    out = "\n".join(lines + speed)
    if errors:
        out += "\n\nmismatches:\n" + "\n".join(errors)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench-root", type=Path, default=DEFAULT_ROOT)
    ap.add_argument("--sets", nargs="+", default=list(SETS), choices=SETS)
    ap.add_argument("--records", type=int, default=100_000)
    ap.add_argument("--smoke", action="store_true", help="a few pages and records, seconds")
    ap.add_argument("--errors", action="store_true", help="list the pages that disagree")
    args = ap.parse_args(argv)
    for name in ("politics-labels", "people-labels", *args.sets):
        if not (args.bench_root / name).is_dir():
            ap.error(f"no {name} under {args.bench_root} (set NEWSARCHIVE_BENCH_ROOT)")
    print(run(args.bench_root, args.sets, args.records, args.smoke, args.errors))
    return 0


if __name__ == "__main__":
    sys.exit(main())
