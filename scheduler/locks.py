"""One lock per source, so two runs of the same source never overlap.

The lock is a ``newsarchive.locks.FileLock`` on a small file that also records who
holds it (pid, host, start time). The kernel drops the lock when its holder dies, so a
crash can never leave a source locked forever; a lock file that still names a holder
when we take the lock was left by a run that did not finish cleanly, and is reported
as stale.

The file descriptor can be handed to a child process (``pass_fds``): the lock then lasts
until both the scheduler and the crawl it started have exited.
"""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path

from newsarchive.locks import FileLock, is_locked


class SourceLock(FileLock):
    """A non-blocking, crash-safe exclusive lock that names its holder."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.stale: dict | None = None  # what a dead holder left behind, if anything

    def acquire(self, **info: object) -> bool:  # type: ignore[override]
        """Take the lock; False (and nothing changed) if a live process holds it."""
        if not super().acquire():
            return False
        assert self.fd is not None
        self.stale = _read(self.fd) or None
        record = {"pid": os.getpid(), "host": socket.gethostname(), "started": time.time(), **info}
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, json.dumps(record).encode(), 0)
        os.fsync(self.fd)
        return True

    def release(self) -> None:
        """Clear the holder record and drop the lock (a clean finish leaves no trace)."""
        if self.fd is None:
            return
        try:
            os.ftruncate(self.fd, 0)
        finally:
            super().release()

    def holder(self) -> dict | None:
        """Who holds the lock now, as recorded in the file (None if it is free)."""
        if not is_locked(self.path):
            return None
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            return None
        try:
            return _read(fd) or {"pid": None}
        finally:
            os.close(fd)


def _read(fd: int) -> dict:
    raw = os.pread(fd, 65536, 0)
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        return {"unreadable": raw[:200].decode("utf-8", "replace")}
    return data if isinstance(data, dict) else {}
