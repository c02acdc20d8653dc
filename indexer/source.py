"""Reading article records from a JSONL file, from a byte offset, crash-aware.

The archive's own line reader (``crawler.archive.jsonl.read_lines``) does the reading:
a torn last line (a crawler killed mid-write) ends the read before it and is read
again, complete, next time; a line that is not JSON becomes an Item with an error,
which the loader sends to the dead-letter file instead of stopping the run.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from crawler.archive.jsonl import read_lines
from indexer.load import Item


def read_items(path: Path, start: int = 0, *, since: datetime | None = None) -> Iterator[Item]:
    """Items of complete lines after byte ``start``; ``position`` is the end offset.

    With ``since``, records captured before it are skipped (lines that cannot be
    parsed are still passed on, so they reach the dead-letter file).
    """
    for line in read_lines(path, start):
        if line.record is None:
            text = line.raw.decode("utf-8", "replace")
            yield Item(None, line.end, error=line.problem, raw=text[:100_000])
        elif since is None or not _before(line.record, since):
            yield Item(line.record, line.end)


def read_dead_letters(paths: list[Path]) -> Iterator[Item]:
    """Items of the records in dead-letter files, in file order, for another try.

    A line that was never JSON comes back as an Item with its old reason, so a retry
    writes it to the new dead-letter file instead of losing it.
    """
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as fh:
            for n, line in enumerate(fh, 1):
                try:
                    entry = json.loads(line)
                except ValueError:
                    entry = None
                if not isinstance(entry, dict):
                    if line.strip():  # a torn line of a killed run
                        yield Item(
                            None, f"{path.name}:{n}", error="damaged dead-letter line", raw=line
                        )
                    continue
                if isinstance(entry.get("record"), dict):
                    yield Item(entry["record"], f"{path.name}:{n}")
                else:
                    reason = entry.get("reason") or "not a record"
                    yield Item(None, f"{path.name}:{n}", error=str(reason), raw=entry.get("raw"))


def _before(record: object, since: datetime) -> bool:
    try:
        return datetime.fromisoformat(record["fetched_at"]) < since  # type: ignore[index]
    except (TypeError, KeyError, ValueError):
        return False  # let the loader judge (and dead-letter) it
