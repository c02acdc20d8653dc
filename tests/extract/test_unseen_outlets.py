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


# ------------------------------------------------------------------- body
def test_story_goes_on_after_an_inline_box():
    body = record("body_inline_box.html", "https://lakesidetimes.example/tram")["body"]
    assert body.rstrip().endswith("The vote was 31 to 12, with two abstentions.")
    assert "Two summers of dust" in body
    for teaser in ("More from Politics", "Budget talks stall again", "Ward boundaries"):
        assert teaser not in body


def test_hidden_pages_of_a_paged_story_are_read_but_a_hidden_modal_is_not():
    body = record("body_paged_story.html", "https://lakesidetimes.example/festival")["body"]
    for part in ("eleven boats sailed", "storm on the Saturday night", "night swim across"):
        assert part in body
    assert "newsletter" not in body


def test_declared_article_body_replaces_a_cut_off_teaser():
    rec = record("body_declared_whole.html", "https://lakesidetimes.example/tram")
    assert rec["body"].startswith("The city council voted on Tuesday")
    assert "protected cycle lane" in rec["body"]  # the end of the story
    assert "Subscribers with digital access" not in rec["body"]
    assert rec["provenance"]["body"] == "json-ld"


def test_visible_story_wins_when_the_declared_body_adds_little():
    # The same page without its paywall: what it shows is the whole story.
    page = (FIXTURES / "body_declared_whole.html").read_text(encoding="utf-8")
    whole = page.replace("<p>Subscribers with digital access can read this article.</p>", "")
    extra = "".join(
        f"<p>{p}</p>"
        for p in (
            "A public meeting on the detailed plans will be held at the library on the first "
            "Monday of next month, and residents can send written comments.",
            "Cycling groups said they would press for a protected cycle lane beside the new "
            "track, which the current plans do not include.",
            "The transport authority said it would publish the full timetable for the "
            "extension once the funding is confirmed.",
            "Business groups welcomed the vote but asked the council to pay compensation to "
            "shops that lose trade while the road is closed.",
        )
    )
    whole = whole.replace('</div><div class="breach">', extra + '</div><div class="breach">')
    rec = extract(whole, "https://lakesidetimes.example/tram")
    assert rec["provenance"]["body"] == "trafilatura"


def test_embedded_transcript_beside_a_story_is_left_out():
    body = record("body_embedded_transcript.html", "https://lakesidetimes.example/hearing")["body"]
    assert body.startswith("The city council voted on Tuesday")
    assert "MINISTER:" not in body and "CHAIR:" not in body


def test_a_page_that_is_a_transcript_keeps_it():
    body = record("transcript_page.html", "https://lakesidetimes.example/transcript")["body"]
    assert body.count("MINISTER:") >= 10


def test_table_that_outweighs_the_story_is_left_out_a_small_one_stays():
    body = record("body_embedded_table.html", "https://lakesidetimes.example/write")["body"]
    assert "@lakeside.example" not in body
    assert "Engineers will begin surveying" in body
    assert "31" in body  # the vote table inside the story
