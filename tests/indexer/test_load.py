"""Loading records: idempotence, versions, seen/removed events, dead letters."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from crawler.schema import validate_record
from indexer.load import load_records
from tests.synthetic import changed_record, new_record, removed_record, seen_record

pytestmark = pytest.mark.es


def _doc(es_client, index: str, doc_id: str) -> dict:
    return es_client.get(index=index, id=doc_id)["_source"]


def _all(es_client, index: str) -> dict[str, dict]:
    resp = es_client.search(index=index, size=1000, query={"match_all": {}})
    return {hit["_id"]: hit["_source"] for hit in resp["hits"]["hits"]}


def test_synthetic_records_follow_the_archive_schema() -> None:
    first = new_record(7)
    for record in (
        first,
        changed_record(first, title="x"),
        seen_record(first),
        removed_record(first),
    ):
        validate_record(record)


def test_loading_twice_changes_nothing(es_client, index_prefix) -> None:
    records = [new_record(i, body_words=50) for i in range(30)]
    first = load_records(es_client, records, index_prefix)
    assert (first.indexed, first.updated, first.unchanged, first.rejected) == (30, 0, 0, 0)
    assert first.versions == 30
    before = _all(es_client, f"{index_prefix}-articles")
    versions_before = es_client.indices.stats(index=f"{index_prefix}-articles").body
    second = load_records(es_client, records, index_prefix)
    assert (second.indexed, second.updated, second.unchanged, second.versions) == (0, 0, 30, 0)
    assert _all(es_client, f"{index_prefix}-articles") == before
    after = es_client.indices.stats(index=f"{index_prefix}-articles").body
    docs = lambda s: s["_all"]["primaries"]["docs"]["count"]  # noqa: E731
    assert docs(after) == docs(versions_before) == 30
    assert es_client.count(index=f"{index_prefix}-versions")["count"] == 30


def test_new_version_updates_the_article_and_adds_a_version(es_client, index_prefix) -> None:
    v1 = new_record(1, title="Senate passes budget", body_words=80)
    seen = seen_record(v1, after=timedelta(hours=1))
    v2 = changed_record(v1, title="Senate narrowly passes budget", after=timedelta(hours=2))
    load_records(es_client, [v1, seen], index_prefix)
    doc = _doc(es_client, f"{index_prefix}-articles", v1["id"])
    assert (doc["version"], doc["last_seen"]) == (1, seen["fetched_at"])
    summary = load_records(es_client, [v2], index_prefix)
    assert (summary.updated, summary.versions) == (1, 1)
    doc = _doc(es_client, f"{index_prefix}-articles", v1["id"])
    assert doc["title"] == "Senate narrowly passes budget"
    assert (doc["version"], doc["version_count"]) == (2, 2)
    assert doc["last_seen"] == doc["crawled"] == v2["fetched_at"]
    assert doc["first_seen"] == v1["fetched_at"]
    assert doc["changed_fields"] == ["title"]
    # "which articles were edited after publication" is a query on the versions
    resp = es_client.search(index=f"{index_prefix}-versions", query={"term": {"edited": True}})
    hits = resp["hits"]["hits"]
    assert [h["_id"] for h in hits] == [f"{v1['id']}-v2"]
    assert hits[0]["_source"]["previous"] == {"title": "Senate passes budget"}
    # replaying an old record never brings back an old state
    replay = load_records(es_client, [v1, seen], index_prefix)
    assert replay.unchanged == 2
    assert _doc(es_client, f"{index_prefix}-articles", v1["id"])["version"] == 2


def test_events_in_one_batch_and_removal(es_client, index_prefix) -> None:
    v1 = new_record(3, body_words=40)
    v2 = changed_record(v1, body="A corrected body.", after=timedelta(hours=2))
    seen = seen_record(v2, after=timedelta(hours=1))
    gone = removed_record(v2, after=timedelta(days=2))
    summary = load_records(es_client, [v1, v2, seen, gone], index_prefix)
    assert (summary.indexed, summary.updated, summary.versions) == (1, 3, 2)
    doc = _doc(es_client, f"{index_prefix}-articles", v1["id"])
    assert doc["body"] == "A corrected body."
    assert doc["removed"] is True and doc["removed_reason"] == "http 404"
    assert doc["last_seen"] == seen["fetched_at"]
    # a later unchanged re-fetch brings it back
    back = seen_record(v2, after=timedelta(days=3))
    load_records(es_client, [back], index_prefix)
    doc = _doc(es_client, f"{index_prefix}-articles", v1["id"])
    assert doc["removed"] is False and doc["last_seen"] == back["fetched_at"]


def test_poisoned_record_goes_to_the_dead_letter_file(es_client, index_prefix, tmp_path) -> None:
    good = [new_record(i, body_words=30) for i in range(5)]
    poisoned = new_record(99, body_words=30)
    poisoned["word_count"] = "many"  # the mapping says integer
    orphan = seen_record(new_record(500))  # an article that was never indexed
    summary = load_records(
        es_client, [*good[:2], poisoned, orphan, *good[2:]], index_prefix, dead_letter_dir=tmp_path
    )
    assert (summary.indexed, summary.rejected) == (5, 2)
    assert es_client.count(index=f"{index_prefix}-articles")["count"] == 5
    lines = [json.loads(x) for x in summary.dead_letter.read_text().splitlines()]
    by_id = {entry["record"]["id"]: entry for entry in lines}
    assert "failed to parse field [word_count]" in by_id[poisoned["id"]]["reason"]
    assert by_id[poisoned["id"]]["record"]["word_count"] == "many"
    assert "no indexed version" in by_id[orphan["id"]]["reason"]
    assert all(entry["time"] for entry in lines)


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ({"lean": "Lean-Left", "collection": ["a"]}, "lean-left"),
        ({"lean": ["right", "other"]}, "right"),
        ({"lean": "  "}, None),
        ({"lean": 3}, None),
        ({}, None),
        (None, None),
    ],
)
def test_the_outlet_lean_is_a_field_of_its_own(tags, expected) -> None:
    from indexer.documents import article_doc

    record = new_record(1)
    record["source_tags"] = tags
    assert article_doc(record)["lean"] == expected
