"""Replay the archive with pywb, on the loopback interface only.

pywb reads the WARC files and CDXJ sidecars under ``warc/`` in place (no copy): the
collection's index is the directory of sidecars, which pywb lists again whenever the
directory changes, so a WARC file a crawl closes while replay runs is served at once
(the file a crawl is still writing is indexed, and so replayed, when it is closed).

pywb runs in its own virtualenv (``.venv-replay``, built by ``make install``) as a
subprocess: it pins packages the crawler's environment needs newer (pyOpenSSL,
cryptography, Werkzeug) and brings ``brotlipy``, which installs a ``brotli`` module
over the one Scrapy decodes with.

Safe replay: no live-web collection, no proxy mode, no recording, no auto-fetch; a
resource that was not archived is a 404. Replayed pages get a Content-Security-Policy
that lets them load only from the replay server. pywb binds 127.0.0.1 (its internal
index server listens on another loopback port).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from crawler.archive.cdxj import CAPTURES_ONLY_MARKER, cdxj_path
from crawler.archive.recovery import reindex_legacy
from crawler.archive.writer import warc_files
from newsarchive.errors import NewsarchiveError

COLLECTION = "archive"
LOOPBACK = "127.0.0.1"
DEFAULT_PORT = 8090
DEFAULT_BASE = f"http://{LOOPBACK}:{DEFAULT_PORT}"  # where `newsarchive replay` serves
REPO = Path(__file__).resolve().parents[2]
VENV_ENV = "NEWSARCHIVE_REPLAY_VENV"
# pywb's default policy without `ws: wss:` (which would allow websockets to any host):
# a replayed page may load only from the replay server, data: and blob: URLs.
CSP = (
    "default-src 'unsafe-eval' 'unsafe-inline' 'self' data: blob: mediastream:; form-action 'self'"
)
_NOISE = re.compile(r"^Dir .* unchanged$")  # pywb prints it on every index lookup


def timestamp14(warc_date: str) -> str:
    """The 14-digit timestamp of a WARC-Date (``2026-12-01T09:06:20.123Z`` ->
    ``20261201090620``), as replay URLs and CDXJ lines carry it."""
    digits = re.sub(r"\D", "", warc_date)
    if len(digits) < 14:
        raise ValueError(f"not a WARC date: {warc_date!r}")
    return digits[:14]


def replay_url(base: str, fetched_at: str, url: str, collection: str = COLLECTION) -> str:
    """Where ``url`` as captured at ``fetched_at`` replays on the server at ``base``."""
    return f"{base.rstrip('/')}/{collection}/{timestamp14(fetched_at)}/{_quote(url)}"


def timeline_url(base: str, url: str, collection: str = COLLECTION) -> str:
    """pywb's page listing every capture of ``url`` (a calendar of versions)."""
    return f"{base.rstrip('/')}/{collection}/*/{_quote(url)}"


def _quote(url: str) -> str:
    return quote(url, safe=":/?&=%#@+,;~!$'()*[]")


def pywb_config(warc_dir: Path, collection: str = COLLECTION) -> dict:
    """pywb's config.yaml for one collection over ``warc_dir``, read in place."""
    warc_dir = Path(warc_dir).resolve()
    return {
        "collections": {
            collection: {"index_paths": str(warc_dir), "archive_paths": f"{warc_dir}/"}
        },
        "enable_auto_colls": False,  # no collections/ directory of its own
        "framed_replay": True,  # pywb's banner with the capture timeline around the page
        "enable_memento": True,
        "enable_auto_fetch": False,
        "csp-header": CSP,
    }


def find_wayback() -> Path:
    """pywb's ``wayback`` in the replay virtualenv (or ``$NEWSARCHIVE_REPLAY_VENV``)."""
    venv = Path(os.environ.get(VENV_ENV) or REPO / ".venv-replay")
    exe = venv / "bin" / "wayback"
    if exe.is_file():
        return exe
    on_path = shutil.which("wayback")
    if on_path:
        return Path(on_path)
    raise NewsarchiveError(
        f"pywb is not installed ({exe} not found): run `make install`, which builds "
        f"{REPO / '.venv-replay'}, or set {VENV_ENV} to a virtualenv with pywb"
    )


def check_port(port: int) -> None:
    """Fail with one line when ``port`` cannot be bound on the loopback interface."""
    if not 1 <= port <= 65535:
        raise NewsarchiveError(f"port {port} is not between 1 and 65535")
    with socket.socket() as sock:
        try:
            sock.bind((LOOPBACK, port))
        except OSError as exc:
            raise NewsarchiveError(
                f"cannot listen on {LOOPBACK}:{port} ({exc.strerror}); choose another port"
            ) from None


def prepare(home: Path, notify=print) -> Path:
    """The archive's warc directory, made ready for replay; ``notify`` gets what the
    user should know, as it happens.

    Sidecars written before they left metadata records out are re-written once.
    """
    warc_dir = Path(home) / "warc"
    files = warc_files(warc_dir) if warc_dir.is_dir() else []
    if not files:
        raise NewsarchiveError(f"no WARC files in {warc_dir}: crawl something first")
    if not (warc_dir / CAPTURES_ONLY_MARKER).exists():
        notify(f"re-indexing {len(files)} WARC files written by an older version (once)")
        redone = reindex_legacy(warc_dir)
        notify(f"re-indexed {redone} WARC files: their indexes now list captures only")
    still_open = [p for p in files if not cdxj_path(p).exists()]
    if still_open:
        notify(
            f"{len(still_open)} WARC file(s) still being written are replayed once their "
            "crawl closes them"
        )
    return warc_dir


class ReplayServer:
    """pywb serving one archive on 127.0.0.1:``port``, as a subprocess."""

    def __init__(self, home: Path, port: int = DEFAULT_PORT, *, log=None) -> None:
        self.home = Path(home)
        self.port = port
        self.base = f"http://{LOOPBACK}:{port}"
        self.log = log if log is not None else sys.stderr
        self.proc: subprocess.Popen | None = None
        self._dir: tempfile.TemporaryDirectory | None = None
        self._tail: list[str] = []

    def start(self, timeout: float = 60, notify=print) -> None:
        """Start pywb and wait until it answers (``notify``: see ``prepare``)."""
        warc_dir = prepare(self.home, notify)
        wayback = find_wayback()
        check_port(self.port)
        self._dir = tempfile.TemporaryDirectory(prefix="newsarchive-replay-")
        config = Path(self._dir.name) / "config.yaml"
        config.write_text(json.dumps(pywb_config(warc_dir), indent=2) + "\n")  # JSON is YAML
        self.proc = subprocess.Popen(
            [str(wayback), "--bind", LOOPBACK, "--port", str(self.port)],
            cwd=self._dir.name,
            env={**os.environ, "PYWB_CONFIG_FILE": str(config)},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )
        threading.Thread(target=self._relay, daemon=True).start()
        self._wait_ready(timeout)

    def _relay(self) -> None:
        """pywb's log to ``self.log``, without its per-request directory chatter."""
        assert self.proc is not None and self.proc.stdout is not None
        for line in self.proc.stdout:
            line = line.rstrip("\n")
            if _NOISE.match(line):
                continue
            self._tail = (self._tail + [line])[-20:]
            if self.log:
                print(line, file=self.log, flush=True)

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                time.sleep(0.2)  # let the relay read the last lines
                detail = next((t for t in reversed(self._tail) if t.strip()), "no output")
                self.stop()
                raise NewsarchiveError(f"pywb stopped at start-up: {detail}")
            try:
                with socket.create_connection((LOOPBACK, self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise NewsarchiveError(f"pywb did not answer on {self.base} within {timeout:.0f} s")

    def wait(self) -> int:
        assert self.proc is not None
        return self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self._dir is not None:
            self._dir.cleanup()
            self._dir = None


@contextmanager
def serving(home: Path, port: int, *, log=None) -> Iterator[ReplayServer]:
    """A running ReplayServer for the ``with`` block."""
    server = ReplayServer(home, port, log=log)
    server.start(notify=lambda _: None)
    try:
        yield server
    finally:
        server.stop()


__all__ = [
    "COLLECTION",
    "DEFAULT_PORT",
    "ReplayServer",
    "prepare",
    "pywb_config",
    "replay_url",
    "serving",
    "timeline_url",
    "timestamp14",
]
