"""`newsarchive search`: query syntax, dates, filters, formats, pages, bad input.

Runs the real CLI (Click's CliRunner) against the real local Elasticsearch, on the
corpus of conftest.py (one index per module).
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.search.conftest import titles

pytestmark = pytest.mark.es


def jsonl(cli, *args: str) -> list[str]:
    return sorted(titles(cli("search", *args, "--format", "jsonl", "--limit", "100")))


def error_line(result) -> str:
    """The one 'Error: ...' line of a failed command (and no traceback)."""
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert len(errors) == 1, result.output
    return errors[0]


# --- query language ---------------------------------------------------------------


def test_words_are_anded_and_stemmed(cli):
    assert jsonl(cli, "tax cuts") == [
        "Governor plan on cutting taxes",
        "Senate passes tax cuts after long debate",
    ]
    assert jsonl(cli, "tax iowa") == []


def test_quoted_phrase_matches_exact_words_only(cli):
    assert jsonl(cli, '"tax cuts"') == ["Senate passes tax cuts after long debate"]
    assert jsonl(cli, '"cutting taxes"') == ["Governor plan on cutting taxes"]


def test_or_not_and_minus(cli):
    assert jsonl(cli, "iowa OR backlog") == [
        "Immigration court backlog grows",
        "Presidential campaign opens in Iowa",
    ]
    assert jsonl(cli, "taxes -governor") == ["Senate passes tax cuts after long debate"]
    assert jsonl(cli, "taxes NOT senate") == ["Governor plan on cutting taxes"]


def test_prefix_uses_unstemmed_words(cli):
    # "presidential" is stemmed to "presidenti": a prefix must see the word as written.
    assert jsonl(cli, "presiden*") == ["Presidential campaign opens in Iowa"]
    assert jsonl(cli, "backl*") == ["Immigration court backlog grows"]


def test_field_values_with_friendly_names(cli):
    assert jsonl(cli, "title:border") == ["Border security bill stalls"]
    assert jsonl(cli, "author:garcia") == ["Immigration court backlog grows"]
    assert jsonl(cli, 'outlet:"Frontier Post" AND bill') == ["Border security bill stalls"]
    assert jsonl(cli, "lang:de") == ["Bundestag debattiert Haushalt"]


def test_empty_query_lists_everything_newest_first(cli, corpus):
    result = cli("search", "--format", "json", "--limit", "100")
    data = json.loads(result.stdout)
    assert data["total"] == 15  # undated articles included when no date range is given
    dates = [r["date"] for r in data["results"] if r["date"]]
    assert dates == sorted(dates, reverse=True)
    assert data["results"][-1]["date"] is None  # undated last


def test_unknown_field_is_a_usage_error(cli):
    result = cli("search", "colour:red")
    assert result.exit_code == 2
    assert "unknown field 'colour'" in error_line(result)


def test_malformed_queries_get_one_friendly_line(cli):
    # Each once answered with a 400-character dump of the Lucene parser.
    for query in ("(border OR tariff", "tax AND (cuts", "-", "title:", "OR", "AND border"):
        result = cli("search", query)
        assert result.exit_code == 2, (query, result.output)
        line = error_line(result)
        assert len(line) < 200 and "lucene" not in line.lower() and "Cannot parse" not in line, line
        assert "Traceback" not in result.output


def test_unbalanced_quote_is_a_usage_error(cli):
    result = cli("search", '"tax cuts')
    assert result.exit_code == 2
    assert "unbalanced quote" in error_line(result)


def test_slash_is_text_not_a_regex(cli):
    assert cli("search", "9/11").exit_code == 0


# --- dates --------------------------------------------------------------------------

JUNE_2019 = [
    "Bundestag debattiert Haushalt",
    "Council approves revised budget",
    "Governor plan on cutting taxes",  # 2019-06-30T23:30Z: a partial --to includes June 30
    "Senate passes tax cuts after long debate",
]


@pytest.mark.parametrize(
    "start,end",
    [
        ("2019-06", "2019-06"),
        ("June 2019", "June 2019"),
        ("2019-06-01", "2019-06-30"),
        ("2019", "2019-06"),
    ],
)
def test_partial_dates_cover_their_whole_period(cli, start, end):
    got = jsonl(cli, "--from", start, "--to", end)
    if start == "2019":
        assert got == JUNE_2019  # nothing published Jan-May 2019
    else:
        assert got == JUNE_2019


def test_day_and_time_with_zone(cli):
    assert jsonl(cli, "--from", "2019-06-14", "--to", "2019-06-14") == [
        "Senate passes tax cuts after long debate"
    ]
    # 02:00+02:00 is midnight UTC: the 00:30Z article of July 1 is outside.
    got = jsonl(cli, "--from", "2019-06-30T23:00", "--to", "2019-07-01T02:00+02:00")
    assert got == ["Governor plan on cutting taxes"]
    assert jsonl(cli, "--from", "2019-07-01", "--to", "2019-07-01T00:30:00Z") == [
        "Presidential campaign opens in Iowa"
    ]


def test_relative_dates(cli):
    assert jsonl(cli, "--from", "today") == ["Council meets on police funding"]
    assert jsonl(cli, "--from", "yesterday", "--to", "yesterday") == [
        "Mayor announces housing plan"
    ]
    recent = [
        "Council meets on police funding",
        "Governor signs climate law",
        "Mayor announces housing plan",
    ]
    assert jsonl(cli, "--from", "2d") == recent
    assert jsonl(cli, "--from", "2w") == recent
    assert jsonl(cli, "--from", "3mo") == sorted([*recent, "Trade tariff dispute widens"])
    ambiguous = cli("search", "", "--from", "3m")
    assert ambiguous.exit_code == 2 and "3min for minutes or 3mo for months" in ambiguous.output
    assert jsonl(cli, "--to", "1y", "--from", "2019-11") == sorted(
        [
            '=HYPERLINK("http://evil.example","click") budget vote',
            "\x1b[31mALERT\x1b[0m Election night results",
            "Immigration court backlog grows",
        ]
    )


def test_undated_articles_are_counted_not_mixed_in(cli):
    result = cli("search", "budget", "--from", "2019", "--format", "json")
    data = json.loads(result.stdout)
    assert data["undated_left_out"] == 2
    assert all(r["date"] for r in data["results"])
    table = cli("search", "budget", "--from", "2019")
    assert "2 undated left out" in table.stdout


def test_other_date_fields(cli):
    # modified: only the tax-cuts article and the edited budget article have one
    got = jsonl(cli, "--date-field", "modified", "--from", "2019")
    assert got == ["Council approves revised budget", "Senate passes tax cuts after long debate"]
    assert (
        len(jsonl(cli, "--date-field", "crawled", "--from", "2024-01-01", "--to", "2024-01-01"))
        == 15
    )


@pytest.mark.parametrize(
    "args,message",
    [
        (["--from", "someday"], "cannot read 'someday' as a date"),
        (["--to", "June"], "has no year"),
        (["--from", "2020", "--to", "2019"], "is after --to"),
        (["--from", "2019-06-15", "--to", "2019-06-14"], "is after --to"),
    ],
)
def test_bad_dates_are_usage_errors(cli, args, message):
    result = cli("search", "tax", *args)
    assert result.exit_code == 2
    assert message in error_line(result)


# --- filters ------------------------------------------------------------------------


def test_keyword_filters(cli):
    assert jsonl(cli, "taxes", "--outlet", "capitol wire") == ["Governor plan on cutting taxes"]
    assert jsonl(
        cli, "--domain", "frontierpost.example", "--from", "2019", "--to", "2019"
    ) == sorted(
        [
            "Presidential campaign opens in Iowa",
            "\x1b[31mALERT\x1b[0m Election night results",
        ]
    )
    assert jsonl(cli, "--author", "john doe") == [
        "Border security bill stalls",
        "Governor plan on cutting taxes",
    ]
    assert jsonl(cli, "--section", "campaign") == ["Presidential campaign opens in Iowa"]
    assert jsonl(cli, "--tag", "taxes", "--tag", "nothing") == [
        "Governor plan on cutting taxes",
        "Senate passes tax cuts after long debate",
    ]
    assert jsonl(cli, "--lang", "de") == ["Bundestag debattiert Haushalt"]


def test_registry_tags(cli):
    right = jsonl(cli, "--where", "lean=right")
    assert len(right) == 4 and "Border security bill stalls" in right
    assert jsonl(cli, "budget", "--where", "lean=left", "--where", "country=us") == sorted(
        [
            '=HYPERLINK("http://evil.example","click") budget vote',
            "Budget talks resume in the capital",
            "Council approves revised budget",
        ]
    )
    bad = cli("search", "--where", "lean")
    assert bad.exit_code == 2 and "TAG=VALUE" in error_line(bad)


def test_unknown_outlet_is_a_usage_error_naming_the_known_ones(cli):
    result = cli("search", "tax", "--outlet", "Daily Planet")
    assert result.exit_code == 2
    line = error_line(result)
    assert "unknown outlet 'Daily Planet'" in line and "Capitol Wire" in line


# --- formats --------------------------------------------------------------------------


def test_table_fits_the_terminal_and_marks_snippets(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "70")
    result = cli("search", "tax cuts")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert all(len(line) <= 70 for line in lines), lines
    assert "2019-06-14" in result.stdout and "The Daily Ledger" in result.stdout
    assert "«tax» «cuts»" in result.stdout or "«tax cuts»" in result.stdout


def test_table_says_when_an_article_was_edited(cli):
    lines = cli("search", "council approves budget").stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if "Council approves revised budget" in line)
    following = lines[at + 1 : at + 4]
    assert "3 versions: edited after publication" in "\n".join(following)
    once = cli("search", '"tax cuts"').stdout
    assert "versions" not in once and "removed" not in once


def test_terminal_control_sequences_are_neutralized(cli):
    result = cli("search", "election results")
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "\ufffd[31mALERT" in result.stdout
    raw = cli("search", "election results", "--format", "json")
    assert "\\u001b" in raw.stdout  # JSON keeps the data, escaped


def test_json_carries_ids_scores_and_snippets(cli, corpus):
    data = json.loads(cli("search", '"tax cuts"', "--format", "json").stdout)
    (hit,) = data["results"]
    assert hit["id"] == corpus.id_of(1)
    assert hit["score"] > 0 and hit["outlet"] == "The Daily Ledger"
    assert "«tax cuts»" in hit["snippet"]
    assert data["search"]["query"] == '"tax cuts"' and data["total"] == 1


def test_csv_escapes_formulas_and_honours_fields(cli, corpus):
    result = cli("search", "budget vote", "--format", "csv", "--fields", "id,title,outlet")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["id", "title", "outlet"]
    by_id = {r["id"]: r for r in rows}
    assert by_id[corpus.id_of(10)]["title"].startswith("'=HYPERLINK(")


def test_unknown_output_field_is_a_usage_error(cli):
    result = cli("search", "tax", "--fields", "id,colour")
    assert result.exit_code == 2 and "unknown field 'colour'" in error_line(result)


# --- pages and order -----------------------------------------------------------------


def test_pages_and_resume_tokens(cli):
    def page(*args):
        result = cli("search", "--format", "json", "--limit", "4", "--sort", "oldest", *args)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    first, second = page(), page("--page", "2")
    ids = [r["id"] for r in first["results"]] + [r["id"] for r in second["results"]]
    assert len(set(ids)) == 8
    dates = [r["date"] for r in first["results"] + second["results"]]
    assert dates == sorted(dates)  # oldest first, across pages
    resumed = page("--after", first["next"])
    assert [r["id"] for r in resumed["results"]] == [r["id"] for r in second["results"]]
    other = cli("search", "tax", "--after", first["next"])
    assert other.exit_code == 2 and "different search" in error_line(other)
    garbage = cli("search", "--after", "not-a-token!!")
    assert garbage.exit_code == 2


def test_page_beyond_the_window_is_a_usage_error(cli):
    result = cli("search", "tax", "--page", "600", "--limit", "20")
    assert result.exit_code == 2 and "--after" in error_line(result)


def test_sort_newest_and_relevance(cli):
    data = json.loads(cli("search", "budget", "--sort", "newest", "--format", "json").stdout)
    dated = [r["date"] for r in data["results"] if r["date"]]
    assert dated == sorted(dated, reverse=True)
    scored = json.loads(cli("search", "budget", "--format", "json").stdout)["results"]
    scores = [r["score"] for r in scored]
    assert scores == sorted(scores, reverse=True)


# --- runtime errors -----------------------------------------------------------------


def test_unreachable_cluster_is_a_runtime_error(cli, monkeypatch):
    monkeypatch.setenv("NEWSARCHIVE_ES_URL", "http://127.0.0.1:9")
    result = cli("search", "tax")
    assert result.exit_code == 1
    assert "cannot reach Elasticsearch" in error_line(result)


def test_missing_index_is_a_runtime_error(cli, monkeypatch):
    monkeypatch.setenv("NEWSARCHIVE_INDEX_PREFIX", "no-such-corpus")
    result = cli("search", "tax")
    assert result.exit_code == 1
    assert "no corpus index 'no-such-corpus-articles'" in error_line(result)
