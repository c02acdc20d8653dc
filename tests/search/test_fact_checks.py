"""Fact-checks in the index: each verdict of a record's ``claim_reviews`` is searchable
by its claim, its rating and its claimant, beside the politics fields (real CLI, real
Elasticsearch, a corpus of its own)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.search.conftest import Corpus, article, titles

pytestmark = pytest.mark.es


def verdict(claim: str, rating: str, value: float, claimant: str) -> dict:
    return {"claim": claim, "rating": rating, "rating_value": value, "best_rating": 6.0,
            "worst_rating": 1.0, "claimant": claimant}  # fmt: skip


@pytest.fixture(scope="module")
def corpus(es_client, es_settings, module_prefix, tmp_path_factory) -> Corpus:
    from indexer.load import load_records
    from newsarchive.es import resolve_url

    when = datetime(2024, 5, 1, tzinfo=UTC)
    records = [
        article(1, title="Did the deficit double?", outlet=0, published=when,
                body="A fact-check of the senator's claim about the deficit.",
                claim_reviews=[verdict("The deficit doubled last year.", "Pants on Fire", 1,
                                       "Sen. Pat Doe")]),
        article(2, title="Claims from the debate, checked", outlet=1, published=when,
                body="We checked what the candidates said on taxes and jobs.",
                claim_reviews=[verdict("Taxes rose for everyone.", "False", 2, "Sen. Pat Doe"),
                               verdict("Unemployment fell by half.", "Half True", 4,
                                       "Gov. Lee Roe")]),
        article(3, title="Budget talks resume", outlet=2, published=when,
                body="Negotiators met again on the budget deficit."),
    ]  # fmt: skip
    home = tmp_path_factory.mktemp("fact-check-home")
    summary = load_records(es_client, records, module_prefix)
    assert summary.rejected == 0, summary.reasons
    return Corpus(module_prefix, home, resolve_url(es_settings), records)


def found(cli, query: str) -> list[str]:
    return sorted(titles(cli("search", query, "--format", "jsonl")))


def test_verdicts_are_found_by_rating_claimant_and_claim(cli) -> None:
    assert found(cli, 'rating:"Pants on Fire"') == ["Did the deficit double?"]
    assert found(cli, "rating:False") == ["Claims from the debate, checked"]
    assert found(cli, 'claimant:"Sen. Pat Doe"') == [
        "Claims from the debate, checked",
        "Did the deficit double?",
    ]
    assert found(cli, "claim:unemployment") == ["Claims from the debate, checked"]
    assert found(cli, "deficit -rating:*") == ["Budget talks resume"]


def test_show_lists_the_verdicts(cli, corpus) -> None:
    rid = next(r["id"] for r in corpus.records if r["title"].startswith("Claims from"))
    result = cli("show", rid)
    assert result.exit_code == 0, result.output
    verdicts = [line for line in result.stdout.splitlines() if line.startswith("fact-check: ")]
    assert verdicts == [
        "fact-check: Taxes rose for everyone. — False (2/6), claimed by Sen. Pat Doe",
        "fact-check: Unemployment fell by half. — Half True (4/6), claimed by Gov. Lee Roe",
    ]
