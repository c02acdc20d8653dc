"""A fact-checker's feed crawled end to end: the ClaimReview page is archived as an
article (WARC + record) with its claim and rating (real crawl, loopback server)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime

from tests.crawl.conftest import Crawler, registry_text
from tests.loopback import LoopbackServer, QuietHandler

PATH = "/factchecks/2024/may/01/senator-says-deficit-doubled/"
VERDICT = {
    "@context": "https://schema.org",
    "@type": "ClaimReview",
    "claimReviewed": "The deficit doubled last year.",
    "itemReviewed": {"@type": "Claim", "author": {"@type": "Person", "name": "Sen. Pat Doe"}},
    "reviewRating": {"@type": "Rating", "ratingValue": 2, "bestRating": 6, "worstRating": 1,
                     "alternateName": "False"},
    "author": {"@type": "Organization", "name": "Loopback Checks"},
    "datePublished": "2024-05-01T10:00:00Z",
    "headline": "Senator says the deficit doubled last year",
}  # fmt: skip
PARAGRAPHS = "".join(
    f"<p>Part {i}: the senator's statement about the deficit is compared with the monthly "
    "Treasury statements and the budget office's outlook for the fiscal year.</p>"
    for i in range(8)
)


@dataclass
class _Site:
    """What the registry helper needs of a site: its URLs."""

    base: str
    host: str = "127.0.0.1"

    def url(self, path: str = "/") -> str:
        return self.base + path


class FactChecker(QuietHandler):
    def do_GET(self) -> None:  # noqa: N802
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        if self.path == "/robots.txt":
            return self.reply(200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n")
        if self.path == "/feed.xml":
            date = format_datetime(datetime(2024, 5, 1, 10, tzinfo=UTC), usegmt=True)
            rss = (
                '<?xml version="1.0"?><rss version="2.0"><channel><title>Checks</title>'
                f"<link>{base}/</link><item><title>{VERDICT['headline']}</title>"
                f"<link>{base}{PATH}</link><pubDate>{date}</pubDate></item></channel></rss>"
            )
            return self.reply(200, {"Content-Type": "application/rss+xml"}, rss.encode())
        if self.path == PATH:
            page = (
                f"<html><head><title>{VERDICT['headline']}</title>"
                f'<script type="application/ld+json">{json.dumps(VERDICT)}</script></head>'
                f"<body><article><h1>{VERDICT['headline']}</h1>{PARAGRAPHS}</article></body></html>"
            )
            return self.reply(200, {"Content-Type": "text/html; charset=utf-8"}, page.encode())
        return self.reply(404, {"Content-Type": "text/plain"}, b"not found")


def test_a_fact_check_page_is_archived_with_its_claim_and_rating(tmp_path) -> None:
    server = LoopbackServer(FactChecker)
    try:
        registry = tmp_path / "sources.toml"
        registry.write_text(registry_text(_Site(server.url), feeds=["/feed.xml"], sitemaps=[]))
        home = tmp_path / "home"
        home.mkdir()
        crawler = Crawler(home, registry)
        result = crawler.run()
        assert result.returncode == 0, result.stderr
        [record] = [r for r in crawler.records() if r["event"] == "new"]
        assert record["url"].endswith(PATH)
        assert record["claim_reviews"] == [
            {"claim": "The deficit doubled last year.", "rating": "False", "rating_value": 2.0,
             "best_rating": 6.0, "worst_rating": 1.0, "claimant": "Sen. Pat Doe"}
        ]  # fmt: skip
        assert record["capture"]["warc_file"].endswith(".warc.gz")
    finally:
        server.close()
