"""The gazetteer: the shipped file, the build script, files users add, and bad files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.politics import gazetteer as gz
from crawler.politics import load_tagger, tag
from newsarchive.config import load_settings
from newsarchive.errors import ConfigError
from search_cli.cli import cli

REPO = Path(__file__).resolve().parents[2]

CONGRESS_YAML = """\
- id:
    bioguide: Z999001
    govtrack: 999001
  name:
    first: Harriet
    last: Quillfeather
    official_full: Harriet Quillfeather
  terms:
  - type: rep
    start: '2001-01-03'
    end: '2009-01-03'
    state: OR
    district: 3
    party: Democrat
  - type: sen
    start: '2009-01-06'
    end: '2015-01-03'
    state: OR
    party: Independent
"""

OPENSTATES_YAML = """\
id: ocd-person/00000000-0000-0000-0000-000000000001
name: Ondine Marchbanks
given_name: Ondine
family_name: Marchbanks
party:
- name: Republican
roles:
- start_date: '2021-01-04'
  end_date: '2025-01-06'
  type: lt_governor
  jurisdiction: ocd-jurisdiction/country:us/state:wy/government
"""

CSV = """\
id,name,aliases,office,party,state,start,end
mayor:springfield:1,Tobias Wrenfield,Mayor Toby,Mayor,Green,IL,2022-01-01,2026-01-01
leader:ruritania,Anselm Varga,,Prime Minister,,,2010-05-01,
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_file_keeps_sources_commit_and_licence():
    data = json.loads(gz.SHIPPED.read_text(encoding="utf-8"))
    assert data["format"] == gz.FORMAT
    names = {s["name"]: s for s in data["sources"]}
    assert set(names) == {"congress-legislators", "openstates-executives"}
    for source in names.values():
        assert source["licence"] == "CC0-1.0"
        assert len(source["commit"]) == 40
    people = gz.load().by_id()
    assert people["govtrack:412733"].last == "Trump"  # executive.yaml without a bioguide
    assert people["B000444"].nickname == "Joe"  # executive.yaml with one
    assert any(pid.startswith("ocd-person/") for pid in people)


def test_user_files_of_every_format_extend_the_gazetteer(tmp_path):
    files = (
        write(tmp_path / "former.yaml", CONGRESS_YAML),
        write(tmp_path / "states" / "wy" / "Ondine.yml", OPENSTATES_YAML),
        write(tmp_path / "mine.csv", CSV),
    )
    tagger = load_tagger((files[0], files[1].parent.parent, files[2]))
    body = (
        "Sen. Quillfeather and Lt. Gov. Ondine Marchbanks met Mayor Toby on Monday, then "
        "Prime Minister Varga. Quillfeather said the vote was close."
    )
    found = {p["id"]: p for p in tag("", body, published="2012-03-01", tagger=tagger)["people"]}
    assert found["Z999001"]["mentions"] == 2
    assert (found["Z999001"]["party"], found["Z999001"]["office"]) == (
        "Independent",
        "U.S. Senator",
    )
    assert found["ocd-person/00000000-0000-0000-0000-000000000001"]["office"] is None  # not yet
    assert "mayor:springfield:1" in found  # an alias of the CSV
    assert found["leader:ruritania"]["office"] == "Prime Minister"


def test_the_setting_names_more_files(tmp_path, monkeypatch):
    a, b = write(tmp_path / "a.csv", CSV), write(tmp_path / "b.yaml", CONGRESS_YAML)
    env = {"NEWSARCHIVE_HOME": str(tmp_path), "NEWSARCHIVE_GAZETTEER": f"{a}:{b}"}
    assert load_settings(env).gazetteer_files == (a, b)
    config = write(tmp_path / "config.toml", f'[politics]\ngazetteer = ["{a}"]\n')
    assert load_settings({"NEWSARCHIVE_CONFIG": str(config)}).gazetteer_files == (a,)


@pytest.mark.parametrize(
    ("name", "text", "says"),
    [
        ("broken.yaml", "- id: {bioguide: X1\n  name: [", "is not valid YAML"),
        ("nolast.yaml", "- id: {bioguide: X1}\n  name: {first: A}\n", "has no name.last"),
        ("noid.yaml", "- name: {first: A, last: B}\n", "has no 'id' mapping"),
        (
            "scalar.yaml",
            "just text\n",
            "neither a congress-legislators list nor an openstates person",
        ),
        (
            "baddate.yaml",
            "- id: {bioguide: X1}\n  name: {last: B}\n  terms: [{type: rep, start: 'May 2001'}]\n",
            "is not YYYY-MM-DD",
        ),
        ("cols.csv", "name,office\nA B,Mayor\n", "needs the columns id and name"),
        ("extra.csv", "id,name,colour\n1,A B,red\n", "unknown CSV column 'colour'"),
        ("empty.csv", "id,name\n1,\n", "line 2: id and name must not be empty"),
        ("date.csv", "id,name,office,start\n1,A B,Mayor,01/02/2020\n", "is not YYYY-MM-DD"),
        ("people.txt", "A B\n", "unknown kind"),
        ("bad.json", "{not json", "is not valid JSON"),
        ("other.json", '{"people": []}', "not a newsarchive-gazetteer file"),
    ],
)
def test_bad_files_give_one_clear_line(tmp_path, name, text, says):
    path = write(tmp_path / name, text)
    with pytest.raises(ConfigError) as err:
        gz.read_people(path)
    message = str(err.value)
    assert says in message and str(path) in message and "\n" not in message


def test_missing_file_and_empty_folder(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        gz.read_people(tmp_path / "nope.csv")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ConfigError, match="holds no .yml"):
        gz.read_people(tmp_path / "empty")


def test_cli_says_what_is_wrong_with_a_configured_file(tmp_path, monkeypatch):
    bad = write(tmp_path / "bad.csv", "name\nA\n")
    page = write(tmp_path / "page.html", "<html><body><p>Hello</p></body></html>")
    monkeypatch.setenv("NEWSARCHIVE_HOME", str(tmp_path))
    monkeypatch.setenv("NEWSARCHIVE_GAZETTEER", str(bad))
    result = CliRunner().invoke(cli, ["extract", str(page)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and str(bad) in lines[0] and "id and name" in lines[0]


def test_build_script_compiles_a_data_folder(tmp_path):
    data = tmp_path / "data"
    write(
        data / "README.md",
        "| folder | source | commit (date) | what |\n|---|---|---|---|\n"
        f"| `congress-legislators/` | x | {'a' * 40} (2026-01-01) | y |\n"
        f"| `openstates-executives/` | x | {'b' * 40} (2026-01-01) | y |\n",
    )
    write(data / "congress-legislators" / "LICENSE", "CC0 1.0 Universal\n")
    write(data / "congress-legislators" / "legislators-current.yaml", CONGRESS_YAML)
    write(data / "congress-legislators" / "executive.yaml", "[]\n")
    write(data / "openstates-executives" / "LICENSE", "CC0 1.0 Universal\n")
    write(data / "openstates-executives" / "data" / "wy" / "o.yml", OPENSTATES_YAML)
    out = tmp_path / "g.json"
    extra = write(tmp_path / "mine.csv", CSV)
    done = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "build_gazetteer.py"),
            "--data",
            str(data),
            "--out",
            str(out),
            str(extra),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert [s.get("commit") for s in doc["sources"][:2]] == ["a" * 40, "b" * 40]
    assert {p["id"] for p in doc["people"]} == {
        "Z999001",
        "ocd-person/00000000-0000-0000-0000-000000000001",
        "mayor:springfield:1",
        "leader:ruritania",
    }
    # the output is itself a gazetteer file a user can name in the setting
    assert {p.id for p in gz.read_people(out)} == {p["id"] for p in doc["people"]}
    broken = write(data / "openstates-executives" / "data" / "wy" / "z.yml", "id: [\n")
    done = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "build_gazetteer.py"),
            "--data",
            str(data),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1 and str(broken) in done.stderr and done.stderr.count("\n") == 1
