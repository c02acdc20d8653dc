"""`newsarchive kibana setup` against a loopback HTTP server that records what it gets and
answers like Kibana's saved-objects import API (success, partial failure, errors)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from email.parser import BytesParser
from email.policy import HTTP
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner

from kibana.saved_objects import BUNDLE, load_bundle
from search_cli.cli import cli
from tests.loopback import LoopbackServer, QuietHandler


class FakeKibanaEndpoint(LoopbackServer):
    """Records each request; answers with ``status`` and ``answer`` (a real server)."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.status = 200
        self.answer: dict | str = {"success": True, "successCount": 5}
        endpoint = self

        class Handler(QuietHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                endpoint.requests.append(
                    {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                    }
                )
                raw = endpoint.answer
                data = raw.encode() if isinstance(raw, str) else json.dumps(raw).encode()
                self.reply(endpoint.status, {"Content-Type": "application/json"}, data)

        super().__init__(Handler)


@pytest.fixture
def kibana(monkeypatch, tmp_path) -> Iterator[FakeKibanaEndpoint]:
    for var in ("NEWSARCHIVE_ES_API_KEY", "NEWSARCHIVE_ES_USER", "NEWSARCHIVE_ES_PASSWORD"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.delenv("NEWSARCHIVE_KIBANA_URL", raising=False)
    monkeypatch.delenv("NEWSARCHIVE_INDEX_PREFIX", raising=False)
    monkeypatch.setenv("NEWSARCHIVE_HOME", str(tmp_path))
    server = FakeKibanaEndpoint()
    yield server
    server.close()


def _file_part(request: dict) -> tuple[str, bytes, str]:
    """(field name, content, filename) of the one part of the multipart body."""
    head = f"Content-Type: {request['headers']['content-type']}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + request["body"])
    assert message.is_multipart()
    (part,) = list(message.iter_parts())
    return part.get_param("name", header="content-disposition"), part.get_content(), part.get_filename()  # fmt: skip


def test_import_request_shape_and_dashboard_url(kibana):
    result = CliRunner().invoke(cli, ["kibana", "setup", "--kibana-url", kibana.url + "/"])
    assert result.exit_code == 0, result.output
    assert f"dashboard: {kibana.url}/app/dashboards#/view/newsarchive-overview" in result.output
    assert "imported 5 saved objects" in result.output
    (request,) = kibana.requests
    parts = urlsplit(request["path"])
    assert parts.path == "/api/saved_objects/_import"
    assert parse_qs(parts.query) == {"overwrite": ["true"]}
    assert request["headers"]["kbn-xsrf"] == "true"
    assert request["headers"]["content-type"].startswith("multipart/form-data; boundary=")
    assert "authorization" not in request["headers"]
    name, content, filename = _file_part(request)
    assert name == "file" and filename.endswith(".ndjson")
    sent = [json.loads(line) for line in content.decode().splitlines()]
    assert sent == load_bundle(BUNDLE)  # the bundle, unchanged for the default prefix


def test_auth_space_and_prefix_follow_the_es_settings(kibana, monkeypatch):
    monkeypatch.setenv("NEWSARCHIVE_ES_USER", "elastic")
    monkeypatch.setenv("NEWSARCHIVE_ES_PASSWORD", "s3cret")
    monkeypatch.setenv("NEWSARCHIVE_INDEX_PREFIX", "lab")
    monkeypatch.setenv("NEWSARCHIVE_KIBANA_URL", kibana.url)
    result = CliRunner().invoke(cli, ["kibana", "setup", "--space", "research"])
    assert result.exit_code == 0, result.output
    assert f"{kibana.url}/s/research/app/dashboards#/view/newsarchive-overview" in result.output
    (request,) = kibana.requests
    assert request["path"].startswith("/s/research/api/saved_objects/_import?")
    expected = base64.b64encode(b"elastic:s3cret").decode()
    assert request["headers"]["authorization"] == f"Basic {expected}"
    _, content, _ = _file_part(request)
    titles = {json.loads(line)["attributes"].get("title") for line in content.decode().splitlines()}
    assert {"lab-articles", "lab-versions"} <= titles

    monkeypatch.setenv("NEWSARCHIVE_ES_API_KEY", "a2V5")
    CliRunner().invoke(cli, ["kibana", "setup"])
    assert kibana.requests[-1]["headers"]["authorization"] == "ApiKey a2V5"


@pytest.mark.parametrize(
    ("status", "answer", "message"),
    [
        (500, {"statusCode": 500, "message": "internal boom"}, "answered HTTP 500: internal boom"),
        (401, {"statusCode": 401, "message": "Unauthorized"}, "refused the credentials (HTTP 401"),
        (
            200,
            {
                "success": False,
                "successCount": 5,
                "errors": [{"type": "dashboard", "id": "x", "error": {"type": "unknown"}}],
            },
            "Kibana imported 5 of 6 objects; 1 failed, first dashboard/x",
        ),
        (200, "<html>not kibana</html>", "not JSON"),
    ],
)
def test_kibana_errors_are_one_clear_line(kibana, status, answer, message):
    kibana.status, kibana.answer = status, answer
    result = CliRunner().invoke(cli, ["kibana", "setup", "--kibana-url", kibana.url])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1


def test_unreachable_kibana_and_bad_url(kibana):
    url = kibana.url
    kibana.close()  # nothing listens there any more
    result = CliRunner().invoke(cli, ["kibana", "setup", "--kibana-url", url])
    assert result.exit_code == 1
    assert f"cannot reach Kibana at {url}" in result.output
    bad = CliRunner().invoke(cli, ["kibana", "setup", "--kibana-url", "localhost:5601"])
    assert bad.exit_code == 2 and "--kibana-url" in bad.output


def test_secrets_never_reach_the_output(kibana, monkeypatch):
    monkeypatch.setenv("NEWSARCHIVE_ES_USER", "elastic")
    monkeypatch.setenv("NEWSARCHIVE_ES_PASSWORD", "hunter2-secret")
    kibana.status, kibana.answer = 400, {"message": "bad request for hunter2-secret"}
    result = CliRunner().invoke(cli, ["kibana", "setup", "--kibana-url", kibana.url])
    assert result.exit_code == 1 and "hunter2-secret" not in result.output
