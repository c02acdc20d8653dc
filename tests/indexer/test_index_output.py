"""What `newsarchive index` draws on a terminal: a status line while it reads new
records, none when there is nothing new (it once left a `0%` bar), none with -q."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from tests.indexer.test_operations import _write
from tests.synthetic import new_record

pytestmark = pytest.mark.es
NEWSARCHIVE = str(Path(sys.executable).with_name("newsarchive"))


def _on_a_terminal(*args: str, env: dict) -> str:
    """``newsarchive ARGS`` with stdout and stderr on one pseudo-terminal."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen([NEWSARCHIVE, *args], stdout=follower, stderr=follower, env=env)
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: the command ended
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    assert proc.wait(timeout=120) == 0, seen
    return seen.decode("utf-8", "replace")


def test_status_line_only_when_there_is_work(es_env, index_prefix):
    env = {**os.environ, "NEWSARCHIVE_INDEX_PREFIX": index_prefix}
    _write(es_env.home, [new_record(i, body_words=40) for i in range(30)])
    first = _on_a_terminal("index", env=env)
    assert "\rindexing: " in first and "MB of records" in first, first
    assert "30 records: 30 indexed" in first
    nothing = _on_a_terminal("index", env=env)
    assert "%" not in nothing and "indexing:" not in nothing, nothing
    assert "no new records: the index is up to date" in nothing
    _write(es_env.home, [new_record(i, body_words=40) for i in range(30, 40)])
    quiet = _on_a_terminal("index", "-q", env=env)
    assert "indexing:" not in quiet and "10 records: 10 indexed" in quiet, quiet
