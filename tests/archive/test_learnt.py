"""The archive's learnt boilerplate: counted per source from new versions only, kept
in the seen-store across restarts, and a damaged state learnt anew, not fatal."""

from __future__ import annotations

import json

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
