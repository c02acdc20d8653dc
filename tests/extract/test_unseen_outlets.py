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
