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


# ---- robots.txt and addresses -------------------------------------------------------

METADATA_PATH = "/latest/meta-data/iam/security-credentials/"


def robots_targets(trap: Trap, port: int) -> list[str]:
    """Where a hostile robots.txt redirects: private, link-local and other loopback hosts."""
    return [
        f"http://10.0.0.1{METADATA_PATH}",
        f"http://169.254.169.254{METADATA_PATH}",
        f"{trap.url}{METADATA_PATH}",
        f"http://localhost:{port}{METADATA_PATH}",
    ]


class RobotsSite:
    """A news site whose robots.txt answers 302 to ``target``; records Host headers."""

    def __init__(self, site: NewsSite, target: str) -> None:
        outer = self
        self.site, self.target, self.hosts = site, target, []

        class Handler(QuietHandler):
            def do_GET(self) -> None:  # noqa: N802
                outer.hosts.append(self.headers.get("Host", ""))
                if self.path == "/robots.txt":
                    return self.reply(302, {"Location": outer.target}, b"")
                hdrs = {k.lower(): v for k, v in self.headers.items()}
                return self.reply(*outer.site.respond(self.path, hdrs))

        self.http = LoopbackServer(Handler)
        site.port = self.http.port

    def close(self) -> None:
        self.http.close()


def _warc_uris(home) -> list[str]:
    """The URL every WARC record is about (a metadata record's, inside its urn:)."""
    from warcio.archiveiterator import ArchiveIterator

    uris = []
    for warc in (home / "warc").glob("*.warc.gz"):
        with open(warc, "rb") as fh:
            uris += [
                r.rec_headers.get_header("WARC-Target-URI").removeprefix(METADATA_URN_PREFIX)
                for r in ArchiveIterator(fh)
                if r.rec_headers.get_header("WARC-Target-URI")
            ]
    return uris


@pytest.mark.parametrize("rep", reps())
def test_robots_txt_redirects_cannot_leave_the_scope(tmp_path, rep, trial):
    from tests.reliability.connect_audit import attempted_hosts

    trial.case = "scope: robots.txt redirected to private, metadata and other loopback hosts"
    rng = random.Random(seed_for(trial.case, rep))
    trap = Trap()
    sites = []
    try:
        # One source per target, each on its own port, so each has its own robots.txt.
        for i in range(4):
            site = NewsSite(n_articles=3, feed_size=3, seed=rng.randrange(1000) + i)
            sites.append(RobotsSite(site, ""))
        for robots, target in zip(sites, robots_targets(trap, sites[0].site.port), strict=True):
            robots.target = target
        lines = ["version = 1"]
        for i, robots in enumerate(sites):
            s = robots.site
            lines += [
                f'[[source]]\nid = "s{i}"\nname = "S{i}"\nhomepage = "{s.url("/")}"',
                f'domains = ["127.0.0.1"]\nfeeds = ["{s.url("/feeds/rss.xml")}"]',
            ]
        (tmp_path / "sources.toml").write_text("\n".join(lines) + "\n")
        crawler = Crawler(tmp_path / "home", tmp_path / "sources.toml")
        crawler.home.mkdir()
        crawler.audit_connections(tmp_path / "connections.jsonl")
        result = crawler.run("--all", "--max-articles", "10")
    finally:
        for robots in sites:
            robots.close()
        trap.close()
    assert result.returncode == 0, result.stderr[-3000:]
    attempted = attempted_hosts(tmp_path / "connections.jsonl")
    assert attempted and set(attempted) == {"127.0.0.1"}, sorted(set(attempted))
    assert trap.hits == []
    for robots in sites:
        assert all(h.startswith("127.0.0.1:") for h in robots.hosts), robots.hosts
    ports = {robots.site.port for robots in sites}
    uris = _warc_uris(crawler.home)
    assert uris and all(
        u.startswith("http://127.0.0.1:") and int(u.split(":")[2].split("/")[0]) in ports
        for u in uris
    ), [u for u in uris if "127.0.0.1" not in u]
    records = assert_archive_sound(crawler.home)
    assert all(METADATA_PATH not in r["url"] for r in records)
    for source in result.report["sources"]:
        assert source["errors"].get("offsite_redirect", 0) >= 1, source["errors"]
    want = {robots.site.article_url(i) for robots in sites for i in range(3)}
    got = archived_urls(records)
    trial.lost = len(want - got)
    assert want <= got
    trial.tries = len(sites)
    trial.saw("robots.txt redirects refused before connecting", len(sites))


def _guarded_registry(site: NewsSite, extra_domains: list[str]) -> str:
    domains = ", ".join(f'"{d}"' for d in ["127.0.0.1", *extra_domains])
    return (
        'version = 1\n[[source]]\nid = "guarded"\nname = "Guarded"\n'
        f'homepage = "{site.url("/")}"\ndomains = [{domains}]\n'
        f'feeds = ["{site.url("/feed.xml")}"]\n'
    )


class FeedOf:
    """A news site whose /feed.xml also lists ``extra`` URLs and /r/N redirects to them."""

    def __init__(self, site: NewsSite, extra: list[str]) -> None:
        outer = self
        self.site, self.extra = site, extra

        class Handler(QuietHandler):
            def do_GET(self) -> None:  # noqa: N802
                if self.path == "/feed.xml":
                    when = format_datetime(outer.site.now - timedelta(hours=1))
                    links = [outer.site.article_url(i) for i in range(len(outer.site.articles))]
                    links += outer.extra
                    links += [outer.site.url(f"/r/{i}/") for i in range(len(outer.extra))]
                    items = "".join(
                        f"<item><title>t</title><link>{u}</link><pubDate>{when}</pubDate></item>"
                        for u in links
                    )
                    rss = (
                        f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'
                    )
                    return self.reply(200, {"Content-Type": "application/rss+xml"}, rss.encode())
                if self.path.startswith("/r/"):
                    target = outer.extra[int(self.path.split("/")[2])] + "?via=redirect"
                    return self.reply(302, {"Location": target}, b"")
                hdrs = {k.lower(): v for k, v in self.headers.items()}
                return self.reply(*outer.site.respond(self.path, hdrs))

        self.http = LoopbackServer(Handler)
        site.port = self.http.port

    def close(self) -> None:
        self.http.close()


@pytest.mark.parametrize("rep", reps())
def test_in_scope_names_with_private_addresses_are_never_connected(tmp_path, rep, trial):
    from tests.reliability.connect_audit import attempted_hosts

    trial.case = "address guard: in-scope hosts at private, link-local, other loopback addresses"
    rng = random.Random(seed_for(trial.case, rep))
    trap = Trap()
    private = ["10.0.0.1", "169.254.169.254", "192.168.1.1", "127.0.0.2"]
    rng.shuffle(private)
    extra = [
        f"http://{host}:{trap.port}/2024/05/01/a-story-at-a-private-address/"
        if host == "127.0.0.2"
        else f"http://{host}{METADATA_PATH}"
        for host in private
    ]
    site = FeedOf(NewsSite(n_articles=3, feed_size=3, seed=rng.randrange(1000)), extra)
    try:
        # A registry that names private hosts as domains (a typo, or a hostile edit):
        # the name scope lets them through, the address guard must not.
        (tmp_path / "sources.toml").write_text(_guarded_registry(site.site, private))
        crawler = Crawler(tmp_path / "home", tmp_path / "sources.toml")
        crawler.home.mkdir()
        crawler.audit_connections(tmp_path / "connections.jsonl")
        result = crawler.run("--source", "guarded", "--max-articles", "20", RETRY_TIMES="0")
    finally:
        site.close()
        trap.close()
    assert result.returncode == 0, result.stderr[-3000:]
    attempted = set(attempted_hosts(tmp_path / "connections.jsonl"))
    assert attempted == {"127.0.0.1"}, sorted(attempted)
    assert trap.hits == []
    errors = result.source["errors"]
    # each private URL twice: listed in the feed, and reached by a redirect
    assert errors.get("private_address") == 2 * len(private), errors
    records = assert_archive_sound(crawler.home)
    want = {site.site.article_url(i) for i in range(3)}
    trial.lost = len(want - archived_urls(records))
    assert want <= archived_urls(records)
    trial.tries = 2 * len(private)
    trial.saw("private addresses refused at connect time", errors["private_address"])


def test_a_name_resolving_to_another_loopback_address_is_refused(tmp_path, trial):
    """A real name resolution: ``localhost`` is 127.0.0.1, but this source's homepage
    lives on 127.0.0.3, so 127.0.0.1 is not trusted for it."""
    from tests.reliability.connect_audit import attempted_hosts

    trial.case = "address guard: a host name resolving to an untrusted loopback address"
    target = Trap.__new__(Trap)
    target.hits = []

    class Hit(QuietHandler):
        def do_GET(self) -> None:  # noqa: N802
            target.hits.append(self.path)
            self.reply(200, {}, b"<html><body><p>internal</p></body></html>")

    LoopbackServer.__init__(target, Hit, host="127.0.0.1")
    story = f"http://localhost:{target.port}/2024/05/01/an-internal-page/"

    class Feed(QuietHandler):
        def do_GET(self) -> None:  # noqa: N802
            rss = (
                '<?xml version="1.0"?><rss version="2.0"><channel><item><title>t</title>'
                f"<link>{story}</link></item></channel></rss>"
            )
            self.reply(200, {"Content-Type": "application/rss+xml"}, rss.encode())

    feed = LoopbackServer(Feed, host="127.0.0.3")
    try:
        (tmp_path / "sources.toml").write_text(
            'version = 1\n[[source]]\nid = "elsewhere"\nname = "Elsewhere"\n'
            f'homepage = "{feed.url}/"\ndomains = ["127.0.0.3", "localhost"]\n'
            f'feeds = ["{feed.url}/feed.xml"]\n'
        )
        crawler = Crawler(tmp_path / "home", tmp_path / "sources.toml")
        crawler.home.mkdir()
        crawler.audit_connections(tmp_path / "connections.jsonl")
        result = crawler.run("--source", "elsewhere", RETRY_TIMES="0")
    finally:
        feed.close()
        target.close()
    assert result.returncode == 0, result.stderr[-3000:]
    assert target.hits == []
    assert set(attempted_hosts(tmp_path / "connections.jsonl")) == {"127.0.0.3"}
    assert result.source["errors"] == {"private_address": 1}, result.source["errors"]
    trial.saw("name resolved to an untrusted loopback address, refused")
