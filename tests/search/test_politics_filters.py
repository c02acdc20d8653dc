"""Political research filters on the real CLI and Elasticsearch: --political /
--not-political, --person (resolved as the tagger reads names, ambiguous names
refused with their candidates), --party, and counts and timelines by person, party,
lean and the flag. A corpus of its own."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from search_cli.query.people import candidates_for
from tests.search.conftest import Corpus, article, titles

pytestmark = pytest.mark.es


def person(name: str) -> dict:
    [p] = candidates_for(name)
    return {"id": p.id, "name": p.name, "party": None, "office": None, "state": None,
            "district": None, "mentions": 2}  # fmt: skip


@pytest.fixture(scope="module")
def corpus(es_client, es_settings, module_prefix, tmp_path_factory) -> Corpus:
    from indexer.load import load_records
    from newsarchive.es import resolve_url

    when = datetime(2024, 5, 1, tzinfo=UTC)
    warren, sanders = person("Elizabeth Warren"), person("Bernie Sanders")
    records = [
        article(1, title="Warren presses bank regulators", outlet=0, published=when,
                body="Senator Warren wrote to regulators.", political=True,
                people=[warren], parties=["Democratic"], source_tags={"lean": "left"}),
        article(2, title="Sanders and Warren on the budget", outlet=1, published=when,
                body="Two senators spoke on the budget.", political=True,
                people=[sanders, warren], parties=["Democratic", "Independent"],
                source_tags={"lean": "right"}),
        article(3, title="Republicans plan the farm bill", outlet=1, published=when,
                body="The GOP majority set a vote.", political=True, people=[],
                parties=["Republican"], source_tags={"lean": "right"}),
        article(4, title="Local team wins the cup", outlet=2, published=when,
                body="A last-minute goal.", political=False, people=[], parties=[],
                source_tags={"lean": "center"}),
    ]  # fmt: skip
    home = tmp_path_factory.mktemp("politics-home")
    summary = load_records(es_client, records, module_prefix)
    assert summary.rejected == 0, summary.reasons
    return Corpus(module_prefix, home, resolve_url(es_settings), records)


def found(cli, *args: str) -> list[str]:
    return sorted(titles(cli("search", *args, "--format", "jsonl")))


def test_political_and_not_political(cli) -> None:
    assert found(cli, "--not-political") == ["Local team wins the cup"]
    assert len(found(cli, "--political")) == 3


def test_a_person_by_any_form_a_reader_uses(cli) -> None:
    both = ["Sanders and Warren on the budget", "Warren presses bank regulators"]
    assert found(cli, "--person", "Sen. Warren") == both
    assert found(cli, "--person", "Elizabeth Warren") == both
    assert found(cli, "--person", person("Elizabeth Warren")["id"]) == both
    assert found(cli, "--person", "Bernie Sanders") == ["Sanders and Warren on the budget"]


def test_an_ambiguous_or_unknown_person_is_a_usage_error(cli) -> None:
    result = cli("search", "--person", "Smith")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "ambiguous" in result.output and "Adam Smith" in result.output
    unknown = cli("count", "--person", "Elizabth Warren")
    assert unknown.exit_code == 2 and "did you mean Elizabeth Warren" in unknown.output


def test_parties_by_their_common_names(cli) -> None:
    assert found(cli, "--party", "GOP") == ["Republicans plan the farm bill"]
    assert len(found(cli, "--party", "democrats")) == 2
    bad = cli("search", "--party", "Whig")
    assert bad.exit_code == 2 and "not a party" in bad.output


def counts(cli, *args: str) -> dict[str, int]:
    result = cli("count", *args, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    return {str(r[data["by"]]): r["articles"] for r in data["counts"]}


def test_counts_by_person_party_lean_and_flag(cli) -> None:
    names = {person(n)["name"]: n for n in ("Elizabeth Warren", "Bernie Sanders")}
    by_person = counts(cli, "--by", "person")  # the gazetteer's own name of each
    assert {names[k]: v for k, v in by_person.items()} == {
        "Elizabeth Warren": 2, "Bernie Sanders": 1
    }  # fmt: skip
    assert counts(cli, "--by", "party", "--political") == {
        "Democratic": 2, "Independent": 1, "Republican": 1
    }  # fmt: skip
    assert counts(cli, "--by", "lean", "--person", "Sen. Warren") == {"left": 1, "right": 1}
    assert counts(cli, "--by", "political") in (
        {"true": 3, "false": 1},
        {"True": 3, "False": 1},
        {"1": 3, "0": 1},
    )


def test_show_says_who_is_mentioned_and_whether_it_is_political(cli, corpus) -> None:
    rid = next(r["id"] for r in corpus.records if r["title"].startswith("Sanders and Warren"))
    result = cli("show", rid)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert "political" in lines
    people = next(line for line in lines if line.startswith("people: "))
    assert person("Elizabeth Warren")["name"] in people and "×2" in people
    assert "parties: Democratic, Independent" in lines


def test_show_replay_gives_each_version_its_replay_address(cli, corpus) -> None:
    from crawler.archive.replay import DEFAULT_PORT, replay_url, timeline_url

    record = corpus.records[0]
    result = cli("show", record["id"], "--replay")
    assert result.exit_code == 0, result.output
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    base = f"http://127.0.0.1:{DEFAULT_PORT}"
    assert rows[0] == ["v1", rows[0][1], replay_url(base, rows[0][1], record["url"])]
    assert rows[-1] == ["all", "", timeline_url(base, record["url"])]
