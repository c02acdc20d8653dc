"""What a new version amounts to: the word diff (newsarchive.wordiff) and the correction
and update notices an article's text carries (crawler.archive.corrections)."""

from __future__ import annotations

from crawler.archive.corrections import find_corrections
from newsarchive.wordiff import change_size, diff_words, render


def _sides(ops):
    old = render([(op, text) for op, text in ops if op != "+"], mark=lambda op, t: t)
    new = render([(op, text) for op, text in ops if op != "-"], mark=lambda op, t: t)
    return old, new


def test_a_word_diff_marks_replaced_added_and_removed_words():
    before = "The senator said the bill would pass.\nA second paragraph stays."
    after = "The senator said the bill would fail narrowly.\nA second paragraph stays."
    ops = diff_words(before, after)
    assert render(ops) == (
        "The senator said the bill would [-pass.-]{+fail narrowly.+}\nA second paragraph stays."
    )
    assert change_size(before, after) == (2, 1)
    assert _sides(ops) == (before, after)


def test_added_and_removed_paragraphs_count_their_words():
    before = "Lead paragraph here.\nClosing line."
    after = "Lead paragraph here.\nA new paragraph of five words.\nClosing line."
    assert change_size(before, after) == (6, 0)
    assert change_size(after, before) == (0, 6)
    assert change_size(None, "two words") == (2, 0)
    assert change_size("same text", "same   text") == (0, 0)


def test_a_change_too_large_to_align_is_counted_whole():
    a = "\n".join(f"para {i} " + " ".join(["word"] * 50) for i in range(2000))
    b = "\n".join(f"other {i} " + " ".join(["term"] * 50) for i in range(2000))
    assert change_size(a, b) == (len(b.split()), len(a.split()))
    assert _sides(diff_words(a, b)) == (a, b)


def test_correction_update_and_editors_notes_are_found():
    body = "\n".join(
        [
            "The council met on Tuesday.",
            "Correction: An earlier version of this article misstated the vote count.",
            "This story has been updated with comment from the mayor.",
            "Editor's note: The reporter is related to a council member.",
        ]
    )
    assert find_corrections(None, body) == [
        {
            "kind": "correction",
            "text": "Correction: An earlier version of this article misstated the vote count.",
        },
        {"kind": "update", "text": "This story has been updated with comment from the mayor."},
        {
            "kind": "editors_note",
            "text": "Editor's note: The reporter is related to a council member.",
        },
    ]


def test_a_sentence_notice_is_cut_at_its_sentence_and_timestamps_are_not_notices():
    body = (
        "Officials spoke. An earlier version of this story gave the wrong date.\n"
        "Updated: 4:15 p.m. ET\nUpdate: May 4, 2024\nUpdates to the tax code were debated."
    )
    assert find_corrections(body) == [
        {"kind": "correction", "text": "An earlier version of this story gave the wrong date."}
    ]
    assert find_corrections("", None) == []
    assert find_corrections("A correction of the market was expected.") == []
