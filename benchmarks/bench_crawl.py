"""Crawl benchmark: our full crawl against its own parts and against news-please.

A loopback site of N articles (default 5,000; pages padded to the size of real news
pages) is rendered to files and served by a separate light process, so the CPU of each
crawler can be measured apart from the server's. In the same run:

1. bare     a Scrapy SitemapSpider that only fetches the same pages
2. extract  our extractor alone (``extract()``) over the same pages, in one process
3. ours     `newsarchive crawl` end to end (fetch + classify + extract + WARC + JSONL)
4. ours-1p  the same crawl with extraction on the reactor thread (EXTRACT_WORKERS=0)
5. news-please 1.6.16 in its own venv, crawling the same sitemap (skip: --no-newsplease)

For each: articles/s (wall), crawler CPU s/article (the process and all its children),
peak RSS (the whole process tree, sampled). Ratios against the goals are printed at the
end and everything is written to benchmarks/out/crawl/results.json.

    python benchmarks/bench_crawl.py [--articles 5000] [--no-newsplease] [--only ours,bare]
    python benchmarks/bench_crawl.py --smoke   # 20 articles, no peers, a scratch folder: seconds

A measurement, not a test: it never fails on a missed goal.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
OUT = REPO / "benchmarks" / "out" / "crawl"
PY = sys.executable
NEWSPLEASE_VERSION = "1.6.16"


# ---------------------------------------------------------------- measuring helpers
def site_port() -> int:
    """Port 80 when we may bind it (news-please cannot crawl a host:port: its
    allowed_domains keeps the port and Scrapy's offsite filter then drops every
    request), else any free port (and news-please is skipped)."""
    for port in (80, 0):
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise RuntimeError("no free port on 127.0.0.1")


def tree_rss(root: int) -> int:
    """Resident memory (bytes) of ``root`` and all its descendants."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            parents[int(entry.name)] = int(stat[1])
            rss[int(entry.name)] = int(stat[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(p for p, parent in parents.items() if parent == pid)
    return total


def measure(
    name: str, cmd: list[str], *, env: dict | None = None, cwd: Path = REPO, done=None
) -> dict:
    """Run ``cmd`` to completion: wall time, CPU of it + its children, peak tree RSS.

    ``done()`` (optional) says when the work is finished for a program that does not
    exit by itself; it is then stopped with SIGINT (its own clean shutdown), by pid.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    log = OUT / f"{name}.log"
    started = time.monotonic()
    with log.open("w") as fh:
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=fh, stderr=subprocess.STDOUT)
        peak, finished_at, stop_sent = 0, None, 0.0
        while proc.poll() is None:
            peak = max(peak, tree_rss(proc.pid))
            time.sleep(0.2)
            if done is not None and finished_at is None and done():
                finished_at = time.monotonic()
                proc.send_signal(signal.SIGINT)
                stop_sent = finished_at
            elif stop_sent and time.monotonic() - stop_sent > 30:
                proc.kill()
                stop_sent = 0.0
    wall = (finished_at or time.monotonic()) - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        print(f"  {name} exited {proc.returncode}; see {log}", file=sys.stderr)
    return {
        "name": name,
        "wall_s": wall,
        "cpu_s": cpu,
        "peak_rss_mb": peak / 2**20,
        "returncode": proc.returncode,
        "log": str(log),
    }


# ---------------------------------------------------------------- the phases
def phase_bare(base: str) -> None:
    """Fetch every page listed in the sitemaps and do nothing with it."""
    from scrapy.crawler import CrawlerProcess
    from scrapy.spiders import SitemapSpider

    count = {"pages": 0}

    class Bare(SitemapSpider):
        name = "bare"
        sitemap_urls = [base + "/sitemap.xml"]

        def parse(self, response):
            count["pages"] += 1
            return None

    process = CrawlerProcess(_fast_settings())
    process.crawl(Bare)
    process.start()
    print(json.dumps({"pages": count["pages"]}))


def _fast_settings() -> dict:
    return {
        "LOG_LEVEL": "WARNING",
        "ROBOTSTXT_OBEY": False,
        "AUTOTHROTTLE_ENABLED": False,
        "DOWNLOAD_DELAY": 0,
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
        "TELNETCONSOLE_ENABLED": False,
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
    }


def phase_extract(root: str) -> None:
    """Our extractor alone (crawler.extract.extract) over every page."""
    from crawler.extract import extract

    n = 0
    for path in sorted(Path(root).glob("[0-9]*/**/index.html")):
        url = "http://127.0.0.1/" + str(path.parent.relative_to(root)) + "/"
        extract(path.read_bytes().decode("utf-8"), url)
        n += 1
    print(json.dumps({"pages": n}))


def write_registry(path: Path, base: str) -> None:
    path.write_text(
        "version = 1\n[[source]]\n"
        'id = "bench"\nname = "Bench Ledger"\n'
        f'homepage = "{base}/"\ndomains = ["127.0.0.1"]\n'
        f'feeds = ["{base}/feeds/rss.xml"]\nsitemaps = ["{base}/sitemap.xml"]\n'
    )


def crawl_cmd(registry: Path, workers: int) -> list[str]:
    cmd = [
        str(Path(PY).with_name("newsarchive")),
        "crawl",
        "--source",
        "bench",
        "--sources",
        str(registry),
        "--json",
    ]
    for k, v in {
        "AUTOTHROTTLE_ENABLED": "0",
        "DOWNLOAD_DELAY": "0",
        "CONCURRENT_REQUESTS": "16",
        "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
        "EXTRACT_WORKERS": str(workers),
        "LOG_LEVEL": "WARNING",
    }.items():
        cmd += ["-s", f"{k}={v}"]
    return cmd


def count_new(home: Path) -> int:
    path = home / "articles" / "articles.jsonl"
    if not path.exists():
        return 0
    return sum(1 for line in path.open() if '"event":"new"' in line)


# ---------------------------------------------------------------- news-please
def newsplease_python() -> Path | None:
    venv = OUT.parent / "np-venv"
    py = venv / "bin" / "python"
    if not py.exists():
        print(f"installing news-please {NEWSPLEASE_VERSION} into {venv} ...", flush=True)
        subprocess.run(
            [sys.executable, "-m", "venv", str(venv)],
            check=True,  # its base Python, not this venv
        )
        pip = subprocess.run(
            [str(py), "-m", "pip", "install", "-q", f"news-please=={NEWSPLEASE_VERSION}"],
            capture_output=True,
            text=True,
        )
        if pip.returncode != 0:
            print("  news-please install failed:\n" + pip.stderr[-2000:], file=sys.stderr)
            return None
    return py


def newsplease_config(py: Path, folder: Path, base: str) -> Path:
    """A news-please config dir: its own default config, pointed at the loopback site,
    JSON-file storage only, the same concurrency as our crawl, every sitemap page kept."""
    default = subprocess.run(
        [str(py), "-c", "import newsplease, os; print(os.path.dirname(newsplease.__file__))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    text = (Path(default) / "config" / "config.cfg").read_text()
    for key, value in {
        "working_path": str(folder),
        "url_input_file_name": "sitelist.hjson",
        "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
        "number_of_parallel_crawlers": "1",
    }.items():
        text = re.sub(rf"(?m)^{key}\s*=.*$", f"{key} = {value}", text)
    cfg = folder / "config"
    cfg.mkdir(parents=True, exist_ok=True)
    (cfg / "config.cfg").write_text(text)
    (cfg / "sitelist.hjson").write_text(
        json.dumps(
            {
                "base_urls": [
                    {
                        "url": base + "/",
                        "crawler": "SitemapCrawler",
                        # every page of the bench sitemap is an article: its default
                        # condition minus og_type (a third of the pages have no OpenGraph)
                        "pass_heuristics_condition": "linked_headlines and self_linked_headlines",
                    }
                ]
            }
        )
    )
    return cfg


def count_newsplease(log: Path) -> int:
    """Articles news-please extracted and stored (Scrapy's item count in its INFO log;
    its own file names collide for URLs ending in "/", so files undercount)."""
    found = re.findall(r"'item_scraped_count': (\d+)", log.read_text(errors="replace"))
    return int(found[-1]) if found else 0


# ---------------------------------------------------------------- main
def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--no-newsplease", action="store_true")
    parser.add_argument("--only", default="bare,extract,ours,ours-1p,news-please")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--arg", help=argparse.SUPPRESS)
    parser.add_argument("--smoke", action="store_true", help="20 articles, no peers (seconds)")
    args = parser.parse_args()
    global OUT
    if args.smoke:  # proves the benchmark runs; its figures mean nothing and are not kept
        import tempfile

        OUT = Path(tempfile.mkdtemp(prefix="bench-crawl-smoke-"))
        args.articles, args.only = 20, "bare,extract,ours"
    if args.phase == "bare":
        return phase_bare(args.arg)
    if args.phase == "extract":
        return phase_extract(args.arg)

    from tests.site import NewsSite

    only = set(args.only.split(","))
    if args.no_newsplease:
        only.discard("news-please")
    OUT.mkdir(parents=True, exist_ok=True)
    site_dir = OUT / "site"
    shutil.rmtree(site_dir, ignore_errors=True)
    port = site_port()
    base = "http://127.0.0.1" if port == 80 else f"http://127.0.0.1:{port}"
    if port != 80 and "news-please" in only:
        print("port 80 is not available: skipping news-please (it cannot crawl host:port)")
        only.discard("news-please")
    print(f"rendering {args.articles} articles to {site_dir} ...", flush=True)
    NewsSite(n_articles=args.articles, heavy=True, feed_size=50).write_static(site_dir, port)
    size = sum(p.stat().st_size for p in site_dir.rglob("index.html")) / args.articles
    server = subprocess.Popen(
        [PY, "-m", "tests.site.static", str(site_dir), str(port)], cwd=REPO, stdout=subprocess.PIPE
    )
    server.stdout.readline()
    results: dict[str, dict] = {}
    try:
        if "bare" in only:
            r = measure("bare", [PY, __file__, "--phase", "bare", "--arg", base])
            r["articles"] = _last_json(r["log"]).get("pages", 0)
            results["bare"] = r
        if "extract" in only:
            r = measure("extract", [PY, __file__, "--phase", "extract", "--arg", str(site_dir)])
            r["articles"] = _last_json(r["log"]).get("pages", 0)
            results["extract"] = r
        for name, workers in (("ours", 2), ("ours-1p", 0)):
            if name not in only:
                continue
            home = OUT / f"home-{name}"
            shutil.rmtree(home, ignore_errors=True)
            registry = OUT / "sources.toml"
            write_registry(registry, base)
            env = {**os.environ, "NEWSARCHIVE_HOME": str(home)}
            r = measure(name, crawl_cmd(registry, workers), env=env)
            r["articles"] = count_new(home)
            results[name] = r
        if "news-please" in only:
            py = newsplease_python()
            if py is not None:
                folder = OUT / "newsplease-run"
                shutil.rmtree(folder, ignore_errors=True)
                cfg = newsplease_config(py, folder, base)
                cmd = [str(py.with_name("news-please")), "-c", str(cfg), "-no-confirm"]
                log = OUT / "news-please.log"
                r = measure("news-please", cmd, done=_newsplease_done(log))
                r["articles"] = count_newsplease(log)
                results["news-please"] = r
    finally:
        server.terminate()
        server.wait()
    report(results, args.articles, size)


def _newsplease_done(log: Path):
    """news-please's launcher keeps running after its crawler finished: done when the
    crawler's Scrapy run logs that the spider closed."""
    state = {"checked": 0.0}

    def done() -> bool:
        now = time.monotonic()
        if now - state["checked"] < 1:
            return False
        state["checked"] = now
        return log.exists() and "Spider closed" in log.read_text(errors="replace")

    return done


def _last_json(log: str) -> dict:
    for line in reversed(Path(log).read_text().splitlines()):
        if line.startswith("{"):
            try:
                return json.loads(line)
            except ValueError:
                continue
    return {}


def report(results: dict[str, dict], n: int, page_size: float) -> None:
    rows = []
    for r in results.values():
        arts = max(r.get("articles", 0), 1)
        r["articles_per_s"] = r.get("articles", 0) / r["wall_s"] if r["wall_s"] else 0
        r["cpu_per_article_ms"] = 1000 * r["cpu_s"] / arts
        rows.append(r)
    print(f"\nsite: {n} articles, {page_size / 1024:.0f} KB per page on average, 2 cores")
    print(
        f"{'run':<12} {'articles':>8} {'wall s':>8} {'art/s':>8} {'CPU ms/art':>11} {'peak RSS MB':>12}"
    )
    for r in rows:
        print(
            f"{r['name']:<12} {r['articles']:>8} {r['wall_s']:>8.1f} {r['articles_per_s']:>8.1f} "
            f"{r['cpu_per_article_ms']:>11.2f} {r['peak_rss_mb']:>12.0f}"
        )
    goals = {}
    if {"bare", "extract", "ours"} <= results.keys():
        base = results["bare"]["cpu_per_article_ms"] + results["extract"]["cpu_per_article_ms"]
        goals["cpu_vs_parts"] = results["ours"]["cpu_per_article_ms"] / base
        print(
            f"ours CPU/article / (bare fetch + extractor) = {goals['cpu_vs_parts']:.2f}  (goal <= 1.25)"
        )
    if {"ours", "ours-1p"} <= results.keys():
        goals["speedup_vs_one_process"] = results["ours"]["articles_per_s"] / max(
            results["ours-1p"]["articles_per_s"], 1e-9
        )
        print(
            f"ours articles/s / one-process = {goals['speedup_vs_one_process']:.2f}  (goal >= 1.6)"
        )
    if {"ours", "news-please"} <= results.keys():
        goals["vs_newsplease"] = results["ours"]["articles_per_s"] / max(
            results["news-please"]["articles_per_s"], 1e-9
        )
        print(f"ours articles/s / news-please = {goals['vs_newsplease']:.2f}  (goal >= 5)")
    if "ours" in results:
        print(
            f"ours peak RSS {results['ours']['peak_rss_mb']:.0f} MB at {n} pages "
            "(goal < 400 MB at 20,000 pages; run with --articles 20000 to check)"
        )
    (OUT / "results.json").write_text(
        json.dumps(
            {"articles": n, "page_bytes": page_size, "runs": results, "ratios": goals}, indent=2
        )
    )
    print(f"written: {OUT / 'results.json'}")


if __name__ == "__main__":
    main()
