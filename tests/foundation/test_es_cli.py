"""`newsarchive es start|status|stop` from the shell, and the errors of a bad setup."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from newsarchive import localnode
from newsarchive.config import Config
from newsarchive.errors import NewsarchiveError

CLI = str(Path(sys.executable).with_name("newsarchive"))


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args], env=env, capture_output=True, text=True, timeout=240)


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSARCHIVE_")}
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.es
@pytest.mark.slow
def test_start_status_stop_cycle(tmp_path: Path) -> None:
    env = clean_env(NEWSARCHIVE_HOME=str(tmp_path), NEWSARCHIVE_LOCAL_ES_PORT=str(free_port()))
    first = run("es", "start", env=env)
    try:
        assert first.returncode == 0, first.stderr
        assert "ready at http://127.0.0.1:" in first.stdout
        pid = localnode.read_state(Config(home=tmp_path)).pid

        status = run("es", "status", env=env)
        assert status.returncode == 0
        assert status.stdout.startswith("running: Elasticsearch 9.")

        second = run("es", "start", env=env)
        assert second.returncode == 0
        assert "already running" in second.stdout
        assert localnode.read_state(Config(home=tmp_path)).pid == pid  # no second node
    finally:
        stopped = run("es", "stop", env=env)
    assert stopped.returncode == 0 and "stopped" in stopped.stdout
    assert localnode.read_state(Config(home=tmp_path)) is None

    again = run("es", "stop", env=env)
    assert again.returncode == 0 and "not running" in again.stdout
    assert run("es", "status", env=env).stdout.startswith("stopped")


def test_port_taken_is_reported(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        result = run(
            "es", "start", "--port", str(port), env=clean_env(NEWSARCHIVE_HOME=str(tmp_path))
        )
    assert result.returncode == 1
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_es_url_names_the_url(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    result = run(
        "es", "status", env=clean_env(NEWSARCHIVE_HOME=str(tmp_path), NEWSARCHIVE_ES_URL=url)
    )
    assert result.returncode == 1
    assert f"cannot reach Elasticsearch at {url}" in result.stderr
    assert "Traceback" not in result.stderr


def test_es_url_set_means_no_local_node(tmp_path: Path) -> None:
    env = clean_env(NEWSARCHIVE_HOME=str(tmp_path), NEWSARCHIVE_ES_URL="http://127.0.0.1:1")
    result = run("es", "start", env=env)
    assert result.returncode == 0
    assert "no local node started" in result.stdout
    assert not (tmp_path / "es" / "state.json").exists()


def test_missing_java_says_what_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    old_jdk = Path("/usr/lib/jvm/java-17-openjdk-amd64")
    monkeypatch.setattr(localnode, "JVM_FOLDERS", (tmp_path,))
    monkeypatch.setenv("PATH", str(tmp_path))
    too_old = ""
    if old_jdk.is_dir():  # a Java that is too old is named, not silently used
        monkeypatch.setenv("JAVA_HOME", str(old_jdk))
        too_old = r".*Java 17"
    else:
        monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(
        NewsarchiveError, match=rf"Java 21 or newer is needed{too_old}.*Install one"
    ):
        localnode.find_java_home(need_compiler=True)


def test_bad_config_value_is_named(tmp_path: Path) -> None:
    result = run(
        "es",
        "start",
        env=clean_env(NEWSARCHIVE_HOME=str(tmp_path), NEWSARCHIVE_LOCAL_ES_PORT="lots"),
    )
    assert result.returncode == 1
    assert "NEWSARCHIVE_LOCAL_ES_PORT" in result.stderr
    assert "Traceback" not in result.stderr
