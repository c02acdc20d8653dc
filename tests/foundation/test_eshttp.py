"""The light client the read-only commands use: the same answers as the official
client on the real node, and one clear line for every server that is not a usable
Elasticsearch (refused credentials, another product, a dropped connection)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from newsarchive.errors import ElasticsearchUnavailable
from newsarchive.eshttp import HttpApiError, LightClient
from tests.loopback import LoopbackServer, QuietHandler


def _server(status: int, headers: dict[str, str], body: bytes) -> LoopbackServer:
    class Handler(QuietHandler):
        seen: list[dict] = []

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            Handler.seen.append({"path": self.path, "auth": self.headers.get("Authorization"),
                                 "body": self.rfile.read(length)})  # fmt: skip
            self.reply(status, headers, body)

        do_GET = do_POST  # noqa: N815

    server = LoopbackServer(Handler)
    server.seen = Handler.seen
    return server


def test_answers_as_the_official_client_on_the_real_node(es_settings, es_client):
    from newsarchive.es import resolve_url

    light = LightClient(resolve_url(es_settings))
    try:
        assert light.info().body["version"]["number"] == es_client.info().body["version"]["number"]
        body = {"size": 0, "query": {"match_all": {}}}
        assert (
            light.search(index="*", **body).body["hits"]["total"]
            == es_client.search(index="*", **body).body["hits"]["total"]
        )
        with pytest.raises(HttpApiError) as missing:
            light.search(index="no-such-index-here", query={"match_all": {}})
        assert missing.value.status == 404 and missing.value.error == "index_not_found_exception"
    finally:
        light.close()


def test_refused_credentials_and_another_product_are_one_line():
    refused = _server(401, {"Content-Type": "application/json"}, b'{"error": "no"}')
    other = _server(200, {"Content-Type": "application/json"}, b'{"hits": {}}')
    try:
        with pytest.raises(ElasticsearchUnavailable, match="rejected the credentials"):
            LightClient(refused.url, api_key="k3y").search(index="a", query={})
        assert refused.seen[0]["auth"] == "ApiKey k3y" and refused.seen[0]["path"] == "/a/_search"
        with pytest.raises(ElasticsearchUnavailable, match="is not Elasticsearch"):
            LightClient(other.url, basic_auth=("u", "p")).count(index="a")
        assert other.seen[0]["auth"].startswith("Basic ")
    finally:
        refused.close()
        other.close()


def test_the_cli_says_one_line_for_a_server_that_is_not_elasticsearch(tmp_path, monkeypatch):
    from search_cli.cli import cli

    html = _server(200, {"Content-Type": "text/html"}, b"<html>a router login page</html>")
    try:
        monkeypatch.setenv("NEWSARCHIVE_HOME", str(tmp_path))
        monkeypatch.setenv("NEWSARCHIVE_ES_URL", html.url)
        result = CliRunner().invoke(cli, ["search", "tax"])
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert "not Elasticsearch" in result.output, result.output
        sent = json.loads(html.seen[0]["body"])
        assert "query" in sent
    finally:
        html.close()
