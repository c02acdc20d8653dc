"""An append-only JSON Lines file that survives being killed mid-write.

Each line goes out in one ``os.write`` loop and ends with ``\\n``; a line without its
newline is torn. On open, a torn tail is moved to ``<file>.torn`` (kept for
inspection, never silently dropped) and the file is cut back to its last newline. A
failed write (disk full) is rolled back the same way before the error is raised.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

from newsarchive.errors import ArchiveWriteError

log = logging.getLogger(__name__)


def repair_tail(path: Path) -> int:
    """Cut a torn last line off ``path``; return its length in bytes (0 if none)."""
    if not path.exists():
        return 0
    with open(path, "r+b") as fh:
        size = fh.seek(0, os.SEEK_END)
        if size == 0:
            return 0
        keep, step = size, 1 << 16
        # find the last newline, reading backwards
        while keep > 0:
            start = max(0, keep - step)
            fh.seek(start)
            block = fh.read(keep - start)
            idx = block.rfind(b"\n")
            if idx >= 0:
                keep = start + idx + 1
                break
            keep = start
        if keep == size:
            return 0
        fh.seek(keep)
        torn = fh.read()
        with open(path.with_name(path.name + ".torn"), "ab") as side:
            side.write(torn + b"\n")
            side.flush()
            os.fsync(side.fileno())
        fh.truncate(keep)
        fh.flush()
        os.fsync(fh.fileno())
    log.warning(
        "%s: repaired a torn last line of %d bytes (kept in %s.torn)", path, len(torn), path.name
    )
    return len(torn)


class JsonlWriter:
    """Appends JSON objects, one per line. ``torn_bytes`` reports a repair made on open."""

    def __init__(self, path: Path, *, fsync: bool = False) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.torn_bytes = repair_tail(self.path)
        self.fsync = fsync
        self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        self.size = os.fstat(self._fd).st_size

    def append(self, obj: dict) -> int:
        """Write one line; return the file size after it (a replay checkpoint)."""
        data = (json.dumps(obj, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
        start = self.size
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(self._fd, view) :]
            if self.fsync:
                os.fsync(self._fd)
        except OSError as exc:
            with contextlib.suppress(OSError):  # else the next open repairs the torn line
                os.ftruncate(self._fd, start)
            raise ArchiveWriteError(
                f"cannot append to {self.path}: {exc.strerror}; the file was left valid"
            ) from exc
        self.size = start + len(data)
        return self.size

    def sync(self) -> None:
        os.fsync(self._fd)

    def close(self) -> None:
        if self._fd is not None:
            os.fsync(self._fd)
            os.close(self._fd)
            self._fd = None


class Line(NamedTuple):
    """One complete line: its end offset, and the record or why there is none."""

    end: int
    record: dict | None
    problem: str | None = None
    raw: bytes = b""  # the line as written, kept only when it is not a record


def read_lines(path: Path, start: int = 0) -> Iterator[Line]:
    """Each complete line from byte ``start``; a torn last line ends the read.

    A line that is not a JSON object (cut, overwritten, not UTF-8) comes with
    ``record=None`` and why, so a reader can skip or dead-letter it and say so instead
    of stopping. The archive's replay and the indexer both read records this way.
    """
    with open(path, "rb") as fh:
        fh.seek(start)
        pos = start
        for raw in fh:
            if not raw.endswith(b"\n"):
                return  # torn tail: not a record (yet)
            pos += len(raw)
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            except ValueError as exc:  # UnicodeDecodeError is a ValueError too
                yield Line(pos, None, f"line is not JSON ({exc})", raw.rstrip(b"\n"))
                continue
            if not isinstance(record, dict):
                yield Line(pos, None, "line is not a JSON object", raw.rstrip(b"\n"))
                continue
            yield Line(pos, record)


def line_number(path: Path, end: int) -> int:
    """The number of the line that ends at byte ``end`` (for messages; reads the file)."""
    count = 0
    with open(path, "rb") as fh:
        while end > 0:
            block = fh.read(min(end, 1 << 20))
            if not block:
                break
            count += block.count(b"\n")
            end -= len(block)
    return count
