"""The ``Archive`` facade: WARC captures, article records and the seen-store together.

Write order for every article event (so a crash at any instant is repaired on the
next open): WARC record(s) first, then the JSONL line, then the seen-store commit.
- killed after the WARC, before the JSONL line: the capture is an orphan (valid WARC,
  no record); the article is not in the seen-store, so it is fetched again.
- killed after the JSONL line, before the store: the line is replayed on open.
- killed mid-write: the torn WARC record / JSONL line is cut off on open.
One ``Archive`` per home at a time (an exclusive lock file enforces it).
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from http import HTTPStatus
from pathlib import Path

from crawler.archive import warc
from crawler.archive.identity import version_hash
from crawler.archive.learnt import LearntBoilerplate
from crawler.archive.records import ArticleLog, Outcome
from crawler.archive.recovery import check_closed_sizes, recover_directory
from crawler.archive.seen import ArticleState, Revalidation, SeenStore
from crawler.archive.warc import Capture
from crawler.archive.writer import DEFAULT_MAX_BYTES, RotatingWarcWriter
from crawler.schema.record import Validators
from newsarchive.clock import SYSTEM, Clock
from newsarchive.errors import ArchiveWriteError, NewsarchiveError
from newsarchive.locks import FileLock

log = logging.getLogger(__name__)

METADATA_TYPE = "newsarchive/article"
REMOVED_TYPE = "newsarchive/removed"


def archive_paths(home: Path) -> dict[str, Path]:
    """Where everything lives under NEWSARCHIVE_HOME."""
    home = Path(home)
    return {
        "warc": home / "warc",
        "articles": home / "articles" / "articles.jsonl",
        "seen": home / "seen.sqlite",
        "lock": home / ".archive.lock",
    }


def lock_archive(home: Path) -> FileLock:
    """Take the archive's exclusive lock (``release()`` it when done).

    One writer per home: a crawl holds it for its whole run, a promotion for its swap.
    """
    lock = FileLock(archive_paths(home)["lock"])
    if not lock.acquire():
        raise NewsarchiveError(
            f"another crawl is writing to the archive in {home}; "
            "wait for it to finish (or stop it) and try again"
        )
    return lock


class Archive:
    """Everything the crawler writes. Use from one thread (Scrapy's reactor).

    ``clock`` is the crawl's one clock: capture dates are read from it, and the spider
    reads "now" from it too (``newsarchive.clock``). ``worker``: the id of a worker of a
    shared frontier (``crawler.frontier``), carried by its WARC file names."""

    def __init__(
        self,
        home: Path,
        *,
        max_warc_bytes: int = DEFAULT_MAX_BYTES,
        fsync: bool = False,
        clock: Clock = SYSTEM,
        worker: str | None = None,
    ) -> None:
        paths = archive_paths(home)
        self.home = Path(home)
        self.clock = clock
        self.warc_dir = paths["warc"]
        self.home.mkdir(parents=True, exist_ok=True)
        self._lock = lock_archive(self.home)  # held for the Archive's life
        try:
            self._open(paths, fsync)
        except NewsarchiveError:
            self._unlock()
            raise
        except OSError as exc:
            self._unlock()
            raise ArchiveWriteError(
                f"cannot write the archive in {self.home}: {exc.strerror or exc} (disk full?)"
            ) from exc
        self.writer = RotatingWarcWriter(
            self.warc_dir,
            max_bytes=max_warc_bytes,
            fsync=fsync,
            on_closed=self.store.remember_warc_size,
            clock=clock,
            # a worker of a shared frontier names its files (and their warcinfo) after itself
            prefix=f"newsarchive-{worker}" if worker else "newsarchive",
            info={"newsarchive-worker": worker} if worker else None,
        )

    def _open(self, paths: dict[str, Path], fsync: bool) -> None:
        """Repair what a dead crawl left (WARC tails, then the JSONL tail, then replay
        into the store), which may need to write."""
        self.warc_dir.mkdir(parents=True, exist_ok=True)
        self.store = SeenStore(paths["seen"])
        remember = self.store.remember_warc_size
        self.notes: list[str] = recover_directory(self.warc_dir, remember)
        self.notes += check_closed_sizes(self.warc_dir, self.store.warc_sizes(), remember)
        self.boilerplate = LearntBoilerplate(self.store)
        self.notes += self.boilerplate.notes
        self.log = ArticleLog(paths["articles"], self.store, fsync=fsync)
        if self.log.torn_bytes:
            self.notes.append(
                f"{paths['articles'].name}: repaired a torn last line of "
                f"{self.log.torn_bytes} bytes (kept in {paths['articles'].name}.torn)"
            )
        if self.log.replayed:
            self.notes.append(f"seen-store: replayed {self.log.replayed} article records")
        self.notes.extend(self.log.skipped)
        for note in self.notes:
            log.warning("archive recovery: %s", note)

    # --- captures ----------------------------------------------------------------------

    def capture(
        self,
        url: str,
        *,
        method: str = "GET",
        request_target: str | None = None,
        protocol: str = "HTTP/1.1",
        request_headers: list[tuple[str, str]] = (),
        request_body: bytes = b"",
        status: int,
        reason: str | None = None,
        response_headers: list[tuple[str, str]] = (),
        body: bytes = b"",
        ip: str | None = None,
        fetched_at: datetime | None = None,
    ) -> Capture:
        """Archive one HTTP exchange: response (or revisit) + request, linked.

        ``body`` is the entity body as received (still content-encoded). A revisit is
        written instead of the response when the last capture of this exact URL had the
        same status and payload digest, and for a 304 answer to a conditional re-fetch
        of a known article (a server-not-modified revisit of the payload it confirms).
        """
        if reason is None:
            try:
                reason = HTTPStatus(status).phrase
            except ValueError:
                reason = ""
        if request_target is None:
            from urllib.parse import urlsplit

            parts = urlsplit(url)
            request_target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        date = warc.warc_date(fetched_at or self.clock.now())
        record_id = warc.make_record_id()
        basis = self.store.revalidation(url) if status == 304 else None
        if basis is not None and (self.warc_dir / str(basis.payload["warc_file"])).exists():
            return self._not_modified(
                url, basis, protocol=protocol, reason=reason, date=date, record_id=record_id,
                response_headers=response_headers, ip=ip, method=method,
                request_target=request_target, request_headers=request_headers,
                request_body=request_body,
            )  # fmt: skip
        digest = warc.payload_digest(body)
        original = self._previous_capture(url, status, digest)
        if original is not None:
            main = warc.build_revisit(
                url, protocol=protocol, status=status, reason=reason,
                headers=list(response_headers), digest=digest, date=date,
                record_id=record_id, ip=ip, refers_to=original,
            )  # fmt: skip
        else:
            main = warc.build_response(
                url, protocol=protocol, status=status, reason=reason,
                headers=list(response_headers), body=body, digest=digest, date=date,
                record_id=record_id, ip=ip,
            )  # fmt: skip
        request = warc.build_request(
            url, method=method, target=request_target, protocol=protocol,
            headers=list(request_headers), body=request_body, date=date,
            concurrent_to=record_id,
        )  # fmt: skip
        (name, offset, length), _ = self.writer.write([main, request])
        capture = Capture(
            url=url,
            warc_file=name,
            offset=offset,
            length=length,
            record_id=record_id,
            payload_digest=digest,
            fetched_at=date,
            status=status,
            revisit=original is not None,
            refers_to=None
            if original is None
            else {
                "warc_file": original.warc_file,
                "offset": original.offset,
                "length": original.length,
                "record_id": original.record_id,
            },
        )
        if original is None:  # a revisit's original stays the reference
            self.store.remember_capture(url, status, digest, name, offset, length, record_id, date)
        return capture

    def _not_modified(
        self,
        url: str,
        basis: Revalidation,
        *,
        protocol: str,
        reason: str,
        date: str,
        record_id: str,
        response_headers,
        ip: str | None,
        method: str,
        request_target: str,
        request_headers,
        request_body: bytes,
    ) -> Capture:
        """A 304: a server-not-modified revisit of the payload the request was based on."""
        payload = basis.payload
        refers_to = {
            "warc_file": payload["warc_file"],
            "offset": payload["offset"],
            "length": payload["length"],
            "record_id": payload["record_id"],
        }
        main = warc.build_not_modified(
            url, protocol=protocol, reason=reason, headers=list(response_headers), date=date,
            record_id=record_id, ip=ip, refers_to=payload,
        )  # fmt: skip
        request = warc.build_request(
            url, method=method, target=request_target, protocol=protocol,
            headers=list(request_headers), body=request_body, date=date,
            concurrent_to=record_id,
        )  # fmt: skip
        (name, offset, length), _ = self.writer.write([main, request])
        return Capture(
            url=url,
            warc_file=name,
            offset=offset,
            length=length,
            record_id=record_id,
            payload_digest=payload.get("digest") or warc.payload_digest(b""),
            fetched_at=date,
            status=304,
            revisit=True,
            refers_to=refers_to,
        )

    def _previous_capture(self, url: str, status: int, digest: str) -> Capture | None:
        row = self.store.last_capture(url)
        if row is None or row[0] != status or row[1] != digest:
            return None
        st, dg, name, offset, length, rid, fetched_at = row
        if not (self.warc_dir / name).exists():
            return None
        return Capture(url, name, offset, length, rid, dg, fetched_at, st)

    def _metadata(self, capture: Capture, payload: dict) -> None:
        data = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")
        record = warc.build_metadata(
            capture.url, payload=data, date=capture.fetched_at, describes=capture.record_id
        )
        self.writer.write([record])

    # --- article events ----------------------------------------------------------------

    def record_article(
        self,
        extracted: dict,
        *,
        capture: Capture,
        source_id: str,
        outlet: str,
        source_tags: dict[str, str] | None = None,
        http_status: int | None = None,
        feed_entry: dict | None = None,
        politics_hint: str | None = None,
        validators: Validators | None = None,
        listed_titles: list[str] | None = None,
    ) -> Outcome:
        """Record the extraction of an archived response as a new/changed/unchanged event.
        ``validators`` (the response's ETag and Last-Modified) make the article's next
        re-fetch conditional; ``listed_titles`` (the headlines the listings gave it in
        this crawl) let a later listing's new headline make it due.

        The WARC metadata record keeps everything re-extraction needs besides the page
        itself (source, tags, feed entry, the registry's politics hint), and the extractor
        and content hash of the result, which ties it to its article record; the result
        itself is in the JSONL (and re-extraction recomputes it), so it is not written twice.
        A new version's ``block_fingerprints`` (an extraction made with the source's
        learnt boilerplate) are then counted into the source's state (``boilerplate``).
        """
        status = capture.status if http_status is None else http_status
        self._metadata(
            capture,
            _article_metadata(
                source_id, outlet, source_tags, status, feed_entry, politics_hint,
                extractor=extracted.get("extractor"),
                body_hash=version_hash(extracted), listed_titles=listed_titles,
            ),
        )  # fmt: skip
        outcome = self.log.article(
            extracted,
            capture=capture,
            source_id=source_id,
            outlet=outlet,
            source_tags=dict(source_tags or {}),
            http_status=status,
            validators=validators,
            listed_titles=listed_titles,
        )
        self.boilerplate.observe(source_id, outcome, extracted)
        return outcome

    def record_not_modified(
        self,
        url: str,
        *,
        capture: Capture,
        source_id: str,
        outlet: str,
        source_tags: dict[str, str] | None = None,
        feed_entry: dict | None = None,
        politics_hint: str | None = None,
        validators: Validators | None = None,
        listed_titles: list[str] | None = None,
    ) -> Outcome | None:
        """Record a 304 answer to a conditional re-fetch (``capture``: the revisit that
        ``capture()`` wrote for it) as ``seen``: ``last_seen`` moves, no body was sent.

        The metadata record is the one ``record_article`` writes (flagged
        ``not_modified``), so re-extraction rebuilds the same ``seen`` from the payload
        the revisit points at. None when ``capture`` is not such a revisit of a known
        article (nothing is recorded then)."""
        state = self.store.article_for_url(url)
        basis = self.store.revalidation(url)
        if state is None or basis is None or not capture.revisit or capture.status != 304:
            return None
        payload = _article_metadata(
            source_id, outlet, source_tags, 304, feed_entry, politics_hint,
            extractor=None, body_hash=basis.content_hash, listed_titles=listed_titles,
        )  # fmt: skip
        self._metadata(capture, payload | {"not_modified": True})
        return self.log.not_modified(
            url, capture=capture, source_id=source_id, outlet=outlet, validators=validators,
            listed_titles=listed_titles,
        )  # fmt: skip

    def record_removed(
        self,
        url: str,
        *,
        capture: Capture,
        source_id: str,
        status: int,
        reason: str | None = None,
    ) -> Outcome | None:
        """Record that a known article vanished (404/410/redirect to the home page).

        Returns None when ``url`` is not a known article, and an ``unchanged`` outcome
        when it was already recorded as removed.
        """
        state = self.store.article_for_url(url)
        if state is None or state.removed:
            return None if state is None else Outcome("unchanged", state.id, state.version)
        self._metadata(
            capture,
            {
                "type": REMOVED_TYPE,
                "metadata_version": 1,
                "url": url,
                "source_id": source_id,
                "http_status": status,
                "reason": reason,
            },
        )
        return self.log.removed(
            url, capture=capture, source_id=source_id, status=status, reason=reason
        )

    # --- seen-store access -------------------------------------------------------------

    def is_archived(self, url: str) -> bool:
        """Whether ``url`` (fetched or canonical form) is a known, not removed, article."""
        state = self.store.article_for_url(url)
        return state is not None and not state.removed

    def article_state(self, url: str) -> ArticleState | None:
        return self.store.article_for_url(url)

    def revalidation(self, url: str) -> tuple[str | None, str | None]:
        """(ETag, Last-Modified) for a conditional re-fetch of the known article at
        ``url``: those of its latest record's response, when that payload is still in
        the archive; (None, None) otherwise (fetch it whole)."""
        basis = self.store.revalidation(url)
        if basis is None or not (self.warc_dir / str(basis.payload.get("warc_file"))).exists():
            return None, None
        return basis.etag, basis.last_modified

    def revisit_window(self, source_id: str, days: float) -> list[tuple[str, str, str]]:
        """(url, version_seen, last_seen) of the source's articles that a revisit schedule
        of ``days`` may still want (not removed, last seen within ``days`` of the capture
        of their current version)."""
        return self.store.revisit_window(source_id, days)

    def validators(self, url: str) -> tuple[str | None, str | None]:
        """(ETag, Last-Modified) remembered for a conditional GET of ``url``."""
        return self.store.validators(url)

    def remember_validators(self, url: str, etag: str | None, last_modified: str | None) -> None:
        self.store.remember_validators(url, etag, last_modified, warc.warc_date(self.clock.now()))

    def archived_urls(self):
        """Every URL (normalized, fetched or canonical) of the archive's articles."""
        return self.store.url_keys()

    def known_article_urls(self, source_id: str) -> list[str]:
        """URLs of the source's articles not recorded as removed (to re-check later)."""
        return self.store.known_article_urls(source_id)

    def close(self) -> None:
        """Close the WARC file (indexing it), sync the JSONL, release the lock."""
        if self._lock is None:
            return
        try:
            self.writer.close()
            self.log.close()
            try:
                self.boilerplate.save()
            except ArchiveWriteError as exc:  # only counts since the last save are lost
                log.warning("%s", exc)
            self.store.close()
        finally:
            self._unlock()

    def _unlock(self) -> None:
        self._lock.release()
        self._lock = None

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


__all__ = ["Archive", "Capture", "Outcome", "archive_paths", "lock_archive"]


def _article_metadata(
    source_id: str,
    outlet: str,
    source_tags: dict[str, str] | None,
    status: int | None,
    feed_entry: dict | None,
    politics_hint: str | None,
    *,
    extractor: object,
    body_hash: str | None,
    listed_titles: list[str] | None = None,
) -> dict:
    """The WARC metadata payload of an article capture: what re-extraction needs besides
    the page, and the extractor and content hash that tie it to its record."""
    extra = {"listed_titles": list(listed_titles)} if listed_titles else {}
    return extra | {
        "type": METADATA_TYPE,
        "metadata_version": 2,
        "source_id": source_id,
        "outlet": outlet,
        "source_tags": dict(source_tags or {}),
        "http_status": status,
        "feed_entry": feed_entry,
        "politics_hint": politics_hint,
        "extractor": extractor,
        "content_hash": body_hash,
    }
