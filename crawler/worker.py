"""The CPU-heavy part of handling one fetched page, run in a worker process.

``analyse_page`` classifies the page and, for an article, extracts it; for an index page
it returns the page's links so the spider can follow them. It takes and returns plain
picklable values so it can run in a ``ProcessPoolExecutor`` (the GIL rules out threads).
"""

from __future__ import annotations

import ctypes
import os
import signal
from datetime import datetime
from typing import Any
from urllib.parse import urldefrag, urljoin

MAX_LINKS = 500


def analyse_page(
    body: bytes,
    url: str,
    encoding: str | None,
    feed_entry: dict | None,
    politics_hint: str | None = None,
    requisites: bool = False,
    boilerplate: frozenset[str] | None = None,
    captured: datetime | None = None,
) -> dict[str, Any]:
    """Classify one page; extract it if it is an article, else list its links.

    The page is parsed once, and parse, classification and extraction share one time
    bound, so no page can hold a worker (or a crawl asked to stop) for longer.
    ``encoding`` is the charset the HTTP response declared, if any; ``politics_hint``
    the registry's politics listing the URL came from (``extract(politics_hint=...)``);
    ``requisites``: also list the article's page requisites (images, CSS, scripts);
    ``boilerplate``: the source's recurring blocks (``extract(boilerplate=...)``);
    ``captured``: when the page was fetched (``extract(captured=...)``).
    """
    from crawler.discovery.classify import classify_tree
    from crawler.discovery.requisites import requisite_urls
    from crawler.extract import DEFAULT_TIMEOUT, extract
    from crawler.extract.limits import ExtractionTimeout, time_limit
    from crawler.extract.page import parse

    try:
        with time_limit(DEFAULT_TIMEOUT):
            tree = parse(body, encoding)
            is_article, reason = classify_tree(tree, url)
            if not is_article:
                return {"kind": "index", "reason": reason, "links": _links(tree, url)}
            needs = requisite_urls(tree, url) if requisites else []  # before extract prunes
            record = extract(
                tree, url, feed_entry=feed_entry, politics_hint=politics_hint,
                boilerplate=boilerplate, captured=captured,
            )  # fmt: skip
    except ExtractionTimeout:
        return {"kind": "error", "reason": f"timeout after {DEFAULT_TIMEOUT:g} s"}
    except Exception as exc:  # analysis must never kill the crawl
        return {"kind": "error", "reason": f"extract: {type(exc).__name__}: {exc}"}
    return {"kind": "article", "reason": reason, "record": record, "requisites": needs}


def _links(tree, url: str) -> list[str]:
    """The page's http(s) links, absolute, without fragments, at most MAX_LINKS."""
    links: list[str] = []
    for href in tree.xpath("//a/@href") if tree is not None else ():
        try:
            link = urldefrag(urljoin(url, href.strip()))[0]
        except ValueError:  # a malformed link ("http://[::1") is not followed
            continue
        if link.startswith(("http://", "https://")):
            links.append(link)
            if len(links) >= MAX_LINKS:
                break
    return list(dict.fromkeys(links))


def init_worker(parent_pid: int) -> None:
    """Pool initializer: die with the crawl, ignore Ctrl-C (the parent handles it), and
    run at a lower priority than the crawl process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Yield the CPU to the reactor when both compete: a starved reactor stops feeding
    # pages to the pool, and then both workers idle. Workers still get every spare cycle.
    os.nice(5)
    try:  # Linux: SIGKILL this worker when the parent dies, even by kill -9
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent_pid:  # parent already gone before prctl took effect
        os._exit(1)
    import crawler.extract  # noqa: F401  (warm the import before the first page)
