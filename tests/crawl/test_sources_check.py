"""`newsarchive sources --check`: every listing of the registry fetched once, from real
loopback servers, with a verdict per URL under the crawler's own scope rules."""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from search_cli.cli import cli
from tests.loopback import LoopbackServer, QuietHandler
from tests.site import NewsSite

UA = "newsarchive-check-test/1.0 (+https://example.org/contact)"


class Odd(QuietHandler):
    """A second outlet: an empty feed, a feed that redirects off the source, a refusing
    server, no robots.txt. Every request is logged with the Host it was sent to."""

    log: list[tuple[str, str]] = []

    def do_GET(self) -> None:  # noqa: N802
        Odd.log.append((self.headers.get("Host", ""), self.path))
        port = self.server.server_address[1]
        if self.path == "/empty.xml":
            body = (
                b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>'
            )
            self.reply(200, {"Content-Type": "application/rss+xml"}, body)
        elif self.path == "/moved.xml":
            self.reply(302, {"Location": f"http://localhost:{port}/empty.xml"}, b"")
        elif self.path == "/members.xml":
            self.reply(403, {"Content-Type": "text/html"}, b"<h1>Forbidden</h1>")
        else:
            self.reply(404, {"Content-Type": "text/html"}, b"<h1>Not found</h1>")


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _entry(sid: str, homepage: str, **lists: list[str]) -> str:
    lines = ["[[source]]", f'id = "{sid}"', f'name = "{sid.title()}"', f'homepage = "{homepage}"']
    lines += [f"{k} = {json.dumps(v)}" for k, v in lists.items()]
    return "\n".join(lines) + "\n"


@pytest.fixture
def world(tmp_path, monkeypatch):
    """A registry over a fresh site, a stale one, the odd outlet, a dead port and a
    source whose feed is on a private address its homepage is not at."""
    monkeypatch.setenv("NEWSARCHIVE_USER_AGENT", UA)
    monkeypatch.setenv("NEWSARCHIVE_HOME", str(tmp_path / "home"))
    Odd.log = []
    fresh = NewsSite(n_articles=12).start()
    stale = NewsSite(n_articles=4, now=datetime.now(UTC) - timedelta(days=30))
    stale.start()
    odd = LoopbackServer(Odd)
    hidden = LoopbackServer(Odd, host="127.0.0.2")  # no checked homepage is at 127.0.0.2
    dead = _closed_port()
    registry = tmp_path / "sources.toml"
    registry.write_text(
        "version = 1\n"
        + _entry(
            "fresh",
            fresh.url("/"),
            domains=["127.0.0.1"],
            feeds=[fresh.url("/feeds/rss.xml"), fresh.url("/private/feed.xml")],
            sitemaps=[fresh.url("/sitemap.xml"), fresh.url("/sitemaps/news.xml")],
            sections=[fresh.url("/section/politics/"), fresh.url("/section/gone/")],
        )
        + _entry(
            "stale", stale.url("/"), domains=["127.0.0.1"], feeds=[stale.url("/feeds/rss.xml")]
        )
        + _entry(
            "odd",
            odd.url + "/",
            domains=["127.0.0.1"],
            feeds=[odd.url + "/empty.xml", odd.url + "/moved.xml", odd.url + "/members.xml"],
        )
        + _entry("dead", f"http://127.0.0.1:{dead}/", feeds=[f"http://127.0.0.1:{dead}/feed"])
        + _entry("private", "http://10.255.255.1/", feeds=[hidden.url + "/private.xml"])
        + _entry("off", "http://127.0.0.1/", feeds=[fresh.url("/feeds/rss.xml")], enabled=False)
    )
    yield {"registry": registry, "fresh": fresh, "stale": stale, "odd": odd, "hidden": hidden}
    fresh.stop()
    stale.stop()
    odd.close()
    hidden.close()


def _check(world, *args: str):
    return CliRunner().invoke(
        cli,
        ["sources", "--sources", str(world["registry"]), "--check", "--delay", "0", *args],
    )


def _rows(result) -> dict[tuple[str, str], dict]:
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    return {(r["source_id"], r["url"]): r for r in data["urls"]}


def test_every_verdict_from_real_servers(world):
    fresh, stale, odd = world["fresh"], world["stale"], world["odd"]
    result = _check(world, "--format", "json")
    rows = _rows(result)
    data = json.loads(result.output)
    assert data["sources"] == ["fresh", "stale", "odd", "dead", "private"]  # enabled ones

    feed = rows["fresh", fresh.url("/feeds/rss.xml")]
    assert (feed["verdict"], feed["status"], feed["items"], feed["robots"]) == (
        "ok",
        200,
        8,
        "allowed",
    )
    assert feed["newest"][:16] == fresh.articles[0].published.isoformat()[:16]
    index = rows["fresh", fresh.url("/sitemap.xml")]
    assert (index["verdict"], index["items"]) == ("ok", 2)  # an index of two sitemaps
    news = rows["fresh", fresh.url("/sitemaps/news.xml")]
    assert news["verdict"] == "ok" and news["items"] == len(fresh.news_articles())
    section = rows["fresh", fresh.url("/section/politics/")]
    assert section["verdict"] == "ok" and section["items"] >= 4
    robots = rows["fresh", fresh.url("/robots.txt")]
    assert (robots["kind"], robots["verdict"], robots["status"]) == ("robots", "ok", 200)

    private_feed = rows["fresh", fresh.url("/private/feed.xml")]
    assert (private_feed["verdict"], private_feed["robots"]) == ("blocked", "disallowed")
    assert private_feed["status"] is None and not fresh.requests_for("/private/")
    gone = rows["fresh", fresh.url("/section/gone/")]
    assert (gone["verdict"], gone["status"], gone["reason"]) == ("dead", 404, "HTTP 404")

    old = rows["stale", stale.url("/feeds/rss.xml")]
    assert old["verdict"] == "stale" and "30 days old" in old["reason"]

    empty = rows["odd", odd.url + "/empty.xml"]
    assert (empty["verdict"], empty["status"], empty["items"]) == ("empty", 200, 0)
    assert rows["odd", odd.url + "/robots.txt"]["reason"].startswith("HTTP 404: no robots.txt")
    refused = rows["odd", odd.url + "/members.xml"]
    assert (refused["verdict"], refused["status"]) == ("blocked", 403)
    moved = rows["odd", odd.url + "/moved.xml"]
    assert moved["verdict"] == "dead" and moved["reason"].startswith("offsite_redirect")
    assert not [path for host, path in Odd.log if host.startswith("localhost")]

    port_feed = next(r for (sid, _), r in rows.items() if sid == "dead" and r["kind"] == "feed")
    assert port_feed["verdict"] == "dead" and port_feed["reason"] == "connection_refused"
    private = rows["private", world["hidden"].url + "/private.xml"]
    assert private["verdict"] == "dead" and private["reason"].startswith("private_address")
    assert not [path for host, path in Odd.log if host.startswith("127.0.0.2")]

    assert data["summary"] == {"ok": 4, "empty": 1, "stale": 1, "blocked": 2, "dead": 4}
    # Politely, as the crawler: its User-Agent, one request per URL, robots.txt once a host.
    assert {s.headers.get("user-agent") for s in fresh.log} == {UA}
    paths = [s.path for s in fresh.log]
    assert sorted(paths) == sorted(set(paths))
    assert paths[0] == "/robots.txt"


def test_table_fits_80_columns_and_names_each_url(world):
    fresh = world["fresh"]
    result = _check(world, "fresh", "odd")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["source", "kind", "status", "items", "newest", "robots", "verdict"]
    urls = [fresh.url("/feeds/rss.xml"), world["odd"].url + "/moved.xml"]
    assert all(f"  {u}" in lines for u in urls)
    assert all(len(line) <= 80 for line in lines if not line.startswith("  http"))
    assert lines[-1] == "9 URLs of 2 sources: 4 ok, 1 empty, 0 stale, 2 blocked, 2 dead"


def test_a_disabled_source_is_checked_when_named(world):
    rows = _rows(_check(world, "off", "--format", "json"))
    assert {sid for sid, _ in rows} == {"off"}


def test_requests_to_one_host_wait_for_the_delay(world):
    fresh = world["fresh"]
    result = _check(world, "fresh", "--delay", "0.3", "--format", "json")
    assert result.exit_code == 0, result.output
    times = [s.at for s in fresh.log]
    assert len(times) == 6  # robots.txt + five listings (the robots-disallowed one is not asked)
    assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= 0.28


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope"], "unknown source id 'nope'"),
        (["--stale-days", "0"], "--stale-days"),
        (["--timeout", "soon"], "--timeout"),
    ],
)
def test_bad_input_exits_2_with_one_line(args, message):
    # Refused before anything is fetched: the starter registry is never contacted here.
    result = CliRunner().invoke(cli, ["sources", "--check", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
