"""Replay benchmark: pywb's time to first byte for a capture, and the size of a WACZ.

Same run, same archive: the synthetic site (``--articles`` articles, padded like real
news pages) is crawled into a fresh NEWSARCHIVE_HOME. Then, for every article capture
and ``--rounds`` rounds, a new loopback connection asks

- the baseline: a trivial loopback HTTP server that reads the capture's WARC record
  (its gzip member, by offset and length) and sends those bytes;
- pywb (`newsarchive replay`'s server) for the capture as archived (``id_``) and as the
  replay frame shows it, rewritten (``mp_``);

and the time to the first byte of the answer is measured. Reports the medians and
their ratios to the baseline, and the size of the WACZ of all the articles (per article
and against the WARC files of the crawl). A measurement, not a test.

    python benchmarks/bench_replay.py [--articles 100] [--rounds 5] [--smoke]

Results go to benchmarks/out/replay.json (``--smoke``: replay-smoke.json).
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from crawler.archive.replay import ReplayServer, timestamp14  # noqa: E402
from crawler.archive.wacz import verify_wacz, write_wacz  # noqa: E402
from tests.crawl.conftest import Crawler, registry_text  # noqa: E402
from tests.site import NewsSite  # noqa: E402

OUT = REPO / "benchmarks" / "out" / "replay.json"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ttfb(port: int, path: str) -> float:
    """Seconds from sending a GET on a new connection to the first byte of the answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
        started = time.perf_counter()
        sock.sendall(request.encode())
        first = sock.recv(1)
        elapsed = time.perf_counter() - started
        if not first:
            raise RuntimeError(f"no answer for {path}")
        while sock.recv(1 << 16):  # read it all, as a browser would
            pass
    return elapsed


def record_server(warc_dir: Path, captures: list[dict]) -> ThreadingHTTPServer:
    """The baseline: GET /<n> answers the bytes of capture n's WARC record."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            ptr = captures[int(self.path.strip("/"))]["capture"]
            with open(warc_dir / ptr["warc_file"], "rb") as fh:
                fh.seek(ptr["offset"])
                data = fh.read(ptr["length"])
            self.send_response(200)
            self.send_header("Content-Type", "application/warc")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def crawl(home: Path, articles: int) -> list[dict]:
    with NewsSite(n_articles=articles, feed_size=articles, per_page=50, heavy=True) as site:
        registry = home.with_name("sources.toml")
        registry.write_text(registry_text(site))
        done = Crawler(home, registry).run(timeout=900)
        if done.returncode != 0:
            raise SystemExit(f"the crawl failed:\n{done.stderr[-2000:]}")
        records = Crawler(home, registry).records()
    return [r for r in records if r["event"] in ("new", "changed")]


def requisite_costs(tmp: Path, articles: int) -> dict:
    """Requests and bytes per article of one crawl of an outlet whose pages need a
    stylesheet, a script, an icon and two images each (three shared by every page),
    without and with page requisites, from the crawl reports and the WARC files."""
    from tests.requisite_site import RequisiteSite

    out: dict[str, dict] = {}
    with RequisiteSite(n_articles=articles, big=False) as site:
        for name, settings in (("without", {}), ("with", {"PAGE_REQUISITES": "1"})):
            home = tmp / f"requisites-{name}"
            home.mkdir()
            registry = tmp / f"requisites-{name}.toml"
            registry.write_text(site.registry())
            done = Crawler(home, registry).run(timeout=900, **settings)
            if done.returncode != 0:
                raise SystemExit(f"the requisite crawl failed:\n{done.stderr[-2000:]}")
            row = done.source
            warc = sum(p.stat().st_size for p in (home / "warc").glob("*.warc.gz"))
            out[name] = {
                "requests_per_article": round(row["pages_fetched"] / articles, 2),
                "bytes_fetched_per_article": round(row["bytes_fetched"] / articles),
                "warc_bytes_per_article": round(warc / articles),
            }
    out["ratio_with_to_without"] = {
        k: round(out["with"][k] / out["without"][k], 2) for k in out["without"]
    }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--smoke", action="store_true", help="a few seconds: 5 articles, 2 rounds")
    args = parser.parse_args()
    if args.smoke:
        args.articles, args.rounds = 5, 2
    with tempfile.TemporaryDirectory(prefix="bench-replay-") as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        captures = crawl(home, args.articles)
        warc_dir = home / "warc"
        baseline = record_server(warc_dir, captures)
        replay = ReplayServer(home, free_port(), log=False)
        replay.start(notify=lambda _: None)
        try:
            paths = {
                "baseline": [(baseline.server_address[1], f"/{n}") for n in range(len(captures))],
                **{
                    mode: [
                        (replay.port, f"/archive/{timestamp14(c['fetched_at'])}{mode}/{c['url']}")
                        for c in captures
                    ]  # fmt: skip
                    for mode in ("id_", "mp_")
                },
            }
            for port, path in [p for series in paths.values() for p in series[:3]]:
                ttfb(port, path)  # warm-up: imports, caches, first index reads
            times = {name: [] for name in paths}
            for _ in range(args.rounds):  # interleaved, so load drifts touch all alike
                for n in range(len(captures)):
                    for name, series in paths.items():
                        times[name].append(ttfb(*series[n]))
        finally:
            replay.stop()
            baseline.shutdown()
        wacz = Path(tmp) / "articles.wacz"
        summary = write_wacz(wacz, warc_dir, captures, title="benchmark",
                             metadata={"search": {"query": "*"}})  # fmt: skip
        problems = verify_wacz(wacz)
        warc_bytes = sum(p.stat().st_size for p in warc_dir.glob("*.warc.gz"))
        requisites = requisite_costs(Path(tmp), args.articles)
    medians = {name: statistics.median(values) * 1000 for name, values in times.items()}
    result = {
        "articles": len(captures),
        "requests_per_series": len(times["baseline"]),
        "ttfb_ms_median": {k: round(v, 3) for k, v in medians.items()},
        "ttfb_ratio_to_baseline": {
            k: round(v / medians["baseline"], 2) for k, v in medians.items() if k != "baseline"
        },
        "wacz_bytes": summary["bytes"],
        "wacz_bytes_per_article": round(summary["bytes"] / len(captures)),
        "wacz_ratio_to_crawl_warcs": round(summary["bytes"] / warc_bytes, 3),
        "crawl_warc_bytes": warc_bytes,
        "wacz_valid": problems == [],
        "page_requisites": requisites,
    }
    out = OUT.with_name("replay-smoke.json") if args.smoke else OUT
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    if problems:
        raise SystemExit(f"the WACZ is not valid: {problems}")


if __name__ == "__main__":
    main()
