"""Extraction records carry the politics fields: through extract(), the CLI and the archive."""

from __future__ import annotations

import json

from click.testing import CliRunner

from crawler.archive import Archive
from crawler.extract import ARTICLE_FIELDS, extract
from crawler.politics import POLITICS_FIELDS
from crawler.schema import validate_record
from search_cli.cli import cli

URL = "https://ledger.example/politics/2024/03/senate-budget-vote"
PAGE = """<!doctype html><html><head><title>Senate budget vote | The Ledger</title>
<meta property="og:title" content="Senate delays budget vote as Warren objects">
<meta property="article:published_time" content="2024-03-05T14:00:00Z">
<meta property="article:section" content="Politics">
</head><body><article><h1>Senate delays budget vote as Warren objects</h1>
<p>WASHINGTON - Sen. Elizabeth Warren (D-Mass.) forced the Senate to delay its vote on the
spending bill on Tuesday, saying it cut funding for schools and public health programs.</p>
<p>Republicans accused Democrats of stalling. Senate Majority Leader Chuck Schumer said the
chamber would vote again on Thursday, and Warren said she would keep objecting until the
schools money was restored.</p>
<p>The House passed its own version of the bill last week with the support of Speaker Mike
Johnson, who called the Senate's delay "a stunt".</p></article></body></html>"""
NOT_POLITICAL = """<!doctype html><html><head><title>Sourdough at home</title></head><body>
<article><h1>Sourdough at home</h1><p>Mix the flour and the water and leave the dough to rest
overnight. Bake the loaf in a hot oven for forty minutes, then let it cool before slicing.</p>
<p>The recipe makes one large loaf; the starter keeps for weeks in the fridge.</p>
</article></body></html>"""


def test_extract_adds_the_politics_fields():
    record = extract(PAGE, URL)
    assert set(POLITICS_FIELDS) <= set(ARTICLE_FIELDS) <= set(record)
    assert record["political"] is True
    people = {p["id"]: p for p in record["people"]}
    assert people["W000817"]["mentions"] == 3  # title, "Sen. Elizabeth Warren", "Warren said"
    assert people["W000817"]["office"] == "U.S. Senator"
    assert {"S000148", "J000299"} <= set(people)  # Schumer, Johnson
    assert record["parties"] == ["Democratic", "Republican"]
    # the /politics/ path and the "Politics" section are one fact: it counts once, as "url"
    assert {s["signal"] for s in record["political_signals"]} >= {"url", "people"}
    other = extract(NOT_POLITICAL, "https://ledger.example/food/sourdough")
    assert (other["political"], other["people"], other["parties"]) == (False, [], [])


def test_politics_hint_is_recorded():
    record = extract(
        NOT_POLITICAL, "https://ledger.example/sourdough", politics_hint="politics feed"
    )
    plain = extract(NOT_POLITICAL, "https://ledger.example/sourdough")
    assert record["political_score"] > plain["political_score"]
    assert {"signal": "hint", "weight": 3.0, "evidence": "politics feed"} in record[
        "political_signals"
    ]


def test_failed_extraction_keeps_the_fields():
    record = extract(b"\xff" * 10, "https://ledger.example/a", timeout=5)
    assert (record["political"], record["people"], record["parties"]) == (False, [], [])


def test_cli_prints_the_fields(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSARCHIVE_HOME", str(tmp_path))
    monkeypatch.delenv("NEWSARCHIVE_GAZETTEER", raising=False)
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    result = CliRunner().invoke(cli, ["extract", str(page), "--url", URL, "--format", "json"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["political"] is True and 0.5 <= record["political_score"] <= 1
    assert any(p["id"] == "W000817" for p in record["people"])
    assert record["parties"] == ["Democratic", "Republican"]
    assert record["political_signals"]


def test_archived_records_carry_them_and_hold_the_schema(tmp_path):
    record = extract(PAGE, URL)
    with Archive(tmp_path) as archive:
        cap = archive.capture(URL, status=200, body=PAGE.encode())
        outcome = archive.record_article(
            record,
            capture=cap,
            source_id="ledger",
            outlet="The Ledger",
            source_tags={},
            http_status=200,
        )
    validate_record(outcome.record)
    assert outcome.record["people"] == record["people"]
    assert outcome.record["political"] is True


def test_tag_record_retags_an_archived_record_offline():
    from crawler.politics import tag_record

    record = extract(PAGE, URL)
    again = tag_record({k: v for k, v in record.items() if k not in POLITICS_FIELDS})
    assert {k: again[k] for k in POLITICS_FIELDS} == {k: record[k] for k in POLITICS_FIELDS}
    hinted = tag_record(record, hint="politics section https://ledger.example/politics/")
    assert hinted["political_score"] >= record["political_score"]
    assert "hint" in {s["signal"] for s in hinted["political_signals"]}


def test_cli_text_format_shows_the_verdict_and_people(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSARCHIVE_HOME", str(tmp_path))
    monkeypatch.delenv("NEWSARCHIVE_GAZETTEER", raising=False)
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    result = CliRunner().invoke(cli, ["extract", str(page), "--url", URL, "--format", "text"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(line.startswith("political: yes (score ") for line in lines)
    people = next(line for line in lines if line.startswith("people: "))
    assert "Elizabeth Warren (Democratic, U.S. Senator, MA) x3" in people
    assert "parties: Democratic, Republican" in lines
