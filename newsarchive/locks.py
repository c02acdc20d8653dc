"""File locks that die with their holder: ``flock`` on a small file.

Every "only one at a time" of the project goes through here: one writer per archive,
one index run per prefix, one start of the local node, one crawl per source. The
kernel drops a flock when the process holding it exits, however it exits, so no crash
can leave anything locked; the lock file itself may stay, and means nothing alone.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


class FileLock:
    """An exclusive (or shared) flock on ``path``, created with its folder if needed.

    ``acquire()`` does not wait unless asked; ``with FileLock(path):`` waits. The open
    descriptor is ``fd`` (it can be handed to a child process, which then holds the
    lock too, until both have exited).
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.fd: int | None = None

    def acquire(self, *, wait: bool = False, shared: bool = False) -> bool:
        """Take the lock; False (and nothing held) if another process has it."""
        if self.fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        mode = (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | (0 if wait else fcntl.LOCK_NB)
        try:
            fcntl.flock(fd, mode)
        except BlockingIOError:
            os.close(fd)
            return False
        except BaseException:
            os.close(fd)
            raise
        self.fd = fd
        return True

    def release(self) -> None:
        if self.fd is not None:
            fd, self.fd = self.fd, None
            os.close(fd)  # closing the last descriptor drops the flock

    @property
    def held(self) -> bool:
        return self.fd is not None

    def __enter__(self) -> FileLock:
        self.acquire(wait=True)
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def is_locked(path: Path | str) -> bool:
    """Whether some live process holds an exclusive lock on ``path`` right now."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False
