"""kill -9 of `newsarchive reextract --promote` at a seeded random moment: the live
record file is wholly the old set or wholly the new one, and the seen-store the next
crawl opens agrees with it, article by article."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.archive import Archive
from crawler.archive.reextract import promote, reextract
from crawler.archive.seen import SeenStore
from tests.archive.helpers import extracted, jsonl
from tests.reliability.checks import kill_after
from tests.reliability.conftest import reps, seed_for

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

ARTICLES = 3000


def _build(home: Path) -> None:
    """An archive of ARTICLES pages, a third of them edited once, and a re-extracted set
    in which the edits are no new versions (so the two sets differ in their versions)."""
    with Archive(home) as archive:
        for n in range(ARTICLES):
            url = f"https://news.test/story-{n}"
            for title in [f"Story {n}"] + ([f"Story {n} updated"] if n % 3 == 0 else []):
                html = f"<html><title>{title}</title><p>Body of story {n}.</p></html>"
                cap = archive.capture(url, status=200, body=html.encode())
                archive.record_article(
                    extracted(url, title, f"Body of story {n}. " * 20),
                    capture=cap, source_id="news", outlet="News", source_tags={},
                    http_status=200,
                )  # fmt: skip

    def steady(html, url, *, feed_entry=None, politics_hint=None, encoding=None, captured=None):
        n = url.rsplit("-", 1)[1]
        return extracted(url, f"Story {n}", f"Body of story {n}. " * 20, section="news")

    reextract(home, out=home / "articles" / "re", extract=steady)


PROMOTE = "import sys; from crawler.archive.reextract import promote; promote(*sys.argv[1:])"
IMPORT_ONLY = "import crawler.archive.reextract"


def _run(code: str, *args: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    cmd = [sys.executable, "-c", code, *args]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _timed(code: str, *args: str) -> float:
    began = time.monotonic()
    proc = _run(code, *args)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()
    return time.monotonic() - began


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> tuple[Path, float, float]:
    """The built home; how long the promoting process takes to start, and to finish."""
    home = tmp_path_factory.mktemp("promote-reference") / "home"
    _build(home)
    timing = home.parent / "timing"
    shutil.copytree(home, timing)
    start = _timed(IMPORT_ONLY)
    total = _timed(PROMOTE, str(timing), str(timing / "articles" / "re"))
    return home, start, total


def _store_matches(home: Path, records: list[dict]) -> bool:
    """The store the next crawl opens holds each article at its last version in ``records``."""
    last = {}
    for record in records:
        last[record["id"]] = record["version"]
    with Archive(home):  # opening replays what the store has not applied
        pass
    store = SeenStore(home / "seen.sqlite")
    try:
        return all(store.article(aid).version == v for aid, v in last.items())
    finally:
        store.close()


@pytest.mark.parametrize("rep", reps())
def test_kill_9_during_a_promotion_leaves_one_whole_set(prepared, tmp_path, rep, trial):
    trial.case = "kill -9 of reextract --promote"
    built, start, total = prepared
    rng = random.Random(seed_for(trial.case, rep))
    home = tmp_path / "home"
    shutil.copytree(built, home)
    old = (home / "articles" / "articles.jsonl").read_bytes()
    new = (home / "articles" / "re" / "articles.jsonl").read_bytes()
    assert old != new
    proc = _run(PROMOTE, str(home), str(home / "articles" / "re"))
    # Mostly a moment in the promotion itself; sometimes before it began or after it ended.
    killed = kill_after(proc, rng.uniform(0.7 * start, 1.1 * total))
    live = (home / "articles" / "articles.jsonl").read_bytes()
    assert live in (old, new), "the live file is neither the old set nor the new one"
    assert _store_matches(home, jsonl(home / "articles" / "articles.jsonl"))
    state = "new set" if live == new else "old set"
    trial.saw(f"{'killed' if killed else 'finished'}, {state} live, store agrees")
    if live == new:  # promoted: the old records are kept beside the new ones
        kept = [p.read_bytes() for p in (home / "articles").glob("replaced-*.jsonl")]
        trial.lost = 0 if old in kept else 1
        assert old in kept, "the previous live records were not kept"
    else:  # not promoted: running it again completes it
        trial.lost = 0
        promote(home, home / "articles" / "re")
        assert (home / "articles" / "articles.jsonl").read_bytes() == new
        assert _store_matches(home, jsonl(home / "articles" / "articles.jsonl"))
    trial.tries = 1
    trial.notes.append(f"process start {start:.2f}s, whole promotion {total:.2f}s")
