"""Shared-frontier benchmark: 1 vs 2 crawl workers splitting one round through Redis.

The outlets of ``bench_scale`` (each on a loopback address of its own, a feed of
``--articles`` new articles, every answer held ``--latency`` s, served by a separate
process) are crawled in one round, three times in the same run, each into fresh homes
and a fresh Redis (Debian's ``redis-server`` on 127.0.0.1, nothing saved to disk):

1. lone     one crawl without Redis (today's crawl: the reference of cost)
2. one      one worker with the shared frontier (what Redis costs a worker)
3. two      two workers started together, sharing it (what coordination costs)
4. two-1x   the same with one extraction process per worker instead of two, so the
            crawl has as many processes as "one" (on 2 cores, "two" also measures
            running 6 busy processes instead of 3)

Each run: wall time, CPU of the crawl processes and their extraction processes (plus
Redis's own CPU, from ``INFO cpu``), articles/s, CPU per article, duplicate fetches
(article captures in the workers' WARC files beyond one per article), the workers'
Redis round trips per article (from their reports) and Redis memory per article
(``INFO memory`` after the round against an empty server; ``MEMORY USAGE`` of one key).
On this machine two workers share its cores, so the figures are the cost of
coordination, not a speed-up: two machines would each bring their own cores.

    python benchmarks/bench_scale_redis.py [--outlets 200] [--articles 20] [--delay 0.5]
    python benchmarks/bench_scale_redis.py --smoke   # 4 outlets, 3 articles: seconds

A measurement, not a test: it never fails on a missed goal.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

import bench_crawl  # noqa: E402  (measure: wall, CPU of the tree, peak RSS)
import bench_scale  # noqa: E402  (the outlets' server and registry)

OUT = REPO / "benchmarks" / "out" / "scale-redis"
PY = sys.executable


def phase_workers(spec_file: str) -> None:
    """Start every worker of a run at once and wait for all (measured as one tree)."""
    spec = json.loads(Path(spec_file).read_text())
    procs = []
    for worker, home in spec["workers"]:
        cmd = [PY, "-m", "crawler.crawl", "--sources", spec["registry"], "--all"]
        cmd += ["--home", home, "--json"]
        if spec["redis"]:
            cmd += ["--redis", spec["redis"], "--worker", worker]
        for name, value in spec["settings"].items():
            cmd += ["-s", f"{name}={value}"]
        log = open(Path(home).with_suffix(".log"), "w")  # noqa: SIM115  (closed below)
        procs.append((subprocess.Popen(cmd, cwd=REPO, stdout=log, stderr=log), log))
    codes = []
    for proc, log in procs:
        codes.append(proc.wait())
        log.close()
    print(json.dumps({"returncodes": codes}))


def article_captures(homes: list[Path]) -> Counter:
    """Article URL -> how many responses (or revisits) of it the WARC files hold."""
    from warcio.archiveiterator import ArchiveIterator

    found: Counter = Counter()
    for home in homes:
        for path in sorted((home / "warc").glob("*.warc.gz")):
            with path.open("rb") as fh:
                for record in ArchiveIterator(fh):
                    if record.rec_type not in ("response", "revisit"):
                        continue
                    url = record.rec_headers.get_header("WARC-Target-URI") or ""
                    if "/feeds/" in url or url.endswith(("/robots.txt", "/sitemap.xml")):
                        continue
                    found[url] += 1
    return found


def run(name: str, workers: int, redis, registry: Path, settings: dict) -> dict:
    run_dir = OUT / name
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    homes = [run_dir / f"w{i}" for i in range(1, workers + 1)]
    for home in homes:
        home.mkdir()
    client = redis.client() if redis else None
    if client is not None:
        client.flushall()
        client.config_resetstat()
        memory_before = client.info("memory")["used_memory"]
        cpu = client.info("cpu")
        redis_cpu_before = cpu["used_cpu_user"] + cpu["used_cpu_sys"]
    spec = run_dir / "spec.json"
    spec.write_text(
        json.dumps(
            {
                "workers": [[h.name, str(h)] for h in homes],
                "registry": str(registry),
                "redis": redis.url if redis else None,
                "settings": settings,
            }
        )
    )
    r = bench_crawl.measure(name, [PY, __file__, "--phase", "workers", "--arg", str(spec)])
    r["workers"] = workers
    r["articles"] = sum(bench_crawl.count_new(h) for h in homes)
    r["returncodes"] = bench_crawl._last_json(r["log"]).get("returncodes")
    captures = article_captures(homes)
    r["article_fetches"] = sum(captures.values())
    r["duplicate_fetches"] = sum(n - 1 for n in captures.values())
    reports = [json.loads((h / "reports" / "last-crawl.json").read_text()) for h in homes]
    r["failed_sources"] = sum(
        1 for rep in reports for s in rep["sources"] if s["errors"] or s["dead_feeds"]
    )
    r["redis_cpu_s"] = 0.0
    if client is not None:
        cpu = client.info("cpu")
        r["redis_cpu_s"] = cpu["used_cpu_user"] + cpu["used_cpu_sys"] - redis_cpu_before
        r["redis_round_trips"] = sum(rep["shared"]["redis_round_trips"] for rep in reports)
        r["redis_commands"] = client.info("stats")["total_commands_processed"]
        r["redis_keys"] = client.dbsize()
        r["redis_bytes"] = client.info("memory")["used_memory"] - memory_before
        key = next(client.scan_iter(match="*:url:*", count=1000), None)
        r["redis_key_bytes"] = client.memory_usage(key) if key else 0
        client.close()
    return r


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--outlets", type=int, default=200)
    parser.add_argument("--articles", type=int, default=20, help="new articles per outlet")
    parser.add_argument("--delay", type=float, default=0.5, help="DOWNLOAD_DELAY per host")
    parser.add_argument("--latency", type=float, default=0.05, help="server answer delay, s")
    parser.add_argument("--concurrency", type=int, default=100, help="CONCURRENT_REQUESTS")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--arg", help=argparse.SUPPRESS)
    parser.add_argument("--smoke", action="store_true", help="4 outlets, 3 articles (seconds)")
    args = parser.parse_args()
    global OUT
    if args.phase == "workers":
        return phase_workers(args.arg)
    if args.smoke:  # proves the benchmark runs; its figures mean nothing and are not kept
        import tempfile

        OUT = Path(tempfile.mkdtemp(prefix="bench-scale-redis-smoke-"))
        args.outlets, args.articles, args.delay, args.latency = 4, 3, 0.0, 0.0
    bench_crawl.OUT = OUT
    OUT.mkdir(parents=True, exist_ok=True)
    from tests.redis_server import RedisServer

    port = bench_scale.free_port()
    hosts = [(f"o{i:04d}", bench_scale.outlet_host(i)) for i in range(args.outlets)]
    spec = OUT / "server.json"
    spec.write_text(
        json.dumps(
            {
                "port": port,
                "latency": args.latency,
                "articles": args.articles,
                "hosts": [h for _, h in hosts],
                "single": 0,
            }
        )
    )
    server = subprocess.Popen(
        [PY, bench_scale.__file__, "--phase", "serve", "--arg", str(spec)],
        cwd=REPO,
        stdout=subprocess.PIPE,
    )
    server.stdout.readline()
    registry = OUT / "sources.toml"
    bench_scale.write_registry(registry, hosts, port, sitemap=False)
    settings = {
        "DOWNLOAD_DELAY": str(args.delay),
        "AUTOTHROTTLE_ENABLED": "0",
        "CONCURRENT_REQUESTS": str(args.concurrency),
        "CONCURRENT_REQUESTS_PER_DOMAIN": "2",
        "REVISIT_ENABLED": "0",
        "LOG_LEVEL": "WARNING",
    }
    print(
        f"{args.outlets} outlets x {args.articles} new articles, delay {args.delay}s per "
        f"host, latency {args.latency}s",
        flush=True,
    )
    results = {}
    try:
        with RedisServer(OUT / "redis") as redis:
            results["lone"] = run("lone", 1, None, registry, settings)
            results["one"] = run("one", 1, redis, registry, settings)
            results["two"] = run("two", 2, redis, registry, settings)
            # the same two workers with one extraction process each: as many processes
            # as one worker has, so the machine is no more oversubscribed than for "one"
            half = {**settings, "EXTRACT_WORKERS": "1"}
            results["two-1x"] = run("two-1x", 2, redis, registry, half)
    finally:
        server.terminate()
        server.wait()
    report(results, args)


def report(results: dict[str, dict], args) -> None:
    for r in results.values():
        articles = max(r["articles"], 1)
        r["articles_per_s"] = r["articles"] / r["wall_s"] if r["wall_s"] else 0.0
        r["cpu_per_article_ms"] = 1000 * (r["cpu_s"] + r["redis_cpu_s"]) / articles
        r["round_trips_per_article"] = r.get("redis_round_trips", 0) / articles
        r["redis_bytes_per_article"] = r.get("redis_bytes", 0) / articles
        r["redis_keys_per_article"] = r.get("redis_keys", 0) / articles
    print(
        f"\n{'run':<6} {'workers':>7} {'articles':>8} {'wall s':>7} {'art/s':>6} "
        f"{'CPU ms/art':>10} {'dup fetch':>9} {'RTT/art':>7} {'Redis B/art':>11} "
        f"{'RSS MB':>6} {'failed':>6}"
    )
    for r in results.values():
        print(
            f"{r['name']:<6} {r['workers']:>7} {r['articles']:>8} {r['wall_s']:>7.1f} "
            f"{r['articles_per_s']:>6.1f} {r['cpu_per_article_ms']:>10.2f} "
            f"{r['duplicate_fetches']:>9} {r['round_trips_per_article']:>7.2f} "
            f"{r['redis_bytes_per_article']:>11.0f} {r['peak_rss_mb']:>6.0f} "
            f"{r['failed_sources']:>6}"
        )
    lone, one, two, half = (results[k] for k in ("lone", "one", "two", "two-1x"))
    ratios = {
        "throughput_two_vs_one": two["articles_per_s"] / max(one["articles_per_s"], 1e-9),
        "cpu_per_article_two_vs_one": two["cpu_per_article_ms"]
        / max(one["cpu_per_article_ms"], 1e-9),
        "cpu_per_article_one_vs_lone": one["cpu_per_article_ms"]
        / max(lone["cpu_per_article_ms"], 1e-9),
        "throughput_two_1x_vs_one": half["articles_per_s"] / max(one["articles_per_s"], 1e-9),
        "cpu_per_article_two_1x_vs_one": half["cpu_per_article_ms"]
        / max(one["cpu_per_article_ms"], 1e-9),
        "duplicate_fetches_two": two["duplicate_fetches"] + half["duplicate_fetches"],
        "round_trips_per_article_two": two["round_trips_per_article"],
        "redis_bytes_per_article_two": two["redis_bytes_per_article"],
        "redis_key_bytes": two.get("redis_key_bytes", 0),
        "redis_keys_per_article_two": two["redis_keys_per_article"],
    }
    print(f"\narticles/s two workers / one = {ratios['throughput_two_vs_one']:.2f}  (goal >= 0.90)")
    print(
        f"CPU/article two workers / one = {ratios['cpu_per_article_two_vs_one']:.2f}  "
        f"(goal <= 1.10); one worker / lone crawl = {ratios['cpu_per_article_one_vs_lone']:.2f}"
    )
    print(
        f"with one extraction process per worker (two-1x): articles/s "
        f"{ratios['throughput_two_1x_vs_one']:.2f}, CPU/article "
        f"{ratios['cpu_per_article_two_1x_vs_one']:.2f} of one worker's"
    )
    print(f"duplicate fetches with two workers: {ratios['duplicate_fetches_two']}  (goal 0)")
    print(
        f"Redis: {ratios['round_trips_per_article_two']:.2f} round trips and "
        f"{ratios['redis_bytes_per_article_two']:.0f} bytes per article "
        f"(used_memory; {ratios['redis_keys_per_article_two']:.2f} keys per article, "
        f"one claim key {ratios['redis_key_bytes']} bytes by MEMORY USAGE)"
    )
    (OUT / "results.json").write_text(
        json.dumps({"args": vars(args), "runs": results, "ratios": ratios}, indent=2)
    )
    print(f"written: {OUT / 'results.json'}")


if __name__ == "__main__":
    main()
