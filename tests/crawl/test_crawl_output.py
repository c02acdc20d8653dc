"""What `newsarchive crawl` prints: quiet by default (the report, no Scrapy log), a
progress line on a terminal, Scrapy's log with -v, nothing but the result with -q."""

from __future__ import annotations

import os
import pty
import subprocess

from tests.crawl.conftest import REPO


def _command(crawler, *args: str, **settings: str) -> list[str]:
    """The crawl command without the suite's LOG_LEVEL, so -v/-q decide. ``settings``
    go after the suite's fast ones, which a ``-s`` in ``args`` would not outlast."""
    cmd = crawler.command(*args, **settings)
    at = cmd.index("LOG_LEVEL=WARNING")
    return cmd[: at - 1] + cmd[at + 1 :]


def _run(crawler, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        _command(crawler, *args),
        env=crawler.env(),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_quiet_by_default_log_with_v_nothing_with_q(site, make_crawler):
    crawler = make_crawler(site)
    plain = _run(crawler)
    assert plain.returncode == 0, plain.stderr
    assert " INFO: " not in plain.stderr and "[scrapy" not in plain.stderr, plain.stderr
    assert "ledger" in plain.stdout and "report:" in plain.stderr
    verbose = _run(crawler, "-v")
    assert verbose.returncode == 0, verbose.stderr
    assert "[scrapy.core.engine] INFO:" in verbose.stderr
    quiet = _run(crawler, "-q")
    assert quiet.returncode == 0 and quiet.stderr == "", quiet.stderr
    both = _run(crawler, "-v", "-q")
    assert both.returncode == 2 and "either -v or -q" in both.stderr


def test_a_terminal_gets_one_progress_line(site, make_crawler):
    crawler = make_crawler(site)
    # Slow enough (12 articles, 0.2 s apart) for the line to be drawn a few times.
    cmd = _command(crawler, DOWNLOAD_DELAY="0.2")
    main, replica = pty.openpty()
    proc = subprocess.Popen(
        cmd, env=crawler.env(), cwd=REPO, stdout=subprocess.PIPE, stderr=replica, text=True
    )
    os.close(replica)
    seen = b""
    while True:
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the crawl closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    os.close(main)
    stdout, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, seen
    text = seen.decode("utf-8", "replace")
    assert "\rcrawling: " in text and " pages · " in text and " new · " in text, text
    assert " INFO: " not in text
    assert "ledger" in stdout
