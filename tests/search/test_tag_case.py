"""Registry tag values are one value whatever their case: `US` and `us` count as one
country in `count --by where.country` and match `--where country=Us` alike."""

from __future__ import annotations

import json

from click.testing import CliRunner


def test_tag_values_are_case_folded_in_the_index_and_the_filter(es_client, index_prefix, es_env, monkeypatch):  # fmt: skip
    from indexer.load import load_records
    from search_cli.cli import cli
    from tests.synthetic import new_record

    records = []
    for n, country in enumerate(("US", "us", "Us", "de")):
        record = new_record(n, title=f"story {n}", body="a budget story", body_words=3)
        record["source_tags"] = {"country": country, "collection": ["Demo", "x"]}
        records.append(record)
    summary = load_records(es_client, records, index_prefix)
    assert summary.rejected == 0
    es_client.indices.refresh(index=f"{index_prefix}-articles")
    monkeypatch.setenv("NEWSARCHIVE_INDEX_PREFIX", index_prefix)

    def run(*args):
        result = CliRunner().invoke(cli, [*args, "--json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    counts = run("count", "", "--by", "where.country")["counts"]
    assert {r["where.country"]: r["articles"] for r in counts} == {"us": 3, "de": 1}
    assert run("count", "", "--where", "country=Us")["total"] == 3
    assert run("count", "", "--where", "collection=DEMO")["total"] == 4
