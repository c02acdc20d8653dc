"""The people tagger on text written for these tests, over the shipped gazetteer."""

from __future__ import annotations

import pytest

from crawler.politics import load_tagger, tag

WARREN = "W000817"
SCOTT_PERRY = "P000605"
FRENCH_HILL = "H001072"
TRUMP = "govtrack:412733"
BIDEN = "B000444"


@pytest.fixture(scope="module")
def tagger():
    return load_tagger(())


def people(tagger, title: str, body: str, published: str | None = "2024-03-01") -> dict:
    result = tag(title, body, published=published, tagger=tagger)
    return {p["id"]: p for p in result["people"]}


def test_title_then_bare_surname_is_one_person_twice(tagger):
    found = people(
        tagger,
        "Budget talks resume",
        "Sen. Warren questioned the plan on Tuesday. Later that day, Warren said the "
        "Senate would not vote on it before the recess.",
    )
    assert list(found) == [WARREN]
    assert found[WARREN]["mentions"] == 2
    assert found[WARREN]["name"] == "Elizabeth Warren"


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        (
            "Rick Perry, the former energy secretary, testified. Perry said he recalled nothing.",
            SCOTT_PERRY,
        ),
        (
            "Fiona Hill told the committee what she saw. Hill said the claims were false.",
            FRENCH_HILL,
        ),
        ("The lawmakers heard from Fiona Hill on Thursday, and Hill took questions.", FRENCH_HILL),
    ],
)
def test_a_namesake_is_not_tagged(tagger, text, absent):
    assert absent not in people(tagger, "Impeachment hearing, day four", text)


def test_namesake_and_gazetteer_person_in_one_article(tagger):
    found = people(
        tagger,
        "Two Perrys",
        "Rick Perry spoke first. Then Rep. Scott Perry of Pennsylvania answered, "
        "and Perry said the House would act.",
    )
    assert list(found) == [SCOTT_PERRY]
    assert found[SCOTT_PERRY]["mentions"] == 2  # the titled mention and the bare one after it


def test_ambiguous_surname_tags_nobody(tagger):
    # Rick Scott and Tim Scott are both senators: "Sen. Scott" alone names neither.
    found = people(tagger, "Senate", "Sen. Scott said the Senate would vote on the bill.")
    assert found == {}
    found = people(tagger, "Senate", "Sen. Tim Scott spoke. Scott said the bill would pass.")
    assert [p["name"] for p in found.values()] == ["Tim Scott"]
    assert next(iter(found.values()))["mentions"] == 2


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Gov. Newsom signed the bill.", "Gavin Newsom"),
        ("Speaker Johnson scheduled a vote.", "Mike Johnson"),
        ("President Biden vetoed it.", "Joe Biden"),
        ("Bernie Sanders held a rally.", "Bernard Sanders"),
        ("Vice President Pence presided over the Senate.", "Mike Pence"),
        ("Chairman Schiff opened the hearing.", "Adam B. Schiff"),
        ("The Trump administration appealed the ruling.", "Donald J. Trump"),
        ("The Bidens spent the weekend in Delaware.", "Joe Biden"),
        ("Obama-era rules were rolled back.", "Barack H. Obama"),
    ],
)
def test_forms_a_reader_recognises(tagger, text, name):
    found = people(tagger, "", text, published="2023-12-01")
    assert [p["name"] for p in found.values()] == [name]


def test_headline_in_capitals(tagger):
    found = people(
        tagger, "HOW WILL OBAMA PLAY?", "The former president said little.", "2019-11-01"
    )
    assert [p["name"] for p in found.values()] == ["Barack H. Obama"]


def test_possessive_counts_and_things_named_after_people_do_not(tagger):
    found = people(
        tagger,
        "",
        "Warren Buffett bought shares. The plant in Warren, Mich., closed. Visitors toured "
        "the Lincoln Memorial and the Kennedy Space Center.",
    )
    assert found == {}
    found = people(tagger, "", "Elizabeth Warren's proposal drew fire. Warren's aides replied.")
    assert found[WARREN]["mentions"] == 2


def test_contradicting_first_name_blocks_even_with_title(tagger):
    found = people(tagger, "", "Attorney General William Barr spoke. Barr said he would resign.")
    assert found == {}  # Rep. Andy Barr is not the attorney general, nor the later "Barr"


def test_lowercase_words_are_not_names(tagger):
    found = people(tagger, "", "He played his trump card and left the white house on the hill.")
    assert found == {}


def test_mentions_ordered_by_first_mention(tagger):
    found = people(
        tagger,
        "Warren and Sanders",
        "Sen. Bernie Sanders and Sen. Elizabeth Warren spoke before President Biden.",
    )
    assert list(found) == [WARREN, "S000033", BIDEN]
