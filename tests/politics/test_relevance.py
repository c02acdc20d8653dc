"""The political flag, its score and the signals that explain it."""

from __future__ import annotations

import pytest

from crawler.politics import load_tagger, tag

BUDGET = (
    "Lawmakers in the state legislature approved the budget after a long night, and the "
    "governor said she would sign it. Republicans voted against the spending plan, which "
    "raises taxes on large companies and funds the new immigration office."
)
LOCAL = (
    "The bakery on Main Street opened its doors again after the renovation. Customers queued "
    "for the sourdough and the owner said the new oven bakes twice as many loaves."
)
RECIPE = "Whisk the eggs, add the flour and bake the cake for forty minutes. The recipe serves six."


@pytest.fixture(scope="module")
def tagger():
    return load_tagger(())


def signals(result: dict) -> set[str]:
    return {s["signal"] for s in result["political_signals"]}


def test_political_text_is_political_with_its_reasons(tagger):
    result = tag("Legislature passes budget", BUDGET, tagger=tagger)
    assert result["political"] is True
    assert result["political_score"] > 0.5
    assert {"text", "lead"} <= signals(result)
    assert result["parties"] == ["Republican"]


def test_everyday_text_is_not_political(tagger):
    for title, body in (("A bakery reopens", LOCAL), ("Sponge cake", RECIPE)):
        result = tag(title, body, tagger=tagger)
        assert result["political"] is False
        assert result["political_score"] < 0.5


def test_politics_feed_hint_raises_the_score_and_says_so(tagger):
    plain = tag("A bakery reopens", LOCAL, tagger=tagger)
    hinted = tag(
        "A bakery reopens",
        LOCAL,
        hint="politics feed https://example.org/politics.rss",
        tagger=tagger,
    )
    assert hinted["political_score"] > plain["political_score"]
    hint = [s for s in hinted["political_signals"] if s["signal"] == "hint"]
    assert hint == [
        {
            "signal": "hint",
            "weight": hint[0]["weight"],
            "evidence": "politics feed https://example.org/politics.rss",
        }
    ]
    assert hint[0]["weight"] > 0
    assert "hint" not in signals(plain)


def test_url_and_section_pull_both_ways(tagger):
    short = "The council met on Tuesday and discussed the plan."
    politics = tag("", short, url="https://example.org/politics/council-meets", tagger=tagger)
    sports = tag(
        "", short, url="https://example.org/sports/council-meets", section="Sport", tagger=tagger
    )
    assert politics["political_score"] > sports["political_score"]
    assert "url" in signals(politics)
    assert "url" in signals(sports)
    assert all(
        s["weight"] < 0 for s in sports["political_signals"] if s["signal"] in ("url", "section")
    )


def test_url_and_section_are_one_fact_counted_once(tagger):
    short = "The council met on Tuesday and discussed the plan."
    url_only = tag("", short, url="https://example.org/news/world/council-meets", tagger=tagger)
    both = tag(
        "", short, url="https://example.org/news/world/council-meets", section="World",
        tagger=tagger,
    )  # fmt: skip
    assert both["political_score"] == url_only["political_score"]
    assert "section" not in signals(both)
    # a section that says more than the URL still counts, for what it adds
    generic = tag("", short, url="https://example.org/news/council-meets", section="Politics",
                  tagger=tagger)  # fmt: skip
    assert "section" in signals(generic)
    assert generic["political_score"] > url_only["political_score"]


def _evidence(result: dict) -> str:
    return " | ".join(s["evidence"] for s in result["political_signals"])


def test_a_dollar_bill_is_money_not_legislation(tagger):
    money = (
        "Collectors are hunting for a rare $1 bill printed with a misprint. These bills sell "
        "for thousands, and one dealer said each bill is checked for its serial number."
    )
    result = tag("Check the bills in your wallet", money, tagger=tagger)
    assert "bill" not in _evidence(result)
    household = tag("", "Her phone bill doubled after the contract ended.", tagger=tagger)
    assert "bill" not in _evidence(household)
    law = tag("", "The House passed the $1.2 trillion spending bill on Friday.", tagger=tagger)
    assert "bill" in _evidence(law)


def test_a_term_inside_a_longer_term_counts_once(tagger):
    result = tag("", "The Federal Reserve kept its rate on hold.", tagger=tagger)
    text = [s["evidence"] for s in result["political_signals"] if s["signal"] == "text"]
    assert "federal reserve" in _evidence(result)
    assert not any("policy: federal" in e for e in text)


def test_music_story_naming_a_politician_in_passing_is_not_political(tagger):
    body = (
        "The singer's fight with her former record label over the master recordings of her "
        "first albums reached the music awards on Sunday, where she is due to play the old "
        "songs. The label says she never needed its permission. A senator posted her support "
        "online. The musician's fans filled the arena, and a documentary about her tour is "
        "coming to streaming later this year, her publicist said, with new music after it."
    )
    result = tag("Singer and her old label settle the row over her albums", body, tagger=tagger)
    assert result["political"] is False


def test_people_are_a_signal(tagger):
    body = "Sen. Elizabeth Warren and Sen. Bernie Sanders met reporters outside."
    result = tag("", body, tagger=tagger)
    people = [s for s in result["political_signals"] if s["signal"] == "people"]
    assert people and "Elizabeth Warren" in people[0]["evidence"]


def test_hostile_input_never_raises(tagger):
    for body in ("", None, "\x00" * 10, "A" * 500_000, "Sen." * 10_000, "Warren " * 20_000):
        result = tag(None, body, url="not a url", section="", published="garbage", tagger=tagger)
        assert isinstance(result["political"], bool)
        assert 0.0 <= result["political_score"] <= 1.0
