"""Disk full while the crawl writes its WARC: the crawl stops with a clear message and a
non-zero exit, the archive stays valid, and a later crawl with room loses nothing.

Portable variant: the crawl runs with RLIMIT_FSIZE (writes past the cap fail with
EFBIG; Python ignores SIGXFSZ), at a seeded cap between 15 % and 85 % of what the whole
crawl writes. Real variant (root only): a small tmpfs (ENOSPC), grown afterwards.
"""

from __future__ import annotations

import base64
import contextlib
import random
import resource
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.crawl.conftest import REPO, Crawler, registry_text
from tests.loopback import LoopbackServer, QuietHandler
from tests.reliability.checks import archived_urls, assert_archive_sound, string_tags
from tests.reliability.conftest import reps, seed_for
from tests.site import NewsSite

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

ARTICLES = 16


class PaddedSite:
    """The loopback site with ~60 KB of incompressible bytes in every article page, so
    the WARC is by far the biggest file a crawl writes (the cap hits it first)."""

    def __init__(self, site: NewsSite) -> None:
        self.site = site
        outer = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:  # noqa: N802
                hdrs = {k.lower(): v for k, v in self.headers.items()}
                status, headers, body = outer.site.respond(self.path, hdrs)
                if body.endswith(b"</html>\n") or b"</body>" in body[-200:]:
                    pad = base64.b64encode(random.Random(self.path).randbytes(45_000))
                    body = body.replace(b"</body>", b"<!-- " + pad + b" --></body>")
                self.reply(status, headers, body)

        self.http = LoopbackServer(Handler)
        site.port = self.http.port

    def close(self) -> None:
        self.http.close()


def _crawler(site: NewsSite, root: Path, name: str, home: Path | None = None) -> Crawler:
    home = home or root / name
    home.mkdir(exist_ok=True)
    registry = root / f"{name}.toml"
    registry.write_text(string_tags(registry_text(site)))
    return Crawler(home, registry)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    root = tmp_path_factory.mktemp("disk-full")
    site = NewsSite(n_articles=ARTICLES, feed_size=ARTICLES)
    padded = PaddedSite(site)
    try:
        crawler = _crawler(site, root, "reference")
        result = crawler.run()
        assert result.returncode == 0, result.stderr
        expected = crawler.archived_urls()
        assert len(expected) == ARTICLES
        warc_bytes = sum(p.stat().st_size for p in (crawler.home / "warc").glob("*.warc.gz"))
        yield site, root, expected, warc_bytes
    finally:
        padded.close()


def _capped_run(crawler: Crawler, cap: int) -> subprocess.CompletedProcess:
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (cap, cap))

    return subprocess.run(
        crawler.command(),
        env={**crawler.env(), "PYTHONDONTWRITEBYTECODE": "1"},  # no .pyc under the cap
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
        preexec_fn=limit,
    )


def _assert_clean_stop(result: subprocess.CompletedProcess) -> None:
    assert result.returncode == 1, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert "archive_write_failed" in result.stderr, result.stderr[-3000:]
    assert any(w in result.stderr for w in ("File too large", "No space left", "disk")), (
        result.stderr[-3000:]
    )


def _which(stderr: str) -> str:
    """Which archive file hit the limit first, as the error message names it."""
    for needle, name in (("WARC", "WARC"), ("seen-store", "seen-store"), ("record", "JSONL")):
        if f"cannot write {needle}" in stderr or f"cannot write the {needle}" in stderr:
            return f"exit 1 ({name} write failed), archive valid"
    return "exit 1, archive valid"


@pytest.mark.parametrize("rep", reps())
def test_file_size_cap_stops_the_crawl_cleanly(reference, rep, trial):
    site, root, expected, warc_bytes = reference
    trial.case = "disk full while writing a WARC (RLIMIT_FSIZE)"
    rng = random.Random(seed_for(trial.case, rep))
    # Below the WARC's final size; the seen-store's WAL may reach the cap first.
    cap = int(rng.uniform(0.4, 0.9) * warc_bytes)
    crawler = _crawler(site, root, f"capped-{rep}")
    result = _capped_run(crawler, cap)
    _assert_clean_stop(result)
    before = archived_urls(assert_archive_sound(crawler.home))
    trial.saw(_which(result.stderr))
    trial.notes.append(f"cap {cap} of {warc_bytes} bytes: {len(before)} articles before the stop")

    again = crawler.run()
    assert again.returncode == 0, again.stderr[-3000:]
    got = archived_urls(assert_archive_sound(crawler.home))
    trial.lost = len(expected - got)
    assert got == expected


@contextlib.contextmanager
def tmpfs(size: int) -> Iterator[Path]:
    """A tmpfs of ``size`` bytes, or a skip saying why it cannot be mounted."""
    mountpoint = Path(tempfile.mkdtemp(prefix="newsarchive-tmpfs-"))
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mountpoint)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        mountpoint.rmdir()
        pytest.skip(f"cannot mount a tmpfs here (needs root): {mounted.stderr.strip()}")
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", str(mountpoint)], check=False)
        shutil.rmtree(mountpoint, ignore_errors=True)


def _footprint(home: Path) -> int:
    return sum(p.stat().st_size for p in home.rglob("*") if p.is_file())


def test_full_tmpfs_stops_the_crawl_cleanly(reference, trial):
    site, root, expected, warc_bytes = reference
    trial.case = "disk full while writing a WARC (small tmpfs)"
    size = int(_footprint(root / "reference") * 0.7) // 4096 * 4096
    with tmpfs(size) as mountpoint:
        crawler = _crawler(site, root, "tmpfs", home=mountpoint / "home")
        result = crawler.run()
        _assert_clean_stop(result)
        before = archived_urls(assert_archive_sound(crawler.home))
        trial.saw(_which(result.stderr))
        trial.notes.append(f"tmpfs of {size} bytes: {len(before)} articles before the stop")
        subprocess.run(["mount", "-o", "remount,size=64m", str(mountpoint)], check=True)
        again = crawler.run()
        assert again.returncode == 0, again.stderr[-3000:]
        got = archived_urls(assert_archive_sound(crawler.home))
        trial.lost = len(expected - got)
        assert got == expected


def test_a_full_tmpfs_is_reported_in_one_line(reference, trial):
    site, root, expected, warc_bytes = reference
    trial.case = "disk full (tmpfs): message without traceback"
    size = int(_footprint(root / "reference") * 0.6) // 4096 * 4096
    with tmpfs(size) as mountpoint:
        crawler = _crawler(site, root, "tmpfs-message", home=mountpoint / "home")
        result = crawler.run()
        trial.saw("traceback printed" if "Traceback" in result.stderr else "one line")
        _assert_clean_stop(result)


def test_a_crawl_started_on_a_full_disk_fails_in_one_line(reference, tmp_path, trial):
    site, root, expected, warc_bytes = reference
    trial.case = "disk already full when the crawl starts (RLIMIT_FSIZE 2 KB)"
    crawler = _crawler(site, root, "full-at-start")
    result = _capped_run(crawler, 2048)
    reasons = ("File too large", "No space left", "disk is full", "cannot write")
    said = any(r in result.stderr for r in reasons)
    trial.saw("traceback printed" if "Traceback" in result.stderr else "one line")
    trial.saw("the reason was named" if said else "no reason given")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    assert said, result.stderr[-2000:]
