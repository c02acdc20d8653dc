"""Fact-check verdicts: the claim a ``ClaimReview`` reviews and the rating it gives.

Fact-checkers (PolitiFact, FactCheck.org, Snopes, and the many outlets that publish
fact-checks) mark each verdict up as a schema.org ``ClaimReview``, in JSON-LD or
microdata, one per claim. Each becomes one entry of the record's ``claim_reviews``:
the claim as the page words it, the rating's own words ("Pants on Fire", "False",
"Mostly true"), its numeric value on the page's scale when it gives one, and who made
the claim. Scraped values are hostile: strings are cleaned and cut, numbers checked.
"""

from __future__ import annotations

import math
from typing import Any

from crawler.extract.fields import text
from crawler.extract.structured import Structured

MAX_TEXT = 1_000  # characters of a claim kept (a claim is a sentence, not an article)


def _one(value: Any) -> Any:
    """The first item of a list (microdata properties are lists), else the value."""
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _name(value: Any) -> str:
    value = _one(value)
    if isinstance(value, dict):
        return text(value.get("name"))
    return text(value)


def _number(value: Any) -> float | None:
    value = _one(value)
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def claim_reviews(st: Structured) -> tuple[list[dict[str, Any]], str | None]:
    """The page's verdicts, in page order, without repeats (JSON-LD and microdata often
    say the same), and where the first came from."""
    out: list[dict[str, Any]] = []
    source = None
    for origin, node in st.claim_reviews:
        rating = _one(node.get("reviewRating"))
        rating = rating if isinstance(rating, dict) else {}
        item = _one(node.get("itemReviewed"))
        item = item if isinstance(item, dict) else {}
        review = {
            "claim": text(node.get("claimReviewed"))[:MAX_TEXT] or None,
            "rating": (_name(rating.get("alternateName")) or _name(rating))[:MAX_TEXT] or None,
            "rating_value": _number(rating.get("ratingValue")),
            "best_rating": _number(rating.get("bestRating")),
            "worst_rating": _number(rating.get("worstRating")),
            "claimant": _name(item.get("author"))[:MAX_TEXT] or None,
        }
        if (review["claim"] or review["rating"]) and review not in out:
            out.append(review)
            source = source or origin
    return out, source
