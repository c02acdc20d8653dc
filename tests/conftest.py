"""Shared fixtures. Elasticsearch tests talk to a real node, never a mock.

The node is started once per test session in a temporary NEWSARCHIVE_HOME on a free
port (or, when NEWSARCHIVE_ES_URL is set, that cluster is used as it is). Each test
gets fresh index names, so tests never see each other's documents.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsarchive.config import Config, load_settings


@pytest.fixture(scope="session")
def es_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Config]:
    """Config pointing at a running Elasticsearch for the whole session."""
    from newsarchive import localnode

    if os.environ.get("NEWSARCHIVE_ES_URL"):
        yield load_settings()
        return
    home = tmp_path_factory.mktemp("es-home")
    settings = Config(home=home, local_port=0)
    state, _ = localnode.start(settings)
    try:
        yield Config(home=home, local_port=0, es_url=state.url)
    finally:
        localnode.stop(settings)


@pytest.fixture(scope="session")
def es_url(es_settings: Config) -> str:
    from newsarchive.es import resolve_url

    return resolve_url(es_settings)


@pytest.fixture(scope="session")
def es_client(es_settings: Config):
    from newsarchive.es import connect

    client = connect(es_settings)
    yield client
    client.close()


@pytest.fixture
def index_prefix(es_client) -> Iterator[str]:
    """A unique index-name prefix for one test; its indices, aliases and templates are
    deleted afterwards."""
    prefix = f"test-{uuid.uuid4().hex[:10]}"
    yield prefix
    # Delete by explicit names: clusters refuse wildcard deletes by default.
    names = list(es_client.indices.get(index=f"{prefix}*", expand_wildcards="all").body)
    if names:
        es_client.indices.delete(index=",".join(names))
    templates = es_client.indices.get_index_template().body.get("index_templates", [])
    for template in templates:
        if template["name"].startswith(prefix):
            es_client.indices.delete_index_template(name=template["name"])
    for name in es_client.cluster.get_component_template().body.get("component_templates", []):
        if name["name"].startswith(prefix):
            es_client.cluster.delete_component_template(name=name["name"])


@pytest.fixture
def es_env(es_settings: Config, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Config:
    """Environment for CLI tests: a fresh NEWSARCHIVE_HOME wired to the session's node."""
    from newsarchive.es import resolve_url

    url = resolve_url(es_settings)
    monkeypatch.setenv("NEWSARCHIVE_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("NEWSARCHIVE_ES_URL", url)
    return Config(home=tmp_path / "home", es_url=url)


@pytest.fixture
def redis_server(tmp_path: Path):
    """A real ``redis-server`` on 127.0.0.1 for one test (nothing saved to disk beyond
    its tmp dir); skipped only when Debian's redis-server is not installed."""
    import shutil

    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    from tests.redis_server import RedisServer

    with RedisServer(tmp_path / "redis") as server:
        yield server
