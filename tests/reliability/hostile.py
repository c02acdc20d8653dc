"""A loopback news site that misbehaves on purpose, for the crawl fault cases.

It serves a ``NewsSite``'s articles (through the site's public ``respond``) and lists,
in its own RSS feed at ``/feed.xml``, extra story URLs that misbehave in ways the shared
site cannot: connection resets, responses slower than the crawl's timeout, a body that
trickles, endless redirects, 429 storms with Retry-After, a 429 burst that then
succeeds, a page that never ends, a truncated body and a reply that is not HTTP.
"""

from __future__ import annotations

import random
import socket
import struct
import threading
import time
from datetime import timedelta
from email.utils import format_datetime
from http.server import ThreadingHTTPServer

from tests.loopback import QuietHandler
from tests.site import Article, NewsSite

# kind -> fails for good (True) or recovers and must be archived (False)
KINDS: dict[str, bool] = {
    "reset": True,
    "slow": True,
    "trickle": True,
    "loop": True,
    "storm": True,
    "busy": False,
    "endless": True,
    "truncated": True,
    "garbage": True,
}


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:  # resets are on purpose
        pass


class HostileSite:
    def __init__(self, site: NewsSite, rng: random.Random, *, timeout: float) -> None:
        self.site = site
        self.timeout = timeout  # the crawl's DOWNLOAD_TIMEOUT: "slow" means longer
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.hits: dict[str, int] = {}
        self.plan: dict[str, tuple[str, Article]] = {}  # path -> (kind, story)
        day = site.now - timedelta(hours=2)
        for kind in KINDS:
            for k in range(rng.randint(1, 2)):
                story = Article(
                    index=1000 + len(self.plan),
                    slug=f"{kind}-story-number-{k}-about-the-budget-vote",
                    title=f"Budget vote story {kind} {k}",
                    section="politics",
                    author="Desk",
                    published=day - timedelta(minutes=len(self.plan)),
                    tags=["congress"],
                    paragraphs=[site.articles[0].paragraphs[0]] * 6,
                    style="jsonld",
                )
                self.plan[story.path] = (kind, story)
        self.slow_by = rng.uniform(1.5, 3.0) * timeout
        self.storm_after = rng.choice([1, 2])
        self.server = _Server(("127.0.0.1", 0), self._handler())
        self.port = self.server.server_address[1]
        site.port = self.port  # the shared site renders its URLs with our port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # ---- what the crawl should end with -------------------------------------------
    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def good_urls(self) -> set[str]:
        good = {self.site.article_url(i) for i in range(len(self.site.articles))}
        return good | {self.url(p) for p, (kind, _) in self.plan.items() if not KINDS[kind]}

    def failing(self) -> dict[str, str]:
        return {self.url(p): kind for p, (kind, _) in self.plan.items() if KINDS[kind]}

    # ---- HTTP ---------------------------------------------------------------------
    def feed(self) -> bytes:
        rows = [(a.path, a.title, a.published) for a in self.site.articles]
        rows += [(p, s.title, s.published) for p, (_, s) in self.plan.items()]
        items = "".join(
            f"<item><title>{t}</title><link>{self.url(p)}</link>"
            f"<pubDate>{format_datetime(d)}</pubDate></item>"
            for p, t, d in sorted(rows, key=lambda r: r[2], reverse=True)
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>Hostile Herald</title><link>{self.url('/')}</link>{items}</channel></rss>"
        ).encode()

    def _handler(self):
        host = self

        class Handler(QuietHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                path = self.path.split("?")[0]
                with host.lock:
                    n = host.hits[path] = host.hits.get(path, 0) + 1
                if path == "/feed.xml":
                    return self.reply(200, {"Content-Type": "application/rss+xml"}, host.feed())
                planned = host.plan.get(path)
                if planned is None:
                    hdrs = {k.lower(): v for k, v in self.headers.items()}
                    return self.reply(*host.site.respond(self.path, hdrs))
                kind, story = planned
                getattr(self, "kind_" + kind)(story, n)

            def kind_reset(self, story, n) -> None:
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                self.connection.close()
                self.close_connection = True

            def kind_slow(self, story, n) -> None:
                if not host.stopping.wait(host.slow_by):
                    self.reply(200, {"Content-Type": "text/html"}, b"<html>too late</html>")

            def kind_trickle(self, story, n) -> None:
                body = host.site.render_article(story).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                for i in range(len(body)):
                    if host.stopping.wait(0.25):
                        return
                    self.wfile.write(body[i : i + 1])
                    self.wfile.flush()

            def kind_loop(self, story, n) -> None:
                self.reply(302, {"Location": f"{story.path}?hop={n}"}, b"")

            def kind_storm(self, story, n) -> None:
                self.reply(429, {"Retry-After": str(host.storm_after)}, b"slow down")

            def kind_busy(self, story, n) -> None:
                if n <= 1:
                    return self.reply(429, {"Retry-After": "1"}, b"slow down")
                html = host.site.render_article(story).encode()
                self.reply(200, {"Content-Type": "text/html; charset=utf-8"}, html)

            def kind_endless(self, story, n) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True
                chunk = b"<p>" + b"and it goes on " * 4000 + b"</p>\n"
                started = time.monotonic()
                try:
                    self.wfile.write(b"<html><body>")
                    while not host.stopping.is_set() and time.monotonic() - started < 120:
                        self.wfile.write(chunk)
                except OSError:
                    pass  # the crawler hung up: what we want

            def kind_truncated(self, story, n) -> None:
                body = host.site.render_article(story).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body) * 3))
                self.end_headers()
                self.wfile.write(body)
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)

            def kind_garbage(self, story, n) -> None:
                self.wfile.write(bytes(range(256)) * 4 + b"\r\n\r\n")
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)

        return Handler

    def __enter__(self) -> HostileSite:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()
