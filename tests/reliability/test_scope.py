"""The crawler never leaves a source's allowed domains, whatever feeds, sitemaps,
section links, redirects or meta refreshes say, and ignores non-HTTP(S) schemes.

A trap server on another loopback address (127.0.0.2) stands for "another site": it
must never be asked anything. Out-of-scope and non-HTTP targets are offered by every
route; a seeded selection per repetition.
"""

from __future__ import annotations

import random
from datetime import timedelta
from email.utils import format_datetime

import pytest

from crawler.archive.warc import METADATA_URN_PREFIX
from tests.crawl.conftest import Crawler
from tests.loopback import LoopbackServer, QuietHandler
from tests.reliability.checks import archived_urls, assert_archive_sound
from tests.reliability.conftest import reps, seed_for
from tests.site import NewsSite

pytestmark = [pytest.mark.reliability, pytest.mark.slow]


class Trap(LoopbackServer):
    """A server on 127.0.0.2 that counts every request it gets."""

    def __init__(self) -> None:
        trap = self
        self.hits: list[str] = []

        class Handler(QuietHandler):
            def do_GET(self) -> None:  # noqa: N802
                trap.hits.append(self.path)
                self.reply(200, {}, b"<html><body><p>you should not be here</p></body></html>")

        super().__init__(Handler, host="127.0.0.2")


def targets(trap: str, port: int) -> list[str]:
    """Where hostile links and redirects point."""
    return [
        f"{trap}/2024/05/01/offsite-story/",
        f"http://localhost:{port}/2024/05/01/same-server-other-name/",
        f"http://127.0.0.1@{trap[7:]}/2024/05/01/userinfo-trick/",
        f"//{trap[7:]}/2024/05/01/protocol-relative/",
        "file:///etc/passwd",
        f"ftp://127.0.0.1:{port}/2024/05/01/ftp-story/",
        "javascript:alert(document.cookie)",
        "data:text/html,<p>hello</p>",
        "mailto:desk@news.example",
        f"gopher://127.0.0.1:{port}/",
    ]


class ScopeSite:
    """The loopback news site plus a feed, sitemap, section page and redirects that all
    try to lead the crawler away."""

    def __init__(self, site: NewsSite, trap: Trap, rng: random.Random) -> None:
        self.site = site
        self.http = LoopbackServer(self._handler())
        self.port = site.port = self.http.port
        self.bad = targets(trap.url, self.port)
        rng.shuffle(self.bad)
        self.bad = self.bad[: rng.randint(6, len(self.bad))]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _handler(self):
        outer = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:  # noqa: N802
                path = self.path
                bad = outer.bad
                when = format_datetime(outer.site.now - timedelta(hours=1))
                if path == "/feed.xml":
                    links = [outer.site.article_url(i) for i in range(len(outer.site.articles))]
                    links += bad + [
                        outer.url(f"/r/{i}/2024/05/01/redirected/") for i in range(len(bad))
                    ]
                    links += [
                        outer.url(f"/meta/{i}/2024/05/01/refreshed/") for i in range(len(bad))
                    ]
                    items = "".join(
                        f"<item><title>t</title><link>{link.replace('&', '&amp;').replace('<', '&lt;')}</link>"
                        f"<pubDate>{when}</pubDate></item>"
                        for link in links
                    )
                    rss = f'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>{items}</channel></rss>'
                    return self.reply(200, {"Content-Type": "application/rss+xml"}, rss.encode())
                if path == "/sitemap.xml":
                    urls = "".join(
                        f"<url><loc>{u.replace('&', '&amp;').replace('<', '&lt;')}</loc></url>"
                        for u in bad
                    )
                    xml = f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
                    return self.reply(200, {"Content-Type": "application/xml"}, xml.encode())
                if path == "/section/politics/":
                    links = "".join(
                        f'<li><a href="{u}">a story about the budget</a></li>' for u in bad
                    )
                    html = f"<html><body><h1>Politics</h1><ul>{links}</ul></body></html>"
                    return self.reply(200, {"Content-Type": "text/html"}, html.encode())
                if path.startswith("/r/"):
                    i = int(path.split("/")[2])
                    return self.reply(302, {"Location": bad[i % len(bad)]}, b"")
                if path.startswith("/meta/"):
                    i = int(path.split("/")[2])
                    html = (
                        f'<html><head><meta http-equiv="refresh" content="0; url={bad[i % len(bad)]}">'
                        "</head><body></body></html>"
                    )
                    return self.reply(200, {"Content-Type": "text/html"}, html.encode())
                hdrs = {k.lower(): v for k, v in self.headers.items()}
                return self.reply(*outer.site.respond(path, hdrs))

        return Handler

    def close(self) -> None:
        self.http.close()


def registry(site: ScopeSite) -> str:
    return (
        'version = 1\n[[source]]\nid = "scoped"\nname = "Scoped"\n'
        f'homepage = "{site.url("/")}"\ndomains = ["127.0.0.1"]\n'
        f'feeds = ["{site.url("/feed.xml")}"]\nsitemaps = ["{site.url("/sitemap.xml")}"]\n'
        f'sections = ["{site.url("/section/politics/")}"]\n'
    )


@pytest.mark.parametrize("rep", reps())
def test_crawl_stays_in_scope(tmp_path, rep, trial):
    from warcio.archiveiterator import ArchiveIterator

    trial.case = "scope: off-domain links and redirects, non-HTTP schemes"
    rng = random.Random(seed_for(trial.case, rep))
    trap = Trap()
    site = ScopeSite(NewsSite(n_articles=4, feed_size=4), trap, rng)
    try:
        (tmp_path / "sources.toml").write_text(registry(site))
        crawler = Crawler(tmp_path / "home", tmp_path / "sources.toml")
        crawler.home.mkdir()
        result = crawler.run("--source", "scoped", "--max-articles", "100")
    finally:
        site.close()
        trap.close()
    assert result.returncode == 0, result.stderr[-3000:]
    assert trap.hits == [], trap.hits
    records = assert_archive_sound(crawler.home)
    good = {site.site.article_url(i) for i in range(4)}
    got = archived_urls(records)
    trial.lost = len(good - got)
    assert good <= got
    prefix = f"http://127.0.0.1:{site.port}/"
    assert all(u.startswith(prefix) for u in got), got
    for record in records:
        assert "root:x:0:0" not in (record.get("body") or "")
    uris = []
    for warc in (crawler.home / "warc").glob("*.warc.gz"):
        with open(warc, "rb") as fh:
            for rec in ArchiveIterator(fh):
                uri = rec.rec_headers.get_header("WARC-Target-URI")
                if uri:  # a metadata record names its page as urn:newsarchive:metadata:<url>
                    uris.append(uri.removeprefix(METADATA_URN_PREFIX))
    assert uris and all(u.startswith(prefix) for u in uris), [
        u for u in uris if not u.startswith(prefix)
    ]
    trial.tries = len(site.bad) * 5  # feed, sitemap, section, redirect, meta refresh
    trial.saw("hostile targets offered, never fetched", trial.tries)
    trial.notes.append(f"errors {result.source['errors']}, skipped {result.source['skipped']}")
