"""Serve a directory written by ``NewsSite.write_static`` on 127.0.0.1 (a separate process).

    python -m tests.site.static DIR PORT

Kept apart from the crawler so a benchmark can measure the crawler's CPU alone.
"""

from __future__ import annotations

import functools
import sys
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer


class QuietHandler(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like a real web server

    def log_message(self, *args) -> None:
        pass


def main() -> None:
    root, port = sys.argv[1], int(sys.argv[2])
    handler = functools.partial(QuietHandler, directory=root)
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    server.daemon_threads = True
    print("serving", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
