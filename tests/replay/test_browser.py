"""A real browser (headless Chromium) replays archived articles; it asks nothing of the web.

Every request goes through a loopback proxy that logs it (loopback included) and forwards
only to the replay server; the DevTools network log says which requests the page made.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from crawler.archive.replay import replay_url, timeline_url
from tests.browser import Browser, LoggingProxy, chromium

from .conftest import wait_until

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        chromium() is None, reason="no Chromium here: `apt-get install chromium` (see README)"
    ),
]

# The article's headline, from inside pywb's replay frame (same origin as the top page).
HEADLINE = """(() => {
  const frame = document.querySelector('iframe');
  const doc = frame && frame.contentDocument;
  const h1 = doc && doc.querySelector('h1');
  return h1 ? h1.textContent.trim() : null;
})()"""


@pytest.fixture
def browser(replay):
    proxy = LoggingProxy({f"127.0.0.1:{replay.port}"})
    browser = Browser(chromium(), proxy)
    browser.proxy = proxy
    yield browser
    browser.close()
    proxy.close()


def test_the_browser_shows_each_archived_version_and_fetches_only_from_replay(
    crawled, replay, browser
):
    captures = crawled.captures()
    first = next(c for c in captures if not c["revisit"])
    revisit = next(c for c in captures if c["revisit"])
    for cap in (first, revisit):
        browser.load(replay_url(replay.base, cap["fetched_at"], cap["url"]))
        assert browser.wait_for(HEADLINE) == cap["title"], cap["url"]

    page = [u for u in browser.page_requests if urlsplit(u).scheme in ("http", "https")]
    origin = f"127.0.0.1:{replay.port}"
    assert all(urlsplit(u).netloc == origin for u in page), page
    for cap in (first, revisit):  # the replay frame of each version was loaded
        assert any(f"mp_/{cap['url']}" in u for u in page), page

    def forwarded() -> set[str]:
        return {target for _, target, status in browser.proxy.requests() if status != 403}

    # the proxy saw the page's requests, loopback ones too (the last may still be on its way)
    assert wait_until(lambda: set(page) <= forwarded(), 10), set(page) - forwarded()
    seen = browser.proxy.requests()
    refused = [target for _, target, status in seen if status == 403]
    assert not set(page) & set(refused)  # what it refused (the browser's own pings) ...
    site = urlsplit(crawled.site.url("/")).netloc
    assert not any(site in target for target in refused)  # ... never the archived site
    assert len(crawled.site.log) == crawled.served  # which is up, and was never asked


def test_the_browser_shows_the_capture_timeline_of_a_url(crawled, replay, browser):
    browser.load(timeline_url(replay.base, crawled.site.article_url(1)))
    assert browser.wait_for("document.body.innerText.includes('(2 captures)')"), browser.evaluate(
        "document.body.innerText"
    )
