"""Fuzz the CLI's date and query parsing against a real index: every input either works
(exit 0) or is a usage error (exit 2) with a one-line message, never a traceback."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from search_cli.cli import cli
from tests.reliability.conftest import BASE_SEED, REPEAT, seed_for

pytestmark = [pytest.mark.reliability, pytest.mark.es]

EXAMPLES = 100 * REPEAT  # per kind of input

_units = st.sampled_from(["d", "w", "m", "y", "D", "h", "s", "", " d", "dd"])
_months = st.sampled_from(["June", "jun", "Juni", "Sept", "13", "0", "February 30", "feb 29"])
_date_piece = st.one_of(
    st.integers(-99999, 999999).map(str),
    st.from_regex(r"\d{1,6}-\d{1,3}(-\d{1,3})?(T\d{1,2}(:\d{1,2}){0,2})?", fullmatch=True),
    st.tuples(st.integers(0, 10**12), _units).map(lambda t: f"{t[0]}{t[1]}"),
    st.tuples(_months, st.integers(-10, 100000)).map(lambda t: f"{t[0]} {t[1]}"),
    st.sampled_from(
        [
            "today",
            "yesterday",
            "now",
            "tomorrow",
            "-7d",
            "+1y",
            "0d",
            "99999y",
            "2019-06-14T09:30+02:00",
            "2019-06-14T25:61+99:00",
            "1-1-1",
            "0000",
            "9999-12-31T23:59:59Z",
            "Z",
            "T",
            "+",
            "２０１９",
            "2019\x00",
            "2019\u202e",
            "\x1b[31m2019",
            "2019-06-14 UTC+14",
            "10000-01-01",
            "1e9",
        ]
    ),  # fmt: skip
    st.text(max_size=30),
)
date_text = st.lists(_date_piece, min_size=1, max_size=3).map(" ".join)

_token = st.one_of(
    st.sampled_from(
        [
            '"',
            "(",
            ")",
            "AND",
            "OR",
            "NOT",
            "-",
            "+",
            "!",
            "&&",
            "||",
            "*",
            "?",
            "~",
            "~2",
            "~99999",
            "^",
            "^-1",
            "/",
            "\\",
            "[",
            "]",
            "{",
            "}",
            "TO",
            ":",
            "title:",
            "author:",
            "outlet:",
            "nosuchfield:",
            "_id:",
            "body.exact:",
            "_source:",
            "*:",
            "url:http://x/y",
            "senate",
            "tax",
            "presiden*",
            "?ote",
            '"tax cuts"',
            "a" * 300,
            "\x1b[2J",
            "\u202e",
            "published:[2019 TO *]",
            "word_count:>5",
            "/.*/",
            "9/11",
            "\x00",
        ]
    ),  # fmt: skip
    st.text(max_size=12),
)
query_text = st.lists(_token, max_size=8).map(" ".join)


@pytest.fixture(scope="module")
def corpus_env(es_client, tmp_path_factory):
    """A small real index, and the environment the CLI needs to search it."""
    import uuid

    from indexer.load import load_records
    from tests.synthetic import new_record

    prefix = f"test-relcli-{uuid.uuid4().hex[:8]}"
    load_records(es_client, [new_record(i, body_words=40) for i in range(30)], prefix)
    url = es_client.transport.node_pool.get().base_url
    env = {
        "NEWSARCHIVE_ES_URL": url,
        "NEWSARCHIVE_INDEX_PREFIX": prefix,
        "NEWSARCHIVE_HOME": str(tmp_path_factory.mktemp("cli-home")),
    }
    yield env
    names = list(es_client.indices.get(index=f"{prefix}*").body)
    es_client.indices.delete(index=",".join(names))
    for kind in ("articles", "versions"):
        es_client.indices.delete_index_template(name=f"{prefix}-{kind}")
    for name in ("settings", "articles-mappings", "versions-mappings"):
        es_client.cluster.delete_component_template(name=f"{prefix}-{name}")


class Outcomes:
    def __init__(self, env: dict) -> None:
        self.runner = CliRunner()
        self.env = env
        self.seen: dict[int, int] = {}

    def run(self, args: list[str]) -> None:
        result = self.runner.invoke(cli, args, env=self.env)
        self.seen[result.exit_code] = self.seen.get(result.exit_code, 0) + 1
        shown = f"{args!r} -> {result.exit_code}\n{result.output[-1500:]}"
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError(f"{shown}\nexception escaped: {result.exception!r}")
        assert result.exit_code in (0, 2), shown
        assert "Traceback" not in result.output, shown
        if result.exit_code == 2:
            assert "Error:" in result.output, shown

    def report(self, trial) -> None:
        trial.tries = sum(self.seen.values())
        names = {0: "worked (exit 0)", 2: "usage error (exit 2)"}
        for code, n in sorted(self.seen.items()):
            trial.saw(names.get(code, f"exit {code}"), n)


def _settings(case: str):
    def wrap(test):
        test = settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )(test)
        return seed(seed_for(case, BASE_SEED))(test)

    return wrap


def test_dates(corpus_env, trial):
    trial.case = "CLI fuzz: --from/--to dates"
    out = Outcomes(corpus_env)

    @_settings(trial.case)
    @given(date_text, date_text, st.sampled_from(["search", "count", "timeline", "export"]))
    def run(start: str, end: str, command: str) -> None:
        extra = ["--format", "csv"] if command in ("search", "export") else []
        out.run([command, "", "--from", start, *extra])
        out.run([command, "", "--from", start, "--to", end, *extra])

    run()
    out.report(trial)


def test_queries(corpus_env, trial):
    trial.case = "CLI fuzz: query strings"
    out = Outcomes(corpus_env)

    @_settings(trial.case)
    @given(query_text, st.sampled_from(["search", "count", "timeline", "export"]))
    def run(query: str, command: str) -> None:
        extra = ["--format", "jsonl"] if command == "export" else []
        out.run([command, query, *extra])

    run()
    out.report(trial)
