"""A safe pre-parse of the user's query before Elasticsearch's ``query_string`` sees it.

``query_string`` gives users AND/OR/NOT, ``-term``, ``"phrases"``, ``prefix*`` and
``field:value``, but it would also let them name any field of the index and turn a
stray ``/`` into a regular expression. The pre-parse reads the query with the lexical
rules of Lucene's classic query parser (which ``query_string`` uses) and:

- finds every field reference the parser would see: a term, then optional whitespace,
  then ``:``. Lucene unescapes field names and counts ``\\r`` and U+3000 as whitespace,
  so the word before a colon is taken whole (escapes included) and any whitespace
  separates words; ``*:`` (every field) and names with escapes or wildcards are refused,
  and a plain name must be a documented field: friendly names map to the real ones, an
  unknown name is an ``InvalidQuery`` (exit 2) listing the known ones;
- escapes ``/`` (``9/11`` is text, not a regex);
- routes bare ``prefix*`` / ``wild?card`` terms to the unstemmed ``.exact`` text
  fields, where a prefix means what the user typed (a stemmed field holds ``presid``
  for "president", so ``presiden*`` would miss it);
- reports unbalanced quotes here, in words, instead of by the Lucene parser.

Quoted phrases and the insides of ranges (``[2019 TO 2020]``) are left as they are;
``quote_field_suffix`` sends phrases to ``.exact``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from search_cli.query.errors import InvalidQuery

# Characters that end a term in Lucene's lexer (besides whitespace); ``\`` escapes.
_BREAKS = set('()[]{}":^~!/')
_NAME = re.compile(r"[A-Za-z_][\w.]*\Z")
_RANGE_END = {"[": "]", "{": "}"}
SHOWN = 80  # characters of a query an error message quotes


def shown(query: str) -> str:
    """The query as error messages quote it: cut, so a huge query is not echoed back."""
    return repr(query if len(query) <= SHOWN else query[:SHOWN] + "…")


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
    tokens: list[tuple[str, str]] = []  # (kind, text): what check_structure reads
    i, n = 0, len(query)
    after_field = False  # the previous token was ``name:``: a wildcard here is the field's
    while i < n:
        ch = query[i]
        if ch.isspace():
            out.append(ch)
            i += 1
            continue
        if ch == '"':
            end = _closing(query, i, '"')
            out.append(query[i : end + 1])
            tokens.append(("term", query[i : end + 1]))
            i, after_field = end + 1, False
            continue
        if ch in _RANGE_END:
            end = _closing(query, i, _RANGE_END[ch])
            out.append(query[i : end + 1])
            tokens.append(("term", query[i : end + 1]))
            i, after_field = end + 1, False
            continue
        if ch == "/":
            out.append("\\/")
            tokens.append(("term", ch))
            i, after_field = i + 1, False
            continue
        if ch in _BREAKS or ch in "+-:":
            out.append(ch)
            tokens.append((_PUNCTUATION.get(ch, "other"), ch))
            i += 1
            if ch not in "+-!":
                after_field = False
            continue
        end = _word_end(query, i)
        word = query[i:end]
        colon = _colon_after(query, end)
        if colon is not None:
            out.append(_field(word, resolve, known) + query[end : colon + 1])
            tokens.append(("field", word))
            i, after_field = colon + 1, True
            continue
        tokens.append((_OPERATORS.get(word, "term"), word))
        wild = ("*" in word or "?" in word) and word.strip("*?") and "\\" not in word
        if wild and wildcard_fields and not after_field:
            out.append(_wildcard(word, wildcard_fields))
            i = end
            continue
        out.append(word)
        i, after_field = end, False
    check_structure(tokens, query)
    return "".join(out)


_PUNCTUATION = {"(": "open", ")": "close", "+": "modifier", "-": "modifier", "!": "modifier"}
_OPERATORS = {"AND": "operator", "&&": "operator", "OR": "operator", "||": "operator", "NOT": "not"}
# Tokens that need something after them (a term or a group).
_DANGLING = ("operator", "not", "modifier", "field")


def check_structure(tokens: list[tuple[str, str]], query: str) -> None:
    """Refuse, in words, what Lucene's parser would reject with a grammar dump:
    parentheses that do not pair, AND/OR without a term on each side, a ``-``/``NOT``
    or a ``field:`` with nothing after it."""
    depth = 0
    prev: tuple[str, str] = ("start", "")
    for kind, text in tokens:
        if kind == "close":
            if depth == 0:
                raise InvalidQuery(
                    f"{shown(query)} has a ) without a ( before it: remove it "
                    '(to search for a parenthesis, put it in quotes: ")")'
                )
            if prev[0] == "open":
                raise InvalidQuery(
                    f"{shown(query)} has an empty (): put words inside, or remove it"
                )
            _needs_more(prev, query)
            depth -= 1
        elif kind == "operator":
            if prev[0] in ("start", "open", *_DANGLING):
                raise InvalidQuery(_operator_message(text, query))
        elif kind == "open":
            depth += 1
        prev = (kind, text)
    _needs_more(prev, query)
    if depth > 0:
        raise InvalidQuery(
            f"{shown(query)} has a ( that is never closed: add a ) "
            '(to search for a parenthesis, put it in quotes: "(")'
        )


def _operator_message(operator: str, query: str) -> str:
    return (
        f"{shown(query)}: {operator} needs a word on each side, as in tax {operator} budget "
        "(words without an operator must all match: AND is the default)"
    )


def _needs_more(prev: tuple[str, str], query: str) -> None:
    kind, text = prev
    if kind == "operator":
        raise InvalidQuery(_operator_message(text, query))
    if kind == "not":
        raise InvalidQuery(
            f"{shown(query)} ends a part with NOT: write NOT word to leave a word out"
        )
    if kind == "modifier":
        raise InvalidQuery(
            f"{shown(query)} has a {text} with nothing after it: write {text}word "
            f'(to search for a lone {text}, put it in quotes: "{text}")'
        )
    if kind == "field":
        raise InvalidQuery(
            f"{shown(query)} names the field {text} but no value: write {text}:word "
            f'or {text}:"a phrase"'
        )


def _word_end(query: str, start: int) -> int:
    """The end of the term that starts at ``start`` (escapes are part of it)."""
    j = start
    while j < len(query):
        ch = query[j]
        if ch == "\\":
            j += 2
            continue
        if ch.isspace() or ch in _BREAKS or ch == ":":
            break
        j += 1
    return min(j, len(query))


def _colon_after(query: str, end: int) -> int | None:
    """Where the ``:`` that makes the word before ``end`` a field name is, if any."""
    j = end
    while j < len(query) and query[j].isspace():
        j += 1
    return j if j < len(query) and query[j] == ":" else None


def _closing(query: str, start: int, close: str) -> int:
    j = start + 1
    while j < len(query):
        if query[j] == "\\":
            j += 2
            continue
        if query[j] == close:
            return j
        j += 1
    if close == '"':
        raise InvalidQuery(
            f'unbalanced quote in {shown(query)}: close the phrase with a second " '
            '(or escape a literal quote as \\")'
        )
    raise InvalidQuery(
        f"unclosed range in {shown(query)}: close it with {close} (e.g. published:[2019 TO 2020])"
    )


def _wildcard(term: str, fields: Sequence[str]) -> str:
    # ``field:term*`` on each unstemmed field; the boost of the title is kept.
    lowered = term.lower()
    parts = []
    for spec in fields:
        field, _, boost = spec.partition("^")
        parts.append(f"{field}:{lowered}" + (f"^{boost}" if boost else ""))
    return "(" + " OR ".join(parts) + ")"


def _field(name: str, resolve: Callable[[str], str | None], known: str) -> str:
    if name in ("", "*") or "*" in name or "?" in name:
        raise InvalidQuery(
            f"{name or ':'!r} cannot name fields: name one field (known fields are {known}), "
            "or leave the field out to search the text"
        )
    if "\\" in name or not _NAME.match(name):
        raise InvalidQuery(
            f"{shown(name)} is not a field name (escapes and special characters are not "
            'allowed in field names; to search for text with a colon, put it in quotes: "...")'
        )
    real = resolve(name)
    if real is not None:
        return real
    raise InvalidQuery(
        f"unknown field {name!r} in the query: known fields are {known} "
        '(to search for text containing a colon, put it in quotes: "...")'
    )
