"""Queries that try to reach fields outside the documented list (``_id``, ``*``,
``content_hash``, capture offsets) through escapes, wildcards and whitespace the Lucene
parser accepts: every one is refused before it is sent (exit 2, one line), and no error
echoes a huge query back."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from search_cli.cli import cli

pytestmark = [pytest.mark.reliability, pytest.mark.es]


@pytest.fixture
def corpus(es_client, es_url, index_prefix, tmp_path):
    from indexer.load import load_records
    from tests.synthetic import new_record

    records = [new_record(n, body_words=30) for n in range(3)]
    load_records(es_client, records, index_prefix)
    env = {
        "NEWSARCHIVE_ES_URL": es_url,
        "NEWSARCHIVE_INDEX_PREFIX": index_prefix,
        "NEWSARCHIVE_HOME": str(tmp_path),
        "NEWSARCHIVE_CONFIG": "",
    }
    return records, env


def bypasses(record: dict) -> list[str]:
    aid, chash = record["id"], record["content_hash"]
    return [
        f"\\_id:{aid}",
        f"*:{aid}",
        f"* :{aid}",
        f"c\\ontent_hash:{chash}",
        f"senate\r_id:{aid}",
        f"senate\u3000content_hash:{chash}",
        f"_id :{aid}",
        f"_id\t:{aid}",
        f"content_hash\u3000:{chash}",
        f"content_hash*:{chash}",
        f"content\\_hash:{chash}",
        f"capture.\\*:{chash}",
        f"(_id:{aid})",
        f"+_id:{aid}",
        f"-_id:{aid} senate",
        f"!content_hash:{chash}",
        "senate OR _exists_:content_hash",
        f"title:senate _source:{aid}",
    ]


def test_fields_outside_the_list_are_refused_however_written(corpus, trial):
    trial.case = "query field allow-list: escapes, wildcards, CR / U+3000 before a field"
    records, env = corpus
    for query in bypasses(records[0]):
        for command in (["search", query, "--format", "json"], ["count", query], ["export", query]):
            result = CliRunner().invoke(cli, command, env=env)
            assert result.exit_code == 2, (query, command[0], result.output)
            assert "Traceback" not in result.output and records[0]["id"] not in result.stdout
            trial.saw("refused before it was sent (exit 2)")
    trial.tries = sum(trial.outcomes.values())


def test_documented_fields_still_work(corpus):
    records, env = corpus
    for query in (f"id:{records[0]['id']}", f"id :{records[0]['id']}", "title:senate OR body:vote"):
        result = CliRunner().invoke(cli, ["count", query], env=env)
        assert result.exit_code == 0, (query, result.output)


def test_errors_do_not_echo_a_huge_query(corpus, trial):
    trial.case = "query bombs: error messages stay one short line"
    _, env = corpus
    huge = [
        " OR ".join(f"word{i}" for i in range(20_000)),  # too many clauses
        "(" * 5_000 + "senate" + ")" * 5_000,  # too deep
        "senate " * 10_000 + '"open',  # unbalanced quote, after 70 KB
        "senate AND " * 10_000,  # ends in an operator
    ]
    for query in huge:
        result = CliRunner().invoke(cli, ["search", query], env=env)
        assert result.exit_code in (1, 2), result.output[:500]
        assert "Traceback" not in result.output
        assert len(result.output) < 1_000, len(result.output)
        trial.saw("one short line")
