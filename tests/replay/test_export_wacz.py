"""`export QUERY --format wacz -o FILE`: the search's matches as a WACZ, from the real
index of a real crawl; valid by the spec and by py-wacz, with the search inside."""

from __future__ import annotations

import json
import subprocess
import zipfile

import pytest
from click.testing import CliRunner

from crawler.archive.wacz import verify_wacz
from newsarchive.config import Config
from newsarchive.es import resolve_url

from .test_wacz import TOOLS

pytestmark = pytest.mark.es


@pytest.fixture
def indexed(crawled, es_settings, index_prefix, monkeypatch):
    from indexer.operations import index_new_records

    settings = Config(home=crawled.home, es_url=resolve_url(es_settings), index_prefix=index_prefix)
    index_new_records(settings)
    monkeypatch.setenv("NEWSARCHIVE_HOME", str(crawled.home))
    monkeypatch.setenv("NEWSARCHIVE_ES_URL", resolve_url(es_settings))
    monkeypatch.setenv("NEWSARCHIVE_INDEX_PREFIX", index_prefix)
    monkeypatch.delenv("NEWSARCHIVE_CONFIG", raising=False)
    return crawled


def run(*args: str):
    from search_cli.cli import cli

    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_a_search_exports_as_a_valid_wacz_with_its_search(indexed, tmp_path) -> None:
    out = tmp_path / "evidence.wacz"
    result = run(
        "export", "", "--outlet", "The Loopback Ledger", "--format", "wacz", "-o", str(out)
    )
    assert result.exit_code == 0, result.output
    assert "WACZ" in result.stderr
    assert verify_wacz(out) == []
    validate = subprocess.run([str(TOOLS / "wacz"), "validate", "-f", str(out)],
                              capture_output=True, text=True)  # fmt: skip
    assert validate.returncode == 0, validate.stdout + validate.stderr
    with zipfile.ZipFile(out) as zf:
        package = json.loads(zf.read("datapackage.json"))
        pages = [json.loads(x) for x in zf.read("pages/pages.jsonl").decode().splitlines()][1:]
    articles = {r["url"] for r in indexed.crawler.records() if r["event"] in ("new", "changed")}
    assert {p["url"] for p in pages} == articles
    search = package["newsarchive"]["export"]["search"]
    assert search["filters"] == {"outlet": ["The Loopback Ledger"]}


def test_a_wacz_needs_a_file_and_whole_captures(indexed) -> None:
    to_stdout = run("export", "", "--format", "wacz")
    assert to_stdout.exit_code == 2 and "-o FILE" in to_stdout.output
    fields = run("export", "", "--format", "wacz", "-o", "x.wacz", "--fields", "id")
    assert fields.exit_code == 2
