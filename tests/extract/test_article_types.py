"""Every schema.org Article subtype, and the reviews and fact-checks news sites
publish, is an article page: archived as one (the crawl's analysis) and read from its
own JSON-LD node (extraction). The list here is schema.org's hierarchy, typed from the
vocabulary, not read from the code."""

from __future__ import annotations

import json

import pytest

from crawler.worker import analyse_page

SCHEMA_ORG_ARTICLES = [
    "Article",
    "AdvertiserContentArticle",
    "NewsArticle",
    "AnalysisNewsArticle",
    "AskPublicNewsArticle",
    "BackgroundNewsArticle",
    "OpinionNewsArticle",
    "ReportageNewsArticle",
    "ReviewNewsArticle",
    "Report",
    "SatiricalArticle",
    "ScholarlyArticle",
    "MedicalScholarlyArticle",
    "SocialMediaPosting",
    "BlogPosting",
    "LiveBlogPosting",
    "DiscussionForumPosting",
    "TechArticle",
    "APIReference",
]
FACT_CHECKS = ["ClaimReview", "FactCheck", "Review", "CriticReview"]
URL = "https://news.example/checks/claim-about-the-budget-deficit"  # no date: no URL hint


def page(kind: str) -> bytes:
    """A short page (under the density rule's 120 words) declared only by its JSON-LD."""
    headline = f"What the {kind} says about the deficit"
    data = {
        "@context": "https://schema.org",
        "@type": kind,
        "headline": headline,
        "datePublished": "2024-05-01T10:00:00Z",
        "author": {"@type": "Person", "name": "Dana Checker"},
    }
    return (
        f'<html><head><script type="application/ld+json">{json.dumps(data)}</script></head>'
        f"<body><h1>{headline}</h1><p>The senator said the deficit doubled. "
        "The figures show it grew by a third.</p><nav><a href='/'>Home</a></nav></body></html>"
    ).encode()


@pytest.mark.parametrize("kind", SCHEMA_ORG_ARTICLES + FACT_CHECKS)
def test_every_article_type_is_archived_as_an_article(kind):
    result = analyse_page(page(kind), URL, "utf-8", None)
    assert result["kind"] == "article", result
    assert result["reason"] == f"jsonld:{kind.lower()}"
    record = result["record"]
    assert record["title"] == f"What the {kind} says about the deficit"
    assert record["authors"] == ["Dana Checker"]
    assert record["published"].startswith("2024-05-01")


def test_a_listing_type_is_not_an_article():
    result = analyse_page(page("CollectionPage"), URL, "utf-8", None)
    assert result["kind"] == "index" and result["reason"] == "jsonld:collectionpage"
