"""Crawl-test helpers: a fresh loopback news site, a registry pointing at it, and a
crawl run as a real subprocess (``newsarchive crawl``), exactly as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.site import NewsSite

REPO = Path(__file__).resolve().parents[2]
NEWSARCHIVE = Path(sys.executable).with_name("newsarchive")

# Fast but still real: no AutoThrottle or delays, small size cap, short Retry-After cap.
FAST = {
    "AUTOTHROTTLE_ENABLED": "0",
    "DOWNLOAD_DELAY": "0",
    "DOWNLOAD_MAXSIZE": "1000000",
    "RETRY_AFTER_MAX": "5",
    "EXTRACT_WORKERS": "1",
    "LOG_LEVEL": "WARNING",
}


def registry_text(site: NewsSite, *, feeds=None, sitemaps=None, sections=None, **extra) -> str:
    feeds = ["/feeds/rss.xml", "/feeds/atom.xml"] if feeds is None else feeds
    sitemaps = ["/sitemap.xml"] if sitemaps is None else sitemaps
    sections = [] if sections is None else sections

    def urls(paths):
        return "[" + ", ".join(f'"{site.url(p)}"' for p in paths) + "]"

    lines = [
        "version = 1",
        "[[source]]",
        'id = "ledger"',
        'name = "The Loopback Ledger"',
        f'homepage = "{site.url("/")}"',
        f'domains = ["{site.host}"]',
        f"feeds = {urls(feeds)}",
        f"sitemaps = {urls(sitemaps)}",
        f"sections = {urls(sections)}",
    ]
    lines += [f"{k} = {json.dumps(v)}" for k, v in extra.items()]
    lines += ["[source.tags]", 'lean = "center"', 'collection = ["test", "loopback"]']
    return "\n".join(lines) + "\n"


@dataclass
class CrawlResult:
    returncode: int
    stdout: str
    stderr: str
    report: dict | None

    @property
    def source(self) -> dict:
        assert self.report is not None, self.stderr
        return self.report["sources"][0]


class Crawler:
    """Runs crawls of one registry into one archive home."""

    def __init__(self, home: Path, registry: Path) -> None:
        self.home = home
        self.registry = registry
        self.launcher = [str(NEWSARCHIVE)]  # how `newsarchive` is started

    def audit_connections(self, log: Path) -> None:
        """Run later crawls under tests.reliability.connect_audit, logging to ``log``
        every connection the crawl attempts."""
        self.launcher = [sys.executable, "-m", "tests.reliability.connect_audit", str(log)]

    def command(self, *args: str, **settings: str) -> list[str]:
        merged = {**FAST, **settings}
        cmd = [*self.launcher, "crawl", "--sources", str(self.registry), *args]
        for name, value in merged.items():
            cmd += ["-s", f"{name}={value}"]
        if "--source" not in args and "--all" not in args:
            cmd += ["--source", "ledger"]
        return cmd

    def env(self) -> dict[str, str]:
        return {**os.environ, "NEWSARCHIVE_HOME": str(self.home), "PYTHONUNBUFFERED": "1"}

    def run(self, *args: str, timeout: float = 120, **settings: str) -> CrawlResult:
        last = self.home / "reports" / "last-crawl.json"
        if last.exists():
            last.unlink()
        proc = subprocess.run(
            self.command(*args, **settings),
            env=self.env(),
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        report = json.loads(last.read_text()) if last.exists() else None
        return CrawlResult(proc.returncode, proc.stdout, proc.stderr, report)

    def records(self) -> list[dict]:
        path = self.home / "articles" / "articles.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    def archived_urls(self) -> set[str]:
        return {r["url"] for r in self.records() if r.get("event") in ("new", "changed")}


@pytest.fixture
def site():
    with NewsSite(n_articles=12) as s:
        yield s


@pytest.fixture
def special_site():
    with NewsSite(n_articles=12, specials=True) as s:
        yield s


@pytest.fixture
def make_crawler(tmp_path):
    def make(site: NewsSite, name: str = "home", **registry) -> Crawler:
        home = tmp_path / name
        home.mkdir()
        path = tmp_path / f"{name}-sources.toml"
        path.write_text(registry_text(site, **registry))
        return Crawler(home, path)

    return make
