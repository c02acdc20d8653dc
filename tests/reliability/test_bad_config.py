"""Malformed source registries and config files: the error names the file, the entry
and the field, in one line, with a non-zero exit (never a traceback).

Seeded mutations of a valid registry break one field of one entry at a time (wrong
type, bad URL, bad id, unknown field, out-of-range depth, bad tag...), or cut the file
anywhere (TOML syntax errors). Config files get bad values and unknown keys.
"""

from __future__ import annotations

import json
import random

import pytest
from click.testing import CliRunner

from search_cli.cli import cli
from tests.reliability.conftest import REPEAT, seed_for

pytestmark = pytest.mark.reliability

CASES = 60 * REPEAT


def _entry(i: int) -> dict:
    host = f"outlet{i}.example"
    return {
        "id": f"outlet-{i}",
        "name": f"Outlet {i}",
        "homepage": f"https://{host}/",
        "domains": [host],
        "feeds": [f"https://{host}/rss.xml"],
        "sitemaps": [f"https://{host}/sitemap.xml"],
        "sections": [f"https://{host}/politics/"],
        "section_depth": 1,
        "enabled": True,
        "tags": {"lean": "center", "country": "us"},
    }


def _value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    return json.dumps(v, ensure_ascii=False)


def to_toml(entries: list[dict]) -> str:
    out = ["version = 1"]
    for entry in entries:
        out.append("[[source]]")
        tables = {k: v for k, v in entry.items() if isinstance(v, dict)}
        out += [f"{k} = {_value(v)}" for k, v in entry.items() if k not in tables]
        for name, table in tables.items():
            out.append(f"[source.{name}]")
            out += [f"{json.dumps(k)} = {_value(v)}" for k, v in table.items()]
    return "\n".join(out) + "\n"


# field -> bad values (each one alone makes the entry invalid)
BAD: dict[str, list] = {
    "id": ["", "Has Space", "UPPER", "x" * 60, 7, ["a"]],
    "name": ["", "   ", 3, ["n"], True],
    "homepage": ["outlet.example", "ftp://outlet.example/", "https://", 5, "javascript:alert(1)"],
    "domains": ["outlet.example", [3], ["bad host!"], [""], ["a b.example"]],
    "feeds": ["https://x.example/rss", ["file:///etc/passwd"], ["not a url"], [42], ["http://"]],
    "sitemaps": [{"a": 1}, ["gopher://x.example/"], [True]],
    "sections": [["https://elsewhere.example/politics/"], ["mailto:a@b.c"], 1.5],
    "section_depth": [-1, 99, "2", True, 1.5],
    "enabled": ["yes", 1, "false"],
    "verified": ["no", 0],
    "tags": ["lean=left", {"Bad Key": "x"}, {"lean": 3}, {"lean": [1, 2]}, {"1x": "y"}],
    "nonsense_field": ["surprise"],
}


def _run(args: list[str], env: dict | None = None):
    result = CliRunner().invoke(cli, args, env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{args}: exception escaped: {result.exception!r}"
    )
    assert "Traceback" not in result.output, result.output
    return result


def test_mutated_registries_name_file_entry_and_field(tmp_path, trial):
    trial.case = "malformed source registry"
    rng = random.Random(seed_for(trial.case, 0))
    path = tmp_path / "sources.toml"
    outcomes = {"named file, entry and field": 0, "TOML syntax error named with its line": 0}
    for n in range(CASES):
        entries = [_entry(i) for i in range(rng.randint(1, 4))]
        if n % 4 == 3:  # cut the file anywhere: a syntax error or a short registry
            text = to_toml(entries)
            path.write_text(text[: rng.randrange(len(text))])
            result = _run(["sources", "--sources", str(path)])
            if result.exit_code == 0:
                continue  # the cut left a valid registry
            line = result.output.strip()
            assert result.exit_code == 1 and len(line.splitlines()) == 1, result.output
            assert str(path) in line, line
            if "not valid TOML" in line:
                assert "line" in line or "end of document" in line, line
                outcomes["TOML syntax error named with its line"] += 1
            else:
                outcomes["named file, entry and field"] += 1
            continue
        k = rng.randrange(len(entries))
        field = rng.choice(sorted(BAD))
        entries[k][field] = rng.choice(BAD[field])
        path.write_text(to_toml(entries))
        result = _run(["sources", "--sources", str(path)])
        line = result.output.strip()
        shown = f"{field}={entries[k][field]!r}: {result.output}"
        assert result.exit_code == 1, shown
        assert len(line.splitlines()) == 1, shown
        assert str(path) in line, shown
        assert f"source #{k + 1}" in line, shown
        named = field.split(".")[0]
        if field == "id" or named == "nonsense_field":
            assert field in line or "'id'" in line, shown
        else:
            assert f"'{named}" in line, shown
        outcomes["named file, entry and field"] += 1
    trial.tries = sum(outcomes.values())
    for name, count in outcomes.items():
        trial.saw(name, count)


CONFIG_BAD = [
    ("local", "port", '"x"'),
    ("local", "port", "70000"),
    ("local", "port", "-1"),
    ("elasticsearch", "verify_certs", '"perhaps"'),
    ("elasticsearch", "url", '"es.example:9200"'),
    ("elasticsearch", "url", '"ftp://es.example"'),
    ("elasticsearch", "nonsense", '"x"'),
    ("crawler", "speed", "3"),
    ("nowhere", "port", "1"),
]


def test_bad_config_files_name_file_and_key(tmp_path, trial):
    trial.case = "malformed config file"
    rng = random.Random(seed_for(trial.case, 0))
    path = tmp_path / "config.toml"
    tries = 0
    for _ in range(max(len(CONFIG_BAD), CASES // 4)):
        section, key, value = rng.choice(CONFIG_BAD)
        good = '[elasticsearch]\nindex_prefix = "news"\n[local]\nheap = "256m"\n'
        if rng.random() < 0.2:
            path.write_text(good + f"[{section}\n{key} = = {value}\n")  # broken TOML
            want = ["not valid TOML"]
        else:
            path.write_text(good.replace(f"[{section}]\n", "") + f"[{section}]\n{key} = {value}\n")
            want = [f"{section}.{key}"]
        env = {"NEWSARCHIVE_CONFIG": str(path), "NEWSARCHIVE_HOME": str(tmp_path)}
        for command in (["es", "status"], ["search", "x"], ["index"], ["stats"]):
            result = _run(command, env)
            line = result.output.strip()
            assert result.exit_code == 1 and len(line.splitlines()) == 1, (command, result.output)
            assert str(path) in line and all(w in line for w in want), (command, line)
            tries += 1
    trial.tries = tries
    trial.saw("named file and key, exit 1", tries)


@pytest.mark.parametrize(
    "var,value",
    [
        ("NEWSARCHIVE_LOCAL_ES_PORT", "port"),
        ("NEWSARCHIVE_ES_VERIFY_CERTS", "sometimes"),
        ("NEWSARCHIVE_ES_URL", "es.example:9200"),
    ],
)
def test_bad_environment_values_name_the_variable(tmp_path, var, value):
    env = {var: value, "NEWSARCHIVE_HOME": str(tmp_path), "NEWSARCHIVE_CONFIG": ""}
    result = _run(["es", "status"], env)
    assert result.exit_code == 1 and var in result.output, result.output
