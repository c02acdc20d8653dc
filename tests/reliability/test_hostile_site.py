"""The site misbehaves (resets, slow and trickling answers, endless redirects, 429
storms, a page that never ends, truncated and non-HTTP replies): the crawl finishes,
reports every failure, and archives everything else."""

from __future__ import annotations

import random
import re
import time

import pytest

from tests.crawl.conftest import Crawler
from tests.reliability.checks import archived_urls, assert_archive_sound
from tests.reliability.conftest import reps, seed_for
from tests.reliability.hostile import HostileSite
from tests.site import NewsSite

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

TIMEOUT = 2.0
SETTINGS = {
    "DOWNLOAD_TIMEOUT": str(TIMEOUT),
    "RETRY_TIMES": "1",
    "RETRY_AFTER_MAX": "2",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    "DOWNLOAD_MAXSIZE": "1000000",
}


def registry(url: str) -> str:
    return (
        'version = 1\n[[source]]\nid = "hostile"\nname = "Hostile Herald"\n'
        f'homepage = "{url}/"\ndomains = ["127.0.0.1"]\nfeeds = ["{url}/feed.xml"]\n'
    )


@pytest.mark.parametrize("rep", reps())
def test_crawl_survives_a_misbehaving_site(tmp_path, rep, trial):
    trial.case = "misbehaving site (reset, slow, redirect loop, 429 storm, endless page...)"
    rng = random.Random(seed_for(trial.case, rep))
    site = NewsSite(n_articles=rng.randint(6, 12), seed=rng.randrange(1000))
    with HostileSite(site, rng, timeout=TIMEOUT) as hostile:
        home = tmp_path / "home"
        home.mkdir()
        (tmp_path / "sources.toml").write_text(registry(hostile.url("")))
        crawler = Crawler(home, tmp_path / "sources.toml")
        began = time.monotonic()
        result = crawler.run("--source", "hostile", timeout=180, **SETTINGS)
        took = time.monotonic() - began
        hits = dict(hostile.hits)
    assert result.returncode == 0, result.stderr[-3000:]
    report = result.source
    records = assert_archive_sound(home)
    got = archived_urls(records)
    want = hostile.good_urls()
    trial.lost = len(want - got)
    assert got == want, sorted(want ^ got)
    failing = hostile.failing()
    errors = report["errors"]
    # Every misbehaving URL is reported as one failure, under a named kind.
    assert sum(errors.values()) == len(failing), (errors, failing)
    assert all(re.fullmatch(r"[a-z0-9_]+", kind) for kind in errors), errors
    assert errors.get("http_429") == list(failing.values()).count("storm")
    assert errors.get("timeout", 0) >= list(failing.values()).count("slow")
    assert report["retry_after_waits"] >= 1
    for path, n in hits.items():  # bounded retries: nothing was asked for endlessly
        assert n <= 8, (path, n)
    trial.tries = len(failing) + len(want)
    for kind in failing.values():
        trial.saw(f"{kind}: reported")
    trial.saw("good pages archived", len(want))
    trial.notes.append(f"crawl took {took:.1f}s; errors {errors}")
