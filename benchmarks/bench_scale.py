"""Scale benchmark: one concurrent round of many outlets against today's sequential one.

N simulated outlets (default 1,000), each on a loopback address of its own in
127.0.0.0/8 (so Scrapy's per-host politeness applies to each), each with a feed of 20
new articles, are served by one separate asyncio process (its CPU is not the
crawler's; every answer is held ``--latency`` seconds, like a real server's). Then, in
the same run, all through ``scheduler.Scheduler.run_once`` as `newsarchive schedule
--once` runs it (indexing left out of both: the round is polling, fetching, extracting
and archiving):

1. sequential  today's scheduler: one crawl process per source (``max_batch = 1``), on a
               sample of the outlets (``--sample``), its time extrapolated to all N
2. concurrent  the new scheduler: every due source in one crawl (``max_batch = N``)
3. single      one outlet with ``--single-articles`` articles, one crawl (the baseline
               of CPU per article: a crawl of one source, no many-host overhead)

Politeness is the crawl's own (``--delay`` between requests to one host, 2 at a time
per host); the crawl as a whole may keep ``--concurrency`` requests in flight. The
single-source crawl runs without a delay (it would take hours otherwise; its CPU per
article does not depend on it). For each run: wall time, CPU (the scheduler, its crawl
and the extraction processes), CPU per article, peak RSS of the process tree. Ratios
against the goals of issue 18 are printed and written to
benchmarks/out/scale/results.json.

    python benchmarks/bench_scale.py [--outlets 1000] [--sample 10] [--delay 0.5]
    python benchmarks/bench_scale.py --smoke   # 6 outlets, 3 articles each: seconds

A measurement, not a test: it never fails on a missed goal.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

import bench_crawl  # noqa: E402  (measure, tree_rss, count_new: one place for them)

OUT = REPO / "benchmarks" / "out" / "scale"
PY = sys.executable
SINGLE_HOST = "127.0.0.250"  # outside the outlets' 127.1.x.y addresses


def outlet_host(i: int) -> str:
    """Outlet ``i``'s own loopback address: 127.1.0.1, 127.1.0.2, ... (250 per /24)."""
    return f"127.1.{i // 250}.{i % 250 + 1}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- the server process
def phase_serve(spec_file: str) -> None:
    """Serve every outlet (and the single source) from one asyncio loop: one listening
    socket per host, HTTP/1.1 keep-alive, each answer held ``latency`` seconds."""
    from crawler.crawl import raise_open_files_limit
    from tests.site import NewsSite

    spec = json.loads(Path(spec_file).read_text())
    raise_open_files_limit()
    port, latency = spec["port"], spec["latency"]
    sites: dict[str, NewsSite] = {}
    for i, host in enumerate(spec["hosts"]):
        sites[host] = NewsSite(
            n_articles=spec["articles"], feed_size=spec["articles"], seed=i, host=host
        )
    if spec.get("single"):
        n = spec["single"]
        sites[SINGLE_HOST] = NewsSite(n_articles=n, feed_size=20, seed=99, host=SINGLE_HOST)
    for site in sites.values():
        site.port = port  # its URLs name the port it is served on

    async def handle(reader, writer, site) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1]
                headers = {}
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    if name:
                        headers[name.strip().lower()] = value.strip()
                status, extra, body = site.respond(path, headers)
                if latency:
                    await asyncio.sleep(latency)
                out = [f"HTTP/1.1 {status} X", f"Content-Length: {len(body)}"]
                out += [f"{k}: {v}" for k, v in extra.items()]
                writer.write(("\r\n".join(out) + "\r\n\r\n").encode("latin-1") + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, IndexError):
            pass
        finally:
            writer.close()

    async def serve() -> None:
        servers = []
        for host, site in sites.items():
            servers.append(
                await asyncio.start_server(
                    lambda r, w, site=site: handle(r, w, site), host, port, backlog=64
                )
            )
        print("serving", flush=True)
        await asyncio.Event().wait()

    asyncio.run(serve())


# ---------------------------------------------------------------- one scheduler round
def phase_round(spec_file: str) -> None:
    """``Scheduler.run_once`` over the given sources, indexing left out."""
    from crawler.sources import load_sources, select_sources
    from newsarchive.config import Config
    from scheduler.config import ScheduleConfig
    from scheduler.scheduler import Scheduler

    spec = json.loads(Path(spec_file).read_text())
    sources = select_sources(load_sources(spec["registry"]), spec["sources"])
    config = ScheduleConfig(
        max_batch=spec["max_batch"], jitter=0, crawl_settings=spec["settings"], keep_runs=2000
    )
    scheduler = Scheduler(
        Config(home=Path(spec["home"])),
        config,
        sources,
        sources_file=spec["registry"],
        log=lambda line: None,
        index=lambda settings: {"skipped": "benchmark: indexing is not part of a round"},
    )
    reports = scheduler.run_once()
    failed = [r["source"] for r in reports if r["status"] != "ok"]
    print(json.dumps({"runs": len(reports), "failed": failed}))


def write_registry(path: Path, hosts: list[tuple[str, str]], port: int, sitemap: bool) -> None:
    blocks = ["version = 1"]
    for sid, host in hosts:
        base = f"http://{host}:{port}"
        blocks += [
            "[[source]]",
            f'id = "{sid}"',
            f'name = "Outlet {sid}"',
            f'homepage = "{base}/"',
            f'domains = ["{host}"]',
            f'feeds = ["{base}/feeds/rss.xml"]',
            f'sitemaps = ["{base}/sitemap.xml"]' if sitemap else "sitemaps = []",
        ]
    path.write_text("\n".join(blocks) + "\n")


def run_round(name: str, registry: Path, ids: list[str], max_batch: int, settings: dict) -> dict:
    home = OUT / f"home-{name}"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    spec = home.parent / f"{name}.json"
    spec.write_text(
        json.dumps(
            {
                "home": str(home),
                "registry": str(registry),
                "sources": ids,
                "max_batch": max_batch,
                "settings": settings,
            }
        )
    )
    env = {**os.environ, "NEWSARCHIVE_HOME": str(home)}
    env.pop("NEWSARCHIVE_SCHEDULE", None)
    r = bench_crawl.measure(name, [PY, __file__, "--phase", "round", "--arg", str(spec)], env=env)
    r["articles"] = bench_crawl.count_new(home)
    r["sources"] = len(ids)
    outcome = bench_crawl._last_json(r["log"])
    r["failed_sources"] = outcome.get("failed", ["(no outcome: see the log)"])
    return r


# ---------------------------------------------------------------- main
def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--outlets", type=int, default=1000)
    parser.add_argument("--articles", type=int, default=20, help="new articles per outlet")
    parser.add_argument("--sample", type=int, default=10, help="outlets crawled sequentially")
    parser.add_argument("--single-articles", type=int, default=5000)
    parser.add_argument("--delay", type=float, default=0.5, help="DOWNLOAD_DELAY per host")
    parser.add_argument("--latency", type=float, default=0.05, help="server answer delay, s")
    parser.add_argument("--concurrency", type=int, default=100, help="CONCURRENT_REQUESTS")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--arg", help=argparse.SUPPRESS)
    parser.add_argument("--smoke", action="store_true", help="6 outlets, 3 articles (seconds)")
    args = parser.parse_args()
    global OUT
    if args.phase == "serve":
        return phase_serve(args.arg)
    if args.phase == "round":
        return phase_round(args.arg)
    if args.smoke:  # proves the benchmark runs; its figures mean nothing and are not kept
        import tempfile

        OUT = Path(tempfile.mkdtemp(prefix="bench-scale-smoke-"))
        args.outlets, args.articles, args.sample, args.single_articles = 6, 3, 2, 20
        args.delay, args.latency = 0.0, 0.0
    bench_crawl.OUT = OUT  # where measure() writes each run's log
    OUT.mkdir(parents=True, exist_ok=True)
    port = free_port()
    hosts = [(f"o{i:04d}", outlet_host(i)) for i in range(args.outlets)]
    spec = OUT / "server.json"
    spec.write_text(
        json.dumps(
            {
                "port": port,
                "latency": args.latency,
                "articles": args.articles,
                "hosts": [h for _, h in hosts],
                "single": args.single_articles,
            }
        )
    )
    server = subprocess.Popen(
        [PY, __file__, "--phase", "serve", "--arg", str(spec)], cwd=REPO, stdout=subprocess.PIPE
    )
    server.stdout.readline()
    registry = OUT / "sources.toml"
    write_registry(registry, hosts, port, sitemap=False)
    single_registry = OUT / "single.toml"
    write_registry(single_registry, [("single", SINGLE_HOST)], port, sitemap=True)
    polite = {
        "DOWNLOAD_DELAY": str(args.delay),
        "AUTOTHROTTLE_ENABLED": "0",  # its adaptive delays would make runs incomparable
        "CONCURRENT_REQUESTS": str(args.concurrency),
        "CONCURRENT_REQUESTS_PER_DOMAIN": "2",
        "LOG_LEVEL": "WARNING",
    }
    ids = [sid for sid, _ in hosts]
    results: dict[str, dict] = {}
    print(
        f"{args.outlets} outlets x {args.articles} new articles, delay {args.delay}s per host, "
        f"latency {args.latency}s; sequential on {args.sample}, extrapolated",
        flush=True,
    )
    try:
        sample = ids[: args.sample]
        results["sequential"] = run_round("sequential", registry, sample, 1, polite)
        results["concurrent"] = run_round("concurrent", registry, ids, len(ids), polite)
        fast = {**polite, "DOWNLOAD_DELAY": "0", "CONCURRENT_REQUESTS_PER_DOMAIN": "16"}
        results["single"] = run_round("single", single_registry, ["single"], 1, fast)
    finally:
        server.terminate()
        server.wait()
    report(results, args)


def report(results: dict[str, dict], args) -> None:
    for r in results.values():
        r["cpu_per_article_ms"] = 1000 * r["cpu_s"] / max(r["articles"], 1)
        r["articles_per_s"] = r["articles"] / r["wall_s"] if r["wall_s"] else 0.0
    seq, conc, single = results["sequential"], results["concurrent"], results["single"]
    seq["round_s_extrapolated"] = seq["wall_s"] / max(seq["sources"], 1) * args.outlets
    print(
        f"\n{'run':<11} {'sources':>7} {'articles':>8} {'wall s':>8} {'art/s':>7} "
        f"{'CPU ms/art':>10} {'peak RSS MB':>11} {'failed':>6}"
    )
    for r in results.values():
        print(
            f"{r['name']:<11} {r['sources']:>7} {r['articles']:>8} {r['wall_s']:>8.1f} "
            f"{r['articles_per_s']:>7.1f} {r['cpu_per_article_ms']:>10.2f} "
            f"{r['peak_rss_mb']:>11.0f} {len(r['failed_sources']):>6}"
        )
    ratios = {
        "round_speedup": seq["round_s_extrapolated"] / max(conc["wall_s"], 1e-9),
        "cpu_per_article_vs_single": conc["cpu_per_article_ms"]
        / max(single["cpu_per_article_ms"], 1e-9),
        "peak_rss_mb": conc["peak_rss_mb"],
    }
    print(
        f"\none round of {args.outlets}: sequential {seq['round_s_extrapolated']:.0f} s "
        f"(extrapolated from {seq['sources']}), concurrent {conc['wall_s']:.0f} s: "
        f"{ratios['round_speedup']:.1f}x faster  (goal >= 20x)"
    )
    print(
        f"CPU/article concurrent / single-source = "
        f"{ratios['cpu_per_article_vs_single']:.2f}  (goal <= 1.15)"
    )
    print(f"peak RSS of the concurrent round {ratios['peak_rss_mb']:.0f} MB  (goal < 600 MB)")
    (OUT / "results.json").write_text(
        json.dumps({"args": vars(args), "runs": results, "ratios": ratios}, indent=2)
    )
    print(f"written: {OUT / 'results.json'}")


if __name__ == "__main__":
    main()
