"""The article record, defined once: what the extractor gives and what each line of
``articles.jsonl`` holds (docs/record-format.md).

Everything that names record fields derives them from here: the extractor's field
list, the archive's version and diff fields, the seen-store, the indexer's document
builder and the query library's field list. The JSON Schema beside this module
(``article-record.schema.json``) is the published contract; a test fails when it and
these types drift apart.
"""

# No ``from __future__ import annotations`` here: TypedDict must see NotRequired[...]
# as a type, not a string, to tell optional keys from required ones.
from typing import Any, Literal, NotRequired, TypedDict


class CapturePointer(TypedDict):
    """Where a fetch lies in the WARC files (a revisit names its original)."""

    warc_file: str
    offset: int
    length: int
    digest: str
    record_id: str
    revisit: bool
    refers_to: NotRequired[dict[str, Any]]


class Validators(TypedDict):
    """The HTTP validators of a fetched page, for a conditional re-fetch of it."""

    etag: str | None
    last_modified: str | None


class TextSample(TypedDict):
    """The body's sampled shingle keys (``newsarchive.shingles.record_sample``), computed
    once at crawl time for same-story clustering, with the parameters that made them."""

    version: int  # of the words and the hash function
    words: int  # words per shingle
    sample_bits: int  # a key is a shingle hash whose low sample_bits bits are zero
    lead_shingles: int  # the lead: the first lead_shingles shingles
    lead_keys: int  # the lead's smallest keys kept in ``lead``
    shingles: int  # distinct shingles of the body
    keys: str  # every key, by hash value, 8 URL-safe base64 characters each
    lead: str  # the lead's smallest keys, packed the same way


class Correction(TypedDict):
    """A notice in the text saying the outlet changed it ("Correction: ...")."""

    kind: Literal["correction", "update", "editors_note"]
    text: str


class Person(TypedDict):
    """A gazetteer person an article mentions, as in force on its publication date."""

    id: str
    name: str
    party: str | None
    office: str | None
    state: str | None
    district: NotRequired[str | int | None]
    mentions: int


class ClaimReview(TypedDict):
    """A fact-check's verdict on one claim (schema.org ``ClaimReview``)."""

    claim: str | None
    rating: str | None  # the rating's own words: "False", "Pants on Fire"
    rating_value: float | None  # on the page's scale, from worst_rating to best_rating
    best_rating: float | None
    worst_rating: float | None
    claimant: str | None  # who made the claim


class Extracted(TypedDict):
    """What ``crawler.extract.extract`` gives for one page (before the archive adds
    identity, source and capture)."""

    url: str
    canonical_url: str
    title: str | None
    description: str | None
    body: str
    authors: list[str]
    published: str | None
    modified: str | None
    section: str | None
    tags: list[str]
    language: str | None
    image: str | None
    word_count: int
    links: list[str]
    paywalled: bool
    political: bool | None
    political_score: float | None
    political_signals: list[dict[str, Any]] | None
    people: list[Person] | None
    parties: list[str] | None
    claim_reviews: list[ClaimReview] | None


class _Line(TypedDict):
    """What every line carries, whatever its event."""

    record_version: int
    id: str
    version: int
    url: str
    source_id: str
    fetched_at: str
    http_status: int
    capture: CapturePointer


class VersionRecord(_Line):
    """``new`` (version 1) or ``changed`` (version n+1): a whole article version."""

    event: Literal["new", "changed"]
    canonical_url: str
    domain: str
    outlet: str
    source_tags: dict[str, str | list[str]]
    title: str | None
    description: str | None
    body: str
    authors: list[str]
    published: str | None
    modified: str | None
    section: str | None
    tags: list[str]
    language: str | None
    image: str | None
    word_count: int
    links: list[str]
    paywalled: bool
    political: NotRequired[bool | None]
    political_score: NotRequired[float | None]
    political_signals: NotRequired[list[dict[str, Any]] | None]
    people: NotRequired[list[Person] | None]
    parties: NotRequired[list[str] | None]
    claim_reviews: NotRequired[list[ClaimReview] | None]
    provenance: dict[str, str]
    extractor: dict[str, Any]
    first_seen: str
    content_hash: str
    changed_fields: list[str]
    previous: dict[str, Any]
    # What the change amounts to (records written before these existed lack them):
    # words added and removed from the previous version (title, description, body),
    # every field changed in any version so far, the notices the text carries, and the
    # response's validators (a later re-fetch sends them: a 304 becomes a ``seen``).
    words_added: NotRequired[int]
    words_removed: NotRequired[int]
    edited_fields: NotRequired[list[str]]
    corrections: NotRequired[list[Correction]]
    validators: NotRequired[Validators]
    # The headlines the source's listings gave the article in the crawl that captured it
    # (feed titles, news:title): a later listing headline not among them is a change
    # signal (records written before this existed lack it).
    listed_titles: NotRequired[list[str]]
    # The body's sampled shingle keys, for same-story clustering (the indexer computes
    # them from the body when they are missing or were made with other parameters).
    text_sample: NotRequired[TextSample]


class SeenRecord(_Line):
    """``seen``: a re-fetch whose normalized title and body did not change, or that the
    server answered 304 Not Modified (``http_status`` 304; the capture is a revisit)."""

    event: Literal["seen"]
    outlet: str
    content_hash: str
    validators: NotRequired[Validators]
    listed_titles: NotRequired[list[str]]


class RemovedRecord(_Line):
    """``removed``: a known article now answers 404/410 or redirects home."""

    event: Literal["removed"]
    reason: str


ArticleRecord = VersionRecord | SeenRecord | RemovedRecord

VERSION_EVENTS = ("new", "changed")
MAX_LISTED_TITLES = 5  # listing headlines a record keeps
MAX_LISTED_TITLE_CHARS = 300


def listed_title(title: object) -> str | None:
    """A listing's headline as a record keeps it: one line, bounded (hostile input)."""
    if not isinstance(title, str):
        return None
    return " ".join(title.split())[:MAX_LISTED_TITLE_CHARS] or None


def listed_titles(values: object) -> list[str]:
    """The ``listed_titles`` a record keeps from ``values`` (a crawl's, a WARC's or a
    record line's): headlines cleaned as ``listed_title``, each once, at most
    ``MAX_LISTED_TITLES``; anything else is left out."""
    kept: list[str] = []
    for value in values if isinstance(values, list | tuple) else ():
        title = listed_title(value)
        if title and title not in kept:
            kept.append(title)
            if len(kept) == MAX_LISTED_TITLES:
                break
    return kept


EVENTS = (*VERSION_EVENTS, "seen", "removed")
# An extracted body is its blocks (paragraphs, headings, list items) joined by this.
BODY_BLOCK_SEPARATOR = "\n\n"

# The extractor's fields, in record order.
ARTICLE_FIELDS: tuple[str, ...] = tuple(Extracted.__annotations__)
# The extracted fields a version record carries (url and canonical_url are decided by
# the archive, from the fetched URL and the page's canonical link).
EXTRACTED_FIELDS = tuple(f for f in ARTICLE_FIELDS if f not in ("url", "canonical_url"))
# Fields compared between versions, kept per version and diffed by `show`: a change in
# any is listed in ``changed_fields``, but only a change of the normalized title or
# body makes a new version.
DIFF_FIELDS = ("title", "description", "body", "authors", "published", "modified")
TEXT_DIFF_FIELDS = ("title", "description", "body")  # compared as normalized text


def fields_of(kind: type) -> tuple[str, ...]:
    """Every field a record type may carry, required or not, in declaration order."""
    return tuple(kind.__annotations__)


def required_of(kind: type) -> frozenset[str]:
    """The fields a record type must carry."""
    return frozenset(kind.__required_keys__)
