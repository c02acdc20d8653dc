"""Errors of the query library, and the translation of Elasticsearch's.

``InvalidQuery`` is bad input (a date, a field, a query Elasticsearch rejects): the CLI
turns it into a usage error (exit 2). Runtime failures (cluster down, no index) are
``NewsarchiveError`` (exit 1).
"""

from __future__ import annotations

import contextlib
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


@contextlib.contextmanager
def translated(index: str, url: str = "") -> Iterator[None]:
    """Turn client exceptions into InvalidQuery / IndexMissing / clear runtime errors."""
    from elasticsearch import ApiError, BadRequestError, NotFoundError, TransportError

    try:
        yield
    except NotFoundError as exc:
        if getattr(exc, "error", "") == "index_not_found_exception":
            raise IndexMissing(
                f"no corpus index {index!r} in Elasticsearch: index the archive first "
                "(`newsarchive index`), or check NEWSARCHIVE_INDEX_PREFIX"
            ) from None
        raise NewsarchiveError(f"Elasticsearch: {es_reason(exc)}") from None
    except BadRequestError as exc:
        raise InvalidQuery(f"Elasticsearch rejected the query: {es_reason(exc)}") from None
    except ApiError as exc:
        raise NewsarchiveError(
            f"Elasticsearch failed ({exc.meta.status}): {es_reason(exc)}"
        ) from None
    except TransportError as exc:
        where = f" at {url}" if url else ""
        raise ElasticsearchUnavailable(
            f"lost the connection to Elasticsearch{where} ({es_reason(exc)}): "
            "check that it is running (`newsarchive es status`)"
        ) from None
