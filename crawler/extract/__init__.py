"""Article extraction: one HTML page in, one article record (a dict) out.

Interface used by the crawler, ``newsarchive extract`` and re-extraction:

    extract(html, url, *, feed_entry=None, politics_hint=None, timeout=DEFAULT_TIMEOUT,
            encoding=None, boilerplate=None, captured=None) -> dict

The page is parsed once; every step reads that tree. Structured data comes first
(JSON-LD incl. ``@graph``, microdata, OpenGraph/meta), then the feed entry, then
inference (visible byline, URL, htmldate); trafilatura finds the body, which we clean
of boilerplate. The dict carries the fields in ``ARTICLE_FIELDS`` plus ``provenance``
(field -> source: json-ld, microdata, opengraph, meta, byline, url, feed, trafilatura,
htmldate, heuristic) and ``extractor`` (name and version). The politics fields
(``political``, ``political_score``, ``political_signals``, ``people``, ``parties``)
come from ``crawler.politics.tag`` over the extracted title and body; ``politics_hint``
is the registry's word that the URL came from a politics feed or section.

Pure function of its inputs (``captured`` given; without it "now" bounds the dates read
from the page's text), safe in threads and process pools, result picklable.
Bounded: input is cut at ``page.MAX_INPUT_BYTES``, JSON-LD walks are capped, and in a
main thread the whole call is limited to ``timeout`` seconds (see ``limits``). It
never raises for bad input: a page with no article gives an empty body; a failure or
timeout gives an empty record with ``extractor["error"]`` saying why (the record keeps
its usual keys, so the article-record schema still holds). The one exception is set-up,
not input: an unusable gazetteer file named by ``NEWSARCHIVE_GAZETTEER`` raises
``ConfigError`` before any page is read (``crawler.politics.load_tagger()`` checks it
up front).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from crawler.extract import fields
from crawler.extract.body import extract_body
from crawler.extract.claims import claim_reviews
from crawler.extract.limits import ExtractionTimeout, time_limit
from crawler.extract.page import parse
from crawler.extract.recurring import RecurringBlocks
from crawler.extract.structured import read_structured
from crawler.politics import load_tagger, tag
from crawler.politics.people import PeopleTagger
from crawler.schema import ARTICLE_FIELDS

EXTRACTOR_NAME = "newsarchive-extract"
EXTRACTOR_VERSION = "1.3.11"
DEFAULT_TIMEOUT = 20.0

Page = bytes | str | HtmlElement


def _empty(url: str) -> dict[str, Any]:
    record: dict[str, Any] = {name: None for name in ARTICLE_FIELDS}
    record.update(
        url=url,
        canonical_url=url,
        body="",
        authors=[],
        tags=[],
        links=[],
        word_count=0,
        paywalled=False,
        political=False,
        political_score=0.0,
        political_signals=[],
        people=[],
        parties=[],
        claim_reviews=[],
    )
    record["provenance"] = {}
    record["extractor"] = {"name": EXTRACTOR_NAME, "version": EXTRACTOR_VERSION}
    return record


def _set(record: dict[str, Any], name: str, value: Any, source: str | None) -> None:
    if value not in (None, "", []) and source:
        record[name] = value
        record["provenance"][name] = source


def _politics(record: dict[str, Any], hint: str | None, tagger: PeopleTagger) -> None:
    """Add the politics fields; a failure there keeps the extracted article (and says so)."""
    try:
        fields_ = tag(
            record["title"],
            record["body"] or record["description"],
            published=record["published"],
            url=record["canonical_url"] or record["url"],
            section=record["section"],
            hint=hint,
            tagger=tagger,
        )
    except (RecursionError, MemoryError, ValueError, TypeError, LookupError) as exc:
        record["extractor"]["politics_error"] = f"{type(exc).__name__}: {exc}"[:300]
        return
    record.update(fields_)


def _fill(
    record: dict[str, Any],
    page: Page,
    url: str,
    feed: dict,
    encoding: str | None,
    boilerplate: RecurringBlocks | Collection[str] | None,
    captured: datetime | None,
) -> None:
    tree = page if isinstance(page, HtmlElement) else parse(page, encoding)
    if tree is None:
        for name, key in (("title", "title"), ("description", "description")):
            _set(record, name, fields.text(feed.get(key)), "feed")
        return
    host = urlsplit(url).hostname or ""
    st = read_structured(tree, url)
    title, source = fields.title(tree, st, feed, host, url)
    _set(record, "title", title, source)
    for name, (value, source) in fields.simple_fields(st, feed, url).items():
        _set(record, name, value, source)
    _set(record, "authors", *fields.authors(tree, st, feed, host))
    (published, pub_source), (modified, mod_source) = fields.published_modified(
        tree, st, feed, url, captured
    )
    _set(record, "published", published, pub_source)
    _set(record, "modified", modified, mod_source)
    _set(record, "section", *fields.section(tree, st, title))
    _set(record, "tags", *fields.tags(st, feed))
    _set(record, "claim_reviews", *claim_reviews(st))
    body = extract_body(tree, url, title, fields.declared_body(st), boilerplate)
    _set(record, "body", body.text, body.source)
    _set(record, "links", body.links, "trafilatura")
    if boilerplate is not None:
        record["block_fingerprints"] = body.fingerprints
        if body.dropped:
            record["provenance"]["body_dropped"] = f"source-boilerplate: {body.dropped} blocks"
            record["rule_body"] = body.rule_text
    record["word_count"] = len(body.text.split())


def extract(
    html: Page,
    url: str,
    *,
    feed_entry: dict | None = None,
    politics_hint: str | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    encoding: str | None = None,
    boilerplate: RecurringBlocks | Collection[str] | None = None,
    captured: datetime | None = None,
) -> dict[str, Any]:
    """Extract the article of one page. Never raises for malformed input.

    ``html``: the page's bytes (``encoding``: the charset its HTTP response declared),
    its text, or a tree already made by ``page.parse`` (the crawl classifies it first).
    ``politics_hint``: why the registry thinks the page is political, if it does.
    ``boilerplate``: the source's learnt boilerplate (``recurring.RecurringBlocks``, or
    its ``recurring()`` snapshot). Given, body blocks that recur across the source's
    articles are dropped (``provenance["body_dropped"]`` says how many) and the record
    carries ``block_fingerprints``, every body block's fingerprint, for the caller to
    ``observe`` into the state, and, when blocks were dropped, ``rule_body``: the body
    as the rules left it, before the learnt removal. The archive hashes versions on
    that text, so what the state learns never makes an unchanged page look edited.
    The state itself is never changed here.
    ``captured``: when the page was fetched (the crawl and re-extraction give the
    capture's WARC-Date; default now). A date read from the page's text is never later than that, so re-extracting
    a capture years on gives the date its crawl gave.
    """
    tagger = load_tagger()  # outside the time limit: loaded once per process
    record = _empty(url)
    feed = feed_entry if isinstance(feed_entry, dict) else {}
    try:
        with time_limit(timeout):
            _fill(record, html, url or "", feed, encoding, boilerplate, captured)
            _politics(record, politics_hint if isinstance(politics_hint, str) else None, tagger)
    except ExtractionTimeout:
        record = _empty(url)
        record["extractor"]["error"] = f"timeout after {timeout} s"
    except (RecursionError, MemoryError, ValueError, TypeError, LookupError) as exc:
        record = _empty(url)
        record["extractor"]["error"] = f"{type(exc).__name__}: {exc}"[:300]
    return record


__all__ = [
    "ARTICLE_FIELDS",
    "EXTRACTOR_NAME",
    "EXTRACTOR_VERSION",
    "ExtractionTimeout",
    "RecurringBlocks",
    "extract",
]
