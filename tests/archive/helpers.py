"""Shared helpers for the archive tests: realistic extraction results and checks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
WARCIO = str(Path(sys.executable).with_name("warcio"))


def extracted(url: str, title: str, body: str, **extra) -> dict:
    """An extraction result shaped like crawler.extract.extract's."""
    record = {
        "url": url,
        "canonical_url": url,
        "title": title,
        "description": None,
        "body": body,
        "authors": ["Ann Writer"],
        "published": "2024-05-01T10:00:00+00:00",
        "modified": None,
        "section": "politics",
        "tags": ["congress"],
        "language": "en",
        "image": None,
        "word_count": len(body.split()),
        "links": [],
        "paywalled": False,
        "provenance": {"title": "json-ld", "body": "heuristic"},
        "extractor": {"name": "test", "version": "1"},
    }
    record.update(extra)
    return record


def warcio_check(warc_dir: Path) -> subprocess.CompletedProcess:
    files = sorted(str(p) for p in Path(warc_dir).glob("*.warc.gz"))
    assert files, f"no WARC files in {warc_dir}"
    return subprocess.run([WARCIO, "check", "-v", *files], capture_output=True, text=True)


def assert_warcs_valid(warc_dir: Path) -> None:
    """`warcio check` passes, and (stricter: warcio accepts a truncated last record)
    every file is made of whole gzip members, each exactly one WARC record."""
    from crawler.archive.recovery import valid_length

    proc = warcio_check(warc_dir)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for path in Path(warc_dir).glob("*.warc.gz"):
        assert valid_length(path) == path.stat().st_size, f"{path.name} has a torn tail"


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in Path(path).read_text().splitlines()]
