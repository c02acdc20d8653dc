"""WARC files written in rotation, by a writer that never leaves a torn record behind.

Every record is one gzip member, serialized in memory and written with one
``os.write`` loop; if the write fails (disk full) the file is truncated back to where
the record began, so the file always ends on a record boundary. A killed process can
still leave a torn tail: ``recovery.recover_directory`` cuts it off on the next open.

A file is *closed* when its CDXJ sidecar ``<name>.cdxj`` exists; files without one
were being written when a crawl died and are repaired and indexed on recovery.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import socket
from collections.abc import Callable
from pathlib import Path

from crawler.archive.cdxj import write_cdxj
from crawler.archive.warc import builder, serialize
from newsarchive.clock import SYSTEM, Clock
from newsarchive.errors import ArchiveWriteError

DEFAULT_MAX_BYTES = 1 << 30
_NAME = re.compile(r"^(?P<prefix>[\w.-]+)-(?P<ts>\d{14})-(?P<serial>\d{5,})\.warc\.gz$")

log = logging.getLogger(__name__)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


class RotatingWarcWriter:
    """Appends records to ``<dir>/<prefix>-<timestamp>-<serial>.warc.gz`` files.

    A new file starts (with its ``warcinfo`` record) once the current one reaches
    ``max_bytes``; a group of records passed to one ``write`` call never straddles
    two files. ``fsync=True`` syncs after every write (power-loss safety); otherwise
    data is handed to the OS after every write (kill -9 safety) and synced on close.
    """

    def __init__(
        self,
        directory: Path,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        fsync: bool = False,
        prefix: str = "newsarchive",
        info: dict[str, str] | None = None,
        on_closed: Callable[[str, int], None] | None = None,
        clock: Clock = SYSTEM,
    ) -> None:
        if max_bytes <= 0:
            raise ValueError("max_bytes must be positive")
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.max_bytes = max_bytes
        self.fsync = fsync
        self.prefix = prefix
        self.info = info or {}
        self._fd: int | None = None
        self._name: str | None = None
        self._size = 0
        self.closed_files: list[str] = []
        self.on_closed = on_closed  # (name, size) of each file closed and indexed
        self.clock = clock  # names files by the crawl's time

    @property
    def current_file(self) -> str | None:
        return self._name

    def _next_name(self) -> str:
        serials = [int(m["serial"]) for p in self.directory.iterdir() if (m := _NAME.match(p.name))]
        serial = max(serials, default=0) + 1
        stamp = self.clock.now().strftime("%Y%m%d%H%M%S")
        return f"{self.prefix}-{stamp}-{serial:05d}.warc.gz"

    def _open(self) -> None:
        name = self._next_name()
        path = self.directory / name
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o644)
        info = {
            "software": "newsarchive (warcio)",
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "hostname": socket.gethostname(),
            **self.info,
        }
        data, _ = serialize([builder.create_warcinfo_record(name, info)])
        try:
            _write_all(fd, data)
        except OSError as exc:
            os.close(fd)
            path.unlink(missing_ok=True)
            raise ArchiveWriteError(f"cannot write WARC file {path}: {exc.strerror}") from exc
        self._fd, self._name, self._size = fd, name, len(data)

    def write(self, records: list) -> list[tuple[str, int, int]]:
        """Append records; return (file name, offset, length) of each."""
        if self._fd is not None and self._size >= self.max_bytes:
            self.close()
        if self._fd is None:
            self._open()
        assert self._fd is not None and self._name is not None
        data, spans = serialize(records)
        start = self._size
        try:
            _write_all(self._fd, data)
            if self.fsync:
                os.fsync(self._fd)
        except OSError as exc:
            self._rollback(start)
            raise ArchiveWriteError(
                f"cannot write to WARC file {self.directory / self._name}: {exc.strerror}; "
                "the archive was left valid, free some space and run the crawl again"
            ) from exc
        self._size += len(data)
        return [(self._name, start + off, length) for off, length in spans]

    def _rollback(self, size: int) -> None:
        """Cut a partly written record off, so the file ends on a record boundary."""
        with contextlib.suppress(OSError):  # else recovery cuts the tail on the next open
            os.ftruncate(self._fd, size)

    def close(self) -> None:
        """Sync and close the current file, then write its CDXJ index."""
        if self._fd is None:
            return
        fd, name, size = self._fd, self._name, self._size
        self._fd, self._name, self._size = None, None, 0
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            write_cdxj(self.directory / name)
        except OSError as exc:  # disk full: the next open indexes files without a .cdxj
            log.warning(
                "%s: cannot write its CDXJ index (%s); it is rebuilt on the next crawl",
                name,
                exc.strerror or exc,
            )
            return
        self.closed_files.append(name)
        if self.on_closed is not None:
            try:
                self.on_closed(name, size)
            except ArchiveWriteError as exc:  # a cache: the size comes from the CDXJ then
                log.warning("%s: its size was not recorded (%s)", name, exc)


def warc_files(directory: Path) -> list[Path]:
    """The archive's WARC files in write order (timestamp, then serial)."""
    found = [p for p in Path(directory).glob("*.warc.gz") if _NAME.match(p.name)]
    return sorted(found, key=lambda p: (int(_NAME.match(p.name)["serial"]), p.name))
