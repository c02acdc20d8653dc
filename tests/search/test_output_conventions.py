"""One set of output conventions for every command that prints rows: --format and its
shortcuts, --fields in every format, --no-headers (issue 16, "One set of conventions")."""

from __future__ import annotations

import csv
import io
import json

import pytest

# A command, the --fields it is asked for, and where its JSON keeps the rows.
COMMANDS = [
    (["search", "budget"], ["id", "title"], "results"),
    (["count", "", "--by", "outlet"], ["outlet", "articles"], "counts"),
    (["timeline", "", "--from", "2019", "--to", "2019"], ["period", "articles"], "rows"),
    (["stats"], ["outlet", "articles"], None),
    (["sources"], ["id", "name"], None),
    (["export", "budget"], ["id", "date"], None),
]


@pytest.mark.parametrize(("args", "fields", "key"), COMMANDS, ids=[c[0][0] for c in COMMANDS])
def test_fields_in_every_format(cli, args, fields, key):
    chosen = ",".join(fields)
    for flag in ("--csv", "--tsv"):
        result = cli(*args, flag, "--fields", chosen)
        assert result.exit_code == 0, result.output
        rows = list(csv.reader(io.StringIO(result.stdout), dialect="excel-tab" if flag == "--tsv" else "excel"))  # fmt: skip
        assert rows[0] == fields and len(rows) > 1 and all(len(r) == len(fields) for r in rows)
        bare = cli(*args, flag, "--fields", chosen, "--no-headers")
        assert bare.stdout.splitlines() == result.stdout.splitlines()[1:]
    lines = cli(*args, "--nl", "--fields", chosen).stdout.splitlines()
    assert lines and all(list(json.loads(line)) == fields for line in lines)
    data = json.loads(cli(*args, "--json", "--fields", chosen).stdout)
    rows = data if key is None and isinstance(data, list) else data[key or _rows_key(data)]
    assert rows and all(list(r) == fields for r in rows)
    if args[0] != "export":
        table = cli(*args, "--table", "--fields", chosen)
        assert table.exit_code == 0, table.output
        assert table.stdout.splitlines()[0].split() == fields
        headless = cli(*args, "--fields", chosen, "--no-headers").stdout.splitlines()
        assert [r.split() for r in headless] == [r.split() for r in table.stdout.splitlines()[2:]]


def _rows_key(data: dict) -> str:
    return next(k for k, v in data.items() if isinstance(v, list) and v and isinstance(v[0], dict))


def test_one_format_at_a_time_and_unknown_fields_name_the_known(cli):
    both = cli("count", "", "--csv", "--json")
    assert both.exit_code == 2 and "choose one output format" in both.output
    assert cli("count", "", "--format", "csv", "--csv").exit_code == 0  # the same one
    unknown = cli("stats", "--fields", "outlet,colour")
    assert unknown.exit_code == 2 and "'colour'" in unknown.output and "articles" in unknown.output
    assert cli("export", "", "--table").exit_code == 2  # offered where it makes sense


def test_by_any_keyword_field_of_the_mapping(cli):
    by_source = json.loads(cli("count", "", "--by", "source_id", "--json").stdout)
    by_outlet = json.loads(cli("count", "", "--by", "outlet", "--json").stdout)
    assert sorted(r["articles"] for r in by_source["counts"]) == sorted(
        r["articles"] for r in by_outlet["counts"]
    )
    bad = cli("count", "", "--by", "body")
    assert bad.exit_code == 2 and "where.TAG" in bad.output
