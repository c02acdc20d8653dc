"""`export` streams more than 10,000 matches (point in time + search_after)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

pytestmark = [pytest.mark.es, pytest.mark.slow]

COUNT = 10_500


@pytest.fixture(scope="module")
def big_corpus(es_client, module_prefix) -> str:
    """10,500 tiny articles, indexed with one bulk call into the indexer's layout."""
    from indexer.documents import article_doc
    from indexer.layout import Layout
    from indexer.setup import ensure_indices
    from tests.synthetic import new_record

    layout = ensure_indices(es_client, module_prefix)
    operations: list[dict] = []
    for n in range(COUNT):
        record = new_record(n, title=f"story {n}", body="a tiny budget story", body_words=3)
        operations += [{"index": {"_id": record["id"]}}, article_doc(record)]
    response = es_client.bulk(operations=operations, index=layout.articles_write, refresh=True)
    assert not response["errors"]
    assert Layout(module_prefix).articles
    return module_prefix


def test_export_of_more_than_10000_hits(big_corpus, es_settings, monkeypatch, tmp_path):
    from newsarchive.es import resolve_url
    from search_cli.cli import cli

    monkeypatch.setenv("NEWSARCHIVE_HOME", str(tmp_path))
    monkeypatch.setenv("NEWSARCHIVE_ES_URL", resolve_url(es_settings))
    monkeypatch.setenv("NEWSARCHIVE_INDEX_PREFIX", big_corpus)
    out = tmp_path / "all.jsonl"
    result = CliRunner().invoke(cli, ["export", "budget", "-o", str(out), "--fields", "id,title"])
    assert result.exit_code == 0, result.output
    lines = out.read_text().splitlines()
    assert json.loads((tmp_path / "all.meta.json").read_text())["export"]["total"] == COUNT
    ids = {json.loads(line)["id"] for line in lines}
    assert len(ids) == COUNT == len(lines)
    assert f"exported {COUNT} articles" in result.stderr
