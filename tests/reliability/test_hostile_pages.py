"""Pages built to make analysis slow or wrong: unclosed markup that made the page
classifier quadratic (and kept a crawl from stopping), and a UTF-8 page with one bad
byte that turned into mojibake. Analysis is bounded and linear, a crawl asked to stop
stops within seconds whatever it is reading, and a declared charset survives a stray
byte."""

from __future__ import annotations

import json
import signal
import subprocess
import time

import pytest

from crawler.worker import analyse_page
from tests.crawl.conftest import Crawler
from tests.loopback import LoopbackServer, QuietHandler
from tests.reliability.checks import wait_for

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

URL = "https://news.example/2024/05/01/a-story-with-hostile-markup/"
# A bound far above a linear analysis (a 1 MB page takes well under a second) and far
# below what the quadratic classifier took (minutes): it tells the two apart on any
# machine, it does not measure speed.
BOUND = 15.0


def hostile(kind: str, size: int) -> bytes:
    """``size`` bytes of one kind of unclosed markup."""
    unit = {
        "p": "<p>word word ",
        "a": '<a href="/x">word ',
        "ldjson": '<script type="application/ld+json">{"@type": "NewsArticle", ',
        "comment": "<!-- word ",
        "script": "<script>var a = 1; ",
    }[kind]
    return ("<html><head><title>t</title></head><body>" + unit * (size // len(unit))).encode()


@pytest.mark.parametrize("kind", ["p", "a", "ldjson", "comment", "script"])
def test_unclosed_markup_is_analysed_in_bounded_linear_time(kind, trial):
    trial.case = "hostile markup: unclosed <p>, <a>, JSON-LD, comments, scripts (30 KB-1 MB)"
    took = {}
    for size in (30_000, 120_000, 1_000_000):
        began = time.perf_counter()
        result = analyse_page(hostile(kind, size), URL, None, None)
        took[size] = time.perf_counter() - began
        assert result["kind"] in ("article", "index", "error"), result
        assert took[size] < BOUND, (kind, size, took)
    trial.tries = 3
    trial.saw("analysed within the bound", 3)
    trial.notes.append(
        f"<{kind}>: " + ", ".join(f"{s // 1000} KB {t:.2f}s" for s, t in took.items())
    )


class SlowPagesSite(LoopbackServer):
    """A feed of articles whose pages are 1 MB of unclosed paragraphs."""

    def __init__(self, n: int) -> None:
        site = self
        self.served: list[str] = []
        self.paths = [f"/2024/05/01/hostile-story-number-{i}/" for i in range(n)]

        class Handler(QuietHandler):
            def do_GET(self) -> None:  # noqa: N802
                site.served.append(self.path)
                if self.path == "/feed.xml":
                    items = "".join(
                        f"<item><title>t</title><link>{site.url}{p}</link></item>"
                        for p in site.paths
                    )
                    rss = (
                        f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'
                    )
                    return self.reply(200, {"Content-Type": "application/rss+xml"}, rss.encode())
                if self.path in site.paths:
                    return self.reply(200, {"Content-Type": "text/html"}, hostile("p", 1_000_000))
                return self.reply(404, {}, b"")

        super().__init__(Handler)


def test_sigterm_stops_a_crawl_reading_hostile_pages_within_seconds(tmp_path, trial):
    trial.case = "SIGTERM while the crawl analyses 1 MB hostile pages"
    site = SlowPagesSite(12)
    try:
        (tmp_path / "sources.toml").write_text(
            'version = 1\n[[source]]\nid = "slow"\nname = "Slow"\n'
            f'homepage = "{site.url}/"\ndomains = ["127.0.0.1"]\nfeeds = ["{site.url}/feed.xml"]\n'
        )
        crawler = Crawler(tmp_path / "home", tmp_path / "sources.toml")
        crawler.home.mkdir()
        proc = subprocess.Popen(
            crawler.command("--source", "slow", DOWNLOAD_MAXSIZE="2000000", EXTRACT_WORKERS="2"),
            env=crawler.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert wait_for(lambda: any(p in site.served for p in site.paths), 60)
        began = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            pytest.fail("the crawl was still running a minute after SIGTERM")
        took = time.monotonic() - began
    finally:
        site.close()
    assert took < BOUND, took
    report = json.loads((crawler.home / "reports" / "last-crawl.json").read_text())
    assert report["finish_reason"] == "shutdown"
    trial.saw("stopped within the bound")
    trial.notes.append(f"stopped {took:.1f}s after SIGTERM")


def test_one_stray_byte_does_not_turn_a_utf8_page_into_mojibake(trial):
    trial.case = "UTF-8 page (header and meta) with one invalid byte"
    title = "Élection présidentielle : le débat télévisé"
    body = " ".join(["Le débat a opposé les deux candidats à l’élection présidentielle."] * 6)
    page = (
        f'<html><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta property="og:type" content="article"></head><body><h1>{title}</h1>'
        + "".join(f"<p>{body} {i}</p>" for i in range(6))
        + "</body></html>"
    ).encode("utf-8")
    broken = page.replace("débat a".encode(), b"d\xffbat a", 1)
    for declared in ("utf-8", None):  # in the HTTP header, or only in the page's meta
        result = analyse_page(broken, URL, declared, None)
        record = result["record"]
        assert record["title"] == title, record["title"]
        assert "Le débat a opposé" in record["body"]
        assert "d\ufffdbat a opposé" in record["body"]  # only the bad byte is replaced
        assert not any("\x80" <= ch <= "\x9f" for ch in record["title"] + record["body"])
    trial.saw("decoded as declared, the bad byte replaced", 2)


class MixedMediaSite(LoopbackServer):
    """A feed whose article links lead to a PDF, a PNG, a PDF sent without a type, and
    one real article page."""

    BODIES = {
        "/2024/05/01/budget-report-as-a-pdf/": ("application/pdf", b"%PDF-1.7\n" + b"x" * 3000),
        "/2024/05/01/chart-of-the-vote-png/": ("image/png", b"\x89PNG\r\n\x1a\n" + b"\0" * 3000),
        "/2024/05/01/untyped-pdf-of-the-bill/": ("", b"%PDF-1.4\n" + b"y" * 3000),
    }

    def __init__(self) -> None:
        site = self
        words = " ".join(["The senate voted on the budget bill after a long debate."] * 5)
        article = (
            '<html><head><meta property="og:type" content="article"><title>Vote</title></head>'
            "<body><h1>Senate votes on the budget</h1>"
            + "".join(f"<p>{words} {i}</p>" for i in range(6))
            + "</body></html>"
        ).encode()
        self.article_path = "/2024/05/01/senate-votes-on-the-budget/"

        class Handler(QuietHandler):
            def do_GET(self) -> None:  # noqa: N802
                if self.path == "/feed.xml":
                    paths = [*site.BODIES, site.article_path]
                    items = "".join(
                        f"<item><title>t</title><link>{site.url}{p}</link></item>" for p in paths
                    )
                    rss = (
                        f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'
                    )
                    return self.reply(200, {"Content-Type": "application/rss+xml"}, rss.encode())
                if self.path == site.article_path:
                    return self.reply(200, {"Content-Type": "text/html"}, article)
                if self.path in site.BODIES:
                    media, body = site.BODIES[self.path]
                    return self.reply(200, {"Content-Type": media} if media else {}, body)
                return self.reply(404, {}, b"")

        super().__init__(Handler)


def test_pdf_and_image_responses_are_archived_but_never_articles(tmp_path, trial):
    from tests.reliability.checks import assert_archive_sound
    from tests.reliability.test_scope import _warc_uris

    trial.case = "PDF and PNG responses behind article links (typed and untyped)"
    site = MixedMediaSite()
    try:
        (tmp_path / "sources.toml").write_text(
            'version = 1\n[[source]]\nid = "mixed"\nname = "Mixed"\n'
            f'homepage = "{site.url}/"\ndomains = ["127.0.0.1"]\nfeeds = ["{site.url}/feed.xml"]\n'
        )
        crawler = Crawler(tmp_path / "home", tmp_path / "sources.toml")
        crawler.home.mkdir()
        result = crawler.run("--source", "mixed")
    finally:
        site.close()
    assert result.returncode == 0, result.stderr[-2000:]
    records = assert_archive_sound(crawler.home)
    assert {r["url"] for r in records} == {site.url + site.article_path}
    assert result.source["not_article"] == {"not_html": 3}, result.source["not_article"]
    uris = set(_warc_uris(crawler.home))
    assert {site.url + p for p in site.BODIES} <= uris  # nothing fetched is lost
    trial.saw("archived in the WARC, not extracted as an article", 3)
