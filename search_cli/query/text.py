"""A safe pre-parse of the user's query before Elasticsearch's ``query_string`` sees it.

``query_string`` gives users AND/OR/NOT, ``-term``, ``"phrases"``, ``prefix*`` and
``field:value``, but it would also let them name any field of the index and turn a
stray ``/`` into a regular expression. The pre-parse walks the query once, outside
quoted phrases:

- ``name:`` must be a documented field; friendly names map to the real ones, an unknown
  name is an ``InvalidQuery`` (exit 2) listing the known ones;
- ``/`` is escaped (``9/11`` is text, not a regex);
- bare ``prefix*`` / ``wild?card`` terms are routed to the unstemmed ``.exact`` text
  fields, where a prefix means what the user typed (a stemmed field holds ``presid``
  for "president", so ``presiden*`` would miss it);
- unbalanced quotes are reported here, in words, instead of by the Lucene parser.

Quoted phrases are left as they are: ``quote_field_suffix`` sends them to ``.exact``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from search_cli.query.errors import InvalidQuery

_FIELD = re.compile(r"([A-Za-z_][\w.]*):")
_TERM_START = set(" \t\n(+-!")
_TERM_END = set(" \t\n()")


def rewrite(
    query: str,
    resolve: Callable[[str], str | None],
    *,
    known: str = "",
    wildcard_fields: Sequence[str] = (),
) -> str:
    """``query`` with field names resolved and risky syntax neutralized.

    ``resolve``: a name as typed -> the real field, or None when it is not allowed
    (``known`` lists the allowed names for the error). ``wildcard_fields``: where bare
    wildcard terms are searched (``field^boost``).
    """
    out: list[str] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch == "\\":
            out.append(query[i : i + 2])
            i += 2
            continue
        if ch == '"':
            end = _closing_quote(query, i)
            out.append(query[i : end + 1])
            i = end + 1
            continue
        if ch == "/":
            out.append("\\/")
            i += 1
            continue
        at_term_start = i == 0 or query[i - 1] in _TERM_START
        if at_term_start and (match := _FIELD.match(query, i)):
            out.append(_resolve(match.group(1), resolve, known) + ":")
            i = match.end()
            continue
        if at_term_start and wildcard_fields and ch not in _TERM_START | set(")"):
            term_end = _term_end(query, i)
            term = query[i:term_end]
            if ("*" in term or "?" in term) and term.strip("*?"):
                out.append(_wildcard(term, wildcard_fields))
                i = term_end
                continue
        out.append(ch)
        i += 1
    return "".join(out)


def _closing_quote(query: str, start: int) -> int:
    j = start + 1
    while j < len(query):
        if query[j] == "\\":
            j += 2
            continue
        if query[j] == '"':
            return j
        j += 1
    raise InvalidQuery(
        f'unbalanced quote in {query!r}: close the phrase with a second " '
        '(or escape a literal quote as \\")'
    )


def _term_end(query: str, start: int) -> int:
    j = start
    while j < len(query) and query[j] not in _TERM_END:
        if query[j] in '\\"/:':  # escapes, quotes and fields: not a plain wildcard term
            return start
        j += 1
    return j


def _wildcard(term: str, fields: Sequence[str]) -> str:
    # ``field:term*`` on each unstemmed field; the boost of the title is kept.
    lowered = term.lower()
    parts = []
    for spec in fields:
        field, _, boost = spec.partition("^")
        parts.append(f"{field}:{lowered}" + (f"^{boost}" if boost else ""))
    return "(" + " OR ".join(parts) + ")"


def _resolve(name: str, resolve: Callable[[str], str | None], known: str) -> str:
    real = resolve(name)
    if real is not None:
        return real
    raise InvalidQuery(
        f"unknown field {name!r} in the query: known fields are {known} "
        '(to search for text containing a colon, put it in quotes: "...")'
    )
