"""The edit workflows of the CLI on a real crawl of the loopback site: two default crawls
(the clock moved two hours) catch a headline rewrite, a paragraph added with a
correction notice and a removal; the records are indexed, then searched, listed,
diffed and exported."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from click.testing import CliRunner

from tests.crawl.conftest import Crawler, registry_text
from tests.reliability.checks import string_tags
from tests.site import NewsSite

pytestmark = pytest.mark.es

REWRITE = "Senate leaders walk back their budget deal"
NOTICE = "Correction: An earlier version of this article misstated the vote."


@pytest.fixture(scope="module")
def edited(es_client, es_settings, module_prefix, tmp_path_factory):
    from indexer.load import load_records
    from newsarchive.es import resolve_url

    root = tmp_path_factory.mktemp("edits")
    with NewsSite(n_articles=8) as site:
        registry = root / "sources.toml"
        registry.write_text(string_tags(registry_text(site)))
        home = root / "home"
        home.mkdir()
        crawler = Crawler(home, registry)
        t0 = site.now
        assert crawler.run(CRAWL_CLOCK=t0.isoformat()).returncode == 0
        original = site.articles[0].title
        site.edit(0, title=REWRITE, at=t0 + timedelta(minutes=30), signal=False)
        site.edit(1, add=NOTICE, at=t0 + timedelta(minutes=30), signal=False)
        site.remove(3, at=t0 + timedelta(minutes=30))
        site.now = t0 + timedelta(hours=2)
        second = crawler.run(CRAWL_CLOCK=site.now.isoformat())
        assert second.returncode == 0, second.stderr[-3000:]
        ids = {i: _id(crawler, site.article_url(i)) for i in (0, 1, 3)}
    summary = load_records(es_client, crawler.records(), module_prefix)
    assert summary.rejected == 0, summary.reasons
    env = {
        "NEWSARCHIVE_HOME": str(home),
        "NEWSARCHIVE_ES_URL": resolve_url(es_settings),
        "NEWSARCHIVE_INDEX_PREFIX": module_prefix,
    }
    return env, ids, original


def _id(crawler: Crawler, url: str) -> str:
    return next(r["id"] for r in crawler.records() if r["url"] == url)


@pytest.fixture
def cli(edited, monkeypatch):
    from search_cli.cli import cli as group

    env, _, _ = edited
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("NEWSARCHIVE_CONFIG", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)

    def run(*args: str):
        return CliRunner().invoke(group, list(args), catch_exceptions=False)

    return run


def _ids(result) -> set[str]:
    assert result.exit_code == 0, result.output
    return {json.loads(line)["id"] for line in result.stdout.splitlines() if line.strip()}


def test_search_filters_edited_headline_changed_and_removed(cli, edited):
    _, ids, _ = edited
    assert _ids(cli("search", "--edited", "--format", "jsonl")) == {ids[0], ids[1]}
    assert _ids(cli("search", "--headline-changed", "--format", "jsonl")) == {ids[0]}
    assert _ids(cli("search", "--removed", "--format", "jsonl")) == {ids[3]}
    assert _ids(cli("search", "budget", "--edited", "--format", "jsonl")) == {ids[0]}
    counted = cli("count", "--edited")
    assert counted.exit_code == 0 and "2" in counted.stdout


def test_edits_lists_every_edit_and_removal(cli, edited):
    _, ids, _ = edited
    data = json.loads(cli("edits", "--format", "json").stdout)
    events = {(e["article_id"], e["event"]): e for e in data["events"]}
    assert data["total"] == 3 and len(events) == 3
    headline = events[(ids[0], "changed")]
    assert headline["version"] == 2 and "title" in headline["changed_fields"]
    assert headline["title"] == REWRITE and headline["outlet"] == "The Loopback Ledger"
    added = events[(ids[1], "changed")]
    assert "body" in added["changed_fields"]  # (a description taken from the text may move too)
    assert added["words_added"] >= len(NOTICE.split())
    assert added["corrections"] == [{"kind": "correction", "text": NOTICE}]
    assert events[(ids[3], "removed")]["reason"]

    table = cli("edits", "--headline-changed")
    assert table.exit_code == 0, table.output
    assert "1 version events:" in table.stdout and REWRITE in table.stdout
    assert "REMOVED" in cli("edits", "--removed").stdout


def test_show_diff_prints_the_headline_rewrite(cli, edited):
    _, ids, original = edited
    result = cli("show", ids[0], "--diff")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("v1 (") and "-> v2 (" in lines[0]
    title = lines[lines.index("title:") + 1]
    assert "\x1b[" not in result.stdout  # piped: plain markers, no colour
    assert "[-" in title and "{+" in title
    # Dropping the added words gives the old headline, dropping the removed the new one.
    kept_old = _strip(title, "{+", "+}").replace("[-", "").replace("-]", "")
    kept_new = _strip(title, "[-", "-]").replace("{+", "").replace("+}", "")
    assert " ".join(kept_old.split()) == original and " ".join(kept_new.split()) == REWRITE

    body = cli("show", ids[1], "--diff", "--version", "2")
    assert body.exit_code == 0 and "{+" + NOTICE + "+}" in body.stdout
    assert "correction: " + NOTICE in body.stdout
    bad = cli("show", ids[1], "--diff", "--version", "3")
    assert bad.exit_code == 2 and "choose a version from 2 to 2" in bad.output
    one = cli("show", ids[3], "--diff")
    assert one.exit_code == 2 and "one version" in one.output


def _strip(text: str, start: str, end: str) -> str:
    out, rest = "", text
    while start in rest:
        before, _, after = rest.partition(start)
        out += before
        rest = after.partition(end)[2]
    return out + rest


def test_export_versions_writes_the_events_with_their_diffs(cli, edited, tmp_path):
    _, ids, _ = edited
    path = tmp_path / "versions.jsonl"
    result = cli("export", "--versions", "-o", str(path))
    assert result.exit_code == 0, result.output
    assert "exported 3 version events" in result.stderr
    events = [json.loads(line) for line in path.read_text().splitlines()]
    by_article = {(e["article_id"], e["event"]): e for e in events}
    assert set(by_article) == {(ids[0], "changed"), (ids[1], "changed"), (ids[3], "removed")}
    assert by_article[(ids[1], "changed")]["diff"]["body"].count("{+" + NOTICE + "+}") == 1
    assert "{+" in by_article[(ids[0], "changed")]["diff"]["title"]

    csv_out = cli("export", "--versions", "--format", "csv", "--headline-changed")
    assert csv_out.exit_code == 0
    assert csv_out.stdout.splitlines()[0].startswith("article_id,outlet,url,title,event")
    refused = cli("export", "--versions", "--fields", "title")
    assert refused.exit_code == 2


def test_timeline_edits_counts_edit_events_by_outlet(cli):
    result = cli("timeline", "--edits", "--interval", "day", "--by", "outlet", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["total"] == 2 and data["date_field"] == "crawled" and data["split"] == "outlet"
    per_outlet: dict[str, int] = {}
    for row in data["rows"]:
        per_outlet[row["outlet"]] = per_outlet.get(row["outlet"], 0) + row["articles"]
    assert per_outlet == {"The Loopback Ledger": 2}
    chart = cli("timeline", "--edits", "--interval", "day")
    assert "2 edit events per day" in chart.stdout
    narrowed = cli("timeline", "budget", "--edits", "--format", "json")
    assert json.loads(narrowed.stdout)["total"] == 1
    assert cli("timeline", "--edits", "--normalize").exit_code == 2


def test_a_diff_is_coloured_on_a_terminal_and_never_lets_page_escapes_through():
    from search_cli.commands._diff import diff_text

    old = {"title": "Senate passes the bill", "body": "First.\nSecond \x1b[31mred\x1b[0m."}
    new = {"title": "Senate blocks the bill", "body": "First.\nSecond \x1b[31mred\x1b[0m, again."}
    coloured = diff_text(old, new, color=True)
    assert any("\x1b[31m" in line and "passes" in line for line in coloured)  # red, struck
    assert any("\x1b[32m" in line and "blocks" in line for line in coloured)  # green
    plain = diff_text(old, new, color=False)
    assert plain[:2] == ["title:", "  Senate [-passes-]{+blocks+} the bill"]
    assert plain[2] == "body:" and "\x1b" not in "".join(plain)
