"""A loopback HTTP proxy in front of Elasticsearch that fails or holds bulk requests.

Real faults on a real connection: the indexer must retry 429/503 with backoff. With
``hold_after=N`` the proxy forwards N bulk requests, then holds the next one until
``release`` is set, and sets ``holding`` meanwhile: a test can act at that exact point
of a run (kill it mid-way) instead of guessing when it gets there.
"""

from __future__ import annotations

import http.client
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


class FlakyProxy:
    def __init__(
        self, target: str, *, fail_bulk: int = 0, status: int = 503, hold_after: int | None = None
    ) -> None:
        self.target = urlsplit(target)
        self.fail_bulk = fail_bulk
        self.status = status
        self.failed = 0
        self.hold_after = hold_after
        self.forwarded_bulks = 0
        self.holding = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                bulk = "_bulk" in self.path
                with proxy.lock:
                    fail = bulk and proxy.failed < proxy.fail_bulk
                    if fail:
                        proxy.failed += 1
                    hold = (
                        bulk
                        and not fail
                        and proxy.hold_after is not None
                        and proxy.forwarded_bulks >= proxy.hold_after
                    )
                    if bulk and not fail and not hold:
                        proxy.forwarded_bulks += 1
                if hold:
                    proxy.holding.set()
                    proxy.release.wait(timeout=120)
                    fail = True
                if fail:
                    payload = b'{"error":{"type":"unavailable","reason":"injected"},"status":%d}'
                    payload %= proxy.status
                    self.send_response(proxy.status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("X-Elastic-Product", "Elasticsearch")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                conn = http.client.HTTPConnection(proxy.target.hostname, proxy.target.port)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                conn.request(self.command, self.path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                self.send_response(resp.status)
                for key, value in resp.getheaders():
                    if key.lower() not in ("transfer-encoding", "content-length", "connection"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
                conn.close()

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FlakyProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
