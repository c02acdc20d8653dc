"""With page requisites captured, a real browser replays an article as it looked: its
stylesheet applies and its images render, all from the replay server. Without them the
same page replays bare (the images are 404s of the archive, never live fetches)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from crawler.archive.replay import replay_url
from tests.browser import Browser, LoggingProxy, chromium
from tests.crawl.conftest import Crawler
from tests.requisite_site import RequisiteSite

from .conftest import start_replay, stop_replay

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        chromium() is None, reason="no Chromium here: `apt-get install chromium` (see README)"
    ),
]

# Inside pywb's replay frame: the hero image's rendered width and the headline's colour.
LOOK = """(() => {
  const frame = document.querySelector('iframe');
  const doc = frame && frame.contentDocument;
  const img = doc && doc.querySelector('img.hero');
  const h1 = doc && doc.querySelector('h1');
  if (!img || !h1 || !img.complete || doc.readyState !== 'complete') return null;
  return {width: img.naturalWidth, color: getComputedStyle(h1).color,
          headline: h1.textContent.trim()};
})()"""


@pytest.fixture(scope="module")
def archives(tmp_path_factory):
    """The same outlet crawled twice: with requisites and without."""
    with RequisiteSite() as site:
        homes = {}
        for name, settings in (("with", {"PAGE_REQUISITES": "1"}), ("without", {})):
            home = tmp_path_factory.mktemp(f"requisites-{name}")
            registry = home / "sources.toml"
            registry.write_text(site.registry())
            crawler = Crawler(home / "home", registry)
            crawler.home.mkdir()
            result = crawler.run(**settings)
            assert result.returncode == 0, result.stderr
            homes[name] = crawler
        yield site, homes


@pytest.mark.parametrize("captured", ["with", "without"])
def test_the_page_looks_as_it_did_only_with_its_requisites(archives, captured) -> None:
    site, homes = archives
    crawler = homes[captured]
    record = next(r for r in crawler.records() if r["url"].endswith(site.article_path(1)))
    served_before = len(site.log)
    replay = start_replay(crawler.home)
    proxy = LoggingProxy({f"127.0.0.1:{replay.port}"})
    browser = Browser(chromium(), proxy)
    try:
        browser.load(replay_url(replay.base, record["fetched_at"], record["url"]))
        look = browser.wait_for(LOOK, timeout=30)
        assert look and look["headline"] == "Story 1 headline", look
        if captured == "with":
            assert look["width"] == 40  # the archived PNG rendered
            assert look["color"] == "rgb(26, 61, 109)"  # the archived stylesheet applied
        else:
            assert look["width"] == 0  # not archived: not shown, and not fetched live
            assert look["color"] != "rgb(26, 61, 109)"
        page = [u for u in browser.page_requests if urlsplit(u).scheme in ("http", "https")]
        assert all(urlsplit(u).netloc == f"127.0.0.1:{replay.port}" for u in page), page
        assert len(site.log) == served_before and site.trap_log == []  # the web was not asked
    finally:
        browser.close()
        proxy.close()
        assert stop_replay(replay) == 0, "\n".join(replay.lines)
