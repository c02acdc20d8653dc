"""Party and office are those in force on the article's publication date."""

from __future__ import annotations

import pytest

from crawler.politics import load_tagger, tag


@pytest.fixture(scope="module")
def tagger():
    return load_tagger(())


def person(tagger, body: str, published: str | None) -> dict:
    found = tag("", body, published=published, tagger=tagger)["people"]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("published", "party"),
    [("2019-06-01T12:00:00Z", "Democratic"), ("2020-06-01", "Republican")],
)
def test_party_switch_within_a_term(tagger, published, party):
    # Jefferson Van Drew left the Democrats for the Republicans in December 2019.
    p = person(tagger, "Rep. Jeff Van Drew voted against the articles.", published)
    assert (p["party"], p["office"], p["state"], p["district"]) == (
        party,
        "U.S. Representative",
        "NJ",
        "2",
    )


@pytest.mark.parametrize(
    ("published", "office"),
    [
        ("2010-05-01", "Vice President"),
        ("2019-05-01", None),  # between his vice presidency and his presidency: no office
        ("2022-05-01", "President"),
        (None, "President"),  # undated: the latest term
    ],
)
def test_office_on_the_day(tagger, published, office):
    p = person(tagger, "Joe Biden spoke to reporters about the budget.", published)
    assert p["id"] == "B000444"
    assert p["office"] == office
    assert p["party"] == "Democratic"


def test_state_executive_from_openstates(tagger):
    p = person(tagger, "Gov. Gavin Newsom signed the budget bill.", "2023-07-01")
    assert p["id"].startswith("ocd-person/")
    assert (p["office"], p["state"], p["party"]) == ("Governor", "CA", "Democratic")
