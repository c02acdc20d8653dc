"""A small outlet whose articles need page requisites (stylesheet, script, images),
on 127.0.0.1, beside a trap host (127.0.0.2) that a page also links to and that must
never be asked. For the page-requisite crawl, replay and benchmark tests."""

from __future__ import annotations

import struct
import threading
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime

from tests.loopback import LoopbackServer, QuietHandler

CSS = b"body { font-family: serif; } h1 { color: #1a3d6d; } .hero { width: 40px; }\n"
JS = b"document.documentElement.dataset.archived = 'yes';\n"


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A valid PNG of one colour (no imaging library needed)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b"")
    )  # fmt: skip


HERO = png(40, 30, (200, 30, 30))
THUMB = png(20, 20, (30, 120, 200))
BIG = png(600, 600, (10, 10, 10)) + b"\x00" * 2_000_000  # over a small size bound


@dataclass
class RequisiteSite:
    """The outlet (``url``) and the trap (``trap_url``); ``log`` lists paths served."""

    n_articles: int = 3
    big: bool = True  # article 0 also shows a 2 MB image (for the size bound)
    log: list[str] = field(default_factory=list)
    trap_log: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        site, trap = self, self.trap_log

        class Trap(QuietHandler):
            def do_GET(self) -> None:  # noqa: N802
                trap.append(self.path)
                self.reply(200, {"Content-Type": "image/png"}, THUMB)

        class Outlet(QuietHandler):
            def do_GET(self) -> None:  # noqa: N802
                with site._lock:
                    site.log.append(self.path)
                self.reply(*site.respond(self.path))

        self.trap = LoopbackServer(Trap, host="127.0.0.2")
        self.server = LoopbackServer(Outlet)

    @property
    def url(self) -> str:
        return self.server.url

    def article_path(self, i: int) -> str:
        return f"/politics/2024/05/{i % 28 + 1:02d}/story-{i}/"

    def article(self, i: int) -> bytes:
        extra = '<img src="/img/big.png" alt="poster">' if i == 0 and self.big else ""
        paragraphs = "".join(
            f"<p>Paragraph {p} of story {i}: the Senate committee weighed the budget bill "
            "and its effect on state election offices, members of both parties said.</p>"
            for p in range(8)
        )
        return (
            "<!doctype html><html><head><meta charset='utf-8'>"
            f"<title>Story {i} headline</title>"
            '<link rel="stylesheet" href="/static/site.css">'
            '<script src="/static/app.js"></script>'
            '<link rel="icon" href="/favicon.png"></head><body><article>'
            f"<h1>Story {i} headline</h1>"
            f'<img class="hero" src="/img/hero-{i}.png" alt="hero">'
            '<picture><source srcset="/img/thumb.png 1x, /img/thumb@2x.png 2x">'
            '<img src="/img/thumb.png" alt="thumb"></picture>'
            f'<img src="{self.trap.url}/tracker.png" alt="">'
            '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="">'
            f"{extra}{paragraphs}</article></body></html>"
        ).encode()

    def respond(self, path: str) -> tuple[int, dict[str, str], bytes]:
        html = {"Content-Type": "text/html; charset=utf-8"}
        if path == "/robots.txt":
            return 200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n"
        if path == "/feed.xml":
            items = "".join(
                f"<item><title>Story {i} headline</title><link>{self.url}{self.article_path(i)}"
                f"</link><pubDate>{format_datetime(datetime(2024, 5, i % 28 + 1, tzinfo=UTC), usegmt=True)}"
                "</pubDate></item>"
                for i in range(self.n_articles)
            )
            rss = f'<?xml version="1.0"?><rss version="2.0"><channel><title>R</title>{items}</channel></rss>'
            return 200, {"Content-Type": "application/rss+xml"}, rss.encode()
        for i in range(self.n_articles):
            if path == self.article_path(i):
                return 200, html, self.article(i)
        static = {
            "/static/site.css": ("text/css", CSS),
            "/static/app.js": ("application/javascript", JS),
            "/img/thumb.png": ("image/png", THUMB),
            "/favicon.png": ("image/png", THUMB),
            "/img/big.png": ("image/png", BIG),
        }
        static.update({f"/img/hero-{i}.png": ("image/png", HERO) for i in range(self.n_articles)})
        if path in static:
            kind, body = static[path]
            return 200, {"Content-Type": kind}, body
        return 404, {"Content-Type": "text/plain"}, b"not found"

    def registry(self, **extra: object) -> str:
        lines = [
            "version = 1", "[[source]]", 'id = "ledger"', 'name = "Requisite Ledger"',
            f'homepage = "{self.url}/"', 'domains = ["127.0.0.1"]',
            f'feeds = ["{self.url}/feed.xml"]', "[source.tags]", 'lean = "center"',
        ]  # fmt: skip
        for key, value in extra.items():
            lines.insert(6, f"{key} = {str(value).lower() if isinstance(value, bool) else value}")
        return "\n".join(lines) + "\n"

    def close(self) -> None:
        self.server.close()
        self.trap.close()

    def __enter__(self) -> RequisiteSite:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
