"""Learnt source boilerplate (crawler.extract.recurring): body F1 before and after.

    python benchmarks/bench_boilerplate.py [--articles 150] [--smoke]
    python benchmarks/bench_boilerplate.py --crawl [--articles 150] [--smoke]

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

``--crawl`` measures the same outlets the way an archive gets them: each outlet's site
served on loopback and crawled by ``newsarchive crawl`` (default settings, politeness
off), once with ``LEARN_BOILERPLATE`` on and once off, into fresh homes, alternating
which goes first. Every recorded article is scored as above, in the order the crawl
recorded it; the time per article is the crawl's wall and CPU time over its articles.

A measurement, not a test: it never fails on a low score.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
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


CRAWL_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": "0",
    "DOWNLOAD_DELAY": "0",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    "REVISIT_ENABLED": "0",
    "LOG_LEVEL": "WARNING",
}


def _registry(site: NewsSite, name: str) -> str:
    return (
        f'version = 1\n[[source]]\nid = "{name}"\nname = "The {name.title()}"\n'
        f'homepage = "{site.url("/")}"\ndomains = ["{site.host}"]\n'
        f'feeds = ["{site.url("/feeds/rss.xml")}"]\nsitemaps = ["{site.url("/sitemap.xml")}"]\n'
    )


def _crawl(site: NewsSite, name: str, folder: Path, learn: bool) -> tuple[list[dict], float, float]:
    """One crawl of ``site`` into a fresh home: its version records, wall and CPU seconds."""
    home = folder / ("with" if learn else "without")
    home.mkdir()
    registry = folder / "sources.toml"
    registry.write_text(_registry(site, name))
    cmd = [str(Path(sys.executable).with_name("newsarchive")), "crawl", "--sources", str(registry)]
    cmd += ["--source", name]
    settings = {**CRAWL_SETTINGS, "CRAWL_CLOCK": site.now.isoformat()}
    settings["LEARN_BOILERPLATE"] = "true" if learn else "false"
    for key, value in settings.items():
        cmd += ["-s", f"{key}={value}"]
    env = {**os.environ, "NEWSARCHIVE_HOME": str(home)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"the crawl of {name} failed: {proc.stderr[-2000:]}")
    lines = (home / "articles" / "articles.jsonl").read_text().splitlines()
    records = [r for r in map(json.loads, lines) if r["event"] in ("new", "changed")]
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return records, wall, cpu


def crawled(n: int, score, outlets: dict) -> list[str]:
    """Body P/R/F1 of real crawls of the synthetic outlets, with the state and without."""
    rows: dict[str, dict[str, list[tuple[float, float]]]] = {}
    cost = {True: [0.0, 0.0, 0], False: [0.0, 0.0, 0]}  # wall, CPU, articles
    dropped = {True: 0, False: 0}
    bodies: dict[bool, dict[str, str]] = {True: {}, False: {}}  # url -> body
    truths: dict[str, set[str]] = {}  # url -> the paragraphs the site wrote
    for seed, (name, blocks) in enumerate(outlets.items(), start=3):
        rows[name] = {}
        with make_outlet(name, blocks, n, seed) as site, tempfile.TemporaryDirectory() as tmp:
            truth = {
                site.article_url(a.index): "\n\n".join(site.article_body(a)) for a in site.articles
            }
            truths.update((url, set(text.split("\n\n"))) for url, text in truth.items())
            for learn in (True, False) if seed % 2 else (False, True):  # alternated
                folder = Path(tmp) / str(learn)
                folder.mkdir()
                records, wall, cpu = _crawl(site, name, folder, learn)
                cost[learn][0] += wall
                cost[learn][1] += cpu
                cost[learn][2] += len(records)
                dropped[learn] += sum("body_dropped" in r["provenance"] for r in records)
                bodies[learn].update((r["url"], r["body"]) for r in records)
                rows[name][learn] = [score.body_pr(truth[r["url"]], r["body"], 4) for r in records]
    lines = [
        f"crawls of the synthetic outlets: {len(outlets)} x {n} articles, "
        "`newsarchive crawl`, LEARN_BOILERPLATE off (before) and on (after)",
        "",
        "| outlet | articles | body P before | body R before | body F1 before "
        "| body P after | body R after | body F1 after |",
        "|" + "---|" * 8,
    ]

    def mean(values: list[tuple[float, float]]) -> tuple[float, float, float]:
        p = statistics.fmean(v[0] or 0.0 for v in values)
        r = statistics.fmean(v[1] or 0.0 for v in values)
        return p, r, _f1(p, r)

    def row(label: str, before: list, after: list) -> str:
        b, a = mean(before), mean(after)
        return (
            f"| {label} | {len(after)} | {b[0]:.3f} | {b[1]:.3f} | {b[2]:.3f} "
            f"| {a[0]:.3f} | {a[1]:.3f} | {a[2]:.3f} |"
        )

    for name, runs in rows.items():
        lines.append(row(name, runs[False], runs[True]))
    every = {k: [v for runs in rows.values() for v in runs[k]] for k in (False, True)}
    lines.append(row("all", every[False], every[True]))
    late = {k: [v for runs in rows.values() for v in runs[k][n // 5 :]] for k in (False, True)}
    lines.append(row("all after each crawl's first fifth", late[False], late[True]))
    per = {k: (c[0] / max(c[2], 1), c[1] / max(c[2], 1)) for k, c in cost.items()}
    lost = repeated = 0  # article paragraphs the state took; quotes and corrections kept
    for url, before in bodies[False].items():
        after = bodies[True].get(url, "").split("\n\n")
        lost += sum(p not in after for p in before.split("\n\n") if p in truths[url])
        repeated += sum(QUOTE in p or CORRECTION in p for p in after)
    lines += [
        "",
        f"articles with learnt blocks dropped: {dropped[True]} (off: {dropped[False]}); "
        f"article paragraphs lost: {lost}; repeated quotes and corrections kept: {repeated}",
        f"time per article: wall {per[True][0] * 1000:.1f} ms with the state, "
        f"{per[False][0] * 1000:.1f} ms without ({per[True][0] / per[False][0]:.2f}x); "
        f"CPU {per[True][1] * 1000:.1f} ms with, {per[False][1] * 1000:.1f} ms without "
        f"({per[True][1] / per[False][1]:.2f}x)",
    ]
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=150, help="articles per synthetic outlet")
    ap.add_argument("--bench-root", type=Path, default=bench_extract.DEFAULT_ROOT)
    ap.add_argument("--smoke", action="store_true", help="a few articles and pages only")
    ap.add_argument("--crawl", action="store_true", help="crawl the synthetic outlets instead")
    args = ap.parse_args(argv)
    if args.articles < 12:
        ap.error("--articles must be at least 12")
    score = load_score()
    n = 12 if args.smoke else args.articles
    if args.crawl:
        outlets = dict(list(OUTLETS.items())[:1]) if args.smoke else OUTLETS
        print("\n".join(crawled(n, score, outlets)))
        return 0
    lines, _ = synthetic(n, score)
    sets = bench_extract.available_sets(args.bench_root)
    lines += benchmark_sets(args.bench_root, sets, score, 4 if args.smoke else None)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
