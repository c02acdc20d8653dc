"""Article records (docs/record-format.md) -> Elasticsearch documents.

Every write to the articles index carries an external version derived from the
record, so a replayed or out-of-order record can never overwrite a newer state:
Elasticsearch answers 409 and the indexer counts the record as unchanged.
"""

from __future__ import annotations

from datetime import datetime

from crawler.schema.record import EVENTS, VersionRecord, fields_of

_MS_BITS = 42  # milliseconds since 1970 fit in 42 bits until the year 2109

# Record fields copied as they are into the current-article document: every field of
# a version record but the line's own bookkeeping, the previous values (those go to
# the versions index), and the HTTP validators and listing headlines (the crawler's
# business: what its next re-fetch sends, what makes an article due).
NOT_IN_ARTICLE_DOC = (
    "record_version", "event", "fetched_at", "previous", "validators", "listed_titles",
    "text_sample",  # becomes story_keys and story_sample (indexer.stories)
)  # fmt: skip
_ARTICLE_FIELDS = tuple(f for f in fields_of(VersionRecord) if f not in NOT_IN_ARTICLE_DOC)
# What the indexer adds to an article document besides the record's fields.
DERIVED_FIELDS = (
    "version_count",
    "crawled",
    "last_seen",
    "removed",
    "removed_at",
    "removed_reason",
    "lean",
)
_VERSION_FIELDS = (
    "version",
    "url",
    "canonical_url",
    "source_id",
    "outlet",
    "domain",
    "source_tags",
    "title",
    "description",
    "authors",
    "section",
    "language",
    "published",
    "modified",
    "first_seen",
    "word_count",
    "content_hash",
    "changed_fields",
    "edited_fields",
    "words_added",
    "words_removed",
    "corrections",
    "extractor",
    "capture",
)


class RecordError(ValueError):
    """A record the indexer cannot turn into a document (goes to the dead-letter file)."""


def check(record: object) -> dict:
    """The minimal shape every record needs; the mapping rejects the rest."""
    if not isinstance(record, dict):
        raise RecordError("record is not a JSON object")
    event = record.get("event")
    if event not in EVENTS:
        raise RecordError(f"unknown event {event!r}")
    if not isinstance(record.get("id"), str) or not record["id"]:
        raise RecordError("record has no id")
    version = record.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise RecordError(f"invalid version {version!r}")
    external_version(record)
    return record


def _millis(value: object) -> int:
    if not isinstance(value, str):
        raise RecordError(f"invalid fetched_at {value!r}")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise RecordError(f"invalid fetched_at {value!r}") from None
    if moment.tzinfo is None:
        raise RecordError(f"fetched_at {value!r} has no time zone")
    return int(moment.timestamp() * 1000)


def external_version(record: dict) -> int:
    """Order of record states: article version first, then capture time (ms).

    A changed version always wins over any event of an older version; among events
    of one version (seen, removed) the later capture wins.
    """
    ms = _millis(record.get("fetched_at"))
    if not 0 <= ms < 1 << _MS_BITS:
        raise RecordError(f"fetched_at {record.get('fetched_at')!r} out of range")
    if record["version"] >= 1 << (62 - _MS_BITS):
        raise RecordError(f"version {record['version']} too large")
    return (record["version"] << _MS_BITS) | ms


def folded_tags(tags: object) -> object:
    """Registry tag values case-folded (``US`` and ``us`` are one country in filters and
    in counts by ``where.country``); keys and anything not a string stay as they are."""
    if not isinstance(tags, dict):
        return tags

    def fold(value: object) -> object:
        if isinstance(value, str):
            return value.casefold()
        if isinstance(value, list):
            return [fold(v) for v in value]
        return value

    return {key: fold(value) for key, value in tags.items()}


def article_doc(record: dict) -> dict:
    """The current-article document after a ``new`` or ``changed`` record."""
    doc = {name: record.get(name) for name in _ARTICLE_FIELDS}
    doc["source_tags"] = folded_tags(doc.get("source_tags"))
    doc["version_count"] = record["version"]
    doc["crawled"] = record["fetched_at"]
    doc["last_seen"] = record["fetched_at"]
    doc["first_seen"] = record.get("first_seen") or record["fetched_at"]
    doc["removed"] = False
    doc["lean"] = lean(record.get("source_tags"))
    return doc


def lean(tags: object) -> str | None:
    """The registry's ``lean`` tag of the source as a field of its own: Kibana splits
    charts by keyword fields, not by the keys of a flattened one."""
    value = tags.get("lean") if isinstance(tags, dict) else None
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str)), None)
    return value.strip().lower() or None if isinstance(value, str) else None


def seen_doc(base: dict, record: dict) -> dict:
    """``base`` (the article's current document) after a ``seen`` re-fetch."""
    doc = dict(base)
    doc["last_seen"] = record["fetched_at"]
    doc["url"] = record.get("url") or base.get("url")
    doc["http_status"] = record.get("http_status", base.get("http_status"))
    doc["removed"] = False
    doc.pop("removed_at", None)
    doc.pop("removed_reason", None)
    return doc


def removed_doc(base: dict, record: dict) -> dict:
    """``base`` after the article vanished (404/410/redirect home); it stays searchable."""
    doc = dict(base)
    doc["removed"] = True
    doc["removed_at"] = record["fetched_at"]
    doc["removed_reason"] = record.get("reason")
    doc["http_status"] = record.get("http_status", base.get("http_status"))
    return doc


def version_doc(record: dict) -> dict:
    """One document per version: its metadata, what changed and the previous values.

    The body of version n is not repeated here: it is ``previous.body`` of version
    n+1 when the body changed again, else the current article's body.
    """
    doc = {name: record.get(name) for name in _VERSION_FIELDS}
    doc["source_tags"] = folded_tags(doc.get("source_tags"))
    doc["article_id"] = record["id"]
    doc["event"] = record["event"]
    doc["edited"] = record["version"] > 1
    doc["crawled"] = record["fetched_at"]
    doc["previous"] = record.get("previous") or {}
    return doc


def version_id(record: dict) -> str:
    return f"{record['id']}-v{record['version']}"
