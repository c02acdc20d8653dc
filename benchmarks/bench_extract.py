"""Extraction benchmark: this project's extractor against trafilatura, same run, same pages.

For every page of the benchmark sets both systems write one prediction file
(``benchmarks/out/extract/<set>/<system>/<id>.json``); ``score.py`` from the shared
benchmarks folder scores them together and this script adds the median time per page.

    python benchmarks/bench_extract.py [--bench-root PATH] [--sets zyte-articles ...]

The benchmark root defaults to ``$NEWSARCHIVE_BENCH_ROOT`` or ``../shared/benchmarks``.
This is a measurement, not a test: it never fails on a low score.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

DEFAULT_ROOT = Path(os.environ.get("NEWSARCHIVE_BENCH_ROOT", REPO.parent / "shared" / "benchmarks"))
SETS = ("zyte-articles", "news-publishers")
OUT = REPO / "benchmarks" / "out" / "extract"


def load_pages(bench: Path) -> list[tuple[str, str, bytes]]:
    """(page id, url, raw html bytes) for every page of one benchmark folder."""
    if (bench / "ground-truth.json").is_file():
        truth = json.loads((bench / "ground-truth.json").read_text(encoding="utf-8"))
        urls = {pid: rec.get("url") or "" for pid, rec in truth.items()}
    else:
        urls = {}
        for path in sorted((bench / "truth").glob("*.json")):
            urls[path.stem] = json.loads(path.read_text(encoding="utf-8")).get("url") or ""
    pages = []
    for pid, url in sorted(urls.items()):
        html = gzip.decompress((bench / "html" / f"{pid}.html.gz").read_bytes())
        pages.append((pid, url, html))
    return pages


def ours(html: bytes, url: str) -> dict:
    from crawler.extract import extract

    rec = extract(html, url)
    return {
        "title": rec["title"],
        "authors": rec["authors"],
        "published": rec["published"],
        "body": rec["body"],
        "topics": rec["tags"],
    }


def trafilatura_peer(html: bytes, url: str) -> dict:
    """trafilatura 2.3.1 with default settings and metadata, as the peer is usually run."""
    import trafilatura

    result = trafilatura.bare_extraction(html, url=url, with_metadata=True)
    doc = result.as_dict() if result is not None else {}
    authors = [a.strip() for a in (doc.get("author") or "").split(";") if a.strip()]
    return {
        "title": doc.get("title"),
        "authors": authors,
        "published": doc.get("date"),
        "body": (doc.get("text") or "").replace("\n", "\n\n"),
        "topics": doc.get("tags") or [],
    }


SYSTEMS: dict[str, Callable[[bytes, str], dict]] = {
    "newsarchive": ours,
    "trafilatura": trafilatura_peer,
}


def run_set(
    root: Path, name: str, systems: list[str], score_py: Path
) -> tuple[dict[str, float], dict]:
    bench = root / name
    pages = load_pages(bench)
    timings: dict[str, list[float]] = {s: [] for s in systems}
    for system in systems:  # warm up imports and caches outside the timing
        SYSTEMS[system](pages[0][2], pages[0][1])
    for system in systems:
        folder = OUT / name / system
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.json"):
            old.unlink()
    for pid, url, html in pages:
        for system in systems:  # interleaved, so machine load hits both alike
            start = time.perf_counter()
            pred = SYSTEMS[system](html, url)
            timings[system].append((time.perf_counter() - start) * 1000)
            path = OUT / name / system / f"{pid}.json"
            path.write_text(json.dumps(pred, ensure_ascii=False), encoding="utf-8")
    results_path = OUT / f"{name}.results.json"
    cmd = [sys.executable, str(score_py), "--bench", str(bench), "--json-out", str(results_path)]
    cmd += [f"{s}={OUT / name / s}" for s in systems]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    results = json.loads(results_path.read_text(encoding="utf-8"))["systems"]
    medians = {s: statistics.median(t) for s, t in timings.items()}
    return medians, results


def fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench-root", type=Path, default=DEFAULT_ROOT)
    ap.add_argument("--sets", nargs="+", default=list(SETS), choices=SETS)
    ap.add_argument("--systems", nargs="+", default=list(SYSTEMS), choices=list(SYSTEMS))
    ap.add_argument(
        "--worst", type=int, default=0, help="list the N pages where ours scores lowest"
    )
    args = ap.parse_args(argv)
    score_py = args.bench_root / "score.py"
    if not score_py.is_file():
        ap.error(f"no score.py under {args.bench_root} (set NEWSARCHIVE_BENCH_ROOT)")

    header = "| set | extractor | body P | body R | body F1 | title acc | date acc | author F1 |"
    header += " ms/page (median) |"
    lines = [header, "|" + "---|" * 9]
    details = []
    for name in args.sets:
        medians, results = run_set(args.bench_root, name, args.systems, score_py)
        for system in args.systems:
            r = results[system]
            lines.append(
                f"| {name} | {system} | {fmt(r['body_precision'])} | {fmt(r['body_recall'])} "
                f"| {fmt(r['body_f1'])} | {fmt(r['title_acc'])} | {fmt(r['date_acc'])} "
                f"| {fmt(r['author_f1'])} | {medians[system]:.1f} |"
            )
        if len(args.systems) == 2:
            a, b = args.systems
            lines.append(
                f"| {name} | time ratio {a}/{b} | | | | | | | {medians[a] / medians[b]:.2f} |"
            )
        if args.worst and "newsarchive" in results:
            per_page = results["newsarchive"]["per_page"]

            def page_f1(s: dict) -> float:
                p, r = s["body_p"] or 0.0, s["body_r"] or 0.0
                return 2 * p * r / (p + r) if p + r else 0.0

            worst = sorted(per_page.items(), key=lambda kv: page_f1(kv[1]))[: args.worst]
            for pid, s in worst:
                details.append(
                    f"{name} {pid}: F1 {page_f1(s):.3f} P {s['body_p']} R {s['body_r']} "
                    f"title {s['title']} date {s['date']} authors {s['authors']}"
                )
    print("\n".join(lines))
    if details:
        print("\n".join(["", "worst pages (ours):", *details]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
