"""Extraction benchmark: this project's extractor against trafilatura, same run, same pages.

For every page of the benchmark sets both systems write one prediction file
(``benchmarks/out/extract/<set>/<system>/<id>.json``); ``score.py`` from the shared
benchmarks folder scores them per page, and this script reports each metric overall
(``score.py``'s mean over pages) and per outlet, with the spread over outlets (median
and minimum) beside the mean, plus the median CPU time per page (CPU time of this
process, so other processes' load on a shared machine does not count; each page is run
``--repeat`` times per system, interleaved, and its fastest run counts, so a page slowed
by the machine once does not move the median). The time ratio is also given as the
median of per-page ratios and the ratio of totals, to read a small set's median by.

    python benchmarks/bench_extract.py [--sets zyte-articles fundus-history ...]
        [--per-outlet] [--worst N] [--save NAME] [--against NAME] [--repeat 3] [--smoke]
        [--ablate jsonld|meta|visible|classes|bare]

Sets: the shared ones (``zyte-articles``, ``news-publishers`` under ``--bench-root``,
default ``$NEWSARCHIVE_BENCH_ROOT`` or ``../shared/benchmarks``) and the development
pages of ``benchmarks/dev-pages/`` (each folder with ``html/`` and ``truth/``). An
outlet is the page id's prefix in news-publishers style sets (``Reuters_2024_03_07``)
and the URL's domain elsewhere. A set whose truth has no body (``trafilatura-eval``)
is scored on its snippets instead: the share of "with" snippets the body contains and
of "without" snippets it leaves out.

``--save NAME`` keeps our per-page scores; ``--against NAME`` then shows, per metric,
which outlets a change helped and hurt, and the leave-one-outlet-out view: the mean
change over the other outlets when each outlet in turn is left out. A rule whose gain
comes from one outlet shows there as no gain. This is a measurement, not a test: it
never fails on a low score.

``--ablate KIND`` runs the pages with a kind of evidence taken out (``ablate.py``:
the JSON-LD, the author meta tags, both and the author microdata, the class and id
names, or all of them), so the rules are also measured as an outlet that gives less
would meet them.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from ablate import KINDS, ablate  # noqa: E402 - beside this script

DEFAULT_ROOT = Path(os.environ.get("NEWSARCHIVE_BENCH_ROOT", REPO.parent / "shared" / "benchmarks"))
DEV_ROOT = REPO / "benchmarks" / "dev-pages"
SHARED_SETS = ("zyte-articles", "news-publishers")
DEFAULT_SETS = (
    *SHARED_SETS,
    "fundus-history",
    "trafilatura-eval",
    "readability-tests",
    "htmldate-eval",
    "postlight-fixtures",
)
OUT = REPO / "benchmarks" / "out" / "extract"
RUNS = OUT / "runs"
METRICS = ("body_f1", "title", "date", "authors", "snippets")
LABELS = {
    "body_f1": "body F1",
    "title": "title acc",
    "date": "date acc",
    "authors": "author F1",
    "snippets": "snippet F1",
}
_PUBLISHER_ID_RE = re.compile(r"^([A-Za-z][A-Za-z0-9]*)_\d{4}_\d{2}_\d{2}$")


# ----------------------------------------------------------------- pages
def set_folder(name: str, root: Path) -> Path:
    return root / name if name in SHARED_SETS else DEV_ROOT / name


def available_sets(root: Path) -> list[str]:
    dev = sorted(p.name for p in DEV_ROOT.iterdir() if (p / "truth").is_dir())
    return [s for s in SHARED_SETS if (root / s).is_dir()] + dev


def load_pages(bench: Path) -> list[dict]:
    """Every page of one set: id, url, outlet, html bytes and its snippets (if any)."""
    truth: dict[str, dict] = {}
    if (bench / "ground-truth.json").is_file():
        raw = json.loads((bench / "ground-truth.json").read_text(encoding="utf-8"))
        truth = {pid: {"url": rec.get("url")} for pid, rec in raw.items()}
    else:
        for path in sorted((bench / "truth").glob("*.json")):
            truth[path.stem] = json.loads(path.read_text(encoding="utf-8"))
    pages = []
    for pid, rec in sorted(truth.items()):
        url = rec.get("url") or ""
        html = gzip.decompress((bench / "html" / f"{pid}.html.gz").read_bytes())
        pages.append(
            {
                "id": pid,
                "url": url,
                "outlet": outlet_of(pid, url),
                "html": html,
                "snippets": rec.get("snippets"),
                "has_body": rec.get("body") is not None if "body" in rec else True,
            }
        )
    return pages


def outlet_of(pid: str, url: str) -> str:
    """The page's outlet: the publisher prefix of a news-publishers id, else the domain."""
    match = _PUBLISHER_ID_RE.match(pid)
    if match:
        return match.group(1)
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.") or pid


# --------------------------------------------------------------- systems
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


# --------------------------------------------------------------- scoring
def _norm(text: str) -> str:
    return " ".join(text.split())


def snippet_scores(snippets: dict, body: str) -> tuple[float | None, float | None]:
    """(share of "with" snippets found, share of "without" snippets left out)."""
    flat = _norm(body or "")
    wanted = [_norm(s) for s in snippets.get("with") or [] if s.strip()]
    unwanted = [_norm(s) for s in snippets.get("without") or [] if s.strip()]
    found = sum(s in flat for s in wanted) / len(wanted) if wanted else None
    clean = sum(s not in flat for s in unwanted) / len(unwanted) if unwanted else None
    return found, clean


def _mean(values: list) -> float | None:
    kept = [v for v in values if v is not None]
    return statistics.fmean(kept) if kept else None


def _f1(p: float | None, r: float | None) -> float | None:
    if p is None or r is None:
        return None
    return 2 * p * r / (p + r) if p + r else 0.0


def aggregate(rows: list[dict]) -> dict[str, float | None]:
    """score.py's means over a group of pages (body F1 from the mean P and R)."""
    p, r = _mean([x["body_p"] for x in rows]), _mean([x["body_r"] for x in rows])
    sp, sr = _mean([x["snip_clean"] for x in rows]), _mean([x["snip_found"] for x in rows])
    return {
        "body_p": p,
        "body_r": r,
        "body_f1": _f1(p, r),
        "title": _mean([x["title"] for x in rows]),
        "date": _mean([x["date"] for x in rows]),
        "authors": _mean([x["authors"] for x in rows]),
        "snip_found": sr,
        "snip_clean": sp,
        "snippets": _f1(sp, sr),
    }


def spread(per_page: dict[str, dict], outlets: dict[str, str]) -> dict[str, dict]:
    """Per metric: the mean over pages, and the median and minimum over outlets."""
    groups: dict[str, list[dict]] = defaultdict(list)
    for pid, row in per_page.items():
        groups[outlets[pid]].append(row)
    by_outlet = {o: aggregate(rows) for o, rows in groups.items()}
    overall = aggregate(list(per_page.values()))
    out: dict[str, dict] = {}
    for metric in (*METRICS, "body_p", "body_r"):
        values = [v[metric] for v in by_outlet.values() if v[metric] is not None]
        out[metric] = {
            "mean": overall[metric],
            "median": statistics.median(values) if values else None,
            "min": min(values) if values else None,
            "outlets": len(values),
        }
    out["by_outlet"] = by_outlet  # type: ignore[assignment]
    return out


def run_set(
    root: Path,
    name: str,
    systems: list[str],
    score_py: Path,
    limit: int | None,
    repeat: int = 1,
    ablated: str | None = None,
) -> tuple[dict[str, list[float]], dict[str, dict[str, dict]], list[dict]]:
    bench = set_folder(name, root)
    pages = load_pages(bench)
    if limit:
        pages = pages[:limit]
    if ablated:
        for page in pages:
            page["html"] = ablate(page["html"], ablated)
    timings: dict[str, list[float]] = {s: [] for s in systems}
    for system in systems:  # warm up imports and caches outside the timing
        SYSTEMS[system](pages[0]["html"], pages[0]["url"])
    preds: dict[str, dict[str, dict]] = {s: {} for s in systems}
    for system in systems:
        folder = OUT / name / system
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.json"):
            old.unlink()
    for page in pages:
        best = dict.fromkeys(systems, float("inf"))
        for _ in range(repeat):
            for system in systems:  # interleaved, so machine load hits both alike
                start = time.process_time()  # CPU time: other processes' load does not count
                pred = SYSTEMS[system](page["html"], page["url"])
                best[system] = min(best[system], (time.process_time() - start) * 1000)
                preds[system][page["id"]] = pred
        for system in systems:  # a page's fastest run: what the code costs, less the noise
            timings[system].append(best[system])
            path = OUT / name / system / f"{page['id']}.json"
            path.write_text(json.dumps(preds[system][page["id"]], ensure_ascii=False), "utf-8")
    results_path = OUT / f"{name}.results.json"
    cmd = [sys.executable, str(score_py), "--bench", str(bench), "--json-out", str(results_path)]
    cmd += [f"{s}={OUT / name / s}" for s in systems]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    scored = json.loads(results_path.read_text(encoding="utf-8"))["systems"]
    ids = {p["id"] for p in pages}
    per_page: dict[str, dict[str, dict]] = {}
    for system in systems:
        rows = {}
        for page in pages:
            row = dict(scored[system]["per_page"][page["id"]])
            if not page["has_body"]:  # no body annotated: leave it out of the body metric
                row["body_p"] = row["body_r"] = None
            found = clean = None
            if page["snippets"]:
                found, clean = snippet_scores(page["snippets"], preds[system][page["id"]]["body"])
            row["snip_found"], row["snip_clean"] = found, clean
            rows[page["id"]] = row
        per_page[system] = {pid: r for pid, r in rows.items() if pid in ids}
    return timings, per_page, pages


# ----------------------------------------------------------------- output
def fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def summary_rows(name: str, stats: dict[str, dict], medians: dict[str, float]) -> list[str]:
    lines = []
    for system, st in stats.items():
        cells = [st[m]["mean"] for m in ("body_p", "body_r", "body_f1", "title", "date", "authors")]
        lines.append(
            f"| {name} | {system} | "
            + " | ".join(fmt(c) for c in cells)
            + f" | {fmt(st['snippets']['mean'])} | {medians[system]:.1f} |"
        )
    if len(stats) == 2:
        a, b = list(stats)
        ratio = medians[a] / medians[b]
        lines.append(f"| {name} | time ratio {a}/{b} | | | | | | | | {ratio:.2f} |")
    return lines


def time_ratios(name: str, timings: dict[str, list[float]]) -> list[str]:
    """The time ratio three ways, so a small set's noisy median can be read against the
    others: the ratio of medians (the summary's), the median of per-page ratios, and
    the ratio of total times."""
    if len(timings) != 2:
        return []
    (a, ta), (b, tb) = timings.items()
    per_page = statistics.median(x / y for x, y in zip(ta, tb, strict=True) if y > 0)
    return [
        f"{name}: time {a}/{b}: ratio of medians {statistics.median(ta) / statistics.median(tb):.2f}, "
        f"median of per-page ratios {per_page:.2f}, ratio of totals {sum(ta) / sum(tb):.2f}"
    ]


def spread_table(name: str, n_pages: int, stats: dict[str, dict]) -> list[str]:
    systems = list(stats)
    n_outlets = len(next(iter(stats.values()))["by_outlet"])
    head = "| metric | " + " | ".join(f"{s} mean | median | min" for s in systems) + " |"
    lines = [f"{name}: {n_pages} pages, {n_outlets} outlets (median and min over outlets)", ""]
    lines += [head, "|---|" + "---|---|---|" * len(systems)]
    for metric in METRICS:
        if all(stats[s][metric]["mean"] is None for s in systems):
            continue
        cells = []
        for s in systems:
            m = stats[s][metric]
            cells.append(f"{fmt(m['mean'])} | {fmt(m['median'])} | {fmt(m['min'])}")
        lines.append(f"| {LABELS[metric]} | " + " | ".join(cells) + " |")
    return lines


def outlet_table(stats: dict[str, dict], outlets: dict[str, str]) -> list[str]:
    systems = list(stats)
    shown = [m for m in METRICS if any(stats[s][m]["mean"] is not None for s in systems)]
    head = "| outlet | pages | " + " | ".join(f"{LABELS[m]} ({'/'.join(systems)})" for m in shown)
    lines = [head + " |", "|---|---|" + "---|" * len(shown)]
    counts: dict[str, int] = defaultdict(int)
    for outlet in outlets.values():
        counts[outlet] += 1
    first = stats[systems[0]]["by_outlet"]
    for outlet in sorted(first, key=lambda o: (first[o]["body_f1"] or 1.0, o)):
        cells = [" / ".join(fmt(stats[s]["by_outlet"][outlet][m]) for s in systems) for m in shown]
        lines.append(f"| {outlet} | {counts[outlet]} | " + " | ".join(cells) + " |")
    return lines


def compare(name: str, now: dict, before: dict, outlets: dict[str, str]) -> list[str]:
    """Per metric, outlets helped and hurt since ``before``, and the leave-one-out view."""
    common = [pid for pid in now if pid in before]
    if not common:
        return [f"{name}: no pages in common with the saved run"]
    lines = [f"{name}: change against the saved run ({len(common)} pages)"]
    new = spread({p: now[p] for p in common}, outlets)["by_outlet"]
    old = spread({p: before[p] for p in common}, outlets)["by_outlet"]
    for metric in METRICS:
        deltas = {
            o: new[o][metric] - old[o][metric]
            for o in new
            if new[o][metric] is not None and old[o][metric] is not None
        }
        changed = {o: d for o, d in deltas.items() if abs(d) > 5e-4}
        if not changed:
            continue
        total = statistics.fmean(deltas.values())
        loo = {o: statistics.fmean(v for k, v in deltas.items() if k != o) for o in changed}
        helped = sorted((o for o, d in changed.items() if d > 0), key=lambda o: -changed[o])
        hurt = sorted((o for o, d in changed.items() if d < 0), key=lambda o: changed[o])
        worst_loo = min(loo, key=loo.get) if len(deltas) > 1 else None
        lines.append(
            f"  {LABELS[metric]}: mean over outlets {total:+.4f}; "
            f"{len(helped)} outlets helped, {len(hurt)} hurt"
        )
        for label, group in (("helped", helped), ("hurt", hurt)):
            if group:
                shown = ", ".join(f"{o} {changed[o]:+.3f}" for o in group[:12])
                lines.append(f"    {label}: {shown}")
        if worst_loo is not None:
            lines.append(
                f"    leave-one-outlet-out: lowest mean change {loo[worst_loo]:+.4f} "
                f"(without {worst_loo})"
            )
    return lines


def worst_pages(name: str, rows: dict[str, dict], n: int) -> list[str]:
    def page_f1(s: dict) -> float:
        return _f1(s["body_p"] or 0.0, s["body_r"] or 0.0) or 0.0

    scored = [(pid, s) for pid, s in rows.items() if s["body_p"] is not None]
    lines = []
    for pid, s in sorted(scored, key=lambda kv: page_f1(kv[1]))[:n]:
        lines.append(
            f"{name} {pid}: F1 {page_f1(s):.3f} P {fmt(s['body_p'])} R {fmt(s['body_r'])} "
            f"title {s['title']} date {s['date']} authors {s['authors']}"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench-root", type=Path, default=DEFAULT_ROOT)
    ap.add_argument("--sets", nargs="+", default=None, help="default: every set found")
    ap.add_argument("--systems", nargs="+", default=list(SYSTEMS), choices=list(SYSTEMS))
    ap.add_argument("--per-outlet", action="store_true", help="print every outlet's scores")
    ap.add_argument("--worst", type=int, default=0, help="list the N pages where ours is worst")
    ap.add_argument("--save", metavar="NAME", help="keep our per-page scores under this name")
    ap.add_argument("--against", metavar="NAME", help="compare with a run kept by --save")
    ap.add_argument("--smoke", action="store_true", help="three pages per set (a quick check)")
    ap.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs of each page per system, the fastest timed (default 3; 1 with --smoke)",
    )
    ap.add_argument(
        "--ablate",
        choices=KINDS,
        help="run on the pages with this evidence taken out (benchmarks/ablate.py)",
    )
    args = ap.parse_args(argv)
    score_py = args.bench_root / "score.py"
    if not score_py.is_file():
        ap.error(f"no score.py under {args.bench_root} (set NEWSARCHIVE_BENCH_ROOT)")
    known = available_sets(args.bench_root)
    chosen = args.sets or [s for s in DEFAULT_SETS if s in known]
    unknown = [s for s in chosen if s not in known]
    if unknown:
        ap.error(f"unknown set {unknown[0]!r}; known: {', '.join(known)}")
    before = None
    if args.against:
        path = RUNS / f"{args.against}.json"
        if not path.is_file():
            ap.error(f"no saved run {args.against!r} (make one with --save)")
        before = json.loads(path.read_text(encoding="utf-8"))

    summary = [
        "| set | extractor | body P | body R | body F1 | title acc | date acc | author F1 "
        "| snippet F1 | CPU ms/page (median) |",
        "|" + "---|" * 10,
    ]
    sections: list[str] = []
    saved: dict[str, dict] = {}
    for name in chosen:
        timings, per_page, pages = run_set(
            args.bench_root,
            name,
            args.systems,
            score_py,
            3 if args.smoke else None,
            1 if args.smoke else max(1, args.repeat),
            args.ablate,
        )
        outlets = {p["id"]: p["outlet"] for p in pages}
        stats = {s: spread(per_page[s], outlets) for s in args.systems}
        medians = {s: statistics.median(t) for s, t in timings.items()}
        summary += summary_rows(name, stats, medians)
        sections += ["", *spread_table(name, len(pages), stats)]
        if ratios := time_ratios(name, timings):
            sections += ["", *ratios]
        if args.per_outlet:
            sections += ["", *outlet_table(stats, outlets)]
        if "newsarchive" in per_page:
            saved[name] = per_page["newsarchive"]
            if before is not None and name in before:
                sections += ["", *compare(name, per_page["newsarchive"], before[name], outlets)]
            if args.worst:
                sections += ["", *worst_pages(name, per_page["newsarchive"], args.worst)]
    if args.ablate:
        summary.insert(
            0, f"Pages with `{args.ablate}` evidence taken out (benchmarks/ablate.py).\n"
        )
    print("\n".join(summary + sections))
    if args.save:
        RUNS.mkdir(parents=True, exist_ok=True)
        (RUNS / f"{args.save}.json").write_text(json.dumps(saved), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
