"""Printing untrusted scraped text: tables that fit the terminal, JSON, JSONL and CSV.

Titles and bodies come from the web. Before they reach a terminal every control
character (ESC sequences, C1 controls, bidi overrides) is replaced by U+FFFD, and CSV
cells that a spreadsheet would run as a formula are prefixed with a quote.
It imports only the standard library and the light query modules, so the CLI stays fast.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import sys
import textwrap
from collections.abc import Iterable, Sequence
from typing import IO

from search_cli.query.hits import MARK_CLOSE, MARK_OPEN  # the markers snippets carry

# C0 controls (tab and newline handled by callers), DEL, C1 controls, and the Unicode
# bidi controls that can reorder what a terminal shows (Trojan Source).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# What JSON bound for a terminal escapes besides what json.dumps does (C0): DEL, C1,
# bidi controls and the Unicode line separators. Only strings can hold them, so the
# escaped text is the same JSON data.
_JSON_TERMINAL = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"\s+")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralize(text: str | None, *, keep_newlines: bool = False) -> str:
    """``text`` safe for a terminal: control characters become U+FFFD."""
    if not text:
        return ""
    text = _CONTROL.sub("\ufffd", text)
    if keep_newlines:
        return text.replace("\t", "    ")
    return _SPACES.sub(" ", text).strip()


def csv_cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as text, never runs as a formula."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        value = "; ".join(str(v) for v in value)
    elif isinstance(value, bool):
        value = "true" if value else "false"
    elif isinstance(value, (int, float)):
        return str(value)
    elif isinstance(value, dict):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = _CONTROL.sub("\ufffd", str(value))
    if text.startswith(_FORMULA_START):
        text = "'" + text
    return text


def write_csv(out: IO[str], columns: Sequence[str], rows: Iterable[dict]) -> int:
    """Write a header and the rows; returns how many rows were written."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([csv_cell(row.get(c)) for c in columns])
        count += 1
    return count


def json_line(obj: object, *, terminal: bool = False, indent: int | None = None) -> str:
    """JSON text, one compact line unless ``indent``; non-ASCII kept readable.

    ``terminal``: the text goes to a terminal, so every control and bidi character is
    written as a ``\\uXXXX`` escape (the data is the same; piped JSON stays as it is).
    """
    separators = (",", ":") if indent is None else (",", ": ")
    text = json.dumps(obj, ensure_ascii=False, separators=separators, indent=indent, default=str)
    if terminal:
        text = _JSON_TERMINAL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return text


def echo_json(obj: object, *, indent: int | None = None) -> None:
    """Print ``obj`` as JSON on standard output, escaped when that is a terminal."""
    import click

    isatty = getattr(sys.stdout, "isatty", None)
    click.echo(json_line(obj, terminal=bool(isatty and isatty()), indent=indent))


def terminal_width(default: int = 100) -> int:
    return max(40, shutil.get_terminal_size((default, 24)).columns)


def fit(text: str, width: int) -> str:
    """Cut ``text`` to ``width`` characters, with an ellipsis when it was longer."""
    if width <= 0:
        return ""
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def split_marks(snippet: str) -> list[tuple[str, bool]]:
    """``"a «b» c"`` -> ``[("a ", False), ("b", True), (" c", False)]``."""
    parts: list[tuple[str, bool]] = []
    for chunk in re.split(f"({MARK_OPEN}[^{MARK_CLOSE}]*{MARK_CLOSE})", snippet):
        if not chunk:
            continue
        if chunk.startswith(MARK_OPEN) and chunk.endswith(MARK_CLOSE):
            parts.append((chunk[1:-1], True))
        else:
            parts.append((chunk, False))
    return parts


def use_color(stream=None) -> bool:
    """Colour and bold only on a terminal, and never when NO_COLOR is set (no-color.org)
    or the terminal is dumb."""
    import os

    stream = stream or sys.stdout
    isatty = getattr(stream, "isatty", None)
    if not (isatty and isatty()):
        return False
    return not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def plural(n: int, noun: str, plural_form: str | None = None) -> str:
    """``1 article``, ``2 articles``, ``0 articles``."""
    return f"{n} {noun if n == 1 else plural_form or noun + 's'}"


def fit_marked(text: str, width: int) -> str:
    """``fit`` for text with «markers»: ``width`` counts what shows (markers do not),
    and a marked word cut at the end is closed again."""
    visible = text.replace(MARK_OPEN, "").replace(MARK_CLOSE, "")
    if len(visible) <= width:
        return text
    out, shown, inside = [], 0, False
    for ch in text:
        if ch in (MARK_OPEN, MARK_CLOSE):
            inside = ch == MARK_OPEN
            out.append(ch)
            continue
        if shown >= max(0, width - 1):
            break
        out.append(ch)
        shown += 1
    if inside:
        out.append(MARK_CLOSE)
    return "".join(out) + "…"


def style_marked(text: str, *, color: bool, keep_marks: bool = True) -> str:
    """Marked words in bold yellow on a colour terminal; otherwise «kept as markers»
    (or, ``keep_marks=False``, left plain)."""
    if not color:
        return text if keep_marks else text.replace(MARK_OPEN, "").replace(MARK_CLOSE, "")
    import click

    return "".join(
        click.style(part, fg="yellow", bold=True) if hit else part
        for part, hit in split_marks(text)
    )


def wrap_snippet(snippet: str, width: int, max_lines: int = 2) -> list[str]:
    """Wrap a marked snippet without breaking a «marked» word over two lines."""
    lines = textwrap.wrap(snippet, width=width, break_long_words=True, break_on_hyphens=False)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = fit(lines[-1] + " …", width)
    # A marker pair cut by the wrap would colour the rest of the line: close/reopen it.
    fixed = []
    for line in lines:
        if line.count(MARK_OPEN) > line.count(MARK_CLOSE):
            line += MARK_CLOSE
        if line.count(MARK_CLOSE) > line.count(MARK_OPEN):
            line = MARK_OPEN + line
        fixed.append(line)
    return fixed
