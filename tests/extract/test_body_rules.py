"""Body cleanup rules, each on a fixture page written for it (tests/fixtures/extract)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.extract import extract
from crawler.extract.body import clean_blocks
from crawler.extract.boilerplate import LinkTexts, is_dateline

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "extract"


def body_of(name: str, url: str) -> str:
    return extract((FIXTURES / name).read_bytes(), url)["body"]


@pytest.fixture(scope="module")
def widget_labels() -> str:
    return body_of("widget_labels.html", "https://courier.example/news/ferry-timetable")


def test_label_followed_by_prose_does_not_end_the_article(widget_labels):
    # "Read more" sits inside the story; the paragraphs after it are still the article.
    assert "weekend crossings would be reviewed in June" in widget_labels
    assert widget_labels.rstrip().endswith("the port authority directly.")
    assert "Read more" not in widget_labels


def test_label_followed_by_links_only_is_cut(widget_labels):
    for teaser in ("Related stories", "Pier repairs finish early", "Parking charges rise"):
        assert teaser not in widget_labels


def test_story_split_over_sibling_containers_is_read_whole():
    body = body_of("split_chunks.html", "https://notes.example/orchards-uphill")
    blocks = body.split("\n\n")
    assert blocks[0].startswith("Apple growers in the lower valley")
    assert blocks[-1].startswith("The county expects the lower valley")
    assert len([b for b in blocks if "valley" in b or "hillside" in b]) >= 4
    assert "Shop our almanac" not in body and "Advertisement" not in body


def test_trailing_list_of_linked_teasers_is_dropped():
    body = body_of("teaser_list.html", "https://sport.example/rowing-title")
    assert body.rstrip().endswith("confirmed the margin.")
    for teaser in ("Swim gala moves", "Cycling route", "Cricket pavilion", "Marathon entries"):
        assert teaser not in body
    # A short linked list inside the story, with prose after it, stays.
    assert "Semi-final scare for Riverside crew" in body


def test_form_status_messages_are_dropped():
    body = body_of("form_messages.html", "https://crier.example/library-hours")
    assert "Thanks for signing up" not in body
    assert "error processing your subscription" not in body
    assert body.startswith("The central library will open on Sundays")
    assert body.rstrip().endswith("public buildings are closed.")


@pytest.fixture(scope="module")
def notices() -> str:
    return body_of("boilerplate_notices.html", "https://ledger.example/transit/bus-depot")


def test_reprint_tools_contact_lines_and_social_pointers_are_dropped(notices):
    for noise in (
        "Order Reprints",
        "Print Article",
        "dana.miles@",
        "may be reached at",
        "on Facebook and Twitter",
        "non-commercial use",
        "Article content",
        "commission",
        "create an account",
        "Recommended Videos",
    ):
        assert noise not in notices
    assert notices.startswith("The county board voted five to two")
    assert notices.rstrip().endswith("noise and traffic then.")


def test_text_the_page_hides_is_not_read(notices):
    assert "kept for search engines" not in notices


def test_paragraph_inside_a_link_is_a_teaser_card_however_long(notices):
    # The card's paragraph is over 40 words, longer than any link-only line.
    assert "Tram extension" not in notices
    assert "first passengers next month" not in notices


def test_page_laid_out_in_a_table_is_read_by_its_paragraphs():
    body = body_of("layout_table.html", "https://coast.example/news/pilot-chief")
    blocks = body.split("\n\n")
    # Not one flattened table row: the paragraphs, without the dateline or the sidebar.
    assert len(blocks) == 5
    assert blocks[0].startswith("The harbour board on Monday named")
    assert blocks[-1].endswith("contracts with the launch operators.")
    for sidebar in ("Latest news", "Ferry fares", "Top stories", "Coastguard drill"):
        assert sidebar not in body


def test_story_given_twice_is_kept_once():
    story = [
        "Council members agreed on Tuesday to keep the swimming pool open through the winter"
        " months, reversing a decision taken in the spring after a petition signed by thousands.",
        "The pool will close for repairs in April instead, the council said.",
    ]
    lines = [*story, "Council members agreed on Tuesday to keep the swimming pool open…", *story]
    assert clean_blocks(lines, None, LinkTexts()) == story


def test_repeated_short_lines_of_a_list_are_kept():
    menu = [
        "Breakfast: porridge with oats, milk and a spoon of honey, served before the morning"
        " training session so that the athletes have energy for the first hours.",
        "- Lunch",
        "- Rice and vegetables",
        "- Lunch",
        "- Rice and vegetables",
        "Dinner is the same on both days, and the kitchen closes at eight in the evening.",
    ]
    assert clean_blocks(menu, None, LinkTexts()) == menu


def test_a_numbered_list_that_ends_the_story_is_kept_to_its_last_item():
    # Short lines at the end are crumbs (leftover links), unless they are a list's
    # items: "9. Mira Holt" is the ninth of the ranking, however short.
    story = [
        "The readers' poll of the best harbour choirs closed on Sunday with more than four"
        " thousand votes, and the organisers published the whole ranking of the region.",
        *(
            f"{n}. {name}"
            for n, name in enumerate(["Gull Point Singers", "Mira Holt", "Tidesong"], 7)
        ),
    ]
    assert clean_blocks(story, None, LinkTexts()) == story
    crumbs = [story[0], "Share", "Next story"]
    assert clean_blocks(crumbs, None, LinkTexts()) == [story[0]]


def test_hover_card_inside_a_paragraph_is_dropped_but_the_name_stays():
    body = body_of("hover_cards.html", "https://capitol.example/policy/rural-broadband")
    assert body.startswith("Sen. Ann Ortiz (D-N.M.) filed a bill on Wednesday")
    for card in ("Budget talks stall", "Farm bill vote", "MORE"):
        assert card not in body


def test_share_and_teaser_prompts_at_the_end_are_dropped():
    body = body_of("hover_cards.html", "https://capitol.example/policy/rural-broadband")
    assert body.rstrip().endswith("before the summer recess.")


@pytest.fixture(scope="module")
def credits() -> str:
    return body_of("credits_and_datelines.html", "https://wire.example/politics/water-bill")


def test_datelines_and_reading_time_are_dropped_in_several_languages(credits):
    assert credits.startswith("Parliament passed the water bill early on Tuesday")
    for stamp in ("Reading time", "06:12 GMT", "Updated at", "terça-feira"):
        assert stamp not in credits


def test_agency_credit_lines_and_separators_are_dropped(credits):
    assert credits.rstrip().endswith("before the summer break, a spokesman said.")
    for credit in ("___", "contributed to this report", "Reporting by", "Editing by"):
        assert credit not in credits


def test_membership_pitch_feedback_prompt_and_most_read_list_are_dropped(credits):
    for noise in ("proposition for you", "Tell us what", "Most read", "Floods close"):
        assert noise not in credits


def test_bracketed_related_link_inside_the_story_is_dropped(credits):
    assert "What the water bill means" not in credits
    assert "Opposition members said the fund was too small" in credits


def test_a_sentence_that_mentions_a_date_is_not_a_dateline():
    assert is_dateline("Nov. 5, 2024 at 3:15 p.m. EST")
    assert not is_dateline("The vote was held on May 5, 2024.")
    # A span of two dates is an event's run, part of the content.
    assert not is_dateline("29 November 2018 | 20 January 2019")


@pytest.fixture(scope="module")
def explainer() -> str:
    return body_of("captions_and_contents.html", "https://civic.example/voting-machines")


def test_image_captions_and_credits_are_dropped(explainer):
    assert "officials said on Monday" not in explainer
    assert "Photo: Lee Park" not in explainer
    # The container classed "has-caption" is not a caption: the story is all there.
    assert explainer.startswith("The county will use new voting machines")


def test_headings_linked_from_a_table_of_contents_are_kept(explainer):
    blocks = explainer.split("\n\n")
    assert "What happens to the paper ballot" in blocks
    assert "Who counts the votes" in blocks


def test_breaking_news_stub_and_comment_invitation_are_dropped(explainer):
    assert explainer.rstrip().endswith("anyone may come and try them.")


def test_highlights_above_the_story_are_dropped_when_the_story_tells_them():
    story = [
        "Collectors across the country are hunting for rare banknotes with a printing error,"
        " and some are willing to pay thousands of dollars for a matching pair.",
        "Two batches printed in 2014 and 2016 share serial numbers because of the error,"
        " the bureau confirmed, and only a handful of pairs have been found so far.",
    ]
    highlights = [
        "- Collectors across the country are hunting for rare banknotes",
        "- Two batches printed in 2014 and 2016 share serial numbers",
    ]
    assert clean_blocks([*highlights, *story], None, LinkTexts()) == story
    # A list that says something the text does not is part of the article.
    steps = ["- Check the series year on the note", "- Look for a star after the serial number"]
    assert clean_blocks([*steps, *story], None, LinkTexts()) == [*steps, *story]


def test_short_list_items_ending_the_text_are_kept_but_a_promo_code_offer_is_not():
    text = [
        "The update to the transit app arrives on Monday and brings three changes that riders"
        " asked for in the survey the city ran last spring.",
        "- Live arrival times",
        "- Saved routes",
        "- Night mode",
    ]
    promo = (
        "Get the premium edition of our transit guide for as little as $5 for the first year."
        " Use the code RIDER at checkout."
    )
    assert clean_blocks([*text, promo], None, LinkTexts()) == text


def test_a_code_block_is_kept_line_by_line_however_bare_its_lines_look():
    body = body_of("body_preformatted_output.html", "https://platformnotes.example/late-trains")
    blocks = body.split("\n\n")
    # The query's output: a rule of box-drawing characters, rows that start with a
    # timestamp, a bare count line; each is the author's text inside the <pre>.
    for line in ("─────────────────────┼──────", "2024-03-05 08:00:00 │ 22", "(3 rows)"):
        assert line in blocks
    assert "Eight o'clock is the worst hour by far" in body
    # The same bare look outside the code block is still a separator and a timestamp.
    assert "──────" not in blocks
    assert "2024-03-06" not in blocks


def test_a_story_paragraph_that_ends_with_a_pointer_is_kept_an_appeal_is_not():
    # The tour paragraph is the story, then "Follow her on Instagram": the sentences
    # before the call to action are kept with it. The appeal speaks to the reader ("we",
    # "you") and goes, however long.
    body = body_of("body_story_ends_with_a_pointer.html", "https://coastline.example/fiddler")
    assert "concert room for sixty people. Follow her on Instagram for the dates." in body
    assert "readers like you" not in body
    assert "make a donation" not in body


def test_a_headline_and_share_buttons_run_together_are_no_story_before_a_call_to_action():
    # A page without its paragraphs: its header and widgets come back as one block.
    # The words before "Please share" are title case and buttons, not sentences.
    story = (
        "The harbour board raised the single ferry fare on Monday for the first time in"
        " ten years, and the island towns said they would ask for a hearing."
    )
    stub = (
        "Ferry Fares Rise For The First Time By Ana Lima | March 03, 2026 02:35 UTC Share"
        " on X Share on Facebook Email File photo. Please share this article wherever you can."
    )
    assert clean_blocks([story, stub], None, LinkTexts()) == [story]


def test_a_list_articles_items_linked_to_a_shop_are_kept_its_own_promos_are_not():
    # Each item's name is a heading that links to the maker's or a shop's page; the
    # site's own teaser, a dressed link and a link that asks something still go.
    prose = (
        " It charges a phone and a laptop at once, and it stays cool on a long drive, which"
        " the two we tried before it did not."
    )
    items = "".join(
        f'<h3><a href="https://shop.example/item-{i}">{name}</a></h3><p>{name} is our pick'
        f" for the car.{prose}</p>"
        for i, name in enumerate(["Satechi 72W Car Charger", "“Thumper” ($20)"])
    )
    page = (
        "<html><head><title>Gifts for drivers | Gadget Desk</title></head><body><article>"
        f"<h1>Gifts for drivers that they will actually use</h1>{items}"
        '<p><a href="/2019/11/best-phones">The best phones of the year</a></p>'
        '<p>3) Lego Star Wars 75188<br><a href="http://amzn.to/2iJFhRj">http://amzn.to/2iJFhRj</a></p>'
        '<p><a href="https://gadgetdesk.example/deals">https://gadgetdesk.example/deals</a></p>'
        '<p><a href="https://sister.example/review">Charger review [Video]</a></p>'
        '<p><a href="https://apps.example/get">Download the Gadget Desk app</a></p>'
        f"<p>That is the list for this year.{prose}</p></article></body></html>"
    )
    body = extract(page.encode(), "https://gadgetdesk.example/2019/11/gifts")["body"]
    assert "Satechi 72W Car Charger\n" in body and "“Thumper” ($20)\n" in body
    assert "http://amzn.to/2iJFhRj" in body  # a bare link to the shop, as the writer gave it
    for promo in ("The best phones", "Charger review", "Download the Gadget", "/deals"):
        assert promo not in body
