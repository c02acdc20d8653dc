"""One renderer for every command that prints rows: table, csv, tsv, json or jsonl.

A command hands over its rows (plain dicts), the columns it offers and, for JSON, the
envelope around them (the search, totals...); ``--fields`` picks and orders columns in
every format, ``--no-headers`` drops the header row of tables, CSV and TSV. A command
with a richer terminal view (the search results, the timeline chart) passes it as
``view``: it is used for ``table`` unless ``--fields`` asks for plain columns.

Scraped text is untrusted: table cells go through ``output.neutralize``, CSV/TSV cells
through ``output.csv_cell``, JSON bound for a terminal through ``output.json_line``.
Imports only the standard library and ``search_cli.output``, so start-up stays fast.
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import IO

from search_cli.output import csv_cell, fit, json_line, neutralize, terminal_width

# Every output format; a command offers the ones that make sense for it.
FORMATS = ("table", "csv", "tsv", "json", "jsonl")
# Shortcut flags (sqlite-utils' names) -> format.
SHORTCUTS = {"table": "table", "csv": "csv", "tsv": "tsv", "json": "json", "nl": "jsonl"}
# Older or alternative names still accepted by --format.
ALIASES = {"chart": "table", "text": "table", "nl": "jsonl", "ndjson": "jsonl"}
# Columns that give up width first when a table is too wide (text, not numbers).
FLEXIBLE = frozenset(
    ("title", "snippet", "description", "body", "url", "canonical_url", "name", "tags",
     "authors", "value", "source_tags", "note", "reason", "outlet", "capture", "series")
)  # fmt: skip


class FieldsError(ValueError):
    """``--fields`` names a column the command does not have (the CLI says which)."""


@dataclass(frozen=True)
class Output:
    """How a command prints: the format, the chosen columns and whether headers show."""

    format: str = "table"
    fields: tuple[str, ...] | None = None  # None: the command's default columns
    headers: bool = True

    def columns(self, available: Sequence[str], default: Sequence[str] | None = None) -> list[str]:
        """The columns to print: ``--fields`` (checked against ``available``) or the
        default. Raises FieldsError naming the first unknown one."""
        if self.fields is None:
            return list(default if default is not None else available)
        unknown = [f for f in self.fields if f not in available]
        if unknown:
            raise FieldsError(f"unknown field {unknown[0]!r}: choose from {', '.join(available)}")
        return list(self.fields)

    @property
    def plain_columns(self) -> bool:
        """A table of the chosen columns instead of the command's own view."""
        return self.fields is not None

    def with_format(self, fmt: str) -> Output:
        return replace(self, format=fmt)


def emit(
    out: Output,
    rows: Iterable[dict],
    columns: Sequence[str],
    *,
    envelope: dict | None = None,
    rows_key: str = "rows",
    view: Callable[[list[dict]], None] | None = None,
    stream: IO[str] | None = None,
) -> int:
    """Print ``rows`` (only ``columns``) in ``out.format``; returns how many rows.

    JSON is ``envelope`` with the rows under ``rows_key`` (a bare array without an
    envelope); JSON Lines, CSV and TSV are the rows alone; ``table`` is ``view`` when
    given (and no --fields), else a table of the columns that fits the terminal.
    """
    stream = stream or sys.stdout
    fmt = out.format
    if fmt == "table" and view is not None and not out.plain_columns:
        materialized = list(rows)
        view(materialized)
        return len(materialized)
    picked = (_pick(row, columns) for row in rows)
    if fmt in ("csv", "tsv"):
        return write_delimited(stream, columns, picked, tab=fmt == "tsv", headers=out.headers)
    tty = _isatty(stream)
    if fmt == "jsonl":
        n = 0
        for row in picked:
            stream.write(json_line(row, terminal=tty) + "\n")
            n += 1
        return n
    if fmt == "json":
        materialized = list(picked)
        data: object = materialized if envelope is None else {**envelope, rows_key: materialized}
        stream.write(json_line(data, terminal=tty, indent=2) + "\n")
        return len(materialized)
    materialized = list(picked)
    for line in table_lines(columns, materialized, headers=out.headers):
        stream.write(line + "\n")
    return len(materialized)


def _pick(row: dict, columns: Sequence[str]) -> dict:
    return {c: row.get(c) for c in columns}


def _isatty(stream: IO[str]) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def write_delimited(
    stream: IO[str],
    columns: Sequence[str],
    rows: Iterable[dict],
    *,
    tab: bool = False,
    headers: bool = True,
) -> int:
    """CSV (or TSV): the header row first, cells a spreadsheet shows as text."""
    writer = csv.writer(stream, dialect="excel-tab" if tab else "excel", lineterminator="\n")
    if headers:
        writer.writerow(columns)
    n = 0
    for row in rows:
        writer.writerow([csv_cell(row.get(c)) for c in columns])
        n += 1
    return n


def cell_text(value: object) -> str:
    """A value as one line of terminal-safe text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (list, tuple)):
        return neutralize(", ".join(cell_text(v) for v in value))
    if isinstance(value, dict):
        return neutralize(json_line(value))
    return neutralize(str(value))


_NUMBER = re.compile(r"-?[\d.,]+%?\Z")


def _numeric(values: Iterable[object]) -> bool:
    """A column of numbers (or percentages), right-aligned."""
    seen = False
    for v in values:
        if v is None or v == "":
            continue
        if isinstance(v, bool):
            return False
        if not isinstance(v, (int, float)) and not (isinstance(v, str) and _NUMBER.match(v)):
            return False
        seen = True
    return seen


def fit_widths(
    natural: Sequence[int], width: int, *, flexible: Sequence[bool], gap: int = 2, minimum: int = 4
) -> list[int]:
    """Column widths that fit ``width``: flexible (text) columns shrink first, the widest
    most, never below ``minimum``; the others only when that is not enough."""
    widths = list(natural)
    room = width - gap * (len(widths) - 1)
    for which in ([i for i, f in enumerate(flexible) if f], list(range(len(widths)))):
        if sum(widths) <= room or not which:
            continue
        budget = room - sum(w for i, w in enumerate(widths) if i not in which)
        cap = None
        ordered = sorted(which, key=lambda i: widths[i])
        for k, i in enumerate(ordered):  # water-filling: the narrow ones keep their width
            if widths[i] * (len(ordered) - k) <= budget:
                budget -= widths[i]
                continue
            cap = max(minimum, budget // (len(ordered) - k))
            break
        if cap is not None:
            widths = [min(w, cap) if i in which else w for i, w in enumerate(widths)]
    return widths


def table_lines(
    columns: Sequence[str],
    rows: Sequence[dict],
    *,
    headers: bool = True,
    width: int | None = None,
) -> Iterator[str]:
    """A plain table of ``columns`` that fits ``width`` (default: the terminal): numbers
    right-aligned, text cut with an ellipsis, a dashed line under the header."""
    width = width or terminal_width()
    cells = [[cell_text(row.get(c)) for c in columns] for row in rows]
    numeric = [_numeric(row.get(c) for row in rows) for c in columns]
    natural = [
        max([len(c) if headers else 1, *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)
    ]
    flexible = [c in FLEXIBLE for c in columns]
    if not any(flexible):
        flexible = [not n for n in numeric]
    widths = fit_widths(natural, width, flexible=flexible)

    def line(values: Sequence[str]) -> str:
        parts = []
        for i, value in enumerate(values):
            text = fit(value, widths[i])
            parts.append(text.rjust(widths[i]) if numeric[i] else text.ljust(widths[i]))
        return fit("  ".join(parts).rstrip(), width)

    if headers:
        yield line(list(columns))
        yield line(["-" * w for w in widths])
    for row in cells:
        yield line(row)
