"""Errors of the query library, and the translation of Elasticsearch's.

``InvalidQuery`` is bad input (a date, a field, a query Elasticsearch rejects): the CLI
turns it into a usage error (exit 2). Runtime failures (cluster down, no index) are
``NewsarchiveError`` (exit 1).
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Iterator

from newsarchive.errors import ElasticsearchUnavailable, NewsarchiveError

MAX_REASON = 300  # characters of an Elasticsearch error reason shown to the user


class InvalidQuery(ValueError):
    """The user's input cannot be searched; the message says what to change.

    ``param`` names the input at fault as the library's callers name it (``limit``,
    ``after``, ``date_field``...), ``instead`` the one to use in its place; the CLI turns
    them into its own option names.
    """

    def __init__(
        self, message: str, *, param: str | None = None, instead: str | None = None
    ) -> None:
        super().__init__(message)
        self.param = param
        self.instead = instead  # the parameter to use instead, when there is one


class IndexMissing(NewsarchiveError):
    """The corpus index does not exist yet."""


def es_reason(exc: Exception) -> str:
    """The most specific reason Elasticsearch gave, on one line."""
    body = getattr(exc, "body", None)
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return " ".join(str(getattr(exc, "message", exc)).split())
    reasons = []
    node = error
    while isinstance(node, dict):
        if node.get("reason"):
            reasons.append(node["reason"])
        node = node.get("caused_by")
    for cause in error.get("root_cause") or []:
        if isinstance(cause, dict) and cause.get("reason"):
            reasons.append(cause["reason"])
    for failure in error.get("failed_shards") or []:
        reason = (failure or {}).get("reason") or {}
        while isinstance(reason, dict) and reason:
            if reason.get("reason"):
                reasons.append(reason["reason"])
            reason = reason.get("caused_by")
    # The deepest cause says most ("Cannot parse 'a AND': Encountered <EOF>...").
    best = reasons[-1] if reasons else str(error.get("type", "error"))
    for candidate in reasons:
        if "Cannot parse" in candidate or "Failed to parse" in candidate:
            best = candidate
    best = " ".join(best.split())
    # Parser errors quote the whole query back (up to 128 KB): keep a line's worth.
    return best if len(best) <= MAX_REASON else best[: MAX_REASON - 1] + "…"


# Lucene's parser: Cannot parse 'a ^': Encountered " <CARAT> "^ "" at line 1, column 2.
_PARSE = re.compile(
    r"Cannot parse '.*?': (?:Encountered (?P<what>.*?) at line \d+, column (?P<column>\d+))?", re.S
)
_IMAGE = re.compile(r'<[A-Z_]+>\s*"(.*?)\s*""')


def rejected(reason: str) -> str:
    """A rejected query in words: where the parser stopped, not its grammar dump."""
    found = _PARSE.match(reason)
    if found is None:
        return f"Elasticsearch rejected the query: {reason}"
    hint = "check its parentheses, quotes and AND/OR/NOT (see search --help)"
    if found.group("column") is None:
        return f"Elasticsearch cannot parse the query: {hint}"
    what = found.group("what")
    image = _IMAGE.search(what)
    near = "at the end" if "<EOF>" in what or not image else f"at {image.group(1).strip()!r}"
    return f"Elasticsearch cannot parse the query {near} (character {int(found.group('column')) + 1}): {hint}"


@contextlib.contextmanager
def translated(index: str, url: str = "") -> Iterator[None]:
    """Turn client exceptions (the official client's or the light one's) into
    InvalidQuery / IndexMissing / clear runtime errors."""
    try:
        yield
    except (InvalidQuery, NewsarchiveError):
        raise
    except Exception as exc:
        status = _status(exc)
        if status is None:
            raise
        if status == "transport":
            where = f" at {url}" if url else ""
            raise ElasticsearchUnavailable(
                f"lost the connection to Elasticsearch{where} ({es_reason(exc)}): "
                "check that it is running (`newsarchive es status`)"
            ) from None
        if status == 404:
            if getattr(exc, "error", "") == "index_not_found_exception":
                raise IndexMissing(
                    f"no corpus index {index!r} in Elasticsearch: index the archive first "
                    "(`newsarchive index`), or check NEWSARCHIVE_INDEX_PREFIX"
                ) from None
            raise NewsarchiveError(f"Elasticsearch: {es_reason(exc)}") from None
        if status == 400:
            raise InvalidQuery(rejected(es_reason(exc))) from None
        raise NewsarchiveError(f"Elasticsearch failed ({status}): {es_reason(exc)}") from None


def _status(exc: Exception) -> int | str | None:
    """The HTTP status of a client error, "transport" for a lost connection, None for
    anything that is not a client error."""
    from newsarchive.eshttp import HttpApiError

    if isinstance(exc, HttpApiError):
        return exc.status
    if "elasticsearch" not in sys.modules:  # the official client raised nothing
        return None
    from elasticsearch import ApiError, TransportError

    if isinstance(exc, ApiError):
        return int(exc.meta.status)
    if isinstance(exc, TransportError):
        return "transport"
    return None
