"""The failure classes seen on outlets no rule was written for (issue 20), one fixture each.

Each page in tests/fixtures/extract/ was written for its class; none copies a
benchmark page or its answer.
"""

from __future__ import annotations

from pathlib import Path

from crawler.extract import extract

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "extract"


def record(name: str, url: str) -> dict:
    return extract((FIXTURES / name).read_bytes(), url)


# ---------------------------------------------------------------- authors
def test_image_credit_marked_as_author_loses_to_the_byline():
    rec = record("author_image_credit.html", "https://quaycourier.example/news/crane")
    assert rec["authors"] == ["Priya Natarajan"]
    assert "Marta Vidal" not in " ".join(rec["authors"])


def test_site_name_gives_way_to_the_person_the_byline_names():
    rec = record("author_site_vs_person.html", "https://valleyledger.example/library-hours")
    assert rec["authors"] == ["Tomas Berg"]


def test_wire_byline_alone_is_kept():
    # The wire is the only author the page has: it is not the site, so it stays.
    rec = record("author_org_byline.html", "https://prairiepost.example/grain-barges")
    assert rec["authors"] == ["Northwire"]


def test_newsroom_desk_byline_alone_is_kept_whole():
    rec = record("author_desk_byline.html", "https://rrn.example/trams")
    assert rec["authors"] == ["RRN Staff"]


def test_jsonld_author_that_the_page_does_not_bear_out_loses():
    rec = record("author_jsonld_disagrees.html", "https://bayside9.example/beach")
    assert rec["authors"] == ["Ana Lima", "Tom Reyes"]
    assert rec["provenance"]["authors"] in ("meta", "byline")


# ----------------------------------------------------------------- titles
def test_section_label_in_the_headline_goes_when_the_page_agrees_without_it():
    rec = record("title_section_prefix.html", "https://lakesidetimes.example/tram")
    assert rec["title"] == "Council backs tram line to the northern suburbs"


def test_social_rewrite_of_the_headline_loses_to_the_wording_the_page_repeats():
    # og:title and twitter:title say one thing; the h1, JSON-LD and <title> another.
    rec = record("title_social_rewrite.html", "https://harbourweekly.example/ferry")
    assert rec["title"] == "Ferry operator cancels winter timetable after engine failures"


def test_deck_inside_the_h1_is_not_part_of_the_title():
    rec = record("title_headline_with_deck.html", "https://stationyard.example/market")
    assert rec["title"] == "Night market returns to the old station yard"
    assert rec["provenance"]["title"] == "json-ld"


def test_blog_masthead_h1_is_the_site_not_the_headline():
    rec = record("title_masthead_h1.html", "https://ridgenotes.example/2024/04/ridge-path/")
    assert rec["title"] == "Why the ridge path closes every spring"
