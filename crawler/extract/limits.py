"""Time bound for one extraction.

Size bounds live where the data is read (``page.MAX_INPUT_BYTES``, JSON-LD caps in
``structured``). The time bound uses ``SIGALRM``, which only works in a process's main
thread: that is where a process-pool worker runs its tasks. Elsewhere (a thread, or a
process whose ``SIGALRM`` is already taken) ``time_limit`` does nothing and the caller
should bound the call itself, e.g. ``pool.submit(extract, ...).result(timeout=...)``.
A signal is only handled between Python bytecodes, so one long C call (one lxml parse
of a capped input) finishes before the limit takes effect.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class ExtractionTimeout(BaseException):
    """Extraction of one page took longer than its time limit.

    A ``BaseException``, like ``KeyboardInterrupt``: the alarm can fire anywhere in the
    block, also inside a library's ``except Exception`` (htmldate's, trafilatura's, our
    own fallbacks), which would swallow an ``Exception`` and leave the page unbounded."""


def _raise_timeout(signum: int, frame: object) -> None:
    raise ExtractionTimeout


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise ``ExtractionTimeout`` inside the block after ``seconds`` (when possible)."""
    usable = (
        seconds is not None
        and seconds > 0
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.SIG_IGN, None)
        and signal.getitimer(signal.ITIMER_REAL)[0] == 0
    )
    if not usable:
        yield
        return
    previous = signal.signal(signal.SIGALRM, _raise_timeout)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
