"""`make demo`: the whole pipeline on the bundled sample site, as a user would run it.

Serves the synthetic news site of the test suite on 127.0.0.1 (nothing leaves this
machine), points a one-outlet registry at it, then runs the real commands: start the
local Elasticsearch, crawl, index, search with snippets, counts by author, a timeline and
the stats.
Everything lands in $NEWSARCHIVE_HOME (default ./data); rerunning is incremental.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.site import NewsSite  # noqa: E402  (the bundled sample site)

CLI = str(Path(sys.executable).with_name("newsarchive"))


def run(*args: str) -> None:
    print(f"\n$ newsarchive {shlex.join(args)}", flush=True)
    result = subprocess.run([CLI, *args], cwd=REPO)
    if result.returncode != 0:
        sys.exit(f"demo: `newsarchive {shlex.join(args)}` failed (exit {result.returncode})")


def registry(site: NewsSite) -> str:
    return f"""version = 1

[[source]]
id = "ledger"
name = "The Loopback Ledger"
homepage = "{site.url("/")}"
domains = ["127.0.0.1"]
feeds = ["{site.url("/feeds/rss.xml")}", "{site.url("/feeds/atom.xml")}"]
sitemaps = ["{site.url("/sitemap.xml")}"]
sections = ["{site.url("/section/politics/")}"]

[source.tags]
country = "us"
lean = "center"
collection = "demo"
"""


def main() -> None:
    home = Path(os.environ.get("NEWSARCHIVE_HOME", REPO / "data")).resolve()
    home.mkdir(parents=True, exist_ok=True)
    os.environ["NEWSARCHIVE_HOME"] = str(home)
    run("es", "start")
    with NewsSite(n_articles=40) as site:
        sources = home / "demo-sources.toml"
        sources.write_text(registry(site))
        print(f"\nSample site: {site.url('/')} (registry: {sources})")
        run(
            "crawl",
            "--sources",
            str(sources),
            "--source",
            "ledger",
            # A loopback site needs no politeness delays; real crawls keep them.
            "-s",
            "AUTOTHROTTLE_ENABLED=0",
            "-s",
            "DOWNLOAD_DELAY=0",
            "-s",
            "LOG_LEVEL=WARNING",
        )
    run("index")
    run("search", "immigration", "--limit", "5")
    run("search", '"border agents"', "--from", "30d", "--sort", "newest", "--limit", "3")
    run("count", "immigration", "--by", "author", "--top", "5")
    run("timeline", "", "--interval", "day")
    run("stats")
    print(f"\nDone. The archive is in {home}; try `.venv/bin/newsarchive search --help`.")


if __name__ == "__main__":
    main()
