"""Article records: versions, removal, schema, torn-line repair and replay."""

from __future__ import annotations

import pytest

from crawler.archive import Archive
from crawler.archive.identity import article_id
from crawler.schema import validate_record
from newsarchive.shingles import record_sample

from .helpers import extracted, jsonl

URL = "https://news.test/2024/05/senate-vote"
BODY = "The Senate voted on Tuesday.\n\nThe bill now goes to the House."


def fetch(archive, title, body, *, status=200, url=URL, **extra):
    cap = archive.capture(url, status=status, body=f"<h1>{title}</h1><p>{body}</p>".encode())
    return archive.record_article(
        extracted(url, title, body, **extra),
        capture=cap,
        source_id="news",
        outlet="News Test",
        source_tags={"lean": "center", "country": "us"},
        http_status=status,
    )


def test_new_unchanged_changed_removed(tmp_path):
    with Archive(tmp_path) as archive:
        first = fetch(archive, "Senate votes", BODY)
        again = fetch(archive, "Senate  votes", BODY.replace("\n\n", "\n"))  # cosmetic only
        edited = fetch(archive, "Senate passes bill", BODY, authors=["Ann Writer", "Bo Two"])
        assert archive.is_archived(URL) and archive.is_archived(
            "http://www.news.test/2024/05/senate-vote?utm_source=x"
        )
        assert archive.known_article_urls("news") == [URL]
        gone = archive.capture(URL, status=404, body=b"not found")
        removed = archive.record_removed(URL, capture=gone, source_id="news", status=404)
        again_removed = archive.record_removed(URL, capture=gone, source_id="news", status=404)
        unknown = archive.record_removed("https://news.test/nope", capture=gone,
                                         source_id="news", status=404)  # fmt: skip
        assert not archive.is_archived(URL) and archive.known_article_urls("news") == []
    assert (first.kind, first.version, first.changed_fields) == ("new", 1, [])
    assert (again.kind, again.version) == ("unchanged", 1)
    assert (edited.kind, edited.version) == ("changed", 2)
    assert edited.changed_fields == ["title", "authors"]
    assert (removed.kind, removed.version) == ("removed", 2)
    assert again_removed.kind == "unchanged" and unknown is None

    lines = jsonl(tmp_path / "articles" / "articles.jsonl")
    assert [line["event"] for line in lines] == ["new", "seen", "changed", "removed"]
    for line in lines:
        validate_record(line)
        assert line["id"] == article_id(URL)
    new, seen, changed, gone_line = lines
    assert new["first_seen"] == new["fetched_at"] == changed["first_seen"]
    assert changed["previous"] == {"title": "Senate votes", "authors": ["Ann Writer"]}
    assert changed["title"] == "Senate passes bill"
    assert new["source_tags"] == {"lean": "center", "country": "us"}
    assert seen["capture"]["revisit"] is False  # different bytes, same article text
    assert gone_line["http_status"] == 404 and gone_line["reason"] == "http 404"
    assert changed["capture"]["offset"] > new["capture"]["offset"]
    # the body's shingle keys for same-story clustering, computed once by the crawler
    assert new["text_sample"] == record_sample(new["body"]) == changed["text_sample"]
    assert "text_sample" not in seen and "text_sample" not in gone_line


def test_an_empty_body_does_not_replace_a_version(tmp_path):
    with Archive(tmp_path) as archive:
        first = fetch(archive, "Senate votes", BODY)
        stub = fetch(archive, "Senate votes", "  ")  # paywall stub or failed extraction
        edited = fetch(archive, "Senate votes", BODY + "\n\nUpdate: signed.")
        blank = fetch(archive, "Blank", "", url=URL + "-blank")
        filled = fetch(archive, "Blank", BODY, url=URL + "-blank")
    assert (stub.kind, stub.version, stub.record["event"]) == ("empty_extraction", 1, "seen")
    assert (first.kind, edited.kind, edited.version) == ("new", "changed", 2)
    assert edited.changed_fields == ["body"]  # against version 1, not the empty fetch
    # An article first seen without a body gets one as a new version.
    assert (blank.kind, filled.kind, filled.version) == ("new", "changed", 2)
    for line in jsonl(tmp_path / "articles" / "articles.jsonl"):
        validate_record(line)


def test_schema_rejects_a_broken_record(tmp_path):
    import jsonschema

    with Archive(tmp_path) as archive:
        record = fetch(archive, "Title", BODY).record
    validate_record(record)
    for broken in (
        {**record, "version": 2},  # a "new" record is always version 1
        {**record, "authors": "Ann Writer"},
        {k: v for k, v in record.items() if k != "capture"},
        {**record, "content_hash": "xyz"},
    ):
        with pytest.raises(jsonschema.ValidationError):
            validate_record(broken)


def test_torn_last_line_is_repaired_and_reported(tmp_path):
    with Archive(tmp_path) as archive:
        fetch(archive, "One", BODY, url="https://news.test/1")
        fetch(archive, "Two", BODY, url="https://news.test/2")
    path = tmp_path / "articles" / "articles.jsonl"
    whole = path.read_bytes()
    cut = whole.rfind(b"\n", 0, len(whole) - 1) + 40
    path.write_bytes(whole[:cut])  # the crash: the second line is half written
    with Archive(tmp_path) as archive:
        assert any("torn last line" in note for note in archive.notes)
        assert archive.is_archived("https://news.test/1")
        # the torn line's article was never committed: fetched again, it is new
        assert fetch(archive, "Two", BODY, url="https://news.test/2").kind == "new"
    assert [r["title"] for r in jsonl(path)] == ["One", "Two"]
    assert (
        (tmp_path / "articles" / "articles.jsonl.torn")
        .read_bytes()
        .startswith(whole[whole.rfind(b"\n", 0, len(whole) - 1) + 1 : cut])
    )


def test_store_is_rebuilt_from_records(tmp_path):
    with Archive(tmp_path) as archive:
        fetch(archive, "One", BODY)
        fetch(archive, "One, edited", BODY)
    for path in tmp_path.glob("seen.sqlite*"):
        path.unlink()
    with Archive(tmp_path) as archive:
        assert archive.article_state(URL).version == 2
        assert fetch(archive, "One, edited", BODY).kind == "unchanged"
        assert fetch(archive, "One, edited again", BODY).version == 3


def test_validators_round_trip(tmp_path):
    with Archive(tmp_path) as archive:
        assert archive.validators("https://news.test/feed") == (None, None)
        archive.remember_validators("https://news.test/feed", '"abc"', "Tue, 07 May 2024")
    with Archive(tmp_path) as archive:
        assert archive.validators("http://www.news.test/feed") == ('"abc"', "Tue, 07 May 2024")


def test_a_crash_inside_the_reset_of_the_store_leaves_it_as_it_was(tmp_path, monkeypatch):
    """reextract --promote resets the article state before the new records replace the
    old ones. Killed halfway through the reset, the store must not have lost its
    articles while keeping the replay checkpoint: the next open would replay nothing
    (seen once in the kill -9 reliability test)."""
    from crawler.archive.seen import SeenStore

    with Archive(tmp_path) as archive:
        url = "https://news.test/story"
        archive.record_article(
            extracted(url, "Story", "Body of the story. " * 20),
            capture=archive.capture(url, status=200, body=b"<p>x</p>"),
            source_id="news", outlet="News", source_tags={}, http_status=200,
        )  # fmt: skip
    store = SeenStore(tmp_path / "seen.sqlite")
    checkpoint = store.checkpoint()
    assert checkpoint > 0 and store.article(article_id(url)) is not None

    def killed_halfway(self):
        self.db.execute("DELETE FROM articles")
        raise KeyboardInterrupt  # the process dies before the checkpoint goes

    monkeypatch.setattr(SeenStore, "_forget_articles", killed_halfway)
    with pytest.raises(KeyboardInterrupt):
        store.reset_articles()
    store.close()
    again = SeenStore(tmp_path / "seen.sqlite")
    assert again.article(article_id(url)) is not None and again.checkpoint() == checkpoint
    again.close()
