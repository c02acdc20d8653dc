"""``newsarchive count``: totals and splits on the real node, over the shared test corpus."""

from __future__ import annotations

import csv
import io
import json


def test_count_agrees_with_search_total(cli):
    for args in (["budget"], ["budget", "--from", "2019"], ["", "--outlet", "Capitol Wire"]):
        counted = json.loads(cli("count", *args, "--format", "json").stdout)["total"]
        searched = json.loads(cli("search", *args, "--format", "json").stdout)["total"]
        assert counted == searched
    assert cli("count", "").stdout.strip() == "15 articles match"


def test_count_by_outlet_and_registry_tag(cli):
    data = json.loads(cli("count", "", "--by", "outlet", "--format", "json").stdout)
    assert data["total"] == 15 and data["by"] == "outlet"
    assert [(c["outlet"], c["articles"]) for c in data["counts"]] == [
        ("The Daily Ledger", 6),
        ("Capitol Wire", 5),
        ("Frontier Post", 4),
    ]
    assert data["counts"][0]["share"] == 6 / 15
    assert data["missing"] == 0 and data["other"] == 0
    lean = json.loads(cli("count", "", "--by", "where.lean", "--format", "json").stdout)
    assert {c["where.lean"]: c["articles"] for c in lean["counts"]} == {
        "left": 6,
        "center": 5,
        "right": 4,
    }


def test_count_by_author_lists_largest_first_and_cuts_at_top(cli):
    data = json.loads(cli("count", "", "--by", "author", "--top", "100", "--format", "json").stdout)
    counts = {c["author"]: c["articles"] for c in data["counts"]}
    assert counts["John Doe"] == 2 and counts["Jane Smith"] == 1 and counts["Maria Garcia"] == 1
    assert data["counts"][0] == {"author": "John Doe", "articles": 2, "share": 2 / 15}
    assert data["other"] == 0
    top = json.loads(cli("count", "", "--by", "author", "--top", "1", "--format", "json").stdout)
    assert [(c["author"], c["articles"]) for c in top["counts"]] == [("John Doe", 2)]
    assert top["other"] == sum(counts.values()) - 2


def test_count_reports_matches_without_the_field(cli):
    # No source of the corpus carries a "topic" tag: every match is counted as (none).
    data = json.loads(cli("count", "budget", "--by", "where.topic", "--format", "json").stdout)
    assert data["counts"] == [] and data["missing"] == data["total"] == 4
    table = cli("count", "budget", "--by", "where.topic")
    assert table.exit_code == 0, table.output
    assert table.stdout.splitlines()[-1].split() == ["(none)", "4"]
    sections = json.loads(cli("count", "", "--by", "section", "--format", "json").stdout)
    assert sections["missing"] == 0
    assert {c["section"]: c["articles"] for c in sections["counts"]} == {
        "politics": 13,
        "campaign": 1,
        "opinion": 1,
    }


def test_count_table_and_csv(cli):
    table = cli("count", "taxes OR tax", "--by", "tag")
    assert table.exit_code == 0, table.output
    lines = table.stdout.splitlines()
    assert lines[0] == "2 articles match"
    assert any(line.startswith("taxes") and " 2 " in line and "100.0%" in line for line in lines)
    rows = list(
        csv.DictReader(io.StringIO(cli("count", "", "--by", "lang", "--format", "csv").stdout))
    )
    assert {r["lang"]: int(r["articles"]) for r in rows} == {"en": 14, "de": 1}


def test_count_bad_input_is_a_usage_error(cli):
    for args in (["x", "--by", "colour"], ["x", "--by", "where."], ["x", "--from", "someday"]):
        result = cli("count", *args)
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
    unknown = cli("count", "x", "--outlet", "Nowhere Gazette")
    assert unknown.exit_code == 2 and "known:" in unknown.output
