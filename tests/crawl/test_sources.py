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
    assert len(sources) >= 30
    assert all(not s.verified for s in sources)
    leans = {s.tags["lean"] for s in sources}
    assert {"left", "center", "right"} <= leans
    assert {"wire", "newspaper", "digital", "fact-checker"} <= {s.tags["kind"] for s in sources}
    for s in sources:
        assert s.discovery_urls, s.id
        assert all(u.startswith("http") for u in s.discovery_urls)
        assert s.in_scope(s.homepage), s.id
        assert {"country", "lean", "kind", "collection"} <= set(s.tags), s.id
        # Nothing was fetched from here: every URL says where it is reported instead.
        assert set(s.discovery_urls) <= set(s.evidence), s.id
        assert s.enabled or s.note, s.id  # a disabled entry says why


def test_starter_registry_carries_the_corrections_of_issue_14():
    by_id = {s.id: s for s in load_sources()}
    cnn = by_id["cnn"]
    assert not any("cnn_allpolitics" in u for u in cnn.discovery_urls)
    assert cnn.wants("https://www.cnn.com/2024/05/20/politics/senate-vote/index.html")
    assert not cnn.wants("https://www.cnn.com/2024/05/20/sport/final-score/index.html")
    assert not by_id["reuters"].enabled and "401" in by_id["reuters"].note
    assert not by_id["gatewaypundit"].enabled and "robots.txt" in by_id["gatewaypundit"].note
    assert "403" in by_id["politico"].note
    for sid in ("pbs", "csmonitor", "rollcall", "guardian-us", "washingtontimes", "freebeacon",
                "reason", "politifact", "factcheckorg", "snopes"):  # fmt: skip
        assert by_id[sid].enabled, sid
    assert "https://apnews.com/sitemap.xml" in by_id["ap"].sitemaps
    assert len(by_id["thehill"].politics_listings) == 3


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
        ({"interval": "often"}, "field 'interval': 'often' is not a duration like 90s, 30min"),
        ({"interval": 0}, "field 'interval': the duration must be more than 0"),
        ({"include": "/politics/"}, "field 'include' must be a list of path patterns"),
        ({"include": ["politics/"]}, "field 'include': 'politics/' is not a path pattern"),
        ({"exclude": ["/a b/"]}, "field 'exclude': '/a b/' is not a path pattern"),
        ({"include": ["/news?x=1"]}, "field 'include': '/news?x=1' is not a path pattern"),
        ({"exclude": ["/a//b/"]}, "field 'exclude': '/a//b/' has an empty segment"),
        ({"include": ["/pol**/"]}, "'**' inside a segment"),
        ({"include": [3]}, "field 'include': 3 is not a path pattern"),
        ({"evidence": "Fundus"}, "field 'evidence' must be a table"),
        ({"evidence": {"https://x.example/feed": ""}}, "the value for 'https://x.example/feed'"),
        ({"evidence": {"https://x.example/other": "a list"}}, "is not the homepage or one of"),
        ({"politics_listings": ["https://x.example/other"]}, "is not one of the source's feeds"),
        ({"politics_listings": ["nope"]}, "field 'politics_listings': 'nope' is not an http(s)"),
        ({"note": ""}, "field 'note' must be a non-empty string"),
        ({"revisit": "often"}, "field 'revisit' must be true, false or a list of durations"),
        ({"revisit": ["6h", "soon"]}, "field 'revisit': 'soon' is not a duration"),
        ({"revisit": ["1h"] * 21}, "more than 20 revisit points"),
    ],
)
def test_validation_names_the_entry_and_field(fields, message):
    with pytest.raises(ConfigError) as err:
        parse_registry(_entry(**fields), "reg.toml")
    assert message in str(err.value)
    assert "reg.toml: source #1 ('x')" in str(err.value) or "id" in fields
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    ("include", "exclude", "path", "wanted"),
    [
        ([], [], "/sport/final", True),  # no scope: everything
        (["/politics/"], [], "/politics", True),
        (["/politics/"], [], "/Politics/2024/senate-vote/", True),  # case-insensitive
        (["/politics/"], [], "/politics-and-pop/story", False),  # whole segments
        (["/politics"], [], "/us/politics/story", False),  # anchored at the start
        (["/*/*/*/politics/"], [], "/2024/05/20/politics/story", True),
        (["/*/*/*/politics/"], [], "/2024/05/politics/story", False),
        (["/**/elections/"], [], "/news/2024/elections/results", True),
        (["/**/elections/"], [], "/elections/", True),
        (["/elect*/"], [], "/elections-2024/map", True),
        (["/politics/", "/world/"], ["/world/"], "/world/summit", False),  # exclude wins
        ([], ["/video/"], "/video/clip", False),
        ([], ["/video/"], "/politics/video-of-the-debate", True),
    ],
)
def test_path_scope(include, exclude, path, wanted):
    (source,) = parse_registry(_entry(include=include, exclude=exclude))
    assert source.wants(f"https://x.example{path}?utm=1") is wanted


def test_politics_listings_name_their_hint():
    (source,) = parse_registry(
        _entry(
            feeds=["https://x.example/feed", "https://x.example/politics/feed"],
            politics_listings=["https://x.example/politics/feed"],
            evidence={"https://x.example/feed": "seen in Fundus", "https://x.example/": "home"},
        )
    )
    assert source.politics_hint("https://x.example/feed", "feed") is None
    hint = source.politics_hint("https://x.example/politics/feed", "feed")
    assert hint == "politics feed https://x.example/politics/feed"
    assert source.to_dict()["evidence"]["https://x.example/feed"] == "seen in Fundus"


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
    table = runner.invoke(cli, ["sources"], env={"COLUMNS": "200"})
    assert table.exit_code == 0, table.output
    assert "foxnews" in table.output and "motherjones" in table.output
    assert "lean=right" in table.output
    # Disabled entries (and entries with known trouble) say why, below the table.
    assert "reuters (disabled): Reuters answers crawlers with 401" in table.output
    assert "gatewaypundit (disabled): its robots.txt" in table.output
    assert "politico: article pages answer 403" in table.output
    out = runner.invoke(cli, ["sources", "--format", "json", "npr", "breitbart"])
    assert out.exit_code == 0
    data = json.loads(out.output)
    assert [d["id"] for d in data] == ["npr", "breitbart"]
    assert data[0]["feeds"] and data[0]["verified"] is False
    assert data[1]["include"] == ["/politics/"] and data[1]["evidence"]
    unknown = runner.invoke(cli, ["sources", "nope"])
    assert unknown.exit_code == 2 and "unknown source id 'nope'" in unknown.output


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
    (source,) = parse_registry(_entry(interval="30min"), "reg.toml")
    assert source.interval == 1800 and source.to_dict()["interval"] == 1800
    (plain,) = parse_registry(_entry(), "reg.toml")
    assert plain.interval is None


def test_revisit_is_the_default_schedule_off_or_its_own_points():
    (default,) = parse_registry(_entry(), "reg.toml")
    assert default.revisit is True and default.to_dict()["revisit"] is True
    (off,) = parse_registry(_entry(revisit=False), "reg.toml")
    assert off.revisit is False
    (own,) = parse_registry(_entry(revisit=["1d", "2h", "2h"]), "reg.toml")
    assert own.revisit == (7200.0, 86400.0) and own.to_dict()["revisit"] == [7200.0, 86400.0]
