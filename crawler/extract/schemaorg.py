"""The schema.org types the project reads pages by, in one place.

``ARTICLE_TYPES`` serves two uses that must agree: page classification (a page whose
JSON-LD declares one of them is archived as an article, ``crawler.discovery.classify``)
and extraction (the JSON-LD node of that type is the one the article's fields come
from, ``crawler.extract.structured``). It holds every subtype of schema.org's
``Article`` and the reviews news sites publish as articles, fact-checks among them
(``ClaimReview``; ``FactCheck`` is not a schema.org type, but sites declare it).
Names are lower case, as ``type_names`` gives them.
"""

from __future__ import annotations

ARTICLE_TYPES = frozenset(
    {
        # schema.org Article and all its subtypes
        "article",
        "advertisercontentarticle",
        "newsarticle",
        "analysisnewsarticle",
        "askpublicnewsarticle",
        "backgroundnewsarticle",
        "opinionnewsarticle",
        "reportagenewsarticle",
        "reviewnewsarticle",
        "report",
        "satiricalarticle",
        "scholarlyarticle",
        "medicalscholarlyarticle",
        "socialmediaposting",
        "blogposting",
        "liveblogposting",
        "discussionforumposting",
        "techarticle",
        "apireference",
        # reviews news sites publish as articles
        "review",
        "criticreview",
        "claimreview",
        "factcheck",
    }
)
# Pages that list other pages: never an article, whatever else they declare.
LISTING_TYPES = frozenset({"collectionpage", "itemlist", "profilepage", "searchresultspage"})
# Pages whose own headline or date may stand for an article's when nothing else does.
PAGE_TYPES = frozenset({"webpage", "itempage", "collectionpage", "aboutpage", "profilepage"})
# Who publishes: the site's name, never an author.
SITE_TYPES = frozenset({"website", "organization", "newsmediaorganization", "corporation"})


def type_names(node: dict) -> set[str]:
    """The lower-case schema.org type names of a JSON-LD node (URL forms cut)."""
    raw = node.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return {str(v).rsplit("/", 1)[-1].rsplit("#", 1)[-1].lower() for v in values if v}
