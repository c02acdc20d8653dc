"""The archive's learnt boilerplate: counted per source from new versions only, kept
in the seen-store across restarts, and a damaged state learnt anew, not fatal."""

from __future__ import annotations

import json
import random

from crawler.archive import Archive
from crawler.archive.seen import SeenStore
from crawler.extract import extract
from crawler.extract.recurring import fingerprint

APPEAL = "Pass this story on to three friends: the Ledger grows by word of mouth."


def page(n: int, extra: str = "") -> str:
    words = ["budget", "senate", "vote", "court", "governor", "county", "ballot", "levy"]
    paras = [
        " ".join(words[(n + i + k) % 8] for k in range(30)).capitalize() + f" {extra}."
        for i in range(5)
    ]
    body = "".join(f"<p>{p}</p>" for p in [*paras, APPEAL])
    return (
        f"<html><head><title>Story {n}</title></head>"
        f"<body><article><h1>Story {n}</h1>{body}</article></body></html>"
    )


def record(archive: Archive, n: int, source: str = "ledger", extra: str = "") -> str:
    url = f"https://ledger.test/{source}/{n}"
    html = page(n, extra)
    cap = archive.capture(url, status=200, body=html.encode())
    state = archive.boilerplate.snapshot(source)
    outcome = archive.record_article(
        extract(html, url, boilerplate=state), capture=cap, source_id=source, outlet="Ledger"
    )
    return outcome.kind


def test_new_versions_are_counted_per_source_and_kept_across_a_restart(tmp_path):
    with Archive(tmp_path) as archive:
        kinds = [record(archive, n) for n in range(6)]
        kinds.append(record(archive, 0))  # the same page again: unchanged, not counted
        kinds.append(record(archive, 1, extra="and more"))  # an edit: counted
        kinds.append(record(archive, 0, source="courier"))
        assert kinds == ["new"] * 6 + ["unchanged", "changed", "new"]
        ledger = archive.boilerplate.states["ledger"]
        assert ledger.articles == 7 and ledger.is_recurring(fingerprint(APPEAL))
        assert archive.boilerplate.states["courier"].articles == 1
    with Archive(tmp_path) as archive:  # reopened: the states as they were closed
        assert archive.boilerplate.states["ledger"].articles == 7
        assert fingerprint(APPEAL) in archive.boilerplate.snapshot("ledger")
        assert record(archive, 7) == "new"
        last = json.loads((tmp_path / "articles" / "articles.jsonl").read_text().splitlines()[-1])
        assert APPEAL not in last["body"] and "body_dropped" in last["provenance"]


def test_a_damaged_state_is_learnt_anew_with_a_note(tmp_path):
    with Archive(tmp_path) as archive:
        record(archive, 0)
    store = SeenStore(tmp_path / "seen.sqlite")
    store.save_boilerplate("ledger", '{"version": 1, "blocks": [')
    store.close()
    with Archive(tmp_path) as archive:
        assert any("learnt boilerplate of ledger" in n for n in archive.notes)
        assert "ledger" not in archive.boilerplate.states
        assert record(archive, 1) == "new"
        assert archive.boilerplate.states["ledger"].articles == 1


def story(n: int, title: str = "", extra: str = "") -> str:
    """A page of its own text (no paragraph shared with another story), and the appeal."""
    rng = random.Random(n)
    words = [
        "budget",
        "senate",
        "vote",
        "court",
        "governor",
        "county",
        "ballot",
        "levy",
        "mayor",
        "council",
        "bridge",
    ]
    paras = [" ".join(rng.choice(words) for _ in range(30)).capitalize() + "." for _ in range(4)]
    body = "".join(f"<p>{p}</p>" for p in [*paras, extra, APPEAL] if p)
    title = title or f"Story {n}"
    return (
        f"<html><head><title>{title}</title></head>"
        f"<body><article><h1>{title}</h1>{body}</article></body></html>"
    )


def test_a_block_learnt_after_the_first_capture_is_no_edit_of_the_article(tmp_path):
    # Story 0's first capture kept the appeal (the state did not know it yet); by its
    # second capture the state drops it. Only what the editor changed is the edit.
    def capture(archive: Archive, n: int, html: str):
        url = f"https://ledger.test/story/{n}"
        cap = archive.capture(url, status=200, body=html.encode())
        extracted = extract(html, url, boilerplate=archive.boilerplate.snapshot("ledger"))
        archive.record_article(extracted, capture=cap, source_id="ledger", outlet="Ledger")

    with Archive(tmp_path) as archive:
        for n in range(8):
            capture(archive, n, story(n))
        capture(archive, 0, story(0, title="Story 0, with a corrected headline"))
        capture(archive, 1, story(1, extra="The council met again on Friday."))
    lines = [json.loads(x) for x in (tmp_path / "articles" / "articles.jsonl").open()]
    first = {x["id"]: x for x in lines if x["event"] == "new"}
    retitled, extended = (x for x in lines if x["event"] == "changed")
    assert APPEAL in first[retitled["id"]]["body"]  # the first record keeps it as it was
    assert APPEAL not in retitled["body"] and "body_dropped" in retitled["provenance"]
    assert retitled["changed_fields"] == ["title"]
    assert set(retitled["previous"]) == {"title"} and retitled["edited_fields"] == ["title"]
    assert (retitled["words_added"], retitled["words_removed"]) == (5, 1)  # "0" -> "0, ..."
    # A real body edit made while the appeal went: the added sentence, and nothing removed.
    assert extended["changed_fields"] == ["body"]
    assert (extended["words_added"], extended["words_removed"]) == (6, 0)
    assert APPEAL not in extended["previous"]["body"]
