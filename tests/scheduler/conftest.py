"""Scheduler-test helpers: loopback news sites, a registry and a schedule file pointing at
them, and ``newsarchive schedule`` run as a real subprocess against the local node."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.crawl.conftest import FAST, registry_text
from tests.site import NewsSite

NEWSARCHIVE = Path(sys.executable).with_name("newsarchive")


class Setup:
    """One NEWSARCHIVE_HOME with a registry of the given sites and a schedule file."""

    def __init__(self, home: Path, env: dict[str, str]) -> None:
        self.home = home
        self.env = env
        self.registry = home.parent / "sources.toml"
        self.schedule = home.parent / "schedule.toml"

    def write(self, sites: dict[str, NewsSite], intervals: dict[str, str], **options) -> None:
        blocks = []
        for sid, site in sites.items():
            text = registry_text(site).replace('id = "ledger"', f'id = "{sid}"')
            text = text.replace("The Loopback Ledger", f"Outlet {sid}")
            blocks.append(text if not blocks else text.split("\n", 1)[1])  # one version line
        self.registry.write_text("\n".join(blocks))
        settings = {**FAST, **options.pop("crawl_settings", {})}
        lines = [f"{k} = {json.dumps(v)}" for k, v in {"jitter": 0, **options}.items()]
        lines += ["[intervals]", *(f'{k} = "{v}"' for k, v in intervals.items())]
        lines += ["[crawl_settings]", *(f'{k} = "{v}"' for k, v in settings.items())]
        self.schedule.write_text("\n".join(lines) + "\n")

    def command(self, *args: str) -> list[str]:
        return [
            str(NEWSARCHIVE),
            "schedule",
            "--sources",
            str(self.registry),
            "--config",
            str(self.schedule),
            *args,
        ]

    def run(self, *args: str, timeout: float = 90) -> subprocess.CompletedProcess:
        return subprocess.run(
            self.command(*args), env=self.env, capture_output=True, text=True, timeout=timeout
        )

    def start(self, *args: str) -> subprocess.Popen:
        return subprocess.Popen(
            self.command(*args),
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def reports(self) -> list[dict]:
        folder = self.home / "schedule" / "runs"
        return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]

    def records(self) -> list[dict]:
        path = self.home / "articles" / "articles.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.fixture
def sched(es_env, index_prefix, tmp_path) -> Iterator[Setup]:
    env = dict(os.environ)
    env.update(
        NEWSARCHIVE_HOME=str(es_env.home),
        NEWSARCHIVE_ES_URL=str(es_env.es_url),
        NEWSARCHIVE_INDEX_PREFIX=index_prefix,
    )
    env.pop("NEWSARCHIVE_SCHEDULE", None)
    env.pop("NEWSARCHIVE_SOURCES", None)
    es_env.home.mkdir(parents=True, exist_ok=True)
    yield Setup(es_env.home, env)
