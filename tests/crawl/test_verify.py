"""`newsarchive verify` on a healthy archive: two crawls (the second writes revisit
records for unchanged listings), every record whole, every index entry and capture
found."""

from __future__ import annotations

import json
import os
import subprocess

from tests.crawl.conftest import NEWSARCHIVE


def test_a_healthy_archive_with_revisits_verifies(site, make_crawler):
    crawler = make_crawler(site)
    assert crawler.run().returncode == 0
    assert crawler.run().returncode == 0
    env = {**os.environ, "NEWSARCHIVE_HOME": str(crawler.home)}
    proc = subprocess.run(
        [str(NEWSARCHIVE), "verify", "--format", "json"], env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    found = json.loads(proc.stdout)
    assert found["ok"] and found["warc_records"] > 0 and found["article_records"] > 0
    revisits = [r for r in crawler.records() if r["capture"].get("revisit")]
    warc_types = subprocess.run(
        ["zcat", *map(str, (crawler.home / "warc").glob("*.warc.gz"))],
        capture_output=True, text=True, errors="replace",
    ).stdout  # fmt: skip
    assert "WARC-Type: revisit" in warc_types or revisits  # the second crawl wrote revisits


def test_a_warc_missing_only_its_last_gzip_trailer_is_damaged(site, make_crawler):
    """The records may all still read whole, but the file is not what was written."""
    crawler = make_crawler(site)
    assert crawler.run().returncode == 0
    last = sorted((crawler.home / "warc").glob("*.warc.gz"))[-1]
    last.write_bytes(last.read_bytes()[:-4])
    env = {**os.environ, "NEWSARCHIVE_HOME": str(crawler.home)}
    proc = subprocess.run([str(NEWSARCHIVE), "verify"], env=env, capture_output=True, text=True)
    assert proc.returncode == 1, proc.stdout
    assert f"damaged: {last.name} @ offset" in proc.stdout, proc.stdout
