"""Article records for the indexer faults, and what the index must hold afterwards."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tests.reliability.checks import NEWSARCHIVE
from tests.synthetic import changed_record, new_record


def write_records(home: Path, articles: int, edit_every: int = 10, words: int = 150) -> list[dict]:
    """``articles`` new records, then a changed version of every ``edit_every``-th one."""
    records = [new_record(i, body_words=words) for i in range(articles)]
    records += [
        changed_record(records[i], title=f"Updated {i}") for i in range(0, articles, edit_every)
    ]
    path = home / "articles" / "articles.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return records


def expected(records: list[dict]) -> tuple[dict[str, int], set[str]]:
    """(article id -> current version, version document ids)."""
    current: dict[str, int] = {}
    versions: set[str] = set()
    for r in records:
        current[r["id"]] = max(current.get(r["id"], 0), r["version"])
        versions.add(f"{r['id']}-v{r['version']}")
    return current, versions


def indexed(client, prefix: str) -> tuple[dict[str, int], set[str]]:
    """What the index holds: (article id -> version, version document ids)."""
    client.indices.refresh(index=f"{prefix}-articles,{prefix}-versions")
    arts = client.search(
        index=f"{prefix}-articles", size=10_000, source=["version"], query={"match_all": {}}
    )["hits"]["hits"]
    vers = client.search(
        index=f"{prefix}-versions", size=10_000, source=False, query={"match_all": {}}
    )["hits"]["hits"]
    return {h["_id"]: h["_source"]["version"] for h in arts}, {h["_id"] for h in vers}


def index_command(home: Path, url: str, prefix: str, *args: str) -> tuple[list[str], dict]:
    env = {
        **os.environ,
        "NEWSARCHIVE_HOME": str(home),
        "NEWSARCHIVE_ES_URL": url,
        "NEWSARCHIVE_INDEX_PREFIX": prefix,
    }
    return [NEWSARCHIVE, "index", *args], env


def run_index(home: Path, url: str, prefix: str, *args: str) -> subprocess.CompletedProcess:
    cmd, env = index_command(home, url, prefix, *args)
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)


def checkpoint_offset(home: Path, prefix: str) -> int:
    """How far the indexer's checkpoint says the live record file is loaded."""
    from indexer.checkpoint import checkpoint_path

    try:
        files = json.loads(checkpoint_path(home, prefix).read_text()).get("files", {})
    except (OSError, ValueError):
        return 0
    return int((files.get("articles/articles.jsonl") or {}).get("offset", 0))
