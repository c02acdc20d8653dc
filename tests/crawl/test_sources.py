"""The source registry: the starter list, validation messages and `newsarchive sources`."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from crawler.sources import load_sources, parse_registry, select_sources
from newsarchive.errors import ConfigError
from search_cli.cli import cli


def test_starter_registry_spans_the_spectrum_and_is_marked_unverified():
    sources = load_sources()
    assert len(sources) >= 20
    assert all(not s.verified for s in sources)
    leans = {s.tags["lean"] for s in sources}
    assert {"left", "center", "right"} <= leans
    assert {"wire", "newspaper", "digital"} <= {s.tags["kind"] for s in sources}
    for s in sources:
        assert s.discovery_urls, s.id
        assert all(u.startswith("http") for u in s.discovery_urls)
        assert s.in_scope(s.homepage), s.id


def _entry(**fields):
    base = {
        "id": "x",
        "name": "X News",
        "homepage": "https://x.example/",
        "feeds": ["https://x.example/feed"],
    }
    base.update(fields)
    return {"version": 1, "source": [base]}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"feeds": ["ftp://x.example/feed"]}, "field 'feeds': 'ftp://x.example/feed' is not"),
        ({"name": ""}, "field 'name' must be a non-empty string"),
        ({"id": "Bad Id"}, "field 'id' must be a short lowercase name"),
        ({"section_depth": 9}, "field 'section_depth' must be an integer from 0 to 5"),
        ({"tags": {"lean": 3}}, "field 'tags.lean' must be a string or list"),
        ({"colour": "red"}, "unknown field 'colour'"),
        ({"sections": ["https://other.example/politics"]}, "outside the source's domains"),
        ({"feeds": []}, "give at least one of 'feeds', 'sitemaps' or 'sections'"),
        ({"interval": "often"}, "field 'interval': 'often' is not a duration like 30m"),
        ({"interval": 0}, "field 'interval': the duration must be more than 0"),
    ],
)
def test_validation_names_the_entry_and_field(fields, message):
    with pytest.raises(ConfigError) as err:
        parse_registry(_entry(**fields), "reg.toml")
    assert message in str(err.value)
    assert "reg.toml: source #1" in str(err.value)


def test_duplicate_ids_and_unknown_selection_are_reported():
    data = _entry()
    data["source"].append(dict(data["source"][0]))
    with pytest.raises(ConfigError, match=r"source #2: duplicate id 'x'"):
        parse_registry(data)
    sources = parse_registry(_entry())
    with pytest.raises(ConfigError, match="unknown source id 'nope'"):
        select_sources(sources, ["nope"])


def test_disabled_sources_are_left_out_of_all():
    data = _entry()
    data["source"].append({**data["source"][0], "id": "y", "enabled": False})
    sources = parse_registry(data)
    assert [s.id for s in select_sources(sources, [], all_=True)] == ["x"]
    assert [s.id for s in select_sources(sources, ["y"])] == ["y"]


def test_sources_command_lists_table_and_json(tmp_path):
    runner = CliRunner()
    table = runner.invoke(cli, ["sources"])
    assert table.exit_code == 0, table.output
    assert "foxnews" in table.output and "motherjones" in table.output
    assert "lean=right" in table.output
    out = runner.invoke(cli, ["sources", "--format", "json", "npr", "breitbart"])
    assert out.exit_code == 0
    data = json.loads(out.output)
    assert [d["id"] for d in data] == ["npr", "breitbart"]
    assert data[0]["feeds"] and data[0]["verified"] is False


def test_sources_command_fails_with_one_line_on_a_bad_file(tmp_path):
    bad = tmp_path / "sources.toml"
    bad.write_text('version = 1\n[[source]]\nid = "a"\nname = "A"\nhomepage = "nope"\n')
    result = CliRunner().invoke(cli, ["sources", "--sources", str(bad)])
    assert result.exit_code == 1
    assert "source #1 ('a'): field 'homepage': 'nope' is not an http(s) URL" in result.output
    assert "Traceback" not in result.output
    broken = tmp_path / "broken.toml"
    broken.write_text("version = [")
    result = CliRunner().invoke(cli, ["sources", "--sources", str(broken)])
    assert result.exit_code == 1 and "not valid TOML" in result.output


def test_interval_is_read_as_seconds():
    (source,) = parse_registry(_entry(interval="30m"), "reg.toml")
    assert source.interval == 1800 and source.to_dict()["interval"] == 1800
    (plain,) = parse_registry(_entry(), "reg.toml")
    assert plain.interval is None
