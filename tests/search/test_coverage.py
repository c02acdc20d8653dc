"""Coverage alarms on a real index: one outlet goes silent, one drops, one stays steady."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from indexer.layout import Layout
from indexer.load import load_records
from indexer.setup import ensure_indices
from search_cli.cli import cli
from search_cli.commands.coverage import format_coverage
from search_cli.query.coverage import coverage_report
from tests.synthetic import new_record

pytestmark = pytest.mark.es

NOW = datetime.now(UTC).replace(microsecond=0)
STEADY, DROPPING, SILENT = 0, 1, 2  # tests.synthetic.OUTLETS positions


def _corpus() -> list[dict]:
    """14 days: every outlet publishes 6 a day, except that in the last 2 days the
    silent one publishes nothing and the dropping one 1 a day."""
    records, n = [], 0
    rng = random.Random(3)
    for day in range(14):
        for outlet in (STEADY, DROPPING, SILENT):
            per_day = 6
            if day < 2 and outlet == SILENT:
                per_day = 0
            elif day < 2 and outlet == DROPPING:
                per_day = 1
            for _ in range(per_day):
                n += 1
                moment = NOW - timedelta(days=day, hours=rng.uniform(0.1, 23.8))
                records.append(new_record(n, fetched=moment, outlet=outlet, body_words=30))
    return records


@pytest.fixture
def corpus(es_client, index_prefix) -> str:
    ensure_indices(es_client, index_prefix)
    load_records(es_client, _corpus(), index_prefix)
    return Layout(index_prefix).articles


def test_flags_the_silent_and_the_dropping_outlet(es_client, corpus):
    report = coverage_report(es_client, corpus, days=14, recent_days=2, now=NOW)
    by_outlet = {o["outlet"]: o for o in report["outlets"]}
    assert set(by_outlet) == {"The Daily Ledger", "Capitol Wire", "Frontier Post"}
    assert by_outlet["Frontier Post"]["flag"] == "silent"
    assert by_outlet["Capitol Wire"]["flag"] == "low"
    assert by_outlet["The Daily Ledger"]["flag"] is None
    assert report["flagged"] == ["Capitol Wire", "Frontier Post"]
    # per-day counts: 14 UTC days ending today, adding up to each outlet's total
    assert len(report["days"]) == 14 and report["days"][-1] == NOW.date().isoformat()
    for outlet in by_outlet.values():
        assert sum(outlet["per_day"]) == outlet["total"]
    # the window starts at midnight 13 days ago: at most the 14th day's 6 fall outside
    assert 13 * 6 <= by_outlet["The Daily Ledger"]["total"] <= 14 * 6
    assert by_outlet["Frontier Post"]["recent_per_day"] == 0
    assert by_outlet["Capitol Wire"]["recent_per_day"] == 1
    assert 5 <= by_outlet["The Daily Ledger"]["usual_per_day"] <= 7
    table = format_coverage(report)
    assert "Frontier Post" in table and "silent" in table and "2 outlets flagged" in table


def test_a_quiet_small_outlet_is_not_flagged_low(es_client, corpus):
    # With a usual rate below min_usual, a slow recent window is not an alarm.
    report = coverage_report(es_client, corpus, days=14, recent_days=2, now=NOW, min_usual=10)
    flags = {o["outlet"]: o["flag"] for o in report["outlets"]}
    assert flags["Capitol Wire"] is None
    assert flags["Frontier Post"] == "silent"  # nothing at all is still an alarm


def test_stats_coverage_command(es_env, es_client, index_prefix, corpus, monkeypatch):
    monkeypatch.setenv("NEWSARCHIVE_INDEX_PREFIX", index_prefix)
    result = CliRunner().invoke(cli, ["stats", "--coverage", "--days", "14", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["flagged"] == ["Capitol Wire", "Frontier Post"]
    table = CliRunner().invoke(cli, ["stats", "--coverage"])
    assert table.exit_code == 0 and "silent" in table.output


def test_missing_index_is_a_clear_error(es_client, index_prefix):
    from newsarchive.errors import NewsarchiveError

    with pytest.raises(NewsarchiveError, match="no corpus index"):
        coverage_report(es_client, Layout(index_prefix).articles)
