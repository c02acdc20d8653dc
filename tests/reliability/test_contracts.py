"""Contracts between the parts, found broken while writing the reliability suite."""

from __future__ import annotations

import pytest

from crawler.archive import Archive
from crawler.schema import validate_record
from crawler.sources import parse_registry
from tests.archive.helpers import extracted

pytestmark = pytest.mark.reliability


def test_list_valued_registry_tags_fit_the_record_schema(tmp_path):
    (source,) = parse_registry(
        {
            "source": [
                {
                    "id": "ledger",
                    "name": "Ledger",
                    "homepage": "https://ledger.example/",
                    "feeds": ["https://ledger.example/rss"],
                    "tags": {"collection": ["test", "loopback"]},
                }
            ]
        }
    )
    url = "https://ledger.example/2024/05/01/story/"
    with Archive(tmp_path) as archive:
        capture = archive.capture(url, status=200, body=b"<html>story</html>")
        outcome = archive.record_article(
            extracted(url, "A story", "Body of the story. " * 20),
            capture=capture,
            source_id=source.id,
            outlet=source.name,
            source_tags=source.tags,
            http_status=200,
        )
    validate_record(outcome.record)
