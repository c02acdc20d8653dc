"""Pure parts of the search library: dates, the query pre-parse, output sanitizing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newsarchive.dates import DateError, parse_period, parse_range
from search_cli.output import csv_cell, neutralize
from search_cli.query.errors import InvalidQuery
from search_cli.query.fields import resolve_query_field
from search_cli.query.text import rewrite

NOW = datetime(2024, 3, 10, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "text,start,end",
    [
        ("2019", "2019-01-01", "2020-01-01"),
        ("2019-02", "2019-02-01", "2019-03-01"),
        ("June 2019", "2019-06-01", "2019-07-01"),
        ("14 June 2019", "2019-06-14", "2019-06-15"),
        ("yesterday", "2024-03-09", "2024-03-10"),
        ("today", "2024-03-10", "2024-03-11"),
        ("7d", "2024-03-03", "2024-03-04"),
        ("2w", "2024-02-25", "2024-02-26"),
        ("3mo", "2023-12-10", "2023-12-11"),
        ("1y", "2023-03-10", "2023-03-11"),
    ],
)
def test_periods(text, start, end):
    period = parse_period(text, now=NOW)
    assert period.start.date().isoformat() == start and period.end.date().isoformat() == end


def test_time_and_zone():
    period = parse_period("2019-06-14 09:30+02:00")
    assert period.start == datetime(2019, 6, 14, 7, 30, tzinfo=UTC)
    assert period.end == datetime(2019, 6, 14, 7, 31, tzinfo=UTC)


@pytest.mark.parametrize("text", ["", "garbage", "June", "2019-13-45", "99999999999d", "99999y"])
def test_bad_dates(text):
    with pytest.raises(DateError):
        parse_period(text, now=NOW)


def test_a_bare_m_is_refused_as_ambiguous():
    with pytest.raises(DateError, match="3min for minutes or 3mo for months"):
        parse_period("3m", now=NOW)


def test_range_order():
    assert parse_range("2019-06", "2019-06").end == datetime(2019, 7, 1, tzinfo=UTC)
    with pytest.raises(DateError, match="after the end"):
        parse_range("2019-07", "2019-06")


def _rewrite(q: str) -> str:
    return rewrite(
        q, resolve_query_field, known="...", wildcard_fields=("title.exact^3", "body.exact")
    )


def test_rewrite():
    assert (
        _rewrite("author:smith OR where.lean:left") == "authors.text:smith OR source_tags.lean:left"
    )
    assert _rewrite('9/11 "a/b: c"') == '9\\/11 "a/b: c"'
    assert _rewrite("-presiden*") == "-(title.exact:presiden*^3 OR body.exact:presiden*)"
    with pytest.raises(InvalidQuery, match="unknown field 'http'"):
        _rewrite("http://example.org")
    with pytest.raises(InvalidQuery, match="unbalanced quote"):
        _rewrite('"open')


def test_neutralize_and_csv():
    assert neutralize("a\x1b[2Jb\u202ec\x9bd") == "a\ufffd[2Jb\ufffdc\ufffdd"
    assert neutralize("line\nbreak\ttab") == "line break tab"
    for cell in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx"):
        assert csv_cell(cell).startswith("'")
    assert csv_cell(-1) == "-1" and csv_cell(["a", "b"]) == "a; b" and csv_cell(None) == ""
