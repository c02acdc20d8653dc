"""Same-story clustering at index time, on the real Elasticsearch, with synthetic text."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from crawler.archive.identity import article_id, content_hash
from indexer.load import load_records
from indexer.operations import index_new_records, rebuild
from indexer.stories import wires
from indexer.stories.cluster import StorySettings
from newsarchive import shingles
from newsarchive.config import Config
from tests.synthetic import changed_record, new_record, text

_EPOCH = datetime(2024, 5, 1, tzinfo=UTC)
FIELDS = ["story_id", "duplicate_of", "story_similarity", "syndicated_from", "syndicated_by"]


def _story(seed: int, paragraphs: int = 8) -> list[str]:
    """A synthetic article: paragraphs of political-news vocabulary, unique per seed."""
    rng = random.Random(seed)
    return [text(rng, 55) for _ in range(paragraphs)]


def _record(n: int, body: str, *, outlet: str, minutes: int, wire: bool = False) -> dict:
    """Article number n of ``outlet``, first captured ``minutes`` after the epoch."""
    rec = new_record(n, body=body, fetched=_EPOCH + timedelta(minutes=minutes))
    slug = outlet.lower().replace(" ", "")
    url = f"https://{slug}.example/politics/{n}"
    rec.update(
        id=article_id(url), url=url, canonical_url=url, domain=f"{slug}.example",
        source_id=slug, outlet=outlet, authors=[f"Staff of {outlet}"],
        source_tags={"kind": "wire" if wire else "newspaper"},
        content_hash=content_hash(rec["title"], body),
    )  # fmt: skip
    return rec


def _docs(es_client, prefix: str) -> dict[str, dict]:
    es_client.indices.refresh(index=f"{prefix}-articles")
    resp = es_client.search(index=f"{prefix}-articles", size=100, source=[*FIELDS, "version"])
    return {h["_id"]: h["_source"] for h in resp["hits"]["hits"]}


# --- pure parts ----------------------------------------------------------------------


def test_containment_of_a_trimmed_and_of_an_extended_copy() -> None:
    story = _story(1)
    full = shingles.shingle_hashes("\n\n".join(story))
    trimmed = shingles.shingle_hashes("\n\n".join(story[:3]))
    extended = shingles.shingle_hashes("\n\n".join([*story, *_story(2, 2)]))
    other = shingles.shingle_hashes("\n\n".join(_story(3)))
    assert shingles.containment(trimmed, full) == 1.0
    assert shingles.containment(full, extended) == 1.0
    assert shingles.containment(full, other) < 0.05
    # re-wrapped lines, other punctuation and case change nothing
    wrapped = "\n".join(w.upper() + "," for w in " ".join(story).split())
    assert shingles.containment(shingles.shingle_hashes(wrapped), full) == 1.0


def test_keys_are_a_consistent_sample_and_queries_are_bounded() -> None:
    story = "\n\n".join(_story(4, 20))
    keys = shingles.keys(story)
    assert len(keys) > shingles.QUERY_KEYS
    assert all(len(k) == 8 for k in keys)
    assert set(shingles.keys(story[: len(story) // 3])) < set(keys)  # a part keeps its keys
    sequence = shingles.shingle_sequence(story)
    asked = shingles.query_keys(sequence)
    assert len(asked) == shingles.QUERY_KEYS and set(asked) <= set(keys)


def test_the_crawlers_text_sample_gives_the_keys_the_indexer_would_compute() -> None:
    body = "\n\n".join(_story(5, 12))
    sample = shingles.from_record(shingles.record_sample(body))
    sequence = shingles.shingle_sequence(body)
    assert sample is not None and sample.shingles == shingles.unique(sequence).size
    assert sample.keys == shingles.keys(body)
    assert sample.asked == shingles.query_keys(sequence)
    other = shingles.record_sample(body) | {"words": shingles.SHINGLE_WORDS + 1}
    hostile = shingles.record_sample(body) | {"keys": 'A"]}}}}}' * 3}
    for field in (other, hostile, {"version": 1}, "not an object", None):
        assert shingles.from_record(field) is None  # the indexer shingles the body


def test_the_estimate_decides_alone_only_far_from_the_threshold() -> None:
    story = _story(6, 12)
    full = frozenset(shingles.keys("\n\n".join(story)))
    trimmed = frozenset(shingles.keys("\n\n".join(story[:5])))
    half = frozenset(shingles.keys("\n\n".join([*story[:6], *_story(7, 6)])))
    assert shingles.estimate(trimmed, full) == 1.0  # a part's sample is part of the sample
    assert 1.0 - shingles.margin(trimmed, full, 0.45) > 0.45  # far above: decided
    assert abs(shingles.estimate(half, full) - 0.45) < shingles.margin(half, full, 0.45)
    assert shingles.margin(frozenset(), full, 0.45) == 1.0  # nothing to estimate from


@pytest.mark.parametrize(
    ("body", "authors", "expected"),
    [
        ("WASHINGTON (AP) — The Senate voted.\n\nMore.", [], ("AP", "dateline")),
        ("Advertisement\n\nLONDON, May 2 (Reuters) - Talks failed.", [], ("Reuters", "dateline")),
        ("By JANE DOE, Associated Press\n\nThe Senate voted.", [], ("AP", "byline")),
        ("The Senate voted.", ["Agence France-Presse"], ("AFP", "byline")),
        (
            "The Senate voted.\n\nThe Associated Press contributed to this report.",
            [],
            ("AP", "credit"),
        ),
        (
            "The Senate voted.\n\n(Reporting by Jane Doe; Editing by Tom Roe)",
            [],
            ("Reuters", "credit"),
        ),
        ("The senator told The Associated Press she would vote no.", [], None),
        ("Reuters reported on Monday that the talks had failed.", [], None),
        ("Michael Bloomberg contributed $5 million to the campaign.", [], None),
        ("The Senate voted.", ["Michael Bloomberg"], None),
    ],
)
def test_wire_named_by_dateline_byline_or_credit_only(body, authors, expected) -> None:
    assert wires.detect(body, authors) == expected


# --- in Elasticsearch -----------------------------------------------------------------


@pytest.mark.es
def test_story_fields_are_in_the_strict_mapping(es_client, index_prefix) -> None:
    load_records(es_client, [new_record(1)], index_prefix)
    mapping = es_client.indices.get_mapping(index=f"{index_prefix}-articles").body
    props = next(iter(mapping.values()))["mappings"]["properties"]
    assert props["story_id"]["type"] == props["duplicate_of"]["type"] == "keyword"
    assert props["syndicated_from"]["type"] == props["syndicated_by"]["type"] == "keyword"
    assert props["story_similarity"]["type"] == "float"
    assert props["story_keys"] == {"type": "keyword", "doc_values": False}
    assert props["story_sample"] == {"type": "keyword", "index": False, "doc_values": False}


@pytest.mark.es
def test_an_ap_story_republished_by_two_outlets_is_one_story(es_client, index_prefix) -> None:
    story = _story(10)
    ap = "WASHINGTON (AP) — " + story[0]
    first = _record(
        1,
        "\n\n".join(["Listen to this article", ap, *story[1:], "Sign up for the Ledger newsletter."]),
        outlet="Daily Ledger", minutes=10,
    )  # fmt: skip
    local = "Officials in Springfield said the measure would cost the county little this year."
    second = _record(
        2,
        "\n\n".join([ap, *story[1:5], local * 3,
                     "The Associated Press contributed to this report.",
                     "Copyright 2024 Frontier Post. All rights reserved."]),
        outlet="Frontier Post", minutes=40,
    )  # fmt: skip
    other = _record(3, "\n\n".join(_story(11)), outlet="Capitol Courier", minutes=20)
    summary = load_records(es_client, [second, other, first], index_prefix)  # any file order
    assert summary.joined == 1
    docs = _docs(es_client, index_prefix)
    a, b, c = docs[first["id"]], docs[second["id"]], docs[other["id"]]
    assert a["story_id"] == b["story_id"] == first["id"]  # the earliest capture is the root
    assert a["duplicate_of"] is None and b["duplicate_of"] == first["id"]
    assert a["story_similarity"] is None and b["story_similarity"] > 0.8
    assert a["syndicated_from"] == b["syndicated_from"] == "AP"
    assert (a["syndicated_by"], b["syndicated_by"]) == ("dateline", "dateline")
    assert c["story_id"] == other["id"] and c["duplicate_of"] is None
    assert c["syndicated_from"] is None


@pytest.mark.es
def test_two_articles_on_one_event_stay_apart(es_client, index_prefix) -> None:
    names = "Senator Maria Okonkwo and Governor Tomas Lindqvist met in Harrisburg on Monday."
    quote = '"We will not sign a budget that cuts the schools," Okonkwo said after the meeting.'
    one = [names, *_story(20, 4), quote, *_story(21, 3)]
    two = [names, *_story(22, 3), quote, *_story(23, 4), names]
    a = _record(1, "\n\n".join(one), outlet="Daily Ledger", minutes=1)
    b = _record(2, "\n\n".join(two), outlet="Daily Ledger", minutes=90)  # same outlet too
    load_records(es_client, [a, b], index_prefix)
    docs = _docs(es_client, index_prefix)
    assert docs[a["id"]]["story_id"] == a["id"]
    assert docs[b["id"]]["story_id"] == b["id"]
    assert docs[b["id"]]["duplicate_of"] is None


@pytest.mark.es
def test_an_edited_version_stays_in_its_article_and_its_story(es_client, index_prefix) -> None:
    story = _story(30)
    root = _record(1, "\n\n".join(story), outlet="Daily Ledger", minutes=1)
    copy = _record(2, "\n\n".join(story[:6]), outlet="Frontier Post", minutes=5)
    load_records(es_client, [root, copy], index_prefix)
    edited = changed_record(root, body="\n\n".join([*story[:7], "An update: the vote moved."]))
    edited_copy = changed_record(
        copy, body="\n\n".join([*story[:6], "Correction: it was Tuesday."])
    )
    summary = load_records(es_client, [edited, edited_copy], index_prefix)
    assert summary.indexed == 0 and summary.updated == 2 and summary.joined == 0
    docs = _docs(es_client, index_prefix)
    assert len(docs) == 2  # versions are not new articles
    assert docs[root["id"]]["version"] == 2
    assert docs[root["id"]]["story_id"] == root["id"]
    assert docs[root["id"]]["duplicate_of"] is None  # never a duplicate of itself
    assert docs[copy["id"]]["duplicate_of"] == root["id"]
    versions = es_client.count(index=f"{index_prefix}-versions")["count"]
    assert versions == 4


@pytest.mark.es
def test_a_late_capture_of_an_earlier_article_becomes_the_root(es_client, index_prefix) -> None:
    story = _story(40)
    copy = _record(1, "\n\n".join(story[:5]), outlet="Frontier Post", minutes=50)
    copy2 = _record(2, "\n\n".join([*story, *_story(41, 1)]), outlet="Capitol Courier", minutes=60)
    load_records(es_client, [copy, copy2], index_prefix)
    original = _record(3, "\n\n".join(story), outlet="Associated Press", minutes=5, wire=True)
    summary = load_records(es_client, [original], index_prefix)  # a later run
    assert summary.story_rewrites == 2
    docs = _docs(es_client, index_prefix)
    assert {d["story_id"] for d in docs.values()} == {original["id"]}
    assert docs[original["id"]]["duplicate_of"] is None
    assert docs[original["id"]]["syndicated_from"] is None  # the wire's own article
    for rid in (copy["id"], copy2["id"]):
        assert docs[rid]["duplicate_of"] == original["id"]
        assert docs[rid]["story_similarity"] == 1.0
        # their story holds an article of a wire outlet
        assert (docs[rid]["syndicated_from"], docs[rid]["syndicated_by"]) == ("AP", "story")


@pytest.mark.es
def test_clustering_can_be_turned_off(es_client, index_prefix) -> None:
    story = _story(50)
    a = _record(1, "\n\n".join(story), outlet="Daily Ledger", minutes=1)
    b = _record(2, "\n\n".join(story), outlet="Frontier Post", minutes=2)
    load_records(es_client, [a, b], index_prefix, stories=StorySettings(enabled=False))
    docs = _docs(es_client, index_prefix)
    assert all("story_id" not in d for d in docs.values())


@pytest.fixture
def env(es_env: Config, index_prefix: str, monkeypatch) -> Config:
    monkeypatch.setenv("NEWSARCHIVE_INDEX_PREFIX", index_prefix)
    return Config(home=es_env.home, es_url=es_env.es_url, index_prefix=index_prefix)


def _append(home: Path, records: list[dict]) -> None:
    path = home / "articles" / "articles.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record) + "\n")


@pytest.mark.es
def test_a_new_record_joins_across_runs_and_rebuild_finds_the_same_stories(
    env, es_client, index_prefix
) -> None:
    stories = [_story(60 + i) for i in range(3)]
    first_run = [
        _record(i, "\n\n".join(s), outlet="Daily Ledger", minutes=i) for i, s in enumerate(stories)
    ]
    _append(env.home, first_run)
    assert index_new_records(env).indexed == 3
    later = [
        _record(10, "\n\n".join(stories[1][:4]), outlet="Frontier Post", minutes=30),
        _record(11, "\n\n".join([*stories[2], *_story(70, 2)]), outlet="Capitol Courier", minutes=31),
        _record(12, "\n\n".join(_story(71)), outlet="Capitol Courier", minutes=32),
    ]  # fmt: skip
    _append(env.home, later)
    second = index_new_records(env)
    assert (second.indexed, second.joined) == (3, 2)
    before = _docs(es_client, index_prefix)
    assert before[later[0]["id"]]["duplicate_of"] == first_run[1]["id"]
    assert before[later[1]["id"]]["duplicate_of"] == first_run[2]["id"]
    assert before[later[2]["id"]]["story_id"] == later[2]["id"]
    summary, _ = rebuild(env)
    assert summary.indexed == 6
    after = _docs(es_client, index_prefix)
    assert {rid: [d[f] for f in FIELDS] for rid, d in after.items()} == {
        rid: [d[f] for f in FIELDS] for rid, d in before.items()
    }


@pytest.mark.es
def test_short_empty_and_odd_bodies_are_their_own_stories(es_client, index_prefix) -> None:
    odd = []
    for n, body in enumerate(
        [None, "", "Watch the video above.", "\u00a0\u200b" * 50, "Vote. " * 400]
    ):
        rec = _record(n, "placeholder", outlet="Daily Ledger", minutes=n)
        rec.update(body=body, authors="not a list", source_tags={"kind": ["wire", "odd"]})
        odd.append(rec)
    twin = _record(9, "Vote. " * 400, outlet="Frontier Post", minutes=9)
    summary = load_records(es_client, [*odd, twin], index_prefix)
    assert summary.rejected == 0 and summary.indexed == 6
    docs = _docs(es_client, index_prefix)
    for rec in odd[:4]:
        assert docs[rec["id"]]["story_id"] == rec["id"]
    # a repeated word has a single shingle: too short to match, whatever it repeats
    assert docs[twin["id"]]["story_id"] == twin["id"]


@pytest.mark.es
@pytest.mark.parametrize("chunk_hits", [10_000, 2])
def test_indexed_candidates_are_found_by_the_chunk_search_and_by_its_fallback(
    es_client, index_prefix, chunk_hits
) -> None:
    """Candidates already in the index come from one search per chunk; a chunk whose
    search would find more than ``chunk_hits`` articles asks article by article, and
    both give the same stories."""
    stories = [_story(80 + i) for i in range(4)]
    first = [
        _record(i, "\n\n".join(s), outlet="Daily Ledger", minutes=i) for i, s in enumerate(stories)
    ]
    load_records(es_client, first, index_prefix)
    copies = [
        _record(20, "\n\n".join(stories[0][:5]), outlet="Frontier Post", minutes=30),
        _record(21, "\n\n".join([*stories[3], *_story(90, 2)]), outlet="Capitol Courier", minutes=31),
        _record(22, "\n\n".join(_story(91)), outlet="Capitol Courier", minutes=32),
    ]  # fmt: skip
    settings = StorySettings(chunk_hits=chunk_hits)
    summary = load_records(es_client, copies, index_prefix, stories=settings)
    assert summary.joined == 2
    assert summary.story_fallbacks == (1 if chunk_hits == 2 else 0)
    docs = _docs(es_client, index_prefix)
    assert docs[copies[0]["id"]]["duplicate_of"] == first[0]["id"]
    assert docs[copies[1]["id"]]["duplicate_of"] == first[3]["id"]
    assert docs[copies[2]["id"]]["story_id"] == copies[2]["id"]


@pytest.mark.es
def test_the_record_keys_are_used_when_their_parameters_match(es_client, index_prefix) -> None:
    """A record's ``text_sample`` (the crawler's keys) is what the indexer stores; one
    made with other parameters, or broken, is ignored and the body shingled again."""
    body = "\n\n".join(_story(100))
    decoy = "\n\n".join(_story(101))
    trusted = _record(1, body, outlet="Daily Ledger", minutes=1)
    trusted["text_sample"] = shingles.record_sample(decoy)  # whatever the crawler said
    older = _record(2, body, outlet="Frontier Post", minutes=2)
    older["text_sample"] = shingles.record_sample(decoy) | {"version": shingles.HASHING + 1}
    broken = _record(3, body, outlet="Capitol Courier", minutes=3)
    broken["text_sample"] = {"keys": 42}
    summary = load_records(es_client, [trusted, older, broken], index_prefix)
    assert summary.rejected == 0
    es_client.indices.refresh(index=f"{index_prefix}-articles")
    docs = {
        h["_id"]: h["_source"]
        for h in es_client.search(index=f"{index_prefix}-articles", size=10)["hits"]["hits"]
    }
    assert "text_sample" not in docs[trusted["id"]]  # not a field of the article document
    assert docs[trusted["id"]]["story_sample"] == shingles.packed(shingles.keys(decoy))
    for rec in (older, broken):
        assert docs[rec["id"]]["story_sample"] == shingles.packed(shingles.keys(body))
        assert docs[rec["id"]]["story_keys"] == shingles.query_keys(shingles.shingle_sequence(body))
    assert docs[broken["id"]]["duplicate_of"] == older["id"]  # same text, same story


@pytest.mark.es
def test_a_pair_near_the_threshold_is_decided_on_the_exact_shingles(
    es_client, index_prefix
) -> None:
    """Half of a story's text in another is too close to the 0.45 threshold for the
    sampled estimate: the exact containment decides (0.49 joins, 0.37 does not)."""
    story = _story(110)
    root = _record(1, "\n\n".join(story), outlet="Daily Ledger", minutes=1)
    half = _record(2, "\n\n".join([*story[:4], *_story(111, 4)]), outlet="Frontier Post",
                   minutes=2)  # fmt: skip
    less = _record(3, "\n\n".join([*story[4:7], *_story(112, 5)]), outlet="Capitol Courier",
                   minutes=3)  # fmt: skip
    exact = {
        rec["id"]: shingles.containment(
            shingles.shingle_hashes(rec["body"]), shingles.shingle_hashes(root["body"])
        )
        for rec in (half, less)
    }
    assert exact[half["id"]] > 0.45 > exact[less["id"]] > 0.3
    summary = load_records(es_client, [root, half, less], index_prefix)
    assert summary.joined == 1 and summary.story_exact >= 2
    docs = _docs(es_client, index_prefix)
    assert docs[half["id"]]["duplicate_of"] == root["id"]
    assert docs[less["id"]]["story_id"] == less["id"]
