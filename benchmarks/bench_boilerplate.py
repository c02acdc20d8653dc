"""Learnt source boilerplate (crawler.extract.recurring): body F1 before and after.

    python benchmarks/bench_boilerplate.py [--articles 150] [--smoke]

1. **Synthetic outlets.** Three outlets of the synthetic news site (``tests/site``),
   each with blocks of its own inside every story body (a listen-in-the-app line, a
   briefing pitch, a comment prompt, a shop line, a "more from" header), some of which
   no extraction rule knows. Running stories repeat a quote in three articles, and a
   correction line comes back in four: article text the learner must keep. The
   articles of each outlet are extracted in publication order with the outlet's
   state, as a crawl would feed them, and scored against the paragraphs the site
   wrote (``score.py``'s shingle metric), beside the same extraction without a state.
2. **The benchmark sets** (one or two pages per outlet): each outlet's pages in turn
   with a state of its own, to show that nothing is dropped there.

A measurement, not a test: it never fails on a low score.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

import bench_extract  # noqa: E402

from crawler.extract import extract  # noqa: E402
from crawler.extract.recurring import RecurringBlocks  # noqa: E402
from tests.site import NewsSite  # noqa: E402

OUTLETS = {
    "ledger": (
        ("top", "Listen to this story in our app, read aloud by a member of the newsroom."),
        ("middle", "The Morning Wire brings the five biggest political stories to your inbox."),
        ("end", "What do you make of this? Tell our editors in the box at the foot of the page."),
        ("end", "Gear for patriots: caps, mugs and flags from our store ship in two days."),
        ("end", "More from the Ledger"),
    ),
    "courier": (
        ("top", "This story is part of our series on how the capital spends your money."),
        ("middle", "Get the Courier's weekday briefing free by e-mail before breakfast."),
        ("end", "Social media censorship is suppressing the truth: pass this story on today."),
        ("end", "Join the debate: readers' comments open below once you are logged in."),
    ),
    "sentinel": (
        ("middle", "Sentinel reporters cover every vote in the statehouse, all session long."),
        ("end", "Have a tip about this story? Our newsroom reads every message it gets."),
        ("end", "Elsewhere in the Sentinel today"),
        ("end", "Pre-order the Sentinel's 2024 election almanac now, shipping in March."),
    ),
}
QUOTE = (
    '"We will keep the schools open whatever the budget says," the governor told '
    "reporters outside the capitol on the first day of the standoff."
)
CORRECTION = "Correction: an earlier version of this story gave the wrong date for the vote."


def load_score():
    path = bench_extract.DEFAULT_ROOT / "score.py"
    if not path.is_file():
        sys.exit(f"no score.py under {path.parent} (set NEWSARCHIVE_BENCH_ROOT)")
    spec = importlib.util.spec_from_file_location("score", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_outlet(name: str, blocks: tuple, n: int, seed: int) -> NewsSite:
    """One outlet: its recurring blocks, running stories and corrections in place."""
    site = NewsSite(n_articles=n, seed=seed, recurring=blocks, now=datetime(2024, 6, 1, tzinfo=UTC))
    for start in range(5, n - 3, 40):  # a running story quotes the same words thrice
        for article in site.articles[start : start + 3]:
            article.paragraphs.insert(2, QUOTE)
    for article in site.articles[10 : n : max(1, n // 4)][:4]:  # a correction in four
        article.paragraphs.append(CORRECTION)
    return site


def _f1(p: float | None, r: float | None) -> float:
    return 2 * p * r / (p + r) if p and r else 0.0


def synthetic(n: int, score) -> tuple[list[str], dict]:
    rows: dict[str, list[tuple[float, float, float, float]]] = defaultdict(list)
    dropped = kept_text = lost_text = 0
    sizes = {}
    seconds = {"without": 0.0, "with": 0.0}
    warm = NewsSite(n_articles=1, now=datetime(2024, 6, 1, tzinfo=UTC))
    extract(warm.render_article(warm.articles[0]), warm.article_url(0))  # imports, caches
    for seed, (name, blocks) in enumerate(OUTLETS.items(), start=3):
        site = make_outlet(name, blocks, n, seed)
        state = RecurringBlocks()
        for article in sorted(site.articles, key=lambda a: a.published):  # crawl order
            html = site.render_article(article)
            url = site.article_url(article.index)
            truth = "\n\n".join(site.article_body(article))
            runs = {}
            order = ("without", "with") if article.index % 2 else ("with", "without")
            for mode in order:  # alternated, so a warm cache favours neither
                start = time.perf_counter()
                if mode == "with":
                    runs[mode] = extract(html, url, boilerplate=state)
                    state.observe(url, runs[mode]["block_fingerprints"])
                else:
                    runs[mode] = extract(html, url)
                seconds[mode] += time.perf_counter() - start
            before, after = runs["without"], runs["with"]
            pb, rb = score.body_pr(truth, before["body"], 4)
            pa, ra = score.body_pr(truth, after["body"], 4)
            rows[name].append((pb, rb, pa, ra))
            own = set(truth.split("\n\n"))
            dropped += len(before["body"].split("\n\n")) - len(after["body"].split("\n\n"))
            lost_text += sum(p not in after["body"] for p in own if p in before["body"])
            kept_text += sum(QUOTE in p or CORRECTION in p for p in after["body"].split("\n\n"))
        sizes[name] = (len(state), len(json.dumps(state.to_json())))
    lines = [
        f"synthetic outlets: {len(OUTLETS)} x {n} articles, extracted in publication order",
        "",
        "| outlet | articles | body P before | body R before | body F1 before "
        "| body P after | body R after | body F1 after | state entries | state JSON |",
        "|" + "---|" * 10,
    ]
    everything = []
    for name, values in rows.items():
        everything += values
        mean = [statistics.fmean(v[i] for v in values) for i in range(4)]
        entries, size = sizes[name]
        lines.append(
            f"| {name} | {len(values)} | {mean[0]:.3f} | {mean[1]:.3f} | {_f1(mean[0], mean[1]):.3f} "
            f"| {mean[2]:.3f} | {mean[3]:.3f} | {_f1(mean[2], mean[3]):.3f} | {entries} "
            f"| {size / 1024:.0f} KB |"
        )
    mean = [statistics.fmean(v[i] for v in everything) for i in range(4)]
    late = [v for values in rows.values() for v in values[len(values) // 5 :]]
    late_mean = [statistics.fmean(v[i] for v in late) for i in range(4)]
    lines += [
        f"| all | {len(everything)} | {mean[0]:.3f} | {mean[1]:.3f} | {_f1(mean[0], mean[1]):.3f} "
        f"| {mean[2]:.3f} | {mean[3]:.3f} | {_f1(mean[2], mean[3]):.3f} | | |",
        f"| all after the first fifth | {len(late)} | {late_mean[0]:.3f} | {late_mean[1]:.3f} "
        f"| {_f1(late_mean[0], late_mean[1]):.3f} | {late_mean[2]:.3f} | {late_mean[3]:.3f} "
        f"| {_f1(late_mean[2], late_mean[3]):.3f} | | |",
        "",
        f"blocks dropped as source boilerplate: {dropped}; article paragraphs lost: {lost_text}; "
        f"repeated quotes and corrections kept: {kept_text}",
        f"time: {seconds['with'] / seconds['without']:.2f}x the extraction without a state",
    ]
    summary = {"f1_before": _f1(mean[0], mean[1]), "f1_after": _f1(mean[2], mean[3])}
    summary.update(lost=lost_text, dropped=dropped)
    return lines, summary


def benchmark_sets(root: Path, names: list[str], score, limit: int | None) -> list[str]:
    lines = [
        "",
        "benchmark sets, a state per outlet (pages in id order)",
        "",
        "| set | pages | outlets | blocks dropped | body F1 without | body F1 with |",
        "|---|---|---|---|---|---|",
    ]
    for name in names:
        bench = bench_extract.set_folder(name, root)
        pages = (
            bench_extract.load_pages(bench)[:limit] if limit else bench_extract.load_pages(bench)
        )
        truth = score.load_truth(bench)
        states: dict[str, RecurringBlocks] = defaultdict(RecurringBlocks)
        pr = {"without": [], "with": []}
        dropped = 0
        for page in pages:
            state = states[page["outlet"]]
            plain = extract(page["html"], page["url"])
            learnt = extract(page["html"], page["url"], boilerplate=state)
            state.observe(page["url"] or page["id"], learnt["block_fingerprints"])
            dropped += "body_dropped" in learnt["provenance"]
            body = truth[page["id"]].get("body")
            if body:
                pr["without"].append(score.body_pr(body, plain["body"], 4))
                pr["with"].append(score.body_pr(body, learnt["body"], 4))
        f1 = {}
        for key, values in pr.items():
            p = [v[0] for v in values if v[0] is not None]
            r = [v[1] for v in values if v[1] is not None]
            f1[key] = f"{_f1(statistics.fmean(p), statistics.fmean(r)):.3f}" if p and r else "–"
        lines.append(
            f"| {name} | {len(pages)} | {len(states)} | {dropped} | {f1['without']} | {f1['with']} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=150, help="articles per synthetic outlet")
    ap.add_argument("--bench-root", type=Path, default=bench_extract.DEFAULT_ROOT)
    ap.add_argument("--smoke", action="store_true", help="a few articles and pages only")
    args = ap.parse_args(argv)
    if args.articles < 12:
        ap.error("--articles must be at least 12")
    score = load_score()
    n = 12 if args.smoke else args.articles
    lines, _ = synthetic(n, score)
    sets = bench_extract.available_sets(args.bench_root)
    lines += benchmark_sets(args.bench_root, sets, score, 4 if args.smoke else None)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
