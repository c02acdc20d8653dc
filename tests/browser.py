"""Headless Chromium for tests: driven over the DevTools protocol on a pipe, with every
request it makes sent through a loopback proxy that logs it.

``--remote-debugging-pipe`` speaks the DevTools protocol over file descriptors 3 and 4
(NUL-terminated JSON), so no websocket client is needed. ``--proxy-server`` with
``--proxy-bypass-list=<-loopback>`` routes loopback requests through the proxy too
(Chromium bypasses proxies for loopback by default). The proxy forwards only to the
origins a test allows and refuses (and logs) everything else, so a test can show that
a page made no request anywhere else, and no request can leave the machine.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    # Less of the browser's own background traffic (network time, autofill, hints). Some
    # remains (component update checks, a sign-in preconnect): the proxy refuses it, and
    # tests tell it from the page's requests by the DevTools network log.
    "--disable-extensions",
    "--disable-component-extensions-with-background-pages",
    "--disable-default-apps",
    "--disable-client-side-phishing-detection",
    "--disable-domain-reliability",
    "--disable-breakpad",
    "--no-pings",
    "--no-default-browser-check",
    "--metrics-recording-only",
    "--password-store=basic",
    "--disable-features=AutofillServerCommunication,NetworkTimeServiceQuerying,"
    "OptimizationHints,MediaRouter,Translate,CertificateTransparencyComponentUpdater",
]
_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"}


def chromium() -> str | None:
    """Path of Debian's chromium (or another Chromium on PATH), None when there is none."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


class LoggingProxy:
    """An HTTP proxy on 127.0.0.1 that logs every request; forwards only to ``allowed``
    origins (``host:port``), answers 403 to anything else, CONNECT included."""

    def __init__(self, allowed: set[str]) -> None:
        self.allowed = set(allowed)
        self.log: list[tuple[str, str, int]] = []  # (method, absolute URL or host:port, status)
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_CONNECT(self) -> None:  # noqa: N802
                proxy._note("CONNECT", self.path, 403)
                self._refuse()

            def _forward(self) -> None:
                parts = urlsplit(self.path)
                origin = parts.netloc
                if parts.scheme != "http" or origin not in proxy.allowed:
                    proxy._note(self.command, self.path, 403)
                    self._refuse()
                    return
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
                target = parts.path + (f"?{parts.query}" if parts.query else "") or "/"
                conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
                try:
                    conn.request(self.command, target, body=body, headers=headers)
                    resp = conn.getresponse()
                    data = resp.read()
                finally:
                    conn.close()
                proxy._note(self.command, self.path, resp.status)
                self.send_response(resp.status, resp.reason)
                for key, value in resp.getheaders():
                    if key.lower() not in _HOP and key.lower() != "content-length":
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_HEAD = do_PUT = do_OPTIONS = _forward  # noqa: N815

            def _refuse(self) -> None:
                self.send_response(403)
                self.send_header("Content-Length", "0")
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.address = f"127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def _note(self, method: str, target: str, status: int) -> None:
        with self._lock:
            self.log.append((method, target, status))

    def requests(self) -> list[tuple[str, str, int]]:
        with self._lock:
            return list(self.log)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Browser:
    """One headless Chromium with a fresh profile, every request through ``proxy``."""

    def __init__(self, executable: str, proxy: LoggingProxy) -> None:
        self.profile = tempfile.mkdtemp(prefix="newsarchive-chromium-")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def pipes() -> None:  # in the child: the protocol's fds 3 (commands) and 4 (replies)
            commands, replies = os.dup(to_browser_r), os.dup(from_browser_w)  # both >= 3
            os.dup2(commands, 3)
            os.dup2(replies, 4)

        self.proc = subprocess.Popen(
            [
                executable,
                *FLAGS,
                f"--user-data-dir={self.profile}",
                "--remote-debugging-pipe",
                f"--proxy-server=http://{proxy.address}",
                "--proxy-bypass-list=<-loopback>",
                "--window-size=1200,900",
                "about:blank",
            ],
            preexec_fn=pipes,
            pass_fds=(3, 4),  # kept open past preexec_fn
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict] = []
        self.page_requests: list[str] = []  # every URL the page (and its frames) requested
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]
        self.call("Page.enable", session=True)
        self.call("Network.enable", session=True)

    # --- the protocol ------------------------------------------------------------------

    def _send(self, message: dict) -> None:
        data = json.dumps(message).encode() + b"\0"
        while data:
            data = data[os.write(self._to_browser, data) :]

    def _receive(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline:
                raise TimeoutError("Chromium did not answer in time")
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        event = json.loads(message)
        if event.get("method") == "Network.requestWillBeSent":
            self.page_requests.append(event["params"]["request"]["url"])
        return event

    def call(self, method: str, *, session: bool = False, timeout: float = 30, **params):
        """Send one command and return its result (events that arrive meanwhile are kept)."""
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        self._send(message)
        deadline = time.monotonic() + timeout
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_event(self, method: str, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        for index, event in enumerate(self.events):
            if event.get("method") == method:
                return self.events.pop(index)
        while True:
            event = self._receive(deadline)
            if event.get("method") == method:
                return event
            self.events.append(event)

    # --- what tests use ----------------------------------------------------------------

    def load(self, url: str, timeout: float = 30) -> None:
        """Navigate and wait for the page's load event."""
        self.events.clear()
        self.call("Page.navigate", session=True, url=url)
        self.wait_event("Page.loadEventFired", timeout)

    def evaluate(self, expression: str):
        result = self.call(
            "Runtime.evaluate", session=True, expression=expression, returnByValue=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 20):
        """Evaluate ``expression`` until it gives a truthy value; return it (or the last)."""
        deadline = time.monotonic() + timeout
        value = None
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            time.sleep(0.2)
        return value

    def close(self) -> None:
        with contextlib.suppress(OSError, RuntimeError, TimeoutError):
            self.call("Browser.close", timeout=5)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._to_browser, self._from_browser):
            with contextlib.suppress(OSError):
                os.close(fd)
        shutil.rmtree(self.profile, ignore_errors=True)
