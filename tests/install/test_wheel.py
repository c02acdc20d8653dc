"""newsarchive installed from its wheel, outside the checkout, works: a fresh venv (with
the pip it comes with), the wheel built from these sources, every dependency from the
wheelhouse `make install` fills (so nothing reaches the network). Then, from a folder
that is not the checkout: the packaged registry, extraction (which needs lxml's HTML
cleaner), a crawl of the loopback site, index and search against the session's node,
the packaged Kibana bundle, and the local node started from the packaged launcher."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.crawl.conftest import FAST, REPO, registry_text
from tests.kibana.test_setup import FakeKibanaEndpoint
from tests.reliability.checks import string_tags
from tests.site import NewsSite

pytestmark = [pytest.mark.slow, pytest.mark.es]

WHEELHOUSE = REPO / ".wheelhouse"


def _run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kwargs)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The bin/ folder of a fresh venv holding newsarchive installed from its wheel."""
    if not (WHEELHOUSE / ".built").exists():
        pytest.fail("no .wheelhouse: run `make install` (it builds the wheels offline use needs)")
    root = tmp_path_factory.mktemp("installed")
    offline = ["--no-index", "--find-links", str(WHEELHOUSE), "--quiet"]
    built = _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", *offline, "-w", str(root), str(REPO)]
    )
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = root.glob("newsarchive-*.whl")
    assert _run(["python3", "-m", "venv", str(root / "venv")]).returncode == 0
    pip = root / "venv" / "bin" / "pip"
    done = _run([str(pip), "install", *offline, str(wheel)])
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return root / "venv" / "bin"


def _env(tmp: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSARCHIVE_")}
    env.pop("PYTHONPATH", None)
    return {**env, "NEWSARCHIVE_HOME": str(tmp / "home"), **extra}


def _newsarchive(installed: Path, tmp: Path, *args: str, **extra: str):
    work = tmp / "elsewhere"  # never the checkout: nothing may be read from it
    work.mkdir(exist_ok=True)
    return _run([str(installed / "newsarchive"), *args], cwd=work, env=_env(tmp, **extra))


def test_the_wheel_works_outside_the_checkout(installed, tmp_path, es_url, index_prefix):
    located = _run(
        [str(installed / "python"), "-c", "import crawler, kibana, scheduler; print(crawler.__file__)"],
        cwd=tmp_path, env=_env(tmp_path),
    )  # fmt: skip
    assert "site-packages" in located.stdout and str(REPO) not in located.stdout, located

    listed = _newsarchive(installed, tmp_path, "sources")
    assert listed.returncode == 0 and "Associated Press" in listed.stdout, listed.stderr

    page = tmp_path / "page.html"
    words = " ".join(["The senate voted on the budget bill after a long debate."] * 12)
    page.write_text(
        '<html><head><meta property="og:type" content="article"><title>Senate votes</title>'
        f"</head><body><h1>Senate votes</h1><p>{words}</p><p>{words}</p></body></html>"
    )
    extracted = _newsarchive(
        installed, tmp_path, "extract", str(page), "--url", "https://n.example/2024/05/01/s/"
    )
    assert extracted.returncode == 0, extracted.stderr[-3000:]
    record = json.loads(extracted.stdout)
    assert record["title"] == "Senate votes" and "budget bill" in record["body"]
    assert record["political"] is True  # the packaged gazetteer and lexicon load

    es = {"NEWSARCHIVE_ES_URL": es_url, "NEWSARCHIVE_INDEX_PREFIX": index_prefix}
    with NewsSite(n_articles=3, feed_size=3) as site:
        registry = tmp_path / "sources.toml"
        registry.write_text(string_tags(registry_text(site)))
        settings = [arg for name, value in FAST.items() for arg in ("-s", f"{name}={value}")]
        crawled = _newsarchive(
            installed, tmp_path, "crawl", "--sources", str(registry), "--source", "ledger",
            *settings, **es,
        )  # fmt: skip
    assert crawled.returncode == 0, crawled.stderr[-3000:]
    assert _newsarchive(installed, tmp_path, "index", **es).returncode == 0
    found = _newsarchive(installed, tmp_path, "search", "", "--format", "json", **es)
    assert found.returncode == 0 and json.loads(found.stdout)["total"] == 3, found.stderr

    kibana = FakeKibanaEndpoint()
    try:
        imported = _newsarchive(installed, tmp_path, "kibana", "setup", "--kibana-url", kibana.url)
    finally:
        kibana.close()
    assert imported.returncode == 0, imported.stderr
    assert b"newsarchive-overview" in kibana.requests[0]["body"]  # the packaged bundle


def test_the_local_node_starts_from_the_installed_package(installed, tmp_path):
    local = {"NEWSARCHIVE_LOCAL_ES_PORT": "0", "NEWSARCHIVE_LOCAL_ES_HEAP": "256m"}
    started = _newsarchive(installed, tmp_path, "es", "start", **local)
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        status = _newsarchive(installed, tmp_path, "es", "status", **local)
        assert status.returncode == 0 and "running" in status.stdout, status.stdout
    finally:
        stopped = _newsarchive(installed, tmp_path, "es", "stop", **local)
    assert stopped.returncode == 0, stopped.stderr
