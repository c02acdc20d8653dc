"""Credentials never follow a redirect to another host: `kibana setup` refuses any
redirect (it would re-send the Authorization header and turn the POST into a GET),
and the Elasticsearch client does not follow redirects at all. A listener on another
loopback address stands for the other host and records whatever reaches it."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from search_cli.cli import cli
from tests.loopback import LoopbackServer, QuietHandler

pytestmark = [pytest.mark.reliability]

API_KEY = "MARKER-redirect-apikey"
PASSWORD = "MARKER-redirect-password"


class Listener(LoopbackServer):
    """Another host (127.0.0.2): records every request with its headers."""

    def __init__(self) -> None:
        listener = self
        self.requests: list[tuple[str, str, dict]] = []

        class Handler(QuietHandler):
            def _record(self) -> None:
                headers = {k.lower(): v for k, v in self.headers.items()}
                listener.requests.append((self.command, self.path, headers))
                self.reply(200, {"Content-Type": "application/json"}, b'{"success":true}')

            do_GET = do_POST = do_HEAD = do_PUT = _record

        super().__init__(Handler, host="127.0.0.2")


class Redirector(LoopbackServer):
    """Answers every request with ``status`` and a Location on ``target``."""

    def __init__(self, target: str, status: int) -> None:
        class Handler(QuietHandler):
            def _redirect(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                self.reply(status, {"Location": target + self.path}, b"")

            do_GET = do_POST = do_HEAD = do_PUT = _redirect

        super().__init__(Handler)


@pytest.fixture
def other_host():
    listener = Listener()
    yield listener
    listener.close()


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("auth", ["api key", "basic"])
def test_kibana_setup_never_follows_a_redirect(other_host, tmp_path, status, auth, trial):
    trial.case = "kibana setup: a redirect to another host with credentials"
    redirector = Redirector(other_host.url, status)
    env = {"NEWSARCHIVE_HOME": str(tmp_path), "NEWSARCHIVE_CONFIG": ""}
    if auth == "api key":
        env |= {"NEWSARCHIVE_ES_API_KEY": API_KEY}
    else:
        env |= {"NEWSARCHIVE_ES_USER": "archivist", "NEWSARCHIVE_ES_PASSWORD": PASSWORD}
    try:
        result = CliRunner().invoke(
            cli, ["kibana", "setup", "--kibana-url", redirector.url], env=env
        )
    finally:
        redirector.close()
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert f"HTTP {status}, a redirect to {other_host.url}" in result.output, result.output
    assert API_KEY not in result.output and PASSWORD not in result.output
    assert other_host.requests == []
    trial.saw(f"{auth}, HTTP {status}: refused, nothing sent to the other host")


@pytest.mark.parametrize("status", [302, 307])
def test_elasticsearch_client_does_not_follow_a_redirect(other_host, tmp_path, status, trial):
    trial.case = "Elasticsearch URL answering a redirect to another host with credentials"
    redirector = Redirector(other_host.url, status)
    env = {
        "NEWSARCHIVE_HOME": str(tmp_path),
        "NEWSARCHIVE_CONFIG": "",
        "NEWSARCHIVE_ES_URL": redirector.url,
        "NEWSARCHIVE_ES_API_KEY": API_KEY,
    }
    try:
        results = [CliRunner().invoke(cli, cmd, env=env) for cmd in (["search", "x"], ["index"])]
    finally:
        redirector.close()
    for result in results:
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output and API_KEY not in result.output
    assert other_host.requests == []
    trial.saw(f"HTTP {status}: not followed, nothing sent to the other host")
