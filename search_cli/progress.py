"""One status line on stderr for long work (crawl, index, reextract, export).

On a terminal the line is rewritten in place (at most a few times a second) and ends
with the final summary; anywhere else (a pipe, a log file, cron) it stays silent, so
logs get the summary and nothing else. ``-q`` turns it off.
"""

from __future__ import annotations

import sys
import time
from typing import IO


class StatusLine:
    """``status.update("120 pages · 40 new · 2.1/s")`` rewrites the line on a terminal."""

    def __init__(self, *, enabled: bool = True, stream: IO[str] | None = None, every: float = 0.2):
        self.stream = stream or sys.stderr
        isatty = getattr(self.stream, "isatty", None)
        self.live = enabled and bool(isatty and isatty())
        self.every = every
        self.started = time.monotonic()
        self._last = 0.0
        self._width = 0

    def rate(self, n: float) -> str:
        """``n`` per second since the start, as ``3.2/s``."""
        elapsed = time.monotonic() - self.started
        return f"{n / elapsed:.1f}/s" if elapsed > 0 else "-"

    def update(self, text: str, *, force: bool = False) -> None:
        if not self.live:
            return
        now = time.monotonic()
        if not force and now - self._last < self.every:
            return
        self._last = now
        from search_cli.output import fit, neutralize, terminal_width

        line = fit(neutralize(text), terminal_width() - 1)
        self.stream.write("\r" + line + " " * max(0, self._width - len(line)))
        self.stream.flush()
        self._width = len(line)

    def clear(self) -> None:
        """Remove the line (before the summary is printed in its place)."""
        if self.live and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0
