"""``newsarchive extract`` through the real Click group."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from click.testing import CliRunner

from search_cli.cli import cli

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "extract"
KEYS = set(
    [
        "url",
        "canonical_url",
        "title",
        "description",
        "body",
        "authors",
        "published",
        "modified",
        "section",
        "tags",
        "language",
        "provenance",
    ]
)


def run(*args: str):
    return CliRunner().invoke(cli, ["extract", *args])


def test_json_output_from_gzip_file(tmp_path):
    path = tmp_path / "page.html.gz"
    path.write_bytes(gzip.compress((FIXTURES / "graph_article.html").read_bytes()))
    result = run(str(path), "--url", "https://ledger.example/politics/council-approves-budget")
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert set(record) >= KEYS
    assert record["title"] == "Council approves budget after long night"
    assert record["provenance"]["title"] == "heuristic"


def test_text_output():
    result = run(str(FIXTURES / "org_author.html"), "--format", "text")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Storm closes mountain pass for second day"
    assert "by: Reuters" in lines


def test_no_url_given_means_no_date_from_the_file_name(tmp_path):
    path = tmp_path / "story_2024_03_07.html"
    path.write_bytes((FIXTURES / "url_date_only.html").read_bytes())
    record = json.loads(run(str(path)).output)
    assert record["published"] is None


def test_page_without_article_is_a_record_not_a_crash():
    result = run(str(FIXTURES / "not_article.html"))
    assert result.exit_code == 0
    assert json.loads(result.output)["body"] == ""


def test_unreadable_inputs_fail_cleanly(tmp_path):
    missing = run(str(tmp_path / "nope.html"))
    assert missing.exit_code == 2 and "cannot read" in missing.output
    directory = run(str(tmp_path))
    assert directory.exit_code == 2 and "directory" in directory.output
    bad_gzip = tmp_path / "bad.html.gz"
    bad_gzip.write_bytes(b"\x1f\x8b\x08\x00broken")
    result = run(str(bad_gzip))
    assert result.exit_code == 2 and "not a valid gzip file" in result.output
    assert "Traceback" not in result.output


def test_bad_url_option():
    result = run(str(FIXTURES / "org_author.html"), "--url", "ftp://x")
    assert result.exit_code == 2 and "--url" in result.output
