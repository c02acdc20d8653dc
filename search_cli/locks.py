"""One lock per source, so two runs of the same source never overlap.

The lock is ``flock`` on a small file that also records who holds it (pid, host, start
time). The kernel drops a flock when its holder dies, however it dies, so a crash can
never leave a source locked forever; a lock file that still names a holder when we take
the lock was left by a run that did not finish cleanly, and is reported as stale.

The file descriptor can be handed to a child process (``pass_fds``): the lock then lasts
until both the scheduler and the crawl it started have exited.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from pathlib import Path


class SourceLock:
    """A non-blocking, crash-safe exclusive lock on ``path``."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.fd: int | None = None
        self.stale: dict | None = None  # what a dead holder left behind, if anything

    def acquire(self, **info: object) -> bool:
        """Take the lock; False (and nothing changed) if a live process holds it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        left = _read(fd)
        self.stale = left or None
        record = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": time.time(),
            **info,
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(record).encode(), 0)
        os.fsync(fd)
        self.fd = fd
        return True

    def release(self) -> None:
        """Clear the holder record and drop the lock (a clean finish leaves no trace)."""
        if self.fd is None:
            return
        try:
            os.ftruncate(self.fd, 0)
        finally:
            os.close(self.fd)  # closing the last descriptor releases the flock
            self.fd = None

    def holder(self) -> dict | None:
        """Who holds the lock now, as recorded in the file (None if it is free)."""
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            return None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return _read(fd) or {"pid": None}
            fcntl.flock(fd, fcntl.LOCK_UN)
            return None
        finally:
            os.close(fd)

    def __enter__(self) -> SourceLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _read(fd: int) -> dict:
    raw = os.pread(fd, 65536, 0)
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        return {"unreadable": raw[:200].decode("utf-8", "replace")}
    return data if isinstance(data, dict) else {}
