"""`show`, `timeline`, `export` and `stats` against the conftest corpus."""

from __future__ import annotations

import csv
import hashlib
import io
import json

import pytest

from tests.search.conftest import RAW_HTML

pytestmark = pytest.mark.es


def test_show_prints_article_versions_and_diffs(cli, corpus):
    result = cli("show", corpus.id_of(15))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("Council approves revised budget")
    assert "version 3 of 3" in out and "Versions (3)" in out
    assert "title: Council approves {+revised+} budget" in out
    assert "~ The council approved the {+revised+} budget." in out
    assert "capture: warc/" in out


def test_show_json_rebuilds_every_version(cli, corpus):
    data = json.loads(cli("show", corpus.id_of(15)[:8], "--format", "json").stdout)
    versions = data["versions"]
    assert [v["version"] for v in versions] == [1, 2, 3]
    assert [v["title"] for v in versions] == [
        "Council approves budget",
        "Council approves revised budget",
        "Council approves revised budget",
    ]
    assert versions[0]["body"].startswith("The council approved the budget.")
    assert versions[2]["body"].startswith("The council approved the revised budget.")


def test_show_raw_reads_the_warc_at_the_capture_offset(cli, corpus):
    result = cli("show", corpus.id_of(1), "--raw")
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == RAW_HTML


def test_show_raw_without_the_warc_is_a_runtime_error(cli, corpus):
    result = cli("show", corpus.id_of(2), "--raw")
    assert result.exit_code == 1
    assert "does not exist" in result.output and "Traceback" not in result.output


def test_show_bad_and_unknown_ids(cli):
    assert cli("show", "xyz").exit_code == 2
    missing = cli("show", "0" * 40)
    assert missing.exit_code == 1 and "no article with id" in missing.output


def test_timeline_counts_per_month_with_empty_months(cli):
    result = cli("timeline", "", "--from", "2019-06", "--to", "2019-11", "--format", "json")
    data = json.loads(result.stdout)
    assert [r["period"] for r in data["rows"]] == [f"2019-{m:02d}-01" for m in range(6, 12)]
    assert [r["articles"] for r in data["rows"]] == [4, 1, 0, 0, 0, 2]
    assert data["undated"] == 2 and data["total"] == 7


def test_timeline_by_outlet_csv_and_chart(cli):
    result = cli(
        "timeline", "", "--from", "2019-06", "--to", "2019-06", "--by", "outlet", "--format", "csv"
    )
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    counts = {r["outlet"]: int(r["articles"]) for r in rows}
    assert counts == {"The Daily Ledger": 2, "Capitol Wire": 2}
    chart = cli("timeline", "budget", "--interval", "year")
    assert chart.exit_code == 0
    assert "2019" in chart.stdout and "2 undated not shown" in chart.stdout
    days = json.loads(
        cli(
            "timeline",
            "--from",
            "2019-06-13",
            "--to",
            "2019-06-15",
            "--interval",
            "day",
            "--format",
            "json",
        ).stdout
    )
    assert [(r["period"], r["articles"]) for r in days["rows"]] == [
        ("2019-06-13", 0),
        ("2019-06-14", 1),
        ("2019-06-15", 0),
    ]


def test_timeline_bad_input(cli):
    assert cli("timeline", "x", "--interval", "hour").exit_code == 2
    assert cli("timeline", "x", "--from", "2021", "--to", "2020").exit_code == 2


def test_export_jsonl_records_the_search_and_snapshot(cli, corpus, tmp_path):
    out = tmp_path / "budget.jsonl"
    result = cli("export", "budget", "--from", "2019", "-o", str(out))
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert all("export" not in row for row in rows)  # plain data: the provenance is beside it
    meta = json.loads((tmp_path / "budget.meta.json").read_text())["export"]
    assert meta["search"]["query"] == "budget" and meta["search"]["from"].startswith("2019-01-01")
    assert meta["total"] == 2 and meta["undated_left_out"] == 2
    assert meta["snapshot"]["alias"] == f"{corpus.prefix}-articles" and meta["snapshot"]["indices"]
    assert meta["rows"] == 2 and meta["file"] == "budget.jsonl"
    assert meta["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert {r["title"] for r in rows} == {
        "Council approves revised budget",
        '=HYPERLINK("http://evil.example","click") budget vote',
    }
    assert "exported 2 articles" in result.stderr and "2 undated left out" in result.stderr


def test_export_csv_is_spreadsheet_safe(cli, corpus):
    result = cli("export", "budget vote", "--format", "csv", "--fields", "id,title,body")
    assert result.stdout.splitlines()[0] == "id,title,body"  # row 1 is the header
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["title"] for r in rows if r["id"] == corpus.id_of(10)] == [
        '\'=HYPERLINK("http://evil.example","click") budget vote'
    ]


def test_export_bad_input(cli, tmp_path):
    assert cli("export", "x", "--format", "table").exit_code == 2
    assert cli("export", "x", "-o", str(tmp_path / "nowhere" / "f.csv")).exit_code == 2
    bad = cli("export", "colour:red")
    assert bad.exit_code == 2 and "unknown field" in bad.output


def test_stats(cli):
    data = json.loads(cli("stats", "--format", "json").stdout)
    assert data["articles"] == 15 and data["outlets"] == 3
    assert data["versions"] == 17 and data["edited_articles"] == 1
    assert data["published"]["first"].startswith("2018-12-31") and data["published"]["undated"] == 2
    per = {o["outlet"]: o["articles"] for o in data["per_outlet"]}
    assert per == {"The Daily Ledger": 6, "Capitol Wire": 5, "Frontier Post": 4}
    table = cli("stats")
    assert table.exit_code == 0 and "The Daily Ledger" in table.stdout
