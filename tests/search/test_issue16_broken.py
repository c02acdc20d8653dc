"""What a new user hit from a fresh clone (issue 16, "Broken today"), each on the real
node and the shared test corpus."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil

from tests.search.conftest import RAW_HTML, write_warc


def _error(result) -> str:
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert len(lines) == 1, result.output
    return lines[0]


def test_every_date_option_reads_the_same_grammar(cli):
    # crawl and index once refused 7d ("'7d' is not a date"); search took it.
    for command in (["crawl"], ["index"], ["search", ""]):
        option = "--from" if command[0] == "search" else "--since"
        good = cli(*command, option, "7d")
        assert "not a date" not in good.output and "7d" not in good.output, good.output
        months = cli(*command, option, "3mo")
        assert "3mo" not in months.output, months.output
        ambiguous = cli(*command, option, "3m")
        assert ambiguous.exit_code == 2
        assert "3min for minutes or 3mo for months" in _error(ambiguous)


def test_export_date_field_needs_no_published(cli, corpus):
    result = cli("export", '"tax cuts"', "--fields", "title,date")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows == [{"title": "Senate passes tax cuts after long debate", "date": rows[0]["date"]}]
    assert rows[0]["date"].startswith("2019-06-14")


def test_csv_row_one_is_the_header_and_provenance_goes_beside(cli, tmp_path):
    out = tmp_path / "budget.csv"
    result = cli("export", "budget", "--csv", "--fields", "id,title,date", "-o", str(out))
    assert result.exit_code == 0, result.output
    with open(out, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["id", "title", "date"] and len(rows) == 1 + 4
    meta = json.loads((tmp_path / "budget.meta.json").read_text())["export"]
    assert meta["fields"] == ["id", "title", "date"] and meta["format"] == "csv"
    assert meta["search"]["query"] == "budget" and meta["rows"] == 4


def test_export_to_dash_is_standard_output(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cli("export", '"tax cuts"', "-o", "-", "--fields", "id")
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 1 and not (tmp_path / "-").exists()
    assert list(tmp_path.iterdir()) == []


def test_config_file_that_is_not_utf8_is_one_line(cli, tmp_path, monkeypatch):
    config = tmp_path / "config.toml"
    config.write_bytes('index_prefix = "caf\u00e9"\n'.encode("latin-1"))
    monkeypatch.setenv("NEWSARCHIVE_CONFIG", str(config))
    result = cli("search", "tax")
    assert result.exit_code == 1
    assert "not UTF-8" in _error(result) and str(config) in result.output


def test_query_may_start_with_a_dash(cli):
    for args in (
        ["-opinion senate", "--nl"],
        ["--nl", "-opinion senate", "--limit", "5"],
        ["--nl", "--", "-opinion senate"],  # the classic way, as the help says
    ):
        result = cli("search", *args)
        assert result.exit_code == 0, result.output
        titles = [json.loads(line)["title"] for line in result.stdout.splitlines()]
        assert titles == ["Senate passes tax cuts after long debate"]
    counted = cli("count", "-budget", "--format", "json")
    assert json.loads(counted.stdout)["total"] == 15 - 4
    unknown = cli("search", "tax", "--colour", "red")
    assert unknown.exit_code == 2 and "--colour" in unknown.output


def test_table_honours_fields(cli, corpus):
    result = cli("search", '"tax cuts"', "--fields", "id,authors,url")
    assert result.exit_code == 0, result.output
    header, rule, row = result.stdout.splitlines()[:3]
    assert header.split() == ["id", "authors", "url"] and set(rule) <= {"-", " "}
    assert corpus.id_of(1)[:8] in row and "Jane Smith" in row


def test_tables_fit_80_columns_and_close_their_marks(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    for args in (
        ["search", "budget OR council OR senate OR governor"],
        ["sources"],
        ["stats", "--coverage"],
        ["stats"],
    ):
        result = cli(*args)
        assert result.exit_code == 0, result.output
        for line in result.stdout.splitlines():
            assert len(line) <= 80, line
            assert line.count("«") == line.count("»"), line


def test_filter_typos_say_did_you_mean(cli):
    for option, typo, meant in (
        ("--tag", "taxs", "taxes"),
        ("--section", "politcs", "politics"),
        ("--lang", "dee", "de"),
        ("--where", "lean=rigth", "right"),
    ):
        result = cli("search", "", option, typo)
        assert result.exit_code == 2, (option, result.output)
        line = _error(result)
        assert "did you mean" in line and meant in line, line


def test_outlet_by_source_id_and_where_case_folded(cli):
    def total(*args):
        result = cli("count", "", *args, "--format", "json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)["total"]

    by_name = total("--outlet", "The Daily Ledger")
    assert by_name == 6
    source_id = json.loads(cli("search", "", "--outlet", "The Daily Ledger", "--json", "--fields", "source_id", "--limit", "1").stdout)["results"][0]["source_id"]  # fmt: skip
    assert total("--outlet", source_id) == by_name
    assert total("--where", "lean=LEFT") == total("--where", "lean=left") == 6
    rows = json.loads(cli("count", "", "--by", "where.lean", "--json").stdout)["counts"]
    assert sorted(r["where.lean"] for r in rows) == ["center", "left", "right"]


def test_after_and_page_number_hits_alike(cli):
    first = json.loads(cli("search", "", "--limit", "4", "--sort", "oldest", "--json").stdout)
    by_page = cli("search", "", "--limit", "4", "--sort", "oldest", "--page", "2")
    by_token = cli("search", "", "--limit", "4", "--sort", "oldest", "--after", first["next"])
    assert by_page.exit_code == by_token.exit_code == 0

    def ranks(result):
        return re.findall(r"^\s*(\d+)  ", result.stdout, flags=re.MULTILINE)

    assert ranks(by_page) == ranks(by_token) == ["5", "6", "7", "8"]
    assert "showing 5-8" in by_page.stdout and "showing 5-8" in by_token.stdout


def test_no_color_is_honoured(monkeypatch):
    from search_cli.output import use_color

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert use_color(Terminal())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_color(Terminal())
    monkeypatch.delenv("NO_COLOR")
    assert not use_color(io.StringIO())  # not a terminal


def test_es_status_of_a_stopped_local_node_exits_3(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from search_cli.cli import cli as group

    monkeypatch.setenv("NEWSARCHIVE_HOME", str(tmp_path))
    monkeypatch.delenv("NEWSARCHIVE_ES_URL", raising=False)
    monkeypatch.delenv("NEWSARCHIVE_CONFIG", raising=False)
    result = CliRunner().invoke(group, ["es", "status"])
    assert result.exit_code == 3 and result.output.startswith("stopped"), result.output


def test_show_raw_is_offline_for_every_version(cli, corpus, tmp_path, monkeypatch):
    from tests.synthetic import changed_record, new_record

    home = tmp_path / "home"
    v1 = new_record(900, title="Offline story", body="first text", body_words=3)
    v1["capture"] = write_warc(home / "warc" / "v1.warc.gz", v1["url"], RAW_HTML)
    v2 = changed_record(v1, title="Offline story, revised")
    v2["capture"] = write_warc(home / "warc" / "v2.warc.gz", v1["url"], b"<html>second</html>")
    (home / "articles").mkdir(parents=True)
    (home / "articles" / "articles.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in (v1, v2))
    )
    monkeypatch.setenv("NEWSARCHIVE_HOME", str(home))
    monkeypatch.setenv("NEWSARCHIVE_ES_URL", "http://127.0.0.1:9")  # nothing listens
    from click.testing import CliRunner

    from search_cli.cli import cli as group

    def raw(*args):
        result = CliRunner().invoke(group, ["show", *args, "--raw"])
        assert result.exit_code == 0, result.output
        return result.stdout_bytes

    assert raw(v1["id"]) == b"<html>second</html>"
    assert raw(v1["id"][:8], "--version", "1") == RAW_HTML
    assert raw(v1["url"], "--version", "2") == b"<html>second</html>"
    never = CliRunner().invoke(group, ["show", v1["id"], "--raw", "--version", "3"])
    assert never.exit_code == 2 and "Traceback" not in never.output
    shutil.rmtree(home / "warc")
    gone = CliRunner().invoke(group, ["show", v1["id"], "--raw"])
    assert gone.exit_code == 1 and "Traceback" not in gone.output


def test_plurals(cli):
    one = cli("count", '"tax cuts"')
    assert one.stdout.strip() == "1 article matches"
    assert cli("search", '"tax cuts"').stdout.startswith("1 article matches")
    assert cli("count", "").stdout.startswith("15 articles match")
