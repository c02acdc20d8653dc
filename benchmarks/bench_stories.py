"""Same-story clustering benchmark (issue 17): quality on a labelled set built from
real article bodies, and its cost at index time on a corpus of 100,000 records.

    python benchmarks/bench_stories.py              # the whole benchmark (make bench-stories)
    python benchmarks/bench_stories.py --compare    # also: the methods side by side, in memory
    python benchmarks/bench_stories.py --smoke      # seconds: a small set, 1,000 records

Quality: the labelled set of ``stories_set.py`` (seeds from ../shared/benchmarks,
three syndicated copies each, hard negatives) is indexed by ``newsarchive index`` in
a shuffled capture order, then read back from Elasticsearch: pairwise precision and
recall of ``story_id``, clusters wrongly merged, hard negatives merged, recall per
transformation, and ``syndicated_from`` where the set knows the wire.

Cost: the same labelled records among synthetic ones (BENCH_DOCS records in all,
default 100,000, ≈ 5 KB bodies, a fifth of them copies of earlier ones) are indexed
twice by ``newsarchive index`` in one run, on one node: with clustering
(``NEWSARCHIVE_STORIES=on``, the default) and without (``off``). Reports both rates,
their ratio (goal ≥ 0.8) and the clustering time per article measured inside the
run. Starts its own local node (heap BENCH_HEAP, default 1g) unless
NEWSARCHIVE_ES_URL is set. Results go to benchmarks/out/stories.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from math import comb
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from stories_set import LabelledSet, build, wire_of_outlet  # noqa: E402

from crawler.archive.identity import article_id, content_hash  # noqa: E402
from newsarchive import localnode  # noqa: E402
from newsarchive.config import Config  # noqa: E402
from newsarchive.es import connect  # noqa: E402
from newsarchive.shingles import record_sample  # noqa: E402
from tests.synthetic import new_record  # noqa: E402

DEFAULT_ROOT = Path(os.environ.get("NEWSARCHIVE_BENCH_ROOT", REPO.parent / "shared" / "benchmarks"))
OUT = REPO / "benchmarks" / "out" / "stories.json"


def quality(labelled: LabelledSet, story: dict[str, str]) -> dict:
    """Pairwise precision/recall of predicted stories against the truth groups, and
    what went wrong: clusters merging several true stories, hard negatives merged."""
    articles = [a for a in labelled.articles if a.key in story]
    cells: Counter = Counter((story[a.key], a.group) for a in articles)
    predicted = Counter(story[a.key] for a in articles)
    truth = Counter(a.group for a in articles)
    tp = sum(comb(n, 2) for n in cells.values())
    pred_pairs = sum(comb(n, 2) for n in predicted.values())
    true_pairs = sum(comb(n, 2) for n in truth.values())
    groups_in: dict[str, set[str]] = defaultdict(set)
    for (s, g), _ in cells.items():
        groups_in[s].add(g)
    by_key = labelled.by_key()
    real = sum(story.get(a) == story.get(b) for a, b in labelled.real_pairs)
    followups = sum(
        any(story.get(m.key) == story.get(f) for m in articles if m.group == by_key[s].group)
        for s, f in labelled.followups
    )
    per_transform: dict[str, list[bool]] = defaultdict(list)
    for a in articles:
        if a.kind == "copy":
            joined = story[a.key] == story.get(a.seed)
            for t in a.transforms or ("wrapper only",):
                per_transform[t].append(joined)
    return {
        "precision": round(tp / pred_pairs, 4) if pred_pairs else 1.0,
        "recall": round(tp / true_pairs, 4) if true_pairs else 1.0,
        "true_pairs": true_pairs,
        "predicted_pairs": pred_pairs,
        "clusters_wrongly_merged": sum(len(g) > 1 for g in groups_in.values()),
        "hard_negatives_merged": real + followups,
        "real_pairs_merged": f"{real}/{len(labelled.real_pairs)}",
        "followups_merged": f"{followups}/{len(labelled.followups)}",
        "copy_joins_seed_by_transform": {
            t: f"{sum(v)}/{len(v)}" for t, v in sorted(per_transform.items())
        },
    }


def print_table(rows: list[dict], columns: list[str]) -> None:
    widths = [max(len(c), *(len(str(r.get(c, ""))) for r in rows)) for c in columns]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    for r in rows:
        print("  ".join(str(r.get(c, "")).ljust(w) for c, w in zip(columns, widths, strict=True)))


# --- the records -----------------------------------------------------------------------

_EPOCH = datetime(2024, 3, 1, tzinfo=UTC)
JITTER_MINUTES = 30  # captures reach the file up to this late (parallel crawls)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def record(n: int, body: str, outlet: str, wire: bool, rng: random.Random) -> dict:
    """An archive record of ``body`` by ``outlet``, the n-th line of the file: captured
    a little before it reached the file, so capture order and file order differ."""
    slug = "".join(ch for ch in outlet.lower() if ch.isalnum()) or "outlet"
    fetched = _EPOCH + timedelta(minutes=n) - timedelta(minutes=rng.uniform(0, JITTER_MINUTES))
    rec = new_record(n, rng=rng, body=body, fetched=fetched)
    url = f"https://{slug}.example/news/{n}"
    rec.update(
        id=article_id(url), url=url, canonical_url=url, domain=f"{slug}.example",
        source_id=slug, outlet=outlet, word_count=len(body.split()),
        source_tags={"kind": "wire" if wire else "newspaper", "country": "US"},
        content_hash=content_hash(rec["title"], body), links=[],
    )  # fmt: skip
    return rec


class Filler:
    """Unrelated articles with the word frequencies of real ones, a fifth of them
    copies (trimmed, extended, wrapped) of earlier ones, some stories copied often."""

    def __init__(self, labelled: LabelledSet, rng: random.Random) -> None:
        import re

        counts: Counter = Counter()
        for a in labelled.articles:
            counts.update(re.findall(r"[A-Za-z]+|[0-9]+", a.body))
        self.words, self.weights = zip(*counts.most_common(20_000), strict=True)
        self.rng = rng
        self.bodies: list[str] = []
        self.hot: list[int] = []

    def paragraph(self) -> str:
        words = self.rng.choices(self.words, weights=self.weights, k=self.rng.randint(40, 80))
        return " ".join(words).capitalize() + "."

    def body(self) -> str:
        rng = self.rng
        if self.bodies and rng.random() < 0.2:
            if self.hot and rng.random() < 0.5:
                source = self.bodies[rng.choice(self.hot)]
            else:
                source = rng.choice(self.bodies)
            paragraphs = source.split("\n\n")
            kind = rng.choice(("trim", "local", "wrap"))
            if kind == "trim":
                paragraphs = paragraphs[: rng.randint(3, len(paragraphs))]
            elif kind == "local":
                paragraphs.insert(rng.randint(1, len(paragraphs)), self.paragraph())
            else:
                paragraphs = ["Advertisement", *paragraphs, "Sign up for our newsletter."]
            return "\n\n".join(paragraphs)
        body = "\n\n".join(self.paragraph() for _ in range(10))
        self.bodies.append(body)
        if rng.random() < 0.01:
            self.hot.append(len(self.bodies) - 1)
        return body


def write_records(
    path: Path, labelled: LabelledSet, total: int, seed: int, samples: bool = True
) -> tuple[dict[str, str], float]:
    """The labelled articles in a shuffled order, spread among filler articles up to
    ``total`` records, each with the ``text_sample`` the crawler writes (unless
    ``samples`` is false: an archive from before it existed). Returns record id ->
    labelled key, and the seconds the samples took."""
    rng = random.Random(seed)
    order = list(labelled.articles)
    rng.shuffle(order)
    total = max(total, len(order))
    slots = set(rng.sample(range(total), len(order)))
    filler = Filler(labelled, rng)
    keys: dict[str, str] = {}
    queue = iter(order)
    sampling = 0.0
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        for n in range(total):
            if n in slots:
                a = next(queue)
                rec = record(n, a.body, a.outlet, a.wire_outlet, rng)
                keys[rec["id"]] = a.key
            else:
                rec = record(n, filler.body(), f"Filler Daily {n % 50}", False, rng)
            if samples:
                began = time.perf_counter()
                rec["text_sample"] = record_sample(rec["body"])
                sampling += time.perf_counter() - began
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return keys, sampling


def crawl_side(root: Path, pages: int) -> dict:
    """What the crawler's ``text_sample`` adds to extraction: both timed on real pages
    of ../shared/benchmarks (zyte-articles), one after the other, same process."""
    from bench_extract import load_pages

    from crawler.extract import extract

    loaded = load_pages(root / "zyte-articles")[:pages]
    extract_s = sample_s = 0.0
    for page in loaded:
        began = time.perf_counter()
        body = extract(page["html"], page["url"])["body"]
        middle = time.perf_counter()
        record_sample(body)
        extract_s += middle - began
        sample_s += time.perf_counter() - middle
    n = max(1, len(loaded))
    return {
        "pages": len(loaded),
        "extract_ms_per_article": round(extract_s / n * 1000, 2),
        "text_sample_ms_per_article": round(sample_s / n * 1000, 3),
        "text_sample_share_of_extraction": round(sample_s / extract_s, 4) if extract_s else None,
    }


# --- running the indexer --------------------------------------------------------------


def run_index(home: Path, url: str, prefix: str, stories: bool) -> tuple[dict, float]:
    """`newsarchive index --json` as a user runs it; (summary, wall seconds)."""
    env = os.environ | {
        "NEWSARCHIVE_HOME": str(home),
        "NEWSARCHIVE_ES_URL": url,
        "NEWSARCHIVE_INDEX_PREFIX": prefix,
        "NEWSARCHIVE_STORIES": "on" if stories else "off",
    }
    began = time.monotonic()
    command = Path(sys.executable).with_name("newsarchive")
    proc = subprocess.run(
        [str(command), "index", "--json"], env=env, capture_output=True, text=True, cwd=REPO
    )
    seconds = time.monotonic() - began
    if proc.returncode != 0:
        raise SystemExit(f"newsarchive index failed: {proc.stderr.strip() or proc.stdout}")
    return json.loads(proc.stdout), seconds


def story_fields(client, prefix: str, ids: list[str]) -> dict[str, dict]:
    fields = ["story_id", "duplicate_of", "story_similarity", "syndicated_from",
              "syndicated_by", "first_seen", "outlet"]  # fmt: skip
    out = {}
    for i in range(0, len(ids), 1000):
        resp = client.mget(index=f"{prefix}-articles", ids=ids[i : i + 1000], source=fields)
        out.update({d["_id"]: d["_source"] for d in resp["docs"] if d.get("found")})
    return out


def wire_quality(labelled: LabelledSet, docs: dict[str, dict]) -> dict:
    """syndicated_from where the set knows the wire (a copy credited by the generator,
    a copy of a wire outlet's article) and where it knows there is none (copies and
    follow-ups of other outlets' articles without a credit)."""
    by_key = labelled.by_key()
    seeds_wire = {a.key: docs[a.key].get("syndicated_from") for a in labelled.articles
                  if a.kind == "seed" and a.key in docs}  # fmt: skip
    right = wrong = missed = spurious = 0
    for a in labelled.articles:
        got = docs.get(a.key, {}).get("syndicated_from")
        if a.kind == "seed":
            continue  # real pages: what their text says is not labelled
        expected = a.wire
        if a.kind == "copy" and seeds_wire.get(a.seed) not in (None, expected):
            continue  # the seed's own text names another wire: either answer holds
        if expected is None and a.kind == "followup" and wire_of_outlet(by_key[a.seed].outlet):
            continue
        if expected and got == expected:
            right += 1
        elif expected and got:
            wrong += 1
        elif expected:
            missed += 1
        elif got:
            spurious += 1
    named = Counter(v for v in seeds_wire.values() if v)
    return {
        "expected_wire_found": f"{right}/{right + wrong + missed}",
        "wrong_wire": wrong,
        "wire_on_article_without_one": spurious,
        "real_seeds_naming_a_wire": dict(named),
    }


def root_violations(docs: dict[str, dict]) -> int:
    """Stories whose duplicate_of is not their earliest article by first_seen."""
    members: dict[str, list[tuple[datetime, str]]] = defaultdict(list)
    for rid, d in docs.items():
        members[d["story_id"]].append((datetime.fromisoformat(d["first_seen"]), rid))
    bad = 0
    for story, ms in members.items():
        earliest = min(ms)[1]
        if story != earliest or any(
            docs[r]["duplicate_of"] != (None if r == earliest else earliest) for _, r in ms
        ):
            bad += 1
    return bad


def store_bytes(client, prefix: str) -> int:
    index = f"{prefix}-articles"
    client.indices.refresh(index=index)
    client.options(request_timeout=1800).indices.forcemerge(index=index, max_num_segments=1)
    stats = client.indices.stats(index=index, metric="store").body
    return stats["_all"]["primaries"]["store"]["size_in_bytes"]


def es_run(labelled: LabelledSet, total: int, smoke: bool, samples: bool = True) -> dict:
    work = Path(tempfile.mkdtemp(prefix="bench-stories-"))
    own_node = not os.environ.get("NEWSARCHIVE_ES_URL")
    node = Config(home=work / "es", local_port=0, local_heap=os.environ.get("BENCH_HEAP", "1g"))
    if own_node:
        state, _ = localnode.start(node)
        url = state.url
    else:
        url = os.environ["NEWSARCHIVE_ES_URL"]
    tag = f"{os.getpid()}-{int(time.time())}"
    prefixes = {p: f"bench-stories-{p}-{tag}" for p in ("warm", "off", "on")}
    client = connect(Config(es_url=url))
    try:
        home = work / "home"
        path = home / "articles" / "articles.jsonl"
        keys, sampling = write_records(path, labelled, total, seed=11, samples=samples)
        print(f"{total} records ({len(keys)} labelled) in {path}", file=sys.stderr)
        warm_home = work / "warm"
        warm_home.joinpath("articles").mkdir(parents=True)
        with (
            open(path, encoding="utf-8") as src,
            open(warm_home / "articles" / "articles.jsonl", "w", encoding="utf-8") as dst,
        ):
            for _, line in zip(range(300 if smoke else 3000), src, strict=False):
                dst.write(line)
        run_index(warm_home, url, prefixes["warm"], True)  # JIT, caches, page cache
        off, off_s = run_index(home, url, prefixes["off"], False)
        # a second home with the same file, so the checkpoint of "off" does not apply
        on_home = work / "home-on"
        on_home.joinpath("articles").mkdir(parents=True)
        os.link(path, on_home / "articles" / "articles.jsonl")
        on, on_s = run_index(on_home, url, prefixes["on"], True)
        assert off["indexed"] == on["indexed"] == total, (off, on)
        docs = story_fields(client, prefixes["on"], list(keys))
        story = {keys[rid]: d["story_id"] for rid, d in docs.items()}
        by_key = {keys[rid]: d for rid, d in docs.items()}
        result = {"records": total, "labelled": len(keys), "records_carry_text_sample": samples}
        if samples:
            result["text_sample_ms_per_record_written"] = round(sampling / total * 1000, 3)
        result["quality"] = quality(labelled, story) | wire_quality(labelled, by_key)
        everything = story_fields(client, prefixes["on"], _all_ids(client, prefixes["on"]))
        result["quality"]["stories_whose_root_is_not_the_earliest"] = root_violations(everything)
        result["quality"]["joined"] = on["stories"]["joined"]
        result["quality"]["rewritten_by_late_roots_and_wires"] = on["stories"]["rewritten"]
        result["cost"] = {
            "without_docs_per_s": round(total / off_s, 1),
            "with_docs_per_s": round(total / on_s, 1),
            "rate_ratio_with_vs_without": round(off_s / on_s, 3),
            "assign_ms_per_article_inside_run": round(on["stories"]["seconds"] / total * 1000, 3),
            "lookahead_ms_per_article": round(
                sum(v for k, v in on["stories"]["phases"].items() if k not in ("assign", "changes"))
                / total
                * 1000,
                3,
            ),  # fmt: skip
            "phases_seconds": on["stories"]["phases"],
            "chunks_searched_article_by_article": on["stories"].get("fallbacks", 0),
            "pairs_compared_exactly": on["stories"].get("exact", 0),
            "added_ms_per_article_wall": round((on_s - off_s) / total * 1000, 3),
            "without_seconds": round(off_s, 2),
            "with_seconds": round(on_s, 2),
        }
        if not smoke:
            without, with_ = (
                store_bytes(client, prefixes["off"]),
                store_bytes(client, prefixes["on"]),
            )
            result["cost"]["bytes_per_1000_articles_without"] = round(without / total * 1000)
            result["cost"]["bytes_per_1000_articles_with"] = round(with_ / total * 1000)
        result["heap"] = node.local_heap if own_node else "external cluster"
        return result
    finally:
        for prefix in prefixes.values():
            found = client.indices.get(index=f"{prefix}-*", expand_wildcards="all").body
            if found:
                client.indices.delete(index=",".join(found))
            for t in client.indices.get_index_template(name=f"{prefix}-*").body.get(
                "index_templates", []
            ):
                client.indices.delete_index_template(name=t["name"])
            for t in client.cluster.get_component_template(name=f"{prefix}-*").body.get(
                "component_templates", []
            ):
                client.cluster.delete_component_template(name=t["name"])
        client.close()
        if own_node:
            localnode.stop(node)
        shutil.rmtree(work, ignore_errors=True)


def _all_ids(client, prefix: str) -> list[str]:
    from elasticsearch.helpers import scan

    return [
        h["_id"]
        for h in scan(
            client, index=f"{prefix}-articles", query={"query": {"match_all": {}}}, _source=False
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bench-root", type=Path, default=DEFAULT_ROOT)
    parser.add_argument("--compare", action="store_true", help="also the methods side by side")
    parser.add_argument("--smoke", action="store_true", help="a small run in seconds")
    parser.add_argument("--docs", type=int, default=int(os.environ.get("BENCH_DOCS", "100000")))
    parser.add_argument("--out", type=Path, help="where the JSON goes (default benchmarks/out/)")
    parser.add_argument(
        "--old-records",
        action="store_true",
        help="records without text_sample (an archive from before it): the indexer shingles",
    )
    args = parser.parse_args()
    if not (args.bench_root / "zyte-articles").is_dir():
        raise SystemExit(f"no benchmark pages at {args.bench_root} (--bench-root)")
    labelled = build(args.bench_root, limit=12 if args.smoke else None)
    result: dict = {"set": {
        "seeds": sum(a.kind == "seed" for a in labelled.articles),
        "copies": sum(a.kind == "copy" for a in labelled.articles),
        "followups": len(labelled.followups),
        "real_same_event_pairs": len(labelled.real_pairs),
        "held_out_seeds": labelled.held_out,
    }}  # fmt: skip
    if args.compare:
        from stories_compare import compare, sweep

        result["compare"] = compare(labelled)
        result["threshold_sweep"] = sweep(labelled, [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.7])
    result["crawl_side"] = crawl_side(args.bench_root, 5 if args.smoke else 60)
    result |= es_run(labelled, 1000 if args.smoke else args.docs, args.smoke, not args.old_records)
    out = args.out or (OUT.with_name("stories-smoke.json") if args.smoke else OUT)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    report(result)


def report(result: dict) -> None:
    if "compare" in result:
        print("methods, in memory, on the labelled set:")
        print_table(
            result["compare"],
            ["method", "precision", "recall", "clusters_wrongly_merged", "hard_negatives_merged",
             "ms_per_article", "candidates_per_article", "keyword_terms_per_article"],
        )  # fmt: skip
        print("\nthreshold (ours):")
        print_table(result["threshold_sweep"], ["threshold", "precision", "recall",
                                                "hard_negatives_merged"])  # fmt: skip
        print()
    print(
        json.dumps(
            {k: v for k, v in result.items() if k not in ("compare", "threshold_sweep")}, indent=2
        )
    )
    q, c, w = result["quality"], result["cost"], result["crawl_side"]
    print(
        f"precision {q['precision']} recall {q['recall']}; {q['clusters_wrongly_merged']} clusters "
        f"wrongly merged; {q['hard_negatives_merged']} hard negatives merged; indexing with "
        f"clustering {c['rate_ratio_with_vs_without']}x the rate without "
        f"({c['with_docs_per_s']:.0f} vs {c['without_docs_per_s']:.0f} docs/s); assigning "
        f"{c['assign_ms_per_article_inside_run']} ms/article; at crawl time text_sample "
        f"{w['text_sample_ms_per_article']} ms/article, {w['text_sample_share_of_extraction']:.1%} "
        f"of extraction ({w['extract_ms_per_article']} ms)"
    )


if __name__ == "__main__":
    main()
