"""From what the user asked (a ``SearchSpec``) to Elasticsearch request bodies.

Pure functions, no I/O: the CLI, the library API and the tests share them. The date
range is applied as a ``post_filter`` so that one request also counts the articles the
range had to leave out because they have no date (``undated``), which are reported,
never silently mixed in.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import asdict, dataclass, field

from newsarchive.dates import DateRange
from search_cli.query import fields as F
from search_cli.query.errors import InvalidQuery
from search_cli.query.text import rewrite

SORTS = ("relevance", "newest", "oldest")
MAX_WINDOW = 10_000  # from + size beyond this needs a resume token (search_after)
SNIPPET_CHARS = 180
HL_OPEN, HL_CLOSE = "<em>", "</em>"


@dataclass(frozen=True)
class Filters:
    """Filters besides the query text; several values of one filter are ORed."""

    outlets: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    where: tuple[tuple[str, str], ...] = ()  # registry tags: (key, value)
    political: bool | None = None  # only political articles (True) or only the others
    people: tuple[str, ...] = ()  # gazetteer ids (``query.people.resolve`` of a name)
    parties: tuple[str, ...] = ()  # party names as the tagger gives them ("Democratic")
    dates: DateRange = field(default_factory=DateRange)
    date_field: str = "published"
    # What happened to an article after publication (``search --edited`` ...).
    edited: bool = False  # more than one version
    headline_changed: bool = False  # a version rewrote the headline
    removed: bool = False  # vanished from its site


@dataclass(frozen=True)
class SearchSpec:
    """One search: the query text, its filters and the order of results."""

    query: str = ""
    filters: Filters = field(default_factory=Filters)
    sort: str | None = None  # None: relevance for a query, newest for an empty one
    one_per_story: bool = False  # collapse same-story copies into their best match

    @property
    def effective_sort(self) -> str:
        if self.sort:
            return self.sort
        return "relevance" if self.query.strip() else "newest"

    def fingerprint(self) -> str:
        """Short stable hash of the spec, tying a resume token to its search."""
        data = asdict(self)
        data["sort"] = self.effective_sort
        raw = json.dumps(data, sort_keys=True, default=str).encode()
        return hashlib.sha1(raw).hexdigest()[:10]

    def describe(self) -> dict:
        """The spec as plain JSON, for export headers and --format json."""
        f = self.filters
        out: dict = {"query": self.query, "sort": self.effective_sort}
        if self.one_per_story:
            out["one_per_story"] = True
        chosen = {
            "outlet": list(f.outlets),
            "domain": list(f.domains),
            "author": list(f.authors),
            "section": list(f.sections),
            "tag": list(f.tags),
            "lang": list(f.languages),
            "where": [f"{k}={v}" for k, v in f.where],
            "person": list(f.people),
            "party": list(f.parties),
        }
        out["filters"] = {k: v for k, v in chosen.items() if v}
        if f.political is not None:
            out["filters"]["political"] = f.political
        for name in ("edited", "headline_changed", "removed"):
            if getattr(f, name):
                out["filters"][name] = True
        if not f.dates.is_open:
            out["date_field"] = f.date_field
            out["from"] = f.dates.to_es().get("gte")
            out["to_before"] = f.dates.to_es().get("lt")
        return out


def validate(spec: SearchSpec) -> None:
    if spec.filters.date_field not in F.DATE_FIELDS:
        raise InvalidQuery(
            f"unknown date field {spec.filters.date_field!r}: use one of {', '.join(F.DATE_FIELDS)}",
            param="date_field",
        )
    if spec.sort is not None and spec.sort not in SORTS:
        raise InvalidQuery(
            f"unknown sort {spec.sort!r}: use one of {', '.join(SORTS)}", param="sort"
        )


def text_query(query: str) -> dict:
    """The full-text part: ``query_string`` over the text fields, AND by default."""
    if not query.strip():
        return {"match_all": {}}
    safe = rewrite(
        query,
        F.resolve_query_field,
        known=F.known_query_fields(),
        wildcard_fields=F.WILDCARD_FIELDS,
    )
    return {
        "query_string": {
            "query": safe,
            "fields": list(F.TEXT_FIELDS),
            "default_operator": "AND",
            "quote_field_suffix": F.EXACT_SUFFIX,
            "allow_leading_wildcard": False,
            "lenient": True,  # title:2019 on a date field must not fail the whole query
        }
    }


def _any_of(clauses: list[dict]) -> dict:
    return (
        clauses[0]
        if len(clauses) == 1
        else {"bool": {"should": clauses, "minimum_should_match": 1}}
    )


def _term(fld: str, value: str) -> dict:
    return {"term": {fld: {"value": value, "case_insensitive": True}}}


def filter_clauses(filters: Filters) -> list[dict]:
    """Every filter except the date range (see ``date_filter``)."""
    clauses: list[dict] = []
    if filters.outlets:
        # An outlet by its name ("The Hill") or its registry id ("thehill").
        clauses.append(_any_of([outlet_clause(v) for v in filters.outlets]))
    keyword_filters = (
        ("domain", filters.domains),
        ("section", filters.sections),
        ("tags", filters.tags),
        ("language", filters.languages),
    )
    for fld, values in keyword_filters:
        if values:
            clauses.append(_any_of([_term(fld, v) for v in values]))
    if filters.authors:
        # A name matches however it is written: "smith" finds "Jane Smith".
        clauses.append(
            _any_of(
                [
                    {"match": {"authors.text": {"query": a, "operator": "and"}}}
                    for a in filters.authors
                ]
            )
        )
    for key, value in filters.where:
        clauses.append(_term(f"source_tags.{key}", value))
    if filters.political is not None:
        clauses.append({"term": {"political": filters.political}})
    if filters.people:
        clauses.append({"terms": {"people.id": list(filters.people)}})
    if filters.parties:
        clauses.append(_any_of([_term("parties", v) for v in filters.parties]))
    return clauses + edit_clauses(filters)


def edit_clauses(filters: Filters) -> list[dict]:
    """``edited``, ``headline_changed`` and ``removed`` as filters of the articles index.
    A headline rewrite is in ``edited_fields`` (every field any version changed); an
    article indexed before that field existed still shows it in its latest version's
    ``changed_fields``."""
    clauses: list[dict] = []
    if filters.edited:
        clauses.append({"range": {"version_count": {"gt": 1}}})
    if filters.headline_changed:
        clauses.append(
            _any_of([{"term": {"edited_fields": "title"}}, {"term": {"changed_fields": "title"}}])
        )
    if filters.removed:
        clauses.append({"term": {"removed": True}})
    return clauses


def outlet_clause(value: str) -> dict:
    """An outlet named by its display name or by its source id, in any case."""
    return _any_of([_term("outlet", value), _term("source_id", value)])


def date_filter(filters: Filters) -> dict | None:
    if filters.dates.is_open:
        return None
    return {"range": {filters.date_field: filters.dates.to_es()}}


def base_query(spec: SearchSpec, *, with_dates: bool) -> dict:
    """Query text AND filters (AND the date range when ``with_dates``)."""
    validate(spec)
    clauses = filter_clauses(spec.filters)
    if with_dates and (dates := date_filter(spec.filters)) is not None:
        clauses.append(dates)
    text = text_query(spec.query)
    if not clauses:
        return text
    return {"bool": {"must": [text], "filter": clauses}}


def filters_query(spec: SearchSpec, *, with_dates: bool) -> dict:
    """The filters (and dates) of ``spec`` without its query text: the articles a
    normalized count divides by, and the base of side-by-side queries."""
    validate(spec)
    clauses = filter_clauses(spec.filters)
    if with_dates and (dates := date_filter(spec.filters)) is not None:
        clauses.append(dates)
    return {"bool": {"filter": clauses}} if clauses else {"match_all": {}}


def sort_clause(spec: SearchSpec) -> list:
    """Sort with a unique tie-breaker (the article id), as ``search_after`` needs."""
    order = spec.effective_sort
    if order == "relevance":
        return [{"_score": "desc"}, {"id": "asc"}]
    direction = "desc" if order == "newest" else "asc"
    date = spec.filters.date_field
    return [
        # No "format": a formatted sort value of an undated article is null, which
        # search_after refuses; epoch milliseconds (and the long ES gives a missing
        # date) carry a deep page or an export past the undated ones.
        {date: {"order": direction, "missing": "_last"}},
        {"id": "asc"},
    ]


def highlight() -> dict:
    """Keyword-in-context snippets; matches on ``.exact`` (phrases, prefixes) count too."""
    fragment = {"fragment_size": SNIPPET_CHARS, "number_of_fragments": 1}
    return {
        "encoder": "html",  # the text is escaped, so our tags are the only markup
        "pre_tags": [HL_OPEN],
        "post_tags": [HL_CLOSE],
        "fields": {
            "title": {"number_of_fragments": 0, "matched_fields": ["title", "title.exact"]},
            "body": {
                **fragment,
                "matched_fields": ["body", "body.exact"],
                "no_match_size": SNIPPET_CHARS,
            },
            "description": {**fragment, "matched_fields": ["description", "description.exact"]},
        },
    }


def search_body(
    spec: SearchSpec,
    *,
    size: int,
    offset: int = 0,
    search_after: list | None = None,
    source: list[str] | bool = True,
    snippets: bool = True,
) -> dict:
    """The body of one page of results."""
    if size < 1:
        raise InvalidQuery("must be at least 1", param="limit")
    if search_after is None and offset + size > MAX_WINDOW:
        raise InvalidQuery(
            f"page too deep (results {offset + 1}-{offset + size}; at most {MAX_WINDOW} by page "
            "number): continue from the resume token a page gives, or export every match",
            param="page",
            instead="after",
        )
    body: dict = {
        "query": base_query(spec, with_dates=False),
        "size": size,
        "sort": sort_clause(spec),
        "track_total_hits": True,
        "_source": source,
    }
    if (dates := date_filter(spec.filters)) is not None:
        body["post_filter"] = dates
        body["aggs"] = {"undated": {"missing": {"field": spec.filters.date_field}}}
    if spec.one_per_story:
        if search_after is not None:
            raise InvalidQuery(
                "a search of one result per story pages by number (up to result "
                f"{MAX_WINDOW:,}), not by resume token",
                param="after",
            )
        body["collapse"] = {"field": "story_id"}
        body.setdefault("aggs", {})["stories"] = {
            "cardinality": {"field": "story_id", "precision_threshold": 40000}
        }
    if search_after is not None:
        body["search_after"] = search_after
    elif offset:
        body["from"] = offset
    if snippets:
        body["highlight"] = highlight()
    return body


def encode_token(spec: SearchSpec, sort_values: list, offset: int = 0) -> str:
    """A resume token: the search it belongs to, where it stopped (``search_after``
    values) and how many results came before, so the next page numbers on."""
    raw = json.dumps([spec.fingerprint(), sort_values, offset], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(spec: SearchSpec, token: str) -> tuple[list, int]:
    """The ``search_after`` values and the offset of a resume token made by the same
    search (tokens of older versions carry no offset: 0)."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        fingerprint, values, *rest = json.loads(raw)
        offset = rest[0] if rest else 0
        if not isinstance(values, list) or not isinstance(offset, int) or offset < 0:
            raise ValueError
    except (ValueError, TypeError) as exc:
        raise InvalidQuery(
            f"{token!r} is not a resume token: pass the token a page printed",
            param="after",
        ) from exc
    if fingerprint != spec.fingerprint():
        raise InvalidQuery(
            "this resume token belongs to a different search: repeat the same query, "
            "filters and sort order with it",
            param="after",
        )
    return values, offset
