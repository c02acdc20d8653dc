"""Replay-test fixtures: one crawl of the synthetic site (a first crawl, then a re-check
that archives revisits and one changed article), and `newsarchive replay` serving it,
run as a real subprocess on a free loopback port, as a user runs it."""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.crawl.conftest import NEWSARCHIVE, REPO, Crawler, registry_text
from tests.site import NewsSite


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Crawled:
    site: NewsSite
    home: Path
    crawler: Crawler
    served: int  # requests the live site had served when the crawls were done

    def records(self) -> list[dict]:
        return self.crawler.records()

    def captures(self) -> list[dict]:
        """Article captures: url, fetched_at, digest, revisit, title, and the record."""
        titles: dict[str, str] = {}
        out = []
        for record in self.records():
            if record["event"] in ("new", "changed"):
                titles[record["id"]] = record["title"]
            if record["event"] in ("new", "changed", "seen"):
                out.append({"url": record["url"], "fetched_at": record["fetched_at"],
                            "digest": record["capture"]["digest"],
                            "revisit": record["capture"]["revisit"],
                            "title": titles[record["id"]], "record": record})  # fmt: skip
        return out


def crawl_site(site: NewsSite, home: Path) -> Crawler:
    home.mkdir(parents=True, exist_ok=True)
    registry = home.with_name(home.name + "-sources.toml")
    registry.write_text(registry_text(site))
    crawler = Crawler(home, registry)
    first = crawler.run()
    assert first.returncode == 0, first.stderr
    return crawler


@pytest.fixture(scope="session")
def crawled(tmp_path_factory):
    with NewsSite(n_articles=6) as site:
        home = tmp_path_factory.mktemp("replay") / "home"
        crawler = crawl_site(site, home)
        time.sleep(1.1)  # the re-check gets timestamps of its own
        site.edition = 2  # article 0 changes; the others come back identical: revisits
        # Re-fetched whole, so the unchanged pages are identical-payload revisits (a 304
        # is a server-not-modified revisit, left out of replay's index: see test_revisit).
        again = crawler.run("--recheck-days", "30", CONDITIONAL_REFETCH="0")
        assert again.returncode == 0, again.stderr
        yield Crawled(site, home, crawler, served=len(site.log))


@dataclass
class Replay:
    proc: subprocess.Popen
    port: int
    lines: list[str] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"{self.base}/archive/{path}"


def start_replay(home: Path, port: int | None = None, timeout: float = 60) -> Replay:
    """`newsarchive replay --port N` for ``home``; returns once it prints its address."""
    port = port or free_port()
    env = {**os.environ, "NEWSARCHIVE_HOME": str(home), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [str(NEWSARCHIVE), "replay", "--port", str(port)],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    replay = Replay(proc, port)
    ready: queue.Queue = queue.Queue()

    def read() -> None:
        for line in proc.stdout:
            replay.lines.append(line.rstrip("\n"))
            if line.startswith("replaying "):
                ready.put(True)
        ready.put(False)

    threading.Thread(target=read, daemon=True).start()
    try:
        assert ready.get(timeout=timeout), "\n".join(replay.lines)
    except queue.Empty:
        stop_replay(replay)
        raise AssertionError("replay did not start:\n" + "\n".join(replay.lines)) from None
    return replay


def stop_replay(replay: Replay) -> int:
    if replay.proc.poll() is None:
        replay.proc.send_signal(signal.SIGTERM)
        try:
            replay.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            replay.proc.kill()
            replay.proc.wait()
    return replay.proc.returncode


@pytest.fixture(scope="session")
def replay(crawled):
    server = start_replay(crawled.home)
    yield server
    assert stop_replay(server) == 0, "\n".join(server.lines)


def wait_until(check, timeout: float = 20, step: float = 0.2):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(step)


def cdx(replay: Replay, url: str) -> list[dict]:
    """pywb's CDX API: the captures of ``url`` it would replay."""
    import urllib.parse
    import urllib.request

    query = urllib.parse.urlencode({"url": url, "output": "json"})
    with urllib.request.urlopen(f"{replay.url('cdx')}?{query}", timeout=30) as resp:
        return [json.loads(line) for line in resp.read().decode().splitlines() if line.strip()]
