"""Search benchmark: 100,000 articles, 20 mixed queries, end-to-end and ES `took`.

    make bench-search                      # or: .venv/bin/python benchmarks/bench_search.py

Starts a local Elasticsearch in benchmarks/out/search/home (or uses NEWSARCHIVE_ES_URL),
builds the corpus once with the indexer's own loader (kept for reruns), then times
each query as a fresh `newsarchive search` process (process start to output) and reads
Elasticsearch's own `took` from the same run's JSON. `newsarchive --help` and a bare
`python -c pass` (the floor of any process) are timed in the same run.
Goals: --help <= 150 ms, search p50 <= 200 ms end to end. The figures that say where
the time goes are ratios to the same run's floor: the search p50 over the Python
floor, and what is left of it once the floor and Elasticsearch's `took` are taken out
(start-up, imports, the request and the rendering).

    .venv/bin/python benchmarks/bench_search.py --smoke   # 200 articles, 3 queries: seconds
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "benchmarks" / "out" / "search"
PREFIX = "bench-search"
ARTICLES = int(os.environ.get("BENCH_SEARCH_ARTICLES", "100000"))
ROUNDS = int(os.environ.get("BENCH_SEARCH_ROUNDS", "3"))
CLI = [str(ROOT / ".venv" / "bin" / "newsarchive")]
START = datetime(2019, 1, 1, tzinfo=UTC)

QUERIES: list[list[str]] = [
    ["senate budget"],
    ['"tax reform"'],
    ['"border security" immigration'],
    ["election OR campaign", "--from", "2021", "--to", "2021-06"],
    ["governor -mayor", "--sort", "newest"],
    ["presiden*", "--outlet", "Capitol Wire"],
    ["title:hearing", "--from", "2020-03", "--to", "2020-03"],
    ["tariff trade", "--where", "lean=right"],
    ["climate energy", "--author", "Reporter 7"],
    ["court justice", "--from", "June 2022", "--sort", "oldest"],
    ["inflation NOT jobs"],
    ['"voters said"'],
    ["healthcare", "--from", "2019", "--to", "2019", "--outlet", "The Daily Ledger"],
    ["", "--from", "2023-01-01", "--to", "2023-01-07"],
    ["filibuster majority leader", "--tag", "congress"],
    ["(police OR schools) AND funding", "--from", "2020"],
    ["deficit spending veto", "--limit", "50"],
    ["protest rally", "--domain", "frontierpost.example", "--sort", "newest"],
    ['"federal agency" testimony', "--lang", "en"],
    ["poll*", "--from", "2022", "--to", "2023", "--where", "lean=left"],
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def records():
    from tests.synthetic import new_record

    rng = random.Random(7)
    for n in range(ARTICLES):
        fetched = START + timedelta(minutes=27 * n)
        record = new_record(n, rng=rng, body_words=250, fetched=fetched)
        if n % 33 == 0:
            record["published"] = None  # ~3% undated, as real crawls have
        yield record


def ensure_corpus(client) -> float:
    from indexer.layout import Layout
    from indexer.load import load_records

    alias = Layout(PREFIX).articles
    # One segment, as a settled corpus has: minutes on 100,000 articles (a no-op when
    # merged already, so a rerun after an interrupted merge finishes it).
    merging = client.options(request_timeout=1800).indices
    if client.indices.exists_alias(name=alias):
        if client.count(index=alias)["count"] == ARTICLES:
            merging.forcemerge(index=alias, max_num_segments=1)
            return 0.0
        names = ",".join(client.indices.get(index=f"{PREFIX}-*").body)
        client.indices.delete(index=names)
    began = time.monotonic()
    load_records(client, records(), PREFIX)
    merging.forcemerge(index=alias, max_num_segments=1)
    return time.monotonic() - began


def timed(cmd: list[str], env: dict) -> tuple[float, str]:
    began = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    elapsed = (time.perf_counter() - began) * 1000
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{done.stderr}")
    return elapsed, done.stdout


def main() -> None:
    from newsarchive import localnode
    from newsarchive.config import Config
    from newsarchive.es import connect

    global OUT, PREFIX, ARTICLES, ROUNDS, QUERIES
    smoke = "--smoke" in sys.argv[1:]
    if smoke:  # proves the benchmark runs; its figures mean nothing and are not kept
        import tempfile
        import uuid

        OUT = Path(tempfile.mkdtemp(prefix="bench-search-smoke-"))
        PREFIX, ARTICLES, ROUNDS = f"bench-smoke-{uuid.uuid4().hex[:8]}", 200, 1
        QUERIES = QUERIES[:3]

    OUT.mkdir(parents=True, exist_ok=True)
    home = OUT / "home"
    started = None
    if os.environ.get("NEWSARCHIVE_ES_URL"):
        url = os.environ["NEWSARCHIVE_ES_URL"]
    else:
        started = Config(home=home, local_port=0)
        state, _ = localnode.start(started)
        url = state.url
    try:
        client = connect(Config(home=home, es_url=url))
        load_s = ensure_corpus(client)
        env = dict(os.environ, NEWSARCHIVE_ES_URL=url, NEWSARCHIVE_HOME=str(home),
                   NEWSARCHIVE_INDEX_PREFIX=PREFIX)  # fmt: skip
        floor = [timed([sys.executable, "-c", "pass"], env)[0] for _ in range(10)]
        helps = [timed([*CLI, "--help"], env)[0] for _ in range(10)]
        for query in QUERIES[:3]:  # warm the caches as a working session would be
            timed([*CLI, "search", *query, "--format", "json"], env)
        wall, took, totals = [], [], []
        for _ in range(ROUNDS):
            for query in QUERIES:
                ms, out = timed([*CLI, "search", *query, "--format", "json"], env)
                data = json.loads(out)
                wall.append(ms)
                took.append(data["took_ms"])
                totals.append(data["total"])
        if smoke:
            client.indices.delete(index=",".join(client.indices.get(index=f"{PREFIX}-*").body))
    finally:
        if started is not None:
            localnode.stop(started)
    report = {
        "articles": ARTICLES,
        "queries": len(QUERIES),
        "rounds": ROUNDS,
        "corpus_load_s": round(load_s, 1),
        "python_floor_ms": {"p50": round(statistics.median(floor), 1)},
        "help_ms": {"p50": round(statistics.median(helps), 1), "p95": round(percentile(helps, 0.95), 1)},
        "search_end_to_end_ms": {"p50": round(percentile(wall, 0.5), 1), "p95": round(percentile(wall, 0.95), 1)},
        "search_es_took_ms": {"p50": round(percentile(took, 0.5), 1), "p95": round(percentile(took, 0.95), 1)},
        "hits_per_query": {"min": min(totals), "max": max(totals)},
    }  # fmt: skip
    report["ratios"] = {
        "help_p50_vs_goal_150ms": round(report["help_ms"]["p50"] / 150, 2),
        "search_p50_vs_goal_200ms": round(report["search_end_to_end_ms"]["p50"] / 200, 2),
        "search_p50_vs_python_floor": round(
            report["search_end_to_end_ms"]["p50"] / report["python_floor_ms"]["p50"], 2
        ),
        "es_took_share_of_end_to_end_p50": round(
            report["search_es_took_ms"]["p50"] / report["search_end_to_end_ms"]["p50"], 3
        ),
        # --help imports the CLI and nothing else: what a search adds to a bare start.
        "search_p50_vs_help_p50": round(
            report["search_end_to_end_ms"]["p50"] / report["help_ms"]["p50"], 2
        ),
        "help_p50_vs_python_floor": round(
            report["help_ms"]["p50"] / report["python_floor_ms"]["p50"], 2
        ),
    }
    report["search_p50_beyond_floor_and_took_ms"] = round(
        report["search_end_to_end_ms"]["p50"]
        - report["python_floor_ms"]["p50"]
        - report["search_es_took_ms"]["p50"],
        1,
    )
    (OUT / "results.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
