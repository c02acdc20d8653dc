"""Word differences between two versions of a text: what was removed, what was added.

One algorithm for every layer: the archive counts the words a new version added and
removed, and ``show --diff`` / ``export --versions`` print the same differences. Texts
are compared paragraph by paragraph first (a paragraph is a line of the text), then
word by word inside the paragraphs that changed, so the cost follows the size of the
change, not of the article. Scraped text is hostile: blocks too large to align word by
word are reported as removed and added whole, so no input takes quadratic time.

The result is a list of ``(op, text)`` with op ``"="`` (kept), ``"-"`` (removed) or
``"+"`` (added). Joining the ``=`` and ``-`` parts gives the old text, the ``=`` and
``+`` parts the new one (words separated by one space, paragraphs by ``\\n``).
"""

from __future__ import annotations

from collections.abc import Sequence
from difflib import SequenceMatcher

Op = tuple[str, str]
BREAK = "\n"  # the token that separates paragraphs
MAX_PAIRS = 250_000  # items(a) x items(b) aligned at most in one SequenceMatcher run


def paragraphs(text: str | None) -> list[str]:
    """The non-empty paragraphs of ``text``, whitespace collapsed."""
    return [" ".join(line.split()) for line in (text or "").split("\n") if line.strip()]


def tokens(text: str | None) -> list[str]:
    """Words, with ``BREAK`` between paragraphs."""
    out: list[str] = []
    for n, paragraph in enumerate(paragraphs(text)):
        if n:
            out.append(BREAK)
        out.extend(paragraph.split(" "))
    return out


def diff_words(before: str | None, after: str | None) -> list[Op]:
    """The word differences from ``before`` to ``after`` (see the module docstring)."""
    a, b = paragraphs(before), paragraphs(after)
    out: list[tuple[str, list[str]]] = []
    for tag, i1, i2, j1, j2 in _opcodes(a, b):
        # A side's paragraph break before this block belongs to the block.
        old = ([BREAK] if i1 and i2 > i1 else []) + _words(a[i1:i2])
        new = ([BREAK] if j1 and j2 > j1 else []) + _words(b[j1:j2])
        if tag == "equal":
            if old[:1] == new[:1] == [BREAK]:
                _add(out, "=", [BREAK])
            elif old[:1] == [BREAK]:
                _add(out, "-", [BREAK])
            elif new[:1] == [BREAK]:
                _add(out, "+", [BREAK])
            _add(out, "=", _strip_break(old))
        else:
            for op, part in _word_ops(old, new):
                _add(out, op, part)
    return [(op, _join(part)) for op, part in out if part]


def change_size(before: str | None, after: str | None) -> tuple[int, int]:
    """(words added, words removed) from ``before`` to ``after``."""
    added = removed = 0
    for op, text in diff_words(before, after):
        count = len(text.split())
        if op == "+":
            added += count
        elif op == "-":
            removed += count
    return added, removed


def render(ops: Sequence[Op], *, mark=None) -> str:
    """The ops as one text; ``mark(op, text)`` styles a change (default: git's plain
    word-diff markers, ``[-removed-]{+added+}``)."""
    mark = mark or _plain_mark
    out, last = "", None
    for op, text in ops:
        piece = text if op == "=" else _mark_lines(op, text, mark)
        joined = last == "-" and op == "+"  # "[-old-]{+new+}", as git prints a replacement
        if out and not joined and not out.endswith(BREAK) and not piece.startswith(BREAK):
            out += " "
        out += piece
        last = op
    return out


def _plain_mark(op: str, text: str) -> str:
    return f"[-{text}-]" if op == "-" else f"{{+{text}+}}"


def _mark_lines(op: str, text: str, mark) -> str:
    """Mark each paragraph of a change on its own, so a marker never spans a break."""
    return BREAK.join(mark(op, line) if line else "" for line in text.split(BREAK))


def _strip_break(part: list[str]) -> list[str]:
    return part[1:] if part[:1] == [BREAK] else part


def _words(paras: Sequence[str]) -> list[str]:
    out: list[str] = []
    for n, paragraph in enumerate(paras):
        if n:
            out.append(BREAK)
        out.extend(paragraph.split(" "))
    return out


def _add(out: list[tuple[str, list[str]]], op: str, part: list[str]) -> None:
    if not part:
        return
    if out and out[-1][0] == op:
        out[-1][1].extend(part)
    else:
        out.append((op, list(part)))


def _join(part: list[str]) -> str:
    text = ""
    for token in part:
        if token == BREAK:
            text += BREAK
        elif text and not text.endswith(BREAK):
            text += " " + token
        else:
            text += token
    return text


def _opcodes(a: Sequence, b: Sequence) -> list[tuple[str, int, int, int, int]]:
    """SequenceMatcher's opcodes, with the common start and end taken off first (linear)
    and a middle too large to align given as one replacement."""
    start = 0
    while start < len(a) and start < len(b) and a[start] == b[start]:
        start += 1
    end_a, end_b = len(a), len(b)
    while end_a > start and end_b > start and a[end_a - 1] == b[end_b - 1]:
        end_a, end_b = end_a - 1, end_b - 1
    ops: list[tuple[str, int, int, int, int]] = []
    if start:
        ops.append(("equal", 0, start, 0, start))
    mid_a, mid_b = a[start:end_a], b[start:end_b]
    if mid_a or mid_b:
        if not mid_a or not mid_b or len(mid_a) * len(mid_b) > MAX_PAIRS:
            tag = "replace" if mid_a and mid_b else ("delete" if mid_a else "insert")
            ops.append((tag, start, end_a, start, end_b))
        else:
            matcher = SequenceMatcher(None, mid_a, mid_b, autojunk=False)
            for tag, i1, i2, j1, j2 in matcher.get_opcodes():
                ops.append((tag, i1 + start, i2 + start, j1 + start, j2 + start))
    if end_a < len(a):
        ops.append(("equal", end_a, len(a), end_b, len(b)))
    return ops


def _word_ops(old: list[str], new: list[str]) -> list[tuple[str, list[str]]]:
    out: list[tuple[str, list[str]]] = []
    for tag, i1, i2, j1, j2 in _opcodes(old, new):
        if tag == "equal":
            _add(out, "=", old[i1:i2])
            continue
        _add(out, "-", old[i1:i2])
        _add(out, "+", new[j1:j2])
    return out
