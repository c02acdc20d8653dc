"""Article records: one JSON object per line, one line per article event.

``ArticleLog`` decides what a fetch means (new version, changed, unchanged, removed)
against the seen-store, appends the record, then folds it into the store. It does no
WARC writing, so re-extraction replays captures through the very same logic.
The format is documented in docs/record-format.md and crawler/schema/.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from crawler.archive.corrections import find_corrections
from crawler.archive.identity import article_id, choose_canonical, normalize_text, version_hash
from crawler.archive.jsonl import JsonlWriter, line_number, read_lines
from crawler.archive.seen import ArticleState, SeenStore, edited_so_far
from crawler.archive.warc import Capture
from crawler.schema.record import (
    BODY_BLOCK_SEPARATOR,
    DIFF_FIELDS,
    EXTRACTED_FIELDS,
    TEXT_DIFF_FIELDS,
    Validators,
)
from crawler.schema.record import listed_titles as clean_listed_titles
from newsarchive.shingles import record_sample
from newsarchive.urls import site_of
from newsarchive.wordiff import change_size

RECORD_VERSION = 1


@dataclass(frozen=True)
class Outcome:
    """What ``record_article``/``record_removed`` did."""

    # "new" | "changed" | "unchanged" | "removed" | "empty_extraction" (a known
    # article extracted without a body: recorded as seen, the version kept)
    kind: str
    id: str
    version: int
    changed_fields: list[str] = field(default_factory=list)
    record: dict | None = None  # the line appended to the JSONL


def _comparable(name: str, value):
    if name in TEXT_DIFF_FIELDS:
        return normalize_text(value)
    if name == "authors":
        return [normalize_text(a) for a in (value or [])]
    return value or None


def changed_fields(old: dict, new: dict) -> list[str]:
    return [f for f in DIFF_FIELDS if _comparable(f, old.get(f)) != _comparable(f, new.get(f))]


def without_learnt_blocks(fields: dict, extracted: dict) -> dict:
    """The previous version's ``fields`` with the blocks that this extraction dropped as
    the source's learnt boilerplate taken out of its body.

    A block kept in an earlier capture, before the source's state knew it (a share
    appeal, a newsletter pitch), and dropped from this one is no edit of the article:
    the two bodies are compared, counted and diffed (``previous``) without it. The
    earlier version's own record keeps its body as it was."""
    rule_body, body = extracted.get("rule_body"), fields.get("body")
    if not rule_body or not body:
        return fields
    kept = {normalize_text(b) for b in (extracted.get("body") or "").split(BODY_BLOCK_SEPARATOR)}
    dropped = {normalize_text(b) for b in rule_body.split(BODY_BLOCK_SEPARATOR)} - kept
    blocks = body.split(BODY_BLOCK_SEPARATOR)
    left = [b for b in blocks if normalize_text(b) not in dropped]
    return (
        {**fields, "body": BODY_BLOCK_SEPARATOR.join(left)} if len(left) < len(blocks) else fields
    )


def change_of(before: dict, values: dict, changed: list[str], edited: Iterable[str]) -> dict:
    """What a new version amounts to: words added and removed in the text fields that
    changed (from ``before``, the previous version's fields), every field edited so far
    (``edited`` before this one), and the notices its text carries."""
    added = removed = 0
    for name in changed:
        if name in TEXT_DIFF_FIELDS:
            plus, minus = change_size(before.get(name), values.get(name))
            added, removed = added + plus, removed + minus
    return {
        "words_added": added,
        "words_removed": removed,
        "edited_fields": edited_so_far(edited, changed),
        "corrections": find_corrections(values.get("description"), values.get("body")),
    }


def _lost_body(state: ArticleState, extracted: dict) -> bool:
    """A known article with a body came back without one (paywall stub, broken page,
    extraction failure): not a new version. The capture is in the WARC, so
    re-extraction can still revisit it."""
    return bool(normalize_text(state.fields.get("body"))) and not normalize_text(
        extracted.get("body")
    )


def _base(event: str, aid: str, version: int, capture: Capture, **extra) -> dict:
    return {
        "record_version": RECORD_VERSION,
        "event": event,
        "id": aid,
        "version": version,
        **extra,
        "fetched_at": capture.fetched_at,
        "capture": capture.pointer(),
    }


class ArticleLog:
    """The JSONL article records of one record set plus the seen-store they feed."""

    def __init__(self, jsonl_path: Path, store: SeenStore, *, fsync: bool = False) -> None:
        self.store = store
        self.writer = JsonlWriter(jsonl_path, fsync=fsync)
        self.torn_bytes = self.writer.torn_bytes
        self.skipped: list[str] = []  # damaged lines passed over, named by file and line
        self.replayed = self._reconcile()

    def _reconcile(self) -> int:
        """Apply lines written after the store's checkpoint (a crash between the two,
        or a whole rebuild of a deleted store), in one transaction. Damaged lines are
        skipped and named; the indexer dead-letters them too."""
        start = self.store.checkpoint()
        # Rebuild when the store is ahead of the file (power loss) or older than its
        # columns (``SeenStore.stale``).
        reset = start > self.writer.size or self.store.stale
        if reset:
            start = 0
        return self.store.replay(self._lines(start), reset=reset)

    def _lines(self, start: int):
        path = self.writer.path
        for end, record, problem, _raw in read_lines(path, start):
            problem = problem or self.store.problem(record)
            if problem:
                line = line_number(path, end)
                self.skipped.append(
                    f"{path} line {line}: skipped a damaged record, {problem}"[:400]
                )
                record = None
            yield end, record

    def _commit(self, record: dict) -> None:
        end = self.writer.append(record)
        self.store.apply(record, end)

    def article(
        self,
        extracted: dict,
        *,
        capture: Capture,
        source_id: str,
        outlet: str,
        source_tags: dict[str, str],
        http_status: int,
        validators: Validators | None = None,
        listed_titles: list[str] | None = None,
    ) -> Outcome:
        """Record the extraction of a capture: a new version, or ``seen``. ``validators``
        (the response's ETag and Last-Modified) let a later re-fetch be conditional;
        ``listed_titles`` (the listings' headlines for it) tell a later new one."""
        url = capture.url
        extra = _extra(validators, listed_titles)
        canonical = choose_canonical(url, extracted.get("canonical_url"))
        aid = self.store.resolve_id(url, canonical) or article_id(canonical)
        state = self.store.article(aid)
        chash = version_hash(extracted)
        if state is not None and (state.content_hash == chash or _lost_body(state, extracted)):
            record = _base(
                "seen",
                aid,
                state.version,
                capture,
                url=url,
                source_id=source_id,
                outlet=outlet,
                http_status=http_status,
                content_hash=chash,
                **extra,
            )
            self._commit(record)
            kind = "unchanged" if state.content_hash == chash else "empty_extraction"
            return Outcome(kind, aid, state.version, [], record)
        record = self._version_record(
            extracted, aid, state, capture, url, canonical, chash,
            source_id=source_id, outlet=outlet, source_tags=source_tags, http_status=http_status,
        )  # fmt: skip
        record.update(extra)
        self._commit(record)
        kind = "new" if state is None else "changed"
        return Outcome(kind, aid, record["version"], record["changed_fields"], record)

    def _version_record(
        self,
        extracted: dict,
        aid: str,
        state: ArticleState | None,
        capture: Capture,
        url: str,
        canonical: str,
        chash: str,
        **context,
    ) -> dict:
        values = {name: extracted.get(name) for name in EXTRACTED_FIELDS}
        values["authors"] = list(values["authors"] or [])
        values["tags"] = list(values["tags"] or [])
        values["links"] = list(values["links"] or [])
        values["paywalled"] = bool(values["paywalled"])
        values["word_count"] = int(values["word_count"] or len((values["body"] or "").split()))
        if state is None:
            version, first_seen, changed, previous, before = 1, capture.fetched_at, [], {}, {}
        else:
            version, first_seen = state.version + 1, state.first_seen
            before = without_learnt_blocks(state.fields, extracted)
            changed = changed_fields(before, values)
            previous = {f: before.get(f) for f in changed}
        return _base(
            "new" if state is None else "changed",
            aid,
            version,
            capture,
            url=url,
            canonical_url=canonical,
            domain=site_of(canonical),
            source_id=context["source_id"],
            outlet=context["outlet"],
            source_tags=dict(context["source_tags"] or {}),
            **values,
            provenance=dict(extracted.get("provenance") or {}),
            extractor=dict(extracted.get("extractor") or {}),
            first_seen=first_seen,
            http_status=context["http_status"],
            content_hash=chash,
            changed_fields=changed,
            previous=previous,
            **change_of(before, values, changed, state.edited_fields if state else ()),
            text_sample=record_sample(values["body"]),
        )

    def not_modified(
        self,
        url: str,
        *,
        capture: Capture,
        source_id: str,
        outlet: str,
        validators: Validators | None = None,
        listed_titles: list[str] | None = None,
    ) -> Outcome | None:
        """A conditional re-fetch the server answered 304: ``seen``, with the content
        hash of the record whose payload the revisit ``capture`` refers to. None when
        the article or what the conditional request was based on is not known."""
        aid = self.store.resolve_id(url)
        state = self.store.article(aid) if aid else None
        basis = self.store.revalidation(url) if state else None
        if state is None or basis is None:
            return None
        old = basis.payload
        record = _base(
            "seen",
            state.id,
            state.version,
            capture,
            url=url,
            source_id=source_id,
            outlet=outlet,
            http_status=capture.status,
            content_hash=basis.content_hash,
            # A 304 may leave out validators that still hold (RFC 9110): keep the old ones.
            validators={
                "etag": (validators or {}).get("etag") or basis.etag,
                "last_modified": (validators or {}).get("last_modified") or basis.last_modified,
            },
            **_extra(None, listed_titles),
        )
        if capture.refers_to is None or capture.refers_to.get("record_id") != old.get("record_id"):
            return None  # the revisit does not point at what the request was based on
        self._commit(record)
        return Outcome("unchanged", state.id, state.version, [], record)

    def removed(
        self, url: str, *, capture: Capture, source_id: str, status: int, reason: str | None
    ) -> Outcome | None:
        aid = self.store.resolve_id(url)
        state = self.store.article(aid) if aid else None
        if state is None:
            return None
        if state.removed:
            return Outcome("unchanged", state.id, state.version)
        record = _base(
            "removed",
            state.id,
            state.version,
            capture,
            url=url,
            source_id=source_id,
            http_status=status,
            reason=reason or f"http {status}",
        )
        self._commit(record)
        return Outcome("removed", state.id, state.version, [], record)

    def close(self) -> None:
        self.writer.close()


def _extra(validators: Validators | None, listed_titles: list[str] | None) -> dict:
    """The optional fields a version or ``seen`` record takes from its capture."""
    extra: dict = {} if validators is None else {"validators": dict(validators)}
    titles = clean_listed_titles(listed_titles)  # a WARC's too, on reextract
    if titles:
        extra["listed_titles"] = titles
    return extra
