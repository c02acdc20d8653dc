"""The archive: WARC captures, article records (JSONL) and the seen-store.

Layout under NEWSARCHIVE_HOME::

    warc/newsarchive-<UTC yyyymmddHHMMSS>-<serial>.warc.gz   WARC 1.1, gzip per record
    warc/<same name>.cdxj        CDXJ index of a file, written when the file is closed
    articles/articles.jsonl      live article records (format: docs/record-format.md,
                                 JSON Schema: crawler/schema/article-record.schema.json)
    articles/reextract-<ts>/articles.jsonl   a record set rebuilt by `newsarchive reextract`
                                 (and boilerplate.json, the sources' learnt states)
    seen.sqlite                  seen-store (derived from articles.jsonl + caches, and
                                 each source's learnt boilerplate: archive/learnt.py)

API for the Scrapy side (everything runs on the reactor thread):

1. The extension that owns the crawl's archive, and the downloader middleware that
   captures every exchange, priority 950 (it sees raw bodies before HttpCompression)::

       EXTENSIONS = {"crawler.archive.extension.ArchiveExtension": 0}
       DOWNLOADER_MIDDLEWARES = {"crawler.archive.middleware.WarcCaptureMiddleware": 950}

   Settings: NEWSARCHIVE_HOME (overrides newsarchive.config), WARC_MAX_BYTES
   (default 1 GiB), ARCHIVE_FSYNC (fsync each record, default False). Every http(s)
   response (articles, feeds, sitemaps, robots.txt, redirects, errors; not responses
   flagged "cached") becomes a response (or revisit) + request record, and
   ``request.meta["capture"]`` (== ``response.meta["capture"]``) is set to a
   :class:`Capture`. On disk full the spider closes with reason
   ``"archive_write_failed"`` (``extension.CLOSE_REASON``); the `crawl` command should
   exit non-zero when it sees that reason.

2. The shared facade: ``archive_of(crawler).archive -> Archive`` (the same object for
   the middleware, the pipeline and the spider; opened with the crawl's extensions,
   closed when its engine stops). Outside Scrapy: ``Archive(home)`` (a context manager;
   one writer per home, enforced by a lock file).

   - ``record_article(extracted, *, capture, source_id, outlet, source_tags=None,
     http_status=None, feed_entry=None) -> Outcome`` with ``.kind`` in
     {"new", "changed", "unchanged", "empty_extraction"} (the last: a known article
     extracted without a body, recorded as seen), ``.version``, ``.changed_fields``,
     ``.id``, ``.record``. Pass ``feed_entry`` if you passed one to ``extract``: re-extraction
     needs it.
   - ``record_removed(url, *, capture, source_id, status, reason=None) -> Outcome | None``
     for a known article now 404/410/redirected home (None: not a known article;
     kind "unchanged": already removed).
   - ``is_archived(url)``, ``validators(url) -> (etag, last_modified)``,
     ``remember_validators(url, etag, last_modified)``, ``known_article_urls(source_id)``,
     ``article_state(url)``, ``capture(...) -> Capture`` (what the middleware calls),
     ``notes`` (what recovery repaired on open), ``close()``.

3. Identity (the indexer imports these, never re-implements them):
   ``crawler.archive.identity``: ``normalize_url``, ``article_id``, ``choose_canonical``,
   ``normalize_text``, ``content_hash``.

4. ``reextract(home, *, out=None) -> dict`` (crawler.archive.reextract) and the command
   ``newsarchive reextract [--out DIR]``.

5. Replay and evidence: ``crawler.archive.replay`` (``ReplayServer``, ``replay_url``,
   ``timeline_url``; the command ``newsarchive replay``) and ``crawler.archive.wacz``
   (``write_wacz(out, warc_dir, pages, title=, metadata=)``, ``verify_wacz(path)``).
"""

from __future__ import annotations

from crawler.archive.records import RECORD_VERSION, Outcome
from crawler.archive.store import Archive
from crawler.archive.warc import Capture
from newsarchive.errors import ArchiveWriteError

__all__ = [
    "RECORD_VERSION",
    "Archive",
    "ArchiveWriteError",
    "Capture",
    "Outcome",
]
