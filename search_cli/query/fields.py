"""The fields a user may name, and where each lives in the index (indexer/mappings/).

One table serves ``field:value`` in queries, ``--fields`` of the output and the CSV
columns, so a name means the same thing everywhere.
"""

from __future__ import annotations

# Friendly name (lower case) -> real field searched by ``name:value`` in a query.
QUERY_FIELDS: dict[str, str] = {
    "title": "title",
    "description": "description",
    "body": "body",
    "text": "body",
    "author": "authors.text",
    "authors": "authors.text",
    "outlet": "outlet",
    "domain": "domain",
    "source": "source_id",
    "section": "section",
    "tag": "tags",
    "tags": "tags",
    "lang": "language",
    "language": "language",
    "url": "url",
    "id": "id",
    "published": "published",
    "date": "published",
    "modified": "modified",
    "crawled": "crawled",
    "first_seen": "first_seen",
    "last_seen": "last_seen",
    "words": "word_count",
    "word_count": "word_count",
    "paywalled": "paywalled",
    "versions": "version_count",
    "removed": "removed",
    # what the corpus understands of an article (political flag, people, stories, verdicts)
    "political": "political",
    "lean": "lean",
    "person": "people.name",
    "person_id": "people.id",
    "party": "parties",
    "story": "story_id",
    "wire": "syndicated_from",
    "claim": "claim_reviews.claim",
    "rating": "claim_reviews.rating",
    "claimant": "claim_reviews.claimant",
    # unstemmed variants, for users who want them explicitly
    "title.exact": "title.exact",
    "description.exact": "description.exact",
    "body.exact": "body.exact",
}

# Prefixes of open-ended names: registry tags of the source (``where.country:us``).
QUERY_FIELD_PREFIXES: dict[str, str] = {"where.": "source_tags.", "source_tags.": "source_tags."}

# Free text goes to these, the title boosted; quoted phrases go to their ``.exact``.
TEXT_FIELDS = ("title^3", "description^1.5", "body", "authors.text")
# Bare wildcard terms go to the unstemmed fields (see text.py).
WILDCARD_FIELDS = ("title.exact^3", "description.exact^1.5", "body.exact", "authors.text")
EXACT_SUFFIX = ".exact"

DATE_FIELDS = ("published", "crawled", "modified")

# Output fields (``--fields``), in the order --help lists them; each is a field of the
# article document except the computed ones (score, date, snippet, replay_url: where
# ``newsarchive replay`` serves the capture) and the capture's parts (warc_*), which
# ``hits.Hit.as_dict`` derives; ``people`` gives the names.
OUTPUT_FIELDS = (
    "id",
    "score",
    "outlet",
    "date",
    "published",
    "modified",
    "crawled",
    "first_seen",
    "last_seen",
    "title",
    "snippet",
    "url",
    "canonical_url",
    "authors",
    "section",
    "tags",
    "language",
    "domain",
    "source_id",
    "source_tags",
    "description",
    "word_count",
    "version",
    "version_count",
    "removed",
    "political",
    "lean",
    "people",
    "parties",
    "story_id",
    "duplicate_of",
    "syndicated_from",
    "replay_url",
    "warc_file",
    "warc_offset",
    "warc_length",
    "warc_digest",
    "warc_record_id",
    "capture",
    "body",
)
DEFAULT_OUTPUT = ("id", "score", "outlet", "date", "title", "snippet", "url", "authors")
# The capture pointer's parts, for a citation in a flat CSV row.
CAPTURE_PARTS = {
    "warc_file": "warc_file",
    "warc_offset": "offset",
    "warc_length": "length",
    "warc_digest": "digest",
    "warc_record_id": "record_id",
}
_COMPUTED = ("score", "date", "snippet", "replay_url", *CAPTURE_PARTS)
# The document fields output fields read (never the large body unless asked).
SOURCE_FIELDS = [f for f in OUTPUT_FIELDS if f not in _COMPUTED and f != "body"]


def source_fields(names: list[str] | tuple[str, ...], date_field: str) -> list[str]:
    """The ``_source`` fields a hit needs for the output fields ``names``: ``date`` reads
    the date field, ``warc_*`` the capture, a snippet without highlight the
    description (the body only when asked for)."""
    wanted = {"id"}
    for name in names:
        if name == "date":
            wanted.add(date_field)
        elif name in CAPTURE_PARTS:
            wanted.add("capture")
        elif name == "snippet":
            wanted.add("description")
        elif name == "replay_url":
            wanted.update(("crawled", "url"))
        elif name not in _COMPUTED:
            wanted.add(name)
    return sorted(wanted)


def resolve_query_field(name: str) -> str | None:
    """The real field for ``name`` in a query, or None when it is not documented."""
    lowered = name.lower()
    if lowered in QUERY_FIELDS:
        return QUERY_FIELDS[lowered]
    for prefix, real in QUERY_FIELD_PREFIXES.items():
        if lowered.startswith(prefix) and len(name) > len(prefix):
            return real + name[len(prefix) :]  # registry tag keys keep their case
    return None


def known_query_fields() -> str:
    names = sorted(n for n in QUERY_FIELDS if not n.endswith(".exact"))
    return ", ".join(names) + ", where.<registry tag>"


# ``--by`` names -> keyword fields of the article document. Besides these, ``where.TAG``
# splits by a registry tag and any keyword or boolean field of the mapping can be named
# as it is (``people.id``, ``parties``, ``political``...).
GROUP_BY: dict[str, str] = {
    "outlet": "outlet",
    "source": "source_id",
    "author": "authors",
    "section": "section",
    "tag": "tags",
    "domain": "domain",
    "lang": "language",
    "lean": "lean",
    "political": "political",
    "person": "people.name",
    "party": "parties",
    "story": "story_id",
    "wire": "syndicated_from",
    "rating": "claim_reviews.rating",
}
_GROUPABLE_TYPES = ("keyword", "boolean")


def groupable_fields() -> list[str]:
    """Every keyword or boolean field of the articles mapping (``people.id``...)."""
    from indexer.layout import mapping

    found: list[str] = []

    def walk(properties: dict, path: str) -> None:
        for name, spec in properties.items():
            full = f"{path}{name}"
            if spec.get("type") in _GROUPABLE_TYPES and spec.get("doc_values", True):
                found.append(full)
            if "properties" in spec:
                walk(spec["properties"], full + ".")

    walk(mapping("articles")["properties"], "")
    return sorted(found)


def group_field(by: str) -> str | None:
    """The field ``--by BY`` splits on, or None when it names none."""
    if by in GROUP_BY:
        return GROUP_BY[by]
    key = by.removeprefix("where.")
    if key != by:
        return (
            f"source_tags.{key}"
            if key and key.replace("_", "").replace("-", "").isalnum()
            else None
        )
    return by if by in groupable_fields() else None


def group_names() -> list[str]:
    """What ``--by`` accepts, for help, completion and errors."""
    return [*GROUP_BY, "where.TAG", *[f for f in groupable_fields() if f not in GROUP_BY.values()]]
