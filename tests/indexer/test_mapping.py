"""Templates, aliases and the analysis behaviour of the article mapping."""

from __future__ import annotations

import pytest
from elasticsearch import BadRequestError

from indexer import layout as layout_module
from indexer.load import load_records
from indexer.setup import ensure_indices, write_index
from newsarchive.errors import NewsarchiveError
from tests.synthetic import new_record

pytestmark = pytest.mark.es


def test_ensure_creates_templates_indices_and_aliases(es_client, index_prefix) -> None:
    layout = ensure_indices(es_client, index_prefix)
    aliases = es_client.indices.get_alias(index=f"{index_prefix}-*").body
    assert aliases == {
        f"{index_prefix}-articles-000001": {
            "aliases": {
                layout.articles: {},
                layout.articles_write: {"is_write_index": True},
            }
        },
        f"{index_prefix}-versions-000001": {
            "aliases": {
                layout.versions: {},
                layout.versions_write: {"is_write_index": True},
            }
        },
    }
    mapping = es_client.indices.get_mapping(index=layout.articles).body
    props = next(iter(mapping.values()))["mappings"]
    assert props["dynamic"] == "strict"
    assert props["properties"]["body"]["index_options"] == "offsets"
    assert props["properties"]["source_tags"]["type"] == "flattened"
    assert props["properties"]["capture"]["enabled"] is False
    templates = es_client.indices.get_index_template(name=f"{index_prefix}-articles").body
    composed = templates["index_templates"][0]["index_template"]["composed_of"]
    assert composed == [f"{index_prefix}-settings", f"{index_prefix}-articles-mappings"]
    # a second call changes nothing
    ensure_indices(es_client, index_prefix)
    assert es_client.indices.get_alias(index=f"{index_prefix}-*").body == aliases


def test_strict_mapping_rejects_unknown_fields(es_client, index_prefix) -> None:
    layout = ensure_indices(es_client, index_prefix)
    with pytest.raises(BadRequestError) as caught:
        es_client.index(index=layout.articles_write, id="x", document={"surprise": 1})
    assert "strict_dynamic_mapping_exception" in str(caught.value)


def test_shards_and_replicas_are_kept_across_upgrades(es_client, index_prefix) -> None:
    ensure_indices(es_client, index_prefix, shards=2, replicas=0)
    ensure_indices(es_client, index_prefix)  # an upgrade must not reset them
    found = es_client.cluster.get_component_template(name=f"{index_prefix}-settings").body
    settings = found["component_templates"][0]["component_template"]["template"]["settings"]
    assert settings["index"]["number_of_shards"] == "2"
    assert settings["index"]["number_of_replicas"] == "0"


def test_mapping_upgrade_is_additive_and_incompatible_change_says_rebuild(
    es_client, index_prefix, monkeypatch
) -> None:
    layout = ensure_indices(es_client, index_prefix)
    original = layout_module.mapping

    def with_new_field(kind: str) -> dict:
        body = original(kind)
        body["properties"]["sentiment"] = {"type": "keyword"}
        return body

    monkeypatch.setattr("indexer.setup.mapping", with_new_field)
    ensure_indices(es_client, index_prefix)
    index = write_index(es_client, layout, "articles")
    props = es_client.indices.get_mapping(index=index).body[index]["mappings"]["properties"]
    assert props["sentiment"] == {"type": "keyword"}

    def incompatible(kind: str) -> dict:
        body = original(kind)
        body["properties"]["title"]["analyzer"] = "standard"
        return body

    monkeypatch.setattr("indexer.setup.mapping", incompatible)
    with pytest.raises(NewsarchiveError, match="--rebuild"):
        ensure_indices(es_client, index_prefix)


def _ids(es_client, index: str, query: dict) -> set[str]:
    resp = es_client.search(index=index, query=query, size=50)
    return {hit["_id"] for hit in resp["hits"]["hits"]}


def test_stemming_exact_phrases_and_tag_filters(es_client, index_prefix) -> None:
    a = new_record(1, title="Senators debate immigration policies", body="Police databases grew.")
    b = new_record(2, title="Mayor meets police", body="The police database was shared.")
    load_records(es_client, [a, b], index_prefix)
    articles = f"{index_prefix}-articles"
    # stemmed: "immigrant" and "policy" find "immigration policies"
    assert _ids(es_client, articles, {"match": {"title": "immigrant policy"}}) == {a["id"]}
    # quoted phrases: the stemmed field matches inflections, .exact does not
    assert _ids(es_client, articles, {"match_phrase": {"body": "police database"}}) == {
        a["id"],
        b["id"],
    }
    assert _ids(es_client, articles, {"match_phrase": {"body.exact": "police databases"}}) == {
        a["id"]
    }
    # registry tags are keyword-filterable under dynamic: strict
    lean = a["source_tags"]["lean"]
    assert _ids(es_client, articles, {"term": {"source_tags.lean": lean}}) == {a["id"]}
    assert _ids(es_client, articles, {"term": {"outlet": a["outlet"]}}) == {a["id"]}
    # highlighting uses the offsets of the body
    resp = es_client.search(
        index=articles,
        query={"match": {"body": "databases"}},
        highlight={"fields": {"body": {}}},
    )
    assert any("<em>" in f for h in resp["hits"]["hits"] for f in h["highlight"]["body"])


def test_invalid_prefix_is_a_clear_error() -> None:
    with pytest.raises(NewsarchiveError, match="invalid index prefix"):
        layout_module.Layout("Bad Prefix*")


def test_politics_fields_and_extractor_notes_are_indexed(es_client, index_prefix) -> None:
    """Every field of a version record maps: the people and parties an article names are
    keyword fields, and what the extractor notes beside its name (an error, a tagging
    problem) is kept without breaking the strict mapping."""
    record = new_record(1, title="Senators debate the budget", body="Sen. Warren spoke.")
    record["extractor"] = {"name": "x", "version": "1", "error": "timeout after 20 s"}
    record |= {
        "political": True,
        "political_score": 0.93,
        "political_signals": [{"signal": "text", "weight": 1.2, "evidence": "senate"}],
        "people": [
            {"id": "W000817", "name": "Elizabeth Warren", "party": "Democratic",
             "office": "senator", "state": "MA", "district": None, "mentions": 2}
        ],
        "parties": ["Democratic"],
    }  # fmt: skip
    summary = load_records(es_client, [record], index_prefix)
    assert summary.rejected == 0, summary.reasons
    alias = layout_module.Layout(index_prefix).articles
    hits = es_client.search(
        index=alias,
        query={
            "bool": {"filter": [{"term": {"people.id": "W000817"}}, {"term": {"political": True}}]}
        },
    )["hits"]["hits"]
    assert [h["_source"]["id"] for h in hits] == [record["id"]]
