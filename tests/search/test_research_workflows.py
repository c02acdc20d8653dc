"""What a political-news researcher runs every day (issue 16, "Research workflows"):
outlets and leans compared over time, queries side by side, attention (normalized
counts), reproducible samples to code, citable exports and captures."""

from __future__ import annotations

import hashlib
import json


def _json(cli, *args):
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _total(cli, *args) -> int:
    return _json(cli, "count", *args)["total"]


def test_count_by_lean_normalized_is_the_share_of_all_articles_of_that_lean(cli):
    data = _json(cli, "count", "budget OR tax", "--by", "where.lean", "--normalize")
    assert data["counts"], data
    for row in data["counts"]:
        everything = _total(cli, "", "--where", f"lean={row['where.lean']}")
        matches = _total(cli, "budget OR tax", "--where", f"lean={row['where.lean']}")
        assert (row["articles"], row["all"]) == (matches, everything)
        assert row["normalized"] == matches / everything
    assert data["all"] == _total(cli, "")


def test_count_queries_side_by_side(cli):
    data = _json(cli, "count", "budget", "--vs", "tax", "--vs", "senate", "--from", "2019")
    assert [r["query"] for r in data["counts"]] == ["budget", "tax", "senate"]
    for row in data["counts"]:
        assert row["articles"] == _total(cli, row["query"], "--from", "2019")
    same = cli("count", "tax", "--vs", "tax")
    assert same.exit_code == 2 and "same query" in same.output
    both = cli("count", "tax", "--vs", "budget", "--by", "outlet")
    assert both.exit_code == 2 and "Traceback" not in both.output


def test_timeline_versus_and_normalized_per_period(cli):
    data = _json(cli, "timeline", "budget", "--vs", "tax", "--from", "2019", "--to", "2019", "--interval", "year", "--normalize")  # fmt: skip
    rows = {r["query"]: r for r in data["rows"]}
    assert set(rows) == {"budget", "tax"} and data["split"] == "query"
    everything = _total(cli, "", "--from", "2019", "--to", "2019")
    for query, row in rows.items():
        assert row["period"] == "2019-01-01"
        assert row["articles"] == _total(cli, query, "--from", "2019", "--to", "2019")
        assert row["all"] == everything and row["normalized"] == row["articles"] / everything
    chart = cli("timeline", "budget", "--vs", "tax", "--interval", "year", "--normalize")
    assert chart.exit_code == 0 and "share of all articles" in chart.stdout
    assert "budget" in chart.stdout and "tax" in chart.stdout


def test_timeline_by_outlet_normalized(cli):
    data = _json(cli, "timeline", "", "--by", "outlet", "--from", "2019-06", "--to", "2019-06", "--normalize")  # fmt: skip
    for row in data["rows"]:
        assert row["normalized"] == (1.0 if row["all"] else None)  # an empty query: all
    assert {r["outlet"] for r in data["rows"]} == {"The Daily Ledger", "Capitol Wire"}


def test_a_sample_is_reproducible_and_the_lowest_hashes(cli, corpus, tmp_path):
    every = [json.loads(x)["id"] for x in cli("export", "", "--fields", "id").stdout.splitlines()]
    assert len(every) == 15

    def sample(*args) -> list[str]:
        out = tmp_path / "s.jsonl"
        result = cli("export", "", "--fields", "id,outlet", "-o", str(out), *args)
        assert result.exit_code == 0, result.output
        return [json.loads(line) for line in out.read_text().splitlines()]

    drawn = sample("--sample", "5", "--seed", "7")
    lowest = sorted(every, key=lambda i: hashlib.sha256(f"7:{i}".encode()).hexdigest())[:5]
    assert sorted(r["id"] for r in drawn) == sorted(lowest)
    assert sample("--sample", "5", "--seed", "7") == drawn
    assert sample("--sample", "5", "--seed", "8") != drawn
    meta = json.loads((tmp_path / "s.meta.json").read_text())["export"]
    assert meta["sample"]["seed"] == 8 and meta["sample"]["size"] == 5
    stratified = sample("--per-outlet", "2", "--seed", "7")
    outlets = [r["outlet"] for r in stratified]
    assert sorted(outlets) == sorted(["The Daily Ledger", "Capitol Wire", "Frontier Post"] * 2)
    unseeded = cli("export", "", "--sample", "3", "--fields", "id")
    assert unseeded.exit_code == 0 and "sample seed" in unseeded.stderr
    assert cli("export", "", "--seed", "3").exit_code == 2


def test_export_rows_carry_the_capture_to_cite(cli, corpus):
    fields = "id,url,canonical_url,first_seen,last_seen,version,warc_file,warc_offset,warc_length,warc_digest,warc_record_id"  # fmt: skip
    rows = [
        json.loads(line)
        for line in cli("export", '"tax cuts"', "--fields", fields).stdout.splitlines()
    ]
    capture = corpus.records[0]["capture"]
    assert len(rows) == 1
    row = rows[0]
    assert (row["warc_file"], row["warc_offset"], row["warc_length"]) == (
        capture["warc_file"],
        capture["offset"],
        capture["length"],
    )
    assert row["warc_digest"] == capture["digest"] and row["warc_record_id"] == capture["record_id"]
    assert row["first_seen"] and row["last_seen"] and row["version"] == 1


def test_show_by_url_as_by_id(cli, corpus):
    by_id = _json(cli, "show", corpus.id_of(1))
    url = corpus.records[0]["url"]
    by_url = _json(cli, "show", url)
    assert by_url["article"]["id"] == by_id["article"]["id"] == corpus.id_of(1)
    unknown = cli("show", "https://nowhere.example/none")
    assert unknown.exit_code == 1 and "Traceback" not in unknown.output


def test_show_query_prints_the_request_without_elasticsearch(cli, corpus, monkeypatch):
    monkeypatch.setenv("NEWSARCHIVE_ES_URL", "http://127.0.0.1:9")  # nothing listens
    for args in (
        ["search", "tax", "--from", "2019"],
        ["count", "tax", "--by", "outlet"],
        ["timeline", "tax", "--vs", "budget"],
        ["export", "tax"],
    ):
        result = cli(*args, "--show-query")
        assert result.exit_code == 0, result.output
        first, _, body = result.stdout.partition("\n")
        assert first == f"GET {corpus.prefix}-articles/_search"
        request = json.loads(body)
        assert "query" in request
    # The request printed is the one sent: running it gives the command's total.
    from newsarchive.es import connect

    monkeypatch.setenv("NEWSARCHIVE_ES_URL", corpus.url)
    body = json.loads(cli("count", "tax", "--show-query").stdout.partition("\n")[2])
    sent = connect().search(index=f"{corpus.prefix}-articles", **body).body
    assert sent["hits"]["total"]["value"] == _total(cli, "tax")


def test_versions_lists_each_version_with_its_capture(cli, corpus):
    key = corpus.id_of(15)
    data = _json(cli, "versions", key, "--fields", "version,event,changed,title,warc_file")
    rows = data["versions"]
    assert [r["version"] for r in rows] == [1, 2, 3]
    assert [r["event"] for r in rows] == ["new", "changed", "changed"]
    assert rows[0]["title"] == "Council approves budget"
    assert rows[1]["title"] == rows[2]["title"] == "Council approves revised budget"
    assert "title" in rows[1]["changed"] and "body" in rows[2]["changed"]
    table = cli("versions", key[:8])
    assert table.exit_code == 0 and table.stdout.splitlines()[0].split()[:3] == [
        "version",
        "event",
        "crawled",
    ]
    cited = _json(cli, "versions", corpus.id_of(1))["versions"]
    capture = corpus.records[0]["capture"]
    assert (cited[0]["warc_file"], cited[0]["warc_offset"]) == (
        capture["warc_file"],
        capture["offset"],
    )
