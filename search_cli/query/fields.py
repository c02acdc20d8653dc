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

# Output fields: name -> how to get it from a hit (see run.Hit.as_dict).
OUTPUT_FIELDS = (
    "id",
    "score",
    "outlet",
    "date",
    "published",
    "modified",
    "crawled",
    "title",
    "snippet",
    "url",
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
    "body",
)
DEFAULT_OUTPUT = ("id", "score", "outlet", "date", "title", "snippet", "url", "authors")
# What search fetches from _source (never the body unless asked: bodies are large).
SOURCE_FIELDS = [f for f in OUTPUT_FIELDS if f not in ("score", "date", "snippet", "body")]


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
