"""The article record: its types (``crawler.schema.record``) and its JSON Schema, the
contract between crawler and indexer."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from crawler.schema import record

SCHEMA_PATH = Path(__file__).with_name("article-record.schema.json")

# What the extractor gives for one page: the article fields of every record.
ARTICLE_FIELDS = record.ARTICLE_FIELDS


@cache
def article_record_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def validate_record(record: dict) -> None:
    """Raise ``jsonschema.ValidationError`` if ``record`` breaks the format."""
    import jsonschema

    jsonschema.Draft202012Validator(
        article_record_schema(), format_checker=jsonschema.FormatChecker()
    ).validate(record)
