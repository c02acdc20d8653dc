"""Credentials given by environment or config file never appear in output, logs,
reports, exception messages, `--help` or any file written: every command runs with
marker secrets, and everything it printed or wrote is searched for them."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import uuid
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from search_cli.cli import cli
from tests.crawl.conftest import FAST, REPO, registry_text
from tests.loopback import LoopbackServer, QuietHandler
from tests.reliability.checks import NEWSARCHIVE, string_tags
from tests.site import NewsSite

pytestmark = [pytest.mark.reliability, pytest.mark.es, pytest.mark.slow]

API_KEY = f"MARKER-apikey-{uuid.uuid4().hex}"
PASSWORD = f"MARKER-password-{uuid.uuid4().hex}"
USER = "archivist"
BASIC = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
MARKERS = (API_KEY, PASSWORD, BASIC, API_KEY[7:], PASSWORD[7:])


class Unauthorized(LoopbackServer):
    """A loopback server answering every request with Elasticsearch's 401."""

    def __init__(self) -> None:
        class Handler(QuietHandler):
            def do_GET(self) -> None:  # noqa: N802
                body = b'{"error":{"type":"security_exception","reason":"unable to authenticate"},"status":401}'
                headers = {
                    "Content-Type": "application/json",
                    "X-Elastic-Product": "Elasticsearch",
                    "WWW-Authenticate": 'Basic realm="security"',
                }
                self.reply(401, headers, body)

            do_HEAD = do_POST = do_PUT = do_GET

        super().__init__(Handler)


class Transcript:
    """Runs commands and keeps everything they print."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.outputs: list[tuple[list[str], str]] = []

    def run(self, *args: str, ok: bool = True, **extra: str) -> subprocess.CompletedProcess:
        proc = subprocess.run(
            [NEWSARCHIVE, *args],
            env={**self.env, **extra},
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=180,
        )
        self.outputs.append((list(args), proc.stdout + proc.stderr))
        if ok:
            assert proc.returncode == 0, (args, proc.stderr[-2000:])
        return proc


def _every_help(env: dict[str, str]) -> list[tuple[list[str], str]]:
    runner = CliRunner()
    seen = []

    def walk(path: list[str], command: click.Command) -> None:
        result = runner.invoke(cli, [*path, "--help"], env=env)
        assert result.exit_code == 0, result.output
        seen.append(([*path, "--help"], result.output))
        if isinstance(command, click.Group):
            ctx = click.Context(command)
            for name in command.list_commands(ctx):
                walk([*path, name], command.get_command(ctx, name))

    walk([], cli)
    return seen


def _leaks(text: str) -> list[str]:
    return [m for m in MARKERS if m in text]


def _files(*roots: Path) -> list[Path]:
    return [p for root in roots for p in root.rglob("*") if p.is_file()]


@pytest.mark.parametrize("via", ["environment", "config file"])
def test_secrets_never_appear(via, es_settings, es_url, index_prefix, tmp_path, trial):
    trial.case = f"credentials never printed or written (given by {via})"
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSARCHIVE_")}
    env.update(NEWSARCHIVE_HOME=str(home), NEWSARCHIVE_INDEX_PREFIX=index_prefix)
    if via == "environment":
        env.update(
            NEWSARCHIVE_ES_URL=es_url,
            NEWSARCHIVE_ES_API_KEY=API_KEY,
            NEWSARCHIVE_ES_USER=USER,
            NEWSARCHIVE_ES_PASSWORD=PASSWORD,
        )
    else:
        config = tmp_path / "config.toml"
        config.write_text(
            f'[elasticsearch]\nurl = "{es_url}"\napi_key = "{API_KEY}"\n'
            f'user = "{USER}"\npassword = "{PASSWORD}"\n'
        )
        env["NEWSARCHIVE_CONFIG"] = str(config)
    t = Transcript(env)
    with NewsSite(n_articles=4, feed_size=4) as site:
        registry = tmp_path / "sources.toml"
        registry.write_text(string_tags(registry_text(site)))
        settings = [x for k, v in FAST.items() for x in ("-s", f"{k}={v}")]
        t.run("crawl", "--sources", str(registry), "--source", "ledger", *settings)
    t.run("sources", "--sources", str(registry))
    t.run("index")
    t.run("es", "status")
    found = json.loads(t.run("search", "", "--format", "json").stdout)
    article = found["results"][0]["id"]
    t.run("search", "senate OR house", "--format", "csv")
    t.run("show", article)
    t.run("timeline", "", "--interval", "day")
    t.run("count", "", "--by", "author")
    t.run("export", "", "--format", "jsonl")
    t.run("stats")
    t.run("reextract")
    page = tmp_path / "page.html"
    page.write_text(site.render_article(site.articles[0]))
    t.run("extract", str(page))
    # failure paths: bad query, unreachable cluster, rejected credentials, no Kibana
    assert t.run("search", "nosuchfield:x", ok=False).returncode == 2
    for command in (["search", "x"], ["index"], ["stats"], ["es", "status"]):
        t.run(*command, ok=False, NEWSARCHIVE_ES_URL="http://127.0.0.1:9")
    denied = Unauthorized()
    try:
        for command in (["search", "x"], ["index"], ["es", "status"]):
            proc = t.run(*command, ok=False, NEWSARCHIVE_ES_URL=denied.url)
            assert proc.returncode == 1 and "credentials" in proc.stderr, proc.stderr
    finally:
        denied.close()
    t.run("kibana", "setup", "--kibana-url", "http://127.0.0.1:9", ok=False)
    t.outputs += _every_help(env)

    leaks = [(args, _leaks(out)) for args, out in t.outputs if _leaks(out)]
    assert not leaks, leaks
    node_log = Path(es_settings.home) / "es" / "node.log"
    written = _files(tmp_path) + ([node_log] if node_log.exists() else [])
    leaked_files = [
        str(p)
        for p in written
        if p.name != "config.toml" and _leaks(p.read_bytes().decode("latin-1"))
    ]
    assert not leaked_files, leaked_files
    trial.tries = len(t.outputs) + len(written)
    trial.saw("commands and --help pages without a secret", len(t.outputs))
    trial.saw("files written without a secret", len(written))


def test_password_inside_the_es_url_is_not_printed(tmp_path, trial):
    trial.case = "credentials inside NEWSARCHIVE_ES_URL never printed"
    env = {
        "NEWSARCHIVE_HOME": str(tmp_path),
        "NEWSARCHIVE_ES_URL": f"http://{USER}:{PASSWORD}@127.0.0.1:9",
    }
    outputs = []
    for command in (["search", "x"], ["index"], ["es", "status"]):
        result = CliRunner().invoke(cli, command, env=env)
        outputs.append(result.output)
    trial.saw("password printed" if any(_leaks(o) for o in outputs) else "not printed")
    assert not any(_leaks(o) for o in outputs), outputs


BAD_URLS = (
    "htps://{user}:{pw}@127.0.0.1:9200",  # scheme typo
    "http://{user}:{pw}@127.0.0.1:99999",  # port out of range
    "http://{user}:{pw}@127.0.0.1:0",
    "http://{user}:{pw}@:9200",  # no host
    "http://{user}:{pw}@127.0.0.1:port",  # port not a number
)


@pytest.mark.parametrize("via", ["environment", "config file"])
def test_malformed_es_urls_are_named_without_their_password(tmp_path, via, trial):
    trial.case = f"malformed NEWSARCHIVE_ES_URL with credentials (by {via}): one line, redacted"
    for template in BAD_URLS:
        url = template.format(user=USER, pw=PASSWORD)
        env = {"NEWSARCHIVE_HOME": str(tmp_path), "NEWSARCHIVE_CONFIG": ""}
        if via == "environment":
            env["NEWSARCHIVE_ES_URL"] = url
        else:
            config = tmp_path / "config.toml"
            config.write_text(f'[elasticsearch]\nurl = "{url}"\n')
            env["NEWSARCHIVE_CONFIG"] = str(config)
        proc = subprocess.run(
            [str(NEWSARCHIVE), "search", "x"], env={**os.environ, **env}, capture_output=True,
            text=True, timeout=60,
        )  # fmt: skip
        out = proc.stdout + proc.stderr
        assert proc.returncode == 1, (url, out)
        assert "Traceback" not in out and len(out.strip().splitlines()) == 1, out
        assert not _leaks(out), out
        assert f"{USER}:***@" in out, out  # the URL is shown, its password is not
        trial.saw("one line, password redacted")
