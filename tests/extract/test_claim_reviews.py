"""Fact-check pages: each schema.org ClaimReview becomes one verdict of the record's
``claim_reviews`` (claim, rating in the page's words and on its scale, claimant),
from JSON-LD or microdata, bounded and cleaned like every scraped value."""

from __future__ import annotations

import json

from crawler.extract import extract
from crawler.schema import validate_record
from tests.synthetic import new_record

URL = "https://checks.example/factchecks/2024/may/01/senator-deficit/"
PARAGRAPHS = "".join(
    f"<p>Paragraph {i} of the fact-check weighs what the senator said about the budget "
    "deficit against the Treasury's monthly statements and the budget office's figures.</p>"
    for i in range(6)
)


def review(claim: str, rating: str, value, claimant: str = "Sen. Pat Doe") -> dict:
    return {
        "@type": "ClaimReview",
        "url": URL,
        "claimReviewed": claim,
        "itemReviewed": {"@type": "Claim", "author": {"@type": "Person", "name": claimant}},
        "reviewRating": {
            "@type": "Rating", "ratingValue": value, "bestRating": 6, "worstRating": 1,
            "alternateName": rating,
        },
    }  # fmt: skip


def page(*nodes: dict, microdata: str = "") -> str:
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {
                "@type": "NewsArticle",
                "headline": "Did the deficit double?",
                "url": URL,
                "datePublished": "2024-05-01T10:00:00Z",
                "author": {"@type": "Person", "name": "Dana Checker"},
            },  # fmt: skip
            *nodes,
        ],
    }
    return (
        f'<html><head><script type="application/ld+json">{json.dumps(graph)}</script></head>'
        f"<body><article><h1>Did the deficit double?</h1>{PARAGRAPHS}{microdata}</article>"
        "</body></html>"
    )


def test_a_fact_check_carries_its_claim_rating_and_claimant() -> None:
    record = extract(page(review("The deficit doubled last year.", "Pants on Fire", "1")), URL)
    assert record["claim_reviews"] == [
        {
            "claim": "The deficit doubled last year.", "rating": "Pants on Fire",
            "rating_value": 1.0, "best_rating": 6.0, "worst_rating": 1.0,
            "claimant": "Sen. Pat Doe",
        }
    ]  # fmt: skip
    assert record["provenance"]["claim_reviews"] == "json-ld"
    assert record["title"] == "Did the deficit double?"  # the article is read as usual
    assert record["authors"] == ["Dana Checker"]
    validate_record({**_line(), **record})


def test_a_round_up_keeps_every_verdict_in_page_order_and_each_once() -> None:
    first = review("Taxes rose for everyone.", "False", 2)
    second = review("Unemployment fell by half.", "Half True", 4, claimant="Gov. Lee Roe")
    microdata = (
        '<div itemscope itemtype="https://schema.org/ClaimReview">'
        '<span itemprop="claimReviewed">Taxes rose for everyone.</span>'
        '<div itemprop="reviewRating" itemscope itemtype="https://schema.org/Rating">'
        '<meta itemprop="ratingValue" content="2"><meta itemprop="bestRating" content="6">'
        '<meta itemprop="worstRating" content="1"><span itemprop="alternateName">False</span>'
        "</div>"
        '<div itemprop="itemReviewed" itemscope itemtype="https://schema.org/Claim">'
        '<div itemprop="author" itemscope itemtype="https://schema.org/Person">'
        '<span itemprop="name">Sen. Pat Doe</span></div></div></div>'
    )
    record = extract(page(first, second, microdata=microdata), URL)
    assert [(r["claim"], r["rating"], r["claimant"]) for r in record["claim_reviews"]] == [
        ("Taxes rose for everyone.", "False", "Sen. Pat Doe"),
        ("Unemployment fell by half.", "Half True", "Gov. Lee Roe"),
    ]


def test_microdata_alone_is_read() -> None:
    microdata = (
        '<div itemscope itemtype="http://schema.org/ClaimReview">'
        '<meta itemprop="claimReviewed" content="Crime is at a record high.">'
        '<div itemprop="reviewRating" itemscope itemtype="http://schema.org/Rating">'
        '<span itemprop="name">Mostly false</span></div></div>'
    )
    html = f"<html><body><article><h1>Is crime at a record high?</h1>{PARAGRAPHS}{microdata}"
    record = extract(html + "</article></body></html>", URL)
    assert record["claim_reviews"] == [
        {
            "claim": "Crime is at a record high.", "rating": "Mostly false", "rating_value": None,
            "best_rating": None, "worst_rating": None, "claimant": None,
        }
    ]  # fmt: skip
    assert record["provenance"]["claim_reviews"] == "microdata"


def test_hostile_values_are_cut_cleaned_or_dropped() -> None:
    huge = review("A" * 5000, "<b>False</b>", "NaN")
    odd = review("Not a number either.", "True", "1e999")
    odd["reviewRating"]["bestRating"] = True  # a boolean is not a scale
    odd["itemReviewed"] = ["not", "a", "claim"]
    empty = {"@type": "ClaimReview", "reviewRating": "five stars"}  # no claim, no rating node
    record = extract(page(huge, odd, empty), URL)
    reviews = record["claim_reviews"]
    assert len(reviews) == 2
    assert len(reviews[0]["claim"]) == 1000 and reviews[0]["rating"] == "False"
    assert reviews[0]["rating_value"] is None
    assert reviews[1]["rating_value"] is None and reviews[1]["best_rating"] is None
    assert reviews[1]["claimant"] is None
    validate_record({**_line(), **record})


def test_a_page_without_a_claim_review_has_none() -> None:
    record = extract(page(), URL)
    assert record["claim_reviews"] == [] and "claim_reviews" not in record["provenance"]


def _line() -> dict:
    """What the archive adds to an extracted record, so the schema can be checked."""
    return new_record(1)
