"""Checks shared by the reliability cases: a valid archive, nothing lost, nothing doubled."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

from tests.archive.helpers import assert_warcs_valid

NEWSARCHIVE = str(Path(os.sys.executable).with_name("newsarchive"))


def kill_after(proc: subprocess.Popen, seconds: float) -> bool:
    """SIGKILL ``proc`` after ``seconds`` unless it ended first. True if it was killed."""
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        return True
    return False


def jsonl_state(path: Path) -> tuple[int, bool]:
    """(whole lines, whether the file ends in a torn line)."""
    if not path.exists():
        return 0, False
    data = path.read_bytes()
    return data.count(b"\n"), bool(data) and not data.endswith(b"\n")


def article_records(home: Path) -> list[dict]:
    path = home / "articles" / "articles.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def assert_archive_sound(home: Path) -> list[dict]:
    """Every WARC passes `warcio check` with no torn tail, the JSONL has only whole,
    schema-valid lines, no version is written twice, and every record's capture points
    at a whole WARC record. Returns the records."""
    from crawler.schema import validate_record

    warc_dir = home / "warc"
    if any(warc_dir.glob("*.warc.gz")):
        assert_warcs_valid(warc_dir)
    path = home / "articles" / "articles.jsonl"
    records = []
    if path.exists():
        data = path.read_bytes()
        assert not data or data.endswith(b"\n"), "torn last JSONL line left in place"
        records = article_records(home)
    for record in records:
        validate_record(record)
        cap = record["capture"]
        warc = warc_dir / cap["warc_file"]
        assert warc.exists() and cap["offset"] + cap["length"] <= warc.stat().st_size, cap
    versions = Counter((r["id"], r["version"]) for r in records if r["event"] in ("new", "changed"))
    doubled = [key for key, n in versions.items() if n > 1]
    assert not doubled, f"duplicate versions: {doubled[:5]}"
    return records


def archived_urls(records: list[dict]) -> set[str]:
    return {r["url"] for r in records if r["event"] in ("new", "changed")}


def wait_for(predicate, timeout: float, step: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def string_tags(registry: str) -> str:
    """The crawl tests' registry with its list-valued tag made a plain string: list
    tags are legal in the registry but break the record schema (see
    test_contracts.py::test_list_valued_registry_tags_fit_the_record_schema)."""
    return registry.replace('collection = ["test", "loopback"]', 'collection = "test"')
