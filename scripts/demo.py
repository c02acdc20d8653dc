"""`make demo`: the whole pipeline on the bundled sample site, as a user would run it.

Serves the synthetic news site of the test suite on 127.0.0.1 (nothing leaves this
machine), points a one-outlet registry at it, then runs the real commands: start the
local Elasticsearch, crawl, index, search with snippets, counts by author, a timeline and
the stats.
Everything lands in $NEWSARCHIVE_HOME (default ./data); rerunning is incremental: the
sample site is served again on the port and with the clock of the first run (kept in
``demo-site.json``), so its articles have the same URLs and pages and a rerun finds
them already archived instead of archiving every story again.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from datetime import datetime
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


def demo_site(home: Path) -> NewsSite:
    """The sample site, started as on the first demo run in ``home`` (same port, same
    clock: the same URLs and pages), or on a free port when this is the first run."""
    state_file = home / "demo-site.json"
    state = json.loads(state_file.read_text()) if state_file.exists() else {}
    now = datetime.fromisoformat(state["now"]) if "now" in state else None
    site = NewsSite(n_articles=40, now=now)
    try:
        site.start(port=int(state.get("port", 0)))
    except OSError as exc:
        sys.exit(
            f"demo: cannot serve the sample site on port {state['port']} again ({exc.strerror}):"
            f" free the port, or delete {state_file} to start over (the articles archived"
            " so far keep their old URLs)"
        )
    state_file.write_text(json.dumps({"port": site.port, "now": site.now.isoformat()}) + "\n")
    return site


def main() -> None:
    home = Path(os.environ.get("NEWSARCHIVE_HOME", REPO / "data")).resolve()
    home.mkdir(parents=True, exist_ok=True)
    os.environ["NEWSARCHIVE_HOME"] = str(home)
    run("es", "start")
    site = demo_site(home)
    try:
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
        )
    finally:
        site.stop()
    run("index")
    run("search", "immigration", "--limit", "5")
    run("search", '"border agents"', "--from", "30d", "--sort", "newest", "--limit", "3")
    run("count", "immigration", "--by", "author", "--top", "5")
    run("timeline", "", "--interval", "day")
    run("stats")
    print(f"\nDone. The archive is in {home}; try `.venv/bin/newsarchive search --help`.")


if __name__ == "__main__":
    main()
