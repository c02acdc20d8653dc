"""The article record is defined once (crawler/schema/record.py); everything else that
names its fields must agree with it: the published JSON Schema, the indexer's document
builder and mappings, the query library's field list. These fail when they drift."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.schema import article_record_schema
from crawler.schema.record import (
    DIFF_FIELDS,
    EVENTS,
    CapturePointer,
    RemovedRecord,
    SeenRecord,
    VersionRecord,
    fields_of,
    required_of,
)

MAPPINGS = Path(__file__).resolve().parents[2] / "indexer" / "mappings"


def _mapping(name: str) -> dict:
    return json.loads((MAPPINGS / f"{name}.json").read_text())["properties"]


def _paths(properties: dict, prefix: str = "") -> set[str]:
    """Every field path of a mapping, subfields (``title.exact``) included."""
    out = set()
    for name, spec in properties.items():
        out.add(prefix + name)
        out |= _paths(spec.get("properties", {}), f"{prefix}{name}.")
        out |= {f"{prefix}{name}.{sub}" for sub in spec.get("fields", {})}
    return out


@pytest.mark.parametrize(
    "definition, kind",
    [("version", VersionRecord), ("seen", SeenRecord), ("removed", RemovedRecord),
     ("capture", CapturePointer)],
)  # fmt: skip
def test_the_json_schema_describes_the_record_types(definition, kind):
    schema = article_record_schema()["$defs"][definition]
    assert set(schema["properties"]) == set(fields_of(kind))
    assert set(schema.get("required", ())) == set(required_of(kind))


def test_the_schema_knows_every_event():
    schema = article_record_schema()["$defs"]
    events = set()
    for name in ("version", "seen", "removed"):
        spec = schema[name]["properties"]["event"]
        events |= set(spec.get("enum") or [spec.get("const")])
    assert events == set(EVENTS)


def test_the_indexer_copies_only_record_fields_into_mapped_fields():
    from indexer import documents

    versioned = set(fields_of(VersionRecord))
    articles = _mapping("articles")
    assert set(documents._ARTICLE_FIELDS) <= versioned
    assert set(documents._ARTICLE_FIELDS) <= set(articles)
    assert versioned - set(documents._ARTICLE_FIELDS) == set(documents.NOT_IN_ARTICLE_DOC)
    assert set(documents._VERSION_FIELDS) <= versioned
    assert set(documents._VERSION_FIELDS) <= set(_mapping("versions"))
    assert set(DIFF_FIELDS) <= versioned


def test_every_field_a_query_may_name_is_mapped():
    from search_cli.query import fields as F

    mapped = _paths(_mapping("articles"))
    for name, real in F.QUERY_FIELDS.items():
        assert real in mapped, (name, real)
    for real in F.QUERY_FIELD_PREFIXES.values():
        assert real.rstrip(".") in mapped
    from indexer.documents import DERIVED_FIELDS
    from indexer.stories.cluster import FIELDS as STORY_FIELDS

    known = set(fields_of(VersionRecord)) | set(DERIVED_FIELDS) | set(STORY_FIELDS)
    assert set(F.SOURCE_FIELDS) <= known, set(F.SOURCE_FIELDS) - known
    assert set(DERIVED_FIELDS) <= mapped
