"""Same-story results in the CLI: `search --collapse` shows each story once and says how
many stories match; the story and replay fields print in every format. Real CLI, real
Elasticsearch, stories assigned by the indexer itself."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

import pytest

from tests.search.conftest import Corpus, article
from tests.synthetic import text

pytestmark = pytest.mark.es


@pytest.fixture(scope="module")
def corpus(es_client, es_settings, module_prefix, tmp_path_factory) -> Corpus:
    from indexer.load import load_records
    from indexer.stories.cluster import StorySettings
    from newsarchive.es import resolve_url

    rng = random.Random(7)
    story = "\n\n".join(text(rng, 60) for _ in range(8)) + "\n\nThe senate voted on the bill."
    other = "\n\n".join(text(rng, 60) for _ in range(8)) + "\n\nThe senate adjourned."
    when = datetime(2024, 5, 1, tzinfo=UTC)
    records = [
        article(1, title="Senate passes the bill", outlet=0, body=story, published=when),
        article(2, title="Bill clears the Senate", outlet=1, body=story,
                published=when + timedelta(hours=1)),
        article(3, title="The Senate bill, explained", outlet=2,
                body=story + "\n\nA local paragraph about the county.",
                published=when + timedelta(hours=2)),
        article(4, title="Senate adjourns early", outlet=1, body=other, published=when),
    ]  # fmt: skip
    for n, record in enumerate(records):
        record["fetched_at"] = record["first_seen"] = (when + timedelta(hours=n)).isoformat()
    home = tmp_path_factory.mktemp("stories-home")
    summary = load_records(es_client, records, module_prefix, stories=StorySettings())
    assert summary.rejected == 0 and summary.joined == 2, summary
    return Corpus(module_prefix, home, resolve_url(es_settings), records)


def rows(cli, *args: str) -> tuple[dict, list[dict]]:
    result = cli("search", "senate", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    return data, data["results"]


def test_collapse_shows_each_story_once(cli) -> None:
    data, plain = rows(cli)
    assert data["total"] == 4 and "stories" not in data
    data, collapsed = rows(cli, "--collapse", "--fields", "title,story_id")
    assert data["total"] == 4 and data["stories"] == 2
    assert len(collapsed) == 2 and len({r["story_id"] for r in collapsed}) == 2
    table = cli("search", "senate", "--collapse")
    assert table.exit_code == 0 and "4 articles match in 2 stories" in table.stdout


def test_collapse_pages_by_number_not_by_token(cli) -> None:
    result = cli("search", "senate", "--collapse", "--after", "abc")
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_story_and_replay_fields_in_csv(cli, corpus) -> None:
    from crawler.archive.replay import DEFAULT_PORT, replay_url

    result = cli("search", "senate", "--csv", "--fields", "id,story_id,duplicate_of,replay_url")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "id,story_id,duplicate_of,replay_url"
    by_id = {line.split(",")[0]: line.split(",") for line in lines[1:]}
    first, copy = corpus.records[0], corpus.records[1]
    assert by_id[copy["id"]][1] == first["id"] and by_id[copy["id"]][2] == first["id"]
    assert by_id[first["id"]][2] == ""
    expected = replay_url(f"http://127.0.0.1:{DEFAULT_PORT}", first["fetched_at"], first["url"])
    assert by_id[first["id"]][3] == expected


def test_count_stories_counts_a_story_and_its_copies_once(cli, corpus) -> None:
    result = cli("count", "senate", "--stories", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["total"] == 4 and data["stories"] == 2
    by_outlet = json.loads(
        cli("count", "senate", "--stories", "--by", "outlet", "--format", "json").stdout
    )
    stories = {row["outlet"]: (row["articles"], row["stories"]) for row in by_outlet["counts"]}
    # articles 1-3 are one story (copies), article 4 another; 2 and 4 share an outlet
    story_of = {1: "a", 2: "a", 3: "a", 4: "b"}
    expected: dict[str, tuple[int, set]] = {}
    for n, record in enumerate(corpus.records, start=1):
        count, seen = expected.get(record["outlet"], (0, set()))
        expected[record["outlet"]] = (count + 1, seen | {story_of[n]})
    assert stories == {k: (a, len(s)) for k, (a, s) in expected.items()}
    assert "4 articles match (2 stories)" in cli("count", "senate", "--stories").stdout
    assert cli("count", "senate", "--stories", "--vs", "bill").exit_code == 2


def test_show_lists_the_story_earliest_first(cli, corpus) -> None:
    copy = corpus.records[2]
    result = cli("show", copy["id"])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "Same story (3 articles, earliest first)" in text
    listed = [line for line in text.splitlines() if line.startswith((" *", "  2"))]
    assert len(listed) == 3 and corpus.records[0]["url"] in listed[0] and "root" in listed[0]
    assert listed[2].startswith(" *") and copy["url"] in listed[2]
    data = json.loads(cli("show", copy["id"], "--format", "json").stdout)
    assert data["story"]["articles"] == 3
    alone = cli("show", corpus.records[3]["id"])
    assert "Same story" not in alone.stdout
