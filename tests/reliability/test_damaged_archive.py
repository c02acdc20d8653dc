"""An archive damaged after the fact (a line of articles.jsonl overwritten, a closed
WARC cut short): the damage is found and named by file and line or offset, nothing
else is lost, and nothing is silently dropped."""

from __future__ import annotations

import json
import random

import pytest

from tests.crawl.conftest import Crawler, registry_text
from tests.reliability.checks import string_tags
from tests.reliability.conftest import reps, seed_for
from tests.site import NewsSite

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

DAMAGE = {
    "not JSON": lambda line: line[: len(line) // 2] + b"\xe2\x80\x9cgarbage",
    "not UTF-8": lambda line: b'{"event": "new", "title": "\xff\xfe"}',
    "no source_id": lambda line: json.dumps(
        {k: v for k, v in json.loads(line).items() if k != "source_id"}
    ).encode(),
}


def _archived_urls(path) -> set[str]:
    """URLs of the versions in a record file, passing over lines that do not parse."""
    urls = set()
    for raw in path.read_bytes().splitlines():
        try:
            record = json.loads(raw)
        except ValueError:
            continue
        if record.get("event") in ("new", "changed"):
            urls.add(record["url"])
    return urls


def _crawled(tmp_path, n: int = 8) -> tuple[NewsSite, Crawler]:
    site = NewsSite(n_articles=n, feed_size=n).__enter__()
    registry = tmp_path / "sources.toml"
    registry.write_text(string_tags(registry_text(site)))
    crawler = Crawler(tmp_path / "home", registry)
    crawler.home.mkdir()
    result = crawler.run()
    assert result.returncode == 0, result.stderr[-2000:]
    return site, crawler


@pytest.mark.parametrize("rep", reps())
@pytest.mark.parametrize("kind", sorted(DAMAGE))
def test_a_damaged_record_line_is_skipped_and_named_when_the_store_is_rebuilt(
    tmp_path, kind, rep, trial
):
    trial.case = "a damaged line in the middle of articles.jsonl, seen-store deleted"
    rng = random.Random(seed_for(trial.case + kind, rep))
    site, crawler = _crawled(tmp_path)
    try:
        path = crawler.home / "articles" / "articles.jsonl"
        lines = path.read_bytes().splitlines(keepends=True)
        number = rng.randrange(2, len(lines))  # 1-based, never the last line
        lines[number - 1] = DAMAGE[kind](lines[number - 1].rstrip(b"\n")) + b"\n"
        path.write_bytes(b"".join(lines))
        for leftover in crawler.home.glob("seen.sqlite*"):
            leftover.unlink()  # documented as derived: the next crawl rebuilds it
        result = crawler.run()
    finally:
        site.__exit__(None, None, None)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    named = [n for n in result.report["archive_notes"] if f"articles.jsonl line {number}:" in n]
    assert named, result.report["archive_notes"]
    assert f"line {number}" in result.stdout
    # The store holds every other article: only the damaged one is fetched again.
    refetched = result.source["articles"]["new"]
    assert refetched <= 1, result.source["articles"]
    assert _archived_urls(path) == {site.article_url(i) for i in range(len(site.articles))}
    trial.saw(f"{kind}: skipped and named, store rebuilt")


def _ids(path) -> set[str]:
    ids = set()
    for raw in path.read_bytes().splitlines():
        try:
            ids.add(json.loads(raw)["id"])
        except (ValueError, KeyError):
            continue
    return ids


@pytest.mark.es
@pytest.mark.parametrize("rep", reps())
def test_a_cut_warc_is_named_everywhere_and_loses_no_article(tmp_path, es_env, rep, trial):
    from click.testing import CliRunner

    from search_cli.cli import cli

    trial.case = "a closed WARC cut short (show --raw, reextract, promote, crawl, verify)"
    rng = random.Random(seed_for(trial.case, rep))
    site = NewsSite(n_articles=16, feed_size=16, seed=rng.randrange(1000)).__enter__()
    try:
        registry = tmp_path / "sources.toml"
        registry.write_text(string_tags(registry_text(site)))
        home = es_env.home
        home.mkdir(parents=True, exist_ok=True)
        crawler = Crawler(home, registry)
        assert crawler.run(WARC_MAX_BYTES="20000").returncode == 0
        live = home / "articles" / "articles.jsonl"
        records = [json.loads(line) for line in live.read_text().splitlines()]
        before = _ids(live)
        # Cut a closed file inside the data of a seeded article's capture (not in the
        # last 64 bytes of its gzip member, whose loss may leave every byte readable).
        lost = rng.choice([r for r in records if r["event"] == "new"])
        victim, capture = lost["capture"]["warc_file"], lost["capture"]
        path = home / "warc" / victim
        cut = rng.randrange(capture["offset"] + 1, capture["offset"] + capture["length"] - 64)
        path.write_bytes(path.read_bytes()[:cut])
        runner = CliRunner()
        assert runner.invoke(cli, ["index"]).exit_code == 0

        shown = runner.invoke(cli, ["show", lost["id"], "--raw"])
        assert shown.exit_code == 1, shown.output
        assert victim in shown.output and "offset" in shown.output, shown.output
        assert "Traceback" not in shown.output

        verified = runner.invoke(cli, ["verify"])
        assert verified.exit_code == 1, verified.output
        assert f"damaged: {victim} @ offset" in verified.output, verified.output
        assert f"{lost['id']} v{lost['version']}" in verified.output

        redone = runner.invoke(cli, ["reextract", "--out", str(tmp_path / "re")])
        assert redone.exit_code == 0, redone.output
        assert f"damaged: warc/{victim}" in redone.output, redone.output
        promoted = runner.invoke(cli, ["reextract", "--promote", str(tmp_path / "re")])
        assert promoted.exit_code == 0, promoted.output
        assert "kept the live records of" in promoted.output, promoted.output
        # The lost article keeps its live record (the message lists 10 ids at most: a cut
        # early in a file can lose more articles than that).
        kept = [json.loads(line) for line in live.read_text().splitlines()]
        assert lost in kept
        assert lost["id"] in promoted.output or promoted.output.count(", ") >= 9
        assert _ids(live) == before  # promotion dropped no article

        again = crawler.run()
        assert again.returncode == 0, again.stderr[-2000:]
        assert any(
            victim in note and "damaged" in note for note in again.report["archive_notes"]
        ), again.report["archive_notes"]
        assert victim in again.stdout
    finally:
        site.__exit__(None, None, None)
    trial.lost = len(before - _ids(live))
    trial.saw("named by show --raw, verify, reextract, promote and the next crawl")
