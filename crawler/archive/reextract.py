"""Rebuild article records from the WARC files alone, with the current extractor.

Every ``metadata`` record written by ``Archive.record_article`` names its response
(``WARC-Concurrent-To``) and holds what the page cannot tell (source, tags, feed
entry). Replaying those in write order through the same ``ArticleLog`` logic gives a
fresh record set, written to its own directory so the live one is never touched.
Each source's learnt boilerplate is rebuilt on the way (``crawler.archive.learnt``).

``promote`` then makes such a set the live one, so later crawls continue from it: the
old live file is kept beside it, and the seen-store's article state (a pure function
of the live records) is rebuilt from the new file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from crawler.archive.jsonl import read_lines
from crawler.archive.learnt import LearntBoilerplate
from crawler.archive.reader import CaptureUnreadable, iter_records, read_response
from crawler.archive.records import ArticleLog
from crawler.archive.seen import SeenStore
from crawler.archive.store import METADATA_TYPE, REMOVED_TYPE, archive_paths, lock_archive
from crawler.archive.warc import Capture
from crawler.archive.writer import warc_files
from newsarchive.errors import NewsarchiveError

log = logging.getLogger(__name__)

BOILERPLATE_FILE = "boilerplate.json"  # the sources' learnt states, rebuilt


def _read_page(path: Path, capture: Capture) -> tuple[bytes, str | None]:
    """The body of the response ``capture`` locates (content-encoding removed, payload
    verified) and the charset its Content-Type declared: what the crawl handed the
    extractor. Raises ``CaptureUnreadable`` for damaged data."""
    from crawler.extract.page import declared_charset

    stored = read_response(path, capture.offset, digest=capture.payload_digest)
    return stored.body, declared_charset(stored.header("Content-Type"))


def default_out(home: Path) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return Path(home) / "articles" / f"reextract-{stamp}"


def reextract(
    home: Path,
    *,
    out: Path | None = None,
    extract: Callable[..., dict] | None = None,
    progress: Callable[[dict], None] | None = None,
    learn_boilerplate: bool | None = None,
) -> dict:
    """Write ``<out>/articles.jsonl`` from the WARCs under ``home``; return a summary.
    ``progress`` gets the running summary (and ``file``, ``files``) after each article.

    ``learn_boilerplate`` (default: with the default extractor) learns each source's
    boilerplate from nothing over the captures in the order the crawl recorded them,
    extracting each with its source's state so far, as the crawl did; the states are
    left in ``<out>/boilerplate.json`` for ``promote`` to install."""
    learn = extract is None if learn_boilerplate is None else learn_boilerplate
    if extract is None:
        from crawler.extract import extract
    warc_dir = archive_paths(home)["warc"]
    files = warc_files(warc_dir)
    if not files:
        raise NewsarchiveError(f"no WARC files in {warc_dir}: nothing to re-extract")
    out = Path(out) if out else default_out(home)
    if (out / "articles.jsonl").exists():
        raise NewsarchiveError(f"{out} already holds article records; choose another folder")
    out.mkdir(parents=True, exist_ok=True)
    live_before = _live_state(home)
    scratch = out / ".seen.sqlite"
    store = SeenStore(scratch)
    article_log = ArticleLog(out / "articles.jsonl", store)
    learnt = LearntBoilerplate()  # in memory: the live states are the crawl's
    captures: dict[str, Capture] = {}  # record id -> response/revisit capture
    originals: dict[str, Path] = {}  # record id -> file of a full response
    validators: dict[str, dict] = {}  # record id -> the response's ETag and Last-Modified
    summary = {"warc_files": len(files), "captures": 0, "articles": 0, "missing": 0}
    damaged: list[str] = []  # what could not be read, by file and offset
    summary.update(new=0, changed=0, unchanged=0, removed=0, empty_extraction=0)
    try:
        for n, path in enumerate(files, start=1):
            for record, offset, length, payload in iter_records(path, damaged):
                headers = record.rec_headers
                rid = headers.get_header("WARC-Record-ID")
                if record.rec_type in ("response", "revisit"):
                    summary["captures"] += 1
                    captures[rid] = _capture(record, path.name, offset, length, captures)
                    validators[rid] = validators_of(record)
                    if record.rec_type == "response":
                        originals[rid] = path
                    continue
                if record.rec_type != "metadata":
                    continue
                meta = _parse(payload)
                if meta is None or meta.get("type") not in (METADATA_TYPE, REMOVED_TYPE):
                    continue
                capture = captures.get(headers.get_header("WARC-Concurrent-To"))
                if capture is None:
                    damaged.append(
                        f"{path.name} @ offset {offset}: the capture this metadata describes "
                        "is not readable (it lay in damaged data)"
                    )
                    summary["missing"] += 1
                    continue
                if meta["type"] == REMOVED_TYPE:
                    outcome = article_log.removed(
                        meta["url"], capture=capture, source_id=meta["source_id"],
                        status=meta["http_status"], reason=meta.get("reason"),
                    )  # fmt: skip
                    if outcome and outcome.kind == "removed":
                        summary["removed"] += 1
                    continue
                if meta.get("not_modified"):  # a 304: the same seen, without re-extracting
                    outcome = article_log.not_modified(
                        capture.url, capture=capture, source_id=meta["source_id"],
                        outlet=meta["outlet"], validators=validators.get(capture.record_id),
                        listed_titles=meta.get("listed_titles"),
                    )  # fmt: skip
                    if outcome is not None:
                        summary["articles"] += 1
                        summary[outcome.kind] += 1
                        continue
                body_rid = capture.refers_to["record_id"] if capture.revisit else capture.record_id
                if body_rid not in originals:
                    damaged.append(
                        f"{path.name} @ offset {offset}: the response a revisit refers to is "
                        "not readable"
                    )
                    summary["missing"] += 1
                    continue
                try:
                    body, charset = _read_page(originals[body_rid], captures[body_rid])
                except CaptureUnreadable as exc:
                    damaged.append(str(exc))
                    summary["missing"] += 1
                    continue
                extracted = extract(
                    body,
                    capture.url,
                    feed_entry=meta.get("feed_entry"),
                    politics_hint=meta.get("politics_hint"),
                    encoding=charset,
                    captured=capture.moment(),
                    **({"boilerplate": learnt.state(meta["source_id"])} if learn else {}),
                )
                outcome = article_log.article(
                    extracted,
                    capture=capture,
                    source_id=meta["source_id"],
                    outlet=meta["outlet"],
                    source_tags=meta.get("source_tags") or {},
                    http_status=meta["http_status"],
                    validators=validators.get(capture.record_id),
                    listed_titles=meta.get("listed_titles"),
                )
                learnt.observe(meta["source_id"], outcome, extracted)
                summary["articles"] += 1
                summary[outcome.kind] += 1
                if progress is not None:
                    progress({**summary, "file": n, "files": len(files)})
    finally:
        article_log.close()
        store.close()
        for leftover in out.glob(".seen.sqlite*"):
            leftover.unlink()
    summary["damaged"] = damaged
    summary["learnt_boilerplate"] = learn
    if learn:
        (out / BOILERPLATE_FILE).write_text(json.dumps(learnt.to_json()) + "\n")
    summary["out"] = str(out)
    summary["records"] = str(out / "articles.jsonl")
    # What the live records were while this set was read: promotion requires them unchanged
    # (a crawl in between would have archived captures this set may have missed).
    summary["live_records"] = live_before if _live_state(home) == live_before else None
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    return summary


def _live_state(home: Path) -> dict:
    """Size and a digest of the tail of the live record file (zero when there is none).

    The live file only grows, so its size tells whether a crawl appended to it; the
    digest tells it from another file of the same size. Neither depends on where the
    home lives, so a copied or restored archive can still be promoted.
    """
    path = archive_paths(home)["articles"]
    try:
        with open(path, "rb") as fh:
            size = fh.seek(0, os.SEEK_END)
            fh.seek(max(0, size - (1 << 20)))
            tail = hashlib.sha256(fh.read()).hexdigest()
    except FileNotFoundError:
        return {"size": 0, "tail_sha256": None}
    return {"size": size, "tail_sha256": tail}


def promote(home: Path, record_set: Path) -> dict:
    """Make the re-extracted set in ``record_set`` the live one; return a summary.

        Under the archive lock (no crawl runs meanwhile). The swap is safe at every instant:
        the old live file is first kept under another name, then the seen-store's article
        state is reset (a crash here leaves the old file, replayed on the next open), then
        the new file replaces the live one in one rename (a crash after it leaves the new
        file, replayed on the next open). The replay is done here too, so the next crawl
        starts at once, and the sources' learnt boilerplate rebuilt with the set replaces the
    live one. The search index still holds the old records: rebuild it.
    """
    home, record_set = Path(home), Path(record_set)
    new_records = record_set / "articles.jsonl"
    try:
        summary = json.loads((record_set / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise NewsarchiveError(f"{record_set} is not a re-extracted record set") from None
    if not new_records.is_file() or not isinstance(summary, dict):
        raise NewsarchiveError(f"{record_set} is not a re-extracted record set")
    learnt = _learnt_states(record_set) if summary.get("learnt_boilerplate") else None
    paths = archive_paths(home)
    live = paths["articles"]
    lock = lock_archive(home)
    try:
        if summary.get("live_records") is None or summary["live_records"] != _live_state(home):
            raise NewsarchiveError(
                f"the archive changed after {record_set} was made (or crawls ran while it was "
                "being made): run `newsarchive reextract` again, then promote the new set"
            )
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        kept = live.with_name(f"replaced-{stamp}.jsonl")
        staged = live.with_name(".promoting.jsonl")
        live.parent.mkdir(parents=True, exist_ok=True)
        kept_ids = _stage(new_records, live, staged)
        if live.exists():
            os.link(live, kept)
        store = SeenStore(paths["seen"])
        try:
            store.reset_articles()
            os.replace(staged, live)
            article_log = ArticleLog(live, store)  # replays the new records into the store
            replayed = article_log.replayed
            article_log.close()
            if learnt is not None:  # the states that go with the new records
                store.replace_boilerplate({k: json.dumps(v) for k, v in learnt.items()})
        finally:
            store.close()
    finally:
        lock.release()
    return {
        "records": replayed,
        "live": str(live),
        "kept": str(kept) if kept.exists() else None,
        "from": str(record_set),
        "kept_live_articles": kept_ids,
        "damaged": list(summary.get("damaged") or []),
    }


def _learnt_states(record_set: Path) -> dict[str, dict]:
    """The learnt states a re-extraction left, checked before anything is swapped."""
    from crawler.extract.recurring import RecurringBlocks

    path = record_set / BOILERPLATE_FILE
    try:
        states = json.loads(path.read_text(encoding="utf-8"))
        for state in states.values():
            RecurringBlocks.from_json(state)
    except (OSError, ValueError, AttributeError):
        raise NewsarchiveError(
            f"{path} is missing or damaged: run `newsarchive reextract` again"
        ) from None
    return states


def _capture_key(record: dict) -> tuple | None:
    capture = record.get("capture")
    return (capture.get("warc_file"), capture.get("offset")) if isinstance(capture, dict) else None


def _stage(new_records: Path, live: Path, staged: Path) -> list[str]:
    """Write the set to promote into ``staged`` and fsync it: the re-extracted records,
    except for articles with a live record whose capture the new set lacks (its WARC
    data could not be read): those keep their live records, so promoting drops nothing.
    Returns the ids of the articles kept so."""
    rebuilt = {_capture_key(line.record) for line in read_lines(new_records) if line.record}
    lost: set[str] = set()
    if live.exists():
        for line in read_lines(live):
            if line.record and _capture_key(line.record) not in rebuilt:
                lost.add(str(line.record.get("id")))
    with open(staged, "wb") as out:
        if not lost:
            with open(new_records, "rb") as src:
                shutil.copyfileobj(src, out)
        else:
            for source, keep in ((new_records, False), (live, True)):
                with open(source, "rb") as src:
                    for raw in src:
                        if not raw.endswith(b"\n"):
                            continue
                        try:
                            aid = str(json.loads(raw).get("id"))
                        except (ValueError, AttributeError):
                            continue
                        if (aid in lost) == keep:
                            out.write(raw)
        out.flush()
        os.fsync(out.fileno())
    return sorted(lost)


def _parse(payload: bytes | None) -> dict | None:
    try:
        data = json.loads(payload or b"")
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def validators_of(record) -> dict | None:
    """The ETag and Last-Modified an archived response (or 304) carried; None when it
    carried neither (as the crawl records it)."""
    http = record.http_headers
    if not http:
        return None
    found = {"etag": http.get_header("ETag"), "last_modified": http.get_header("Last-Modified")}
    return found if any(found.values()) else None


def _capture(record, name: str, offset: int, length: int, known: dict[str, Capture]) -> Capture:
    headers = record.rec_headers
    revisit = record.rec_type == "revisit"
    refers_to = None
    if revisit:
        original = known.get(headers.get_header("WARC-Refers-To"))
        refers_to = {
            "warc_file": original.warc_file if original else None,
            "offset": original.offset if original else None,
            "length": original.length if original else None,
            "record_id": headers.get_header("WARC-Refers-To"),
        }
    status = record.http_headers.get_statuscode() if record.http_headers else "0"
    return Capture(
        url=headers.get_header("WARC-Target-URI"),
        warc_file=name,
        offset=offset,
        length=length,
        record_id=headers.get_header("WARC-Record-ID"),
        payload_digest=headers.get_header("WARC-Payload-Digest"),
        fetched_at=headers.get_header("WARC-Date"),
        status=int(status),
        revisit=revisit,
        refers_to=refers_to,
    )


__all__ = ["reextract", "default_out"]
