"""The seen-store: what the archive knows about every URL, in SQLite.

Article state here is *derived* from the JSONL article records: ``apply`` is the one
function that turns a record into state, both live and when replaying lines a crash
left unapplied (``meta.jsonl_offset`` is the replay checkpoint, committed in the
same transaction). So is what a conditional re-fetch of an article needs (its last
record's validators and the payload they describe: ``revalidation``) and what the
revisit policy reads (when each article's current version was captured, and its last
capture): a deleted store is rebuilt with all of it, and so is a store written before
a column was added (``stale``). Feed validators and last captures are caches: losing
one only costs an unconditional fetch or a full response instead of a revisit.
So is each source's learnt boilerplate (``crawler.archive.learnt``): lost, it is
learnt again (``reextract`` rebuilds it from the captures, and promotion installs it).
"""

from __future__ import annotations

import contextlib
import functools
import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from crawler.archive.identity import normalize_url
from crawler.schema.record import DIFF_FIELDS, VERSION_EVENTS, listed_titles
from newsarchive.errors import ArchiveWriteError


def _writes(method):
    """Turn SQLite write failures (disk full, I/O error) into a clear ArchiveWriteError."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except sqlite3.OperationalError as exc:
            raise ArchiveWriteError(
                f"cannot write the seen-store {self.path}: {exc}; the archive was left "
                "valid (it is rebuilt from the article records on the next open)"
            ) from exc

    return wrapper


SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    canonical_url TEXT NOT NULL,
    source_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    removed INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL,
    version_seen TEXT,
    listed_titles TEXT
);
CREATE INDEX IF NOT EXISTS articles_source ON articles (source_id);
CREATE TABLE IF NOT EXISTS aliases (url_key TEXT PRIMARY KEY, id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS validators (
    url_key TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, updated_at TEXT
);
CREATE TABLE IF NOT EXISTS captures (
    url TEXT PRIMARY KEY, status INTEGER, payload_digest TEXT, warc_file TEXT,
    offset INTEGER, length INTEGER, record_id TEXT, fetched_at TEXT
);
CREATE TABLE IF NOT EXISTS revalidation (
    id TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, payload TEXT NOT NULL,
    content_hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS warc_files (name TEXT PRIMARY KEY, size INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS boilerplate (source_id TEXT PRIMARY KEY, state TEXT NOT NULL);
"""


# What folding each event reads from a record, and of which type.
_NEEDS = {
    "new": ("id", "version", "url", "canonical_url", "source_id", "content_hash",
            "first_seen", "fetched_at"),
    "changed": ("id", "version", "url", "canonical_url", "source_id", "content_hash",
                "first_seen", "fetched_at"),
    "seen": ("id", "fetched_at"),
    "removed": ("id",),
}  # fmt: skip
_TYPES = {k: str for k in _NEEDS["new"]} | {"version": int}


@dataclass(frozen=True)
class ArticleState:
    id: str
    url: str
    canonical_url: str
    source_id: str
    version: int
    content_hash: str
    first_seen: str
    last_seen: str
    removed: bool
    fields: dict  # the diffable fields of the current version
    edited_fields: tuple[str, ...] = ()  # fields changed in any version so far
    version_seen: str = ""  # when the current version was captured (first_seen for v1)
    listed_titles: tuple[str, ...] = ()  # the listings' headlines at its last capture with any


@dataclass(frozen=True)
class Revalidation:
    """What a conditional re-fetch of an article sends, and what a 304 then means: the
    validators of its latest record's response, and the payload (a capture pointer with
    its digest and, when known, its date) whose content that record describes."""

    etag: str | None
    last_modified: str | None
    payload: dict
    content_hash: str


def edited_so_far(before: tuple[str, ...] | list[str], changed: list[str]) -> list[str]:
    """The fields changed in any version: those before plus this version's, in field order."""
    union = set(before) | set(changed)
    return [f for f in DIFF_FIELDS if f in union]


def payload_of(record: dict) -> dict | None:
    """The capture pointer that holds a record's payload (a revisit names its original)."""
    capture = record.get("capture")
    if not isinstance(capture, dict):
        return None
    if capture.get("revisit"):
        ref = capture.get("refers_to")
        if not isinstance(ref, dict) or not ref.get("warc_file") or ref.get("offset") is None:
            return None
        return {**ref, "digest": capture.get("digest"), "url": record.get("url")}
    pointer = {k: capture.get(k) for k in ("warc_file", "offset", "length", "record_id", "digest")}
    return {**pointer, "url": record.get("url"), "date": record.get("fetched_at")}


class SeenStore:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, isolation_level=None)
        try:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(SCHEMA)
            self._add_missing_columns()
            # Rows a store from before ``version_seen`` left without it: the caller
            # rebuilds the article state from the records (killed halfway: again).
            self.stale = (
                self.db.execute(
                    "SELECT 1 FROM articles WHERE version_seen IS NULL LIMIT 1"
                ).fetchone()
                is not None
            )
        except sqlite3.OperationalError as exc:
            self.db.close()
            raise ArchiveWriteError(
                f"cannot write the seen-store {self.path}: {exc} (disk full?)"
            ) from exc

    def _add_missing_columns(self) -> None:
        """Give a store written by an older version the columns it lacks."""
        have = {row[1] for row in self.db.execute("PRAGMA table_info(articles)")}
        if "version_seen" not in have:
            self.db.execute("ALTER TABLE articles ADD COLUMN version_seen TEXT")
        if "listed_titles" not in have:  # older records kept none: nothing to rebuild
            self.db.execute("ALTER TABLE articles ADD COLUMN listed_titles TEXT")

    # --- article state ---------------------------------------------------------------

    def resolve_id(self, *urls: str | None) -> str | None:
        """The id already given to any of these URLs (fetched or canonical), if any."""
        for url in urls:
            if url:
                row = self.db.execute(
                    "SELECT id FROM aliases WHERE url_key = ?", (normalize_url(url),)
                ).fetchone()
                if row:
                    return row[0]
        return None

    def article(self, article_id: str) -> ArticleState | None:
        row = self.db.execute(
            "SELECT id, url, canonical_url, source_id, version, content_hash, first_seen,"
            " last_seen, removed, state, version_seen, listed_titles FROM articles WHERE id = ?",
            (article_id,),
        ).fetchone()
        if row is None:
            return None
        fields = json.loads(row[9])
        edited = tuple(fields.pop("edited_fields", ()) or ())
        return ArticleState(
            *row[:8],
            removed=bool(row[8]),
            fields=fields,
            edited_fields=edited,
            version_seen=row[10] or row[6],
            listed_titles=tuple(json.loads(row[11])) if row[11] else (),
        )

    def article_for_url(self, url: str) -> ArticleState | None:
        article_id = self.resolve_id(url)
        return self.article(article_id) if article_id else None

    def url_keys(self) -> Iterable[str]:
        """The normalized URLs (fetched and canonical) of every article in the store."""
        return (row[0] for row in self.db.execute("SELECT url_key FROM aliases"))

    def known_article_urls(self, source_id: str) -> list[str]:
        rows = self.db.execute(
            "SELECT url FROM articles WHERE source_id = ? AND removed = 0 ORDER BY first_seen",
            (source_id,),
        )
        return [r[0] for r in rows]

    def revisit_window(self, source_id: str, days: float) -> list[tuple[str, str, str]]:
        """(url, version_seen, last_seen) of the source's articles, not removed, last seen
        less than ``days`` after their current version was captured: those a revisit
        schedule of that length may still want."""
        rows = self.db.execute(
            "SELECT url, COALESCE(version_seen, first_seen), last_seen FROM articles"
            " WHERE source_id = ? AND removed = 0 AND julianday(last_seen)"
            " < julianday(COALESCE(version_seen, first_seen)) + ? ORDER BY first_seen",
            (source_id, days),
        )
        return [tuple(r) for r in rows]

    def revalidation(self, url: str) -> Revalidation | None:
        """What a conditional re-fetch of the article at ``url`` needs, if it is known."""
        article_id = self.resolve_id(url)
        if article_id is None:
            return None
        row = self.db.execute(
            "SELECT etag, last_modified, payload, content_hash FROM revalidation WHERE id = ?",
            (article_id,),
        ).fetchone()
        if row is None:
            return None
        return Revalidation(row[0], row[1], json.loads(row[2]), row[3])

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """Several statements as one: the connection autocommits each statement on its
        own (``isolation_level=None``), so ``with self.db`` alone would not make them
        atomic, and a kill between two would leave the store half changed."""
        with self.db:
            self.db.execute("BEGIN IMMEDIATE")
            yield

    @_writes
    def apply(self, record: dict, checkpoint: int) -> None:
        """Fold one article record into the state and move the replay checkpoint."""
        with self._transaction():
            self._fold(record)
            self._set_meta("jsonl_offset", str(checkpoint))

    @_writes
    def replay(self, lines: Iterable[tuple[int, dict | None]], *, reset: bool = False) -> int:
        """Fold many records in one transaction (``reset``: forget all article state
        first), so a rebuild killed halfway leaves the store as it was. ``lines`` are
        (end offset, record or None for a line to skip); returns the records folded."""
        folded = 0
        with self._transaction():
            if reset:
                self._forget_articles()
            last = None
            for end, record in lines:
                last = end
                if record is not None:
                    self._fold(record)
                    folded += 1
            if last is not None:
                self._set_meta("jsonl_offset", str(last))
        return folded

    @staticmethod
    def problem(record: dict) -> str | None:
        """Why the store cannot fold ``record`` (a damaged or foreign line), or None."""
        event = record.get("event")
        if event not in _NEEDS:
            return f"unknown event {event!r}"
        missing = [k for k in _NEEDS[event] if not isinstance(record.get(k), _TYPES[k])]
        return f"{event} record without a valid {', '.join(missing)}" if missing else None

    def _fold(self, record: dict) -> None:
        event, aid = record["event"], record["id"]
        if event in VERSION_EVENTS:
            fields = {f: record.get(f) for f in DIFF_FIELDS}
            before = self.article(aid) if event == "changed" else None
            changed = record.get("changed_fields")
            fields["edited_fields"] = edited_so_far(
                before.edited_fields if before else (),
                changed if isinstance(changed, list) else [],
            )
            self.db.execute(
                "INSERT INTO articles (id, url, canonical_url, source_id, version,"
                " content_hash, first_seen, last_seen, removed, state, version_seen,"
                " listed_titles) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)"
                " ON CONFLICT(id) DO UPDATE SET url = excluded.url,"
                " canonical_url = excluded.canonical_url, source_id = excluded.source_id,"
                " version = excluded.version, content_hash = excluded.content_hash,"
                " last_seen = excluded.last_seen, removed = 0, state = excluded.state,"
                " version_seen = excluded.version_seen,"
                " listed_titles = COALESCE(excluded.listed_titles, articles.listed_titles)",
                (
                    aid,
                    record["url"],
                    record["canonical_url"],
                    record["source_id"],
                    record["version"],
                    record["content_hash"],
                    record["first_seen"],
                    record["fetched_at"],
                    json.dumps(fields, ensure_ascii=False),
                    record["fetched_at"],  # this version's capture: the schedule restarts
                    _titles(record),
                ),
            )
            for url in {record["url"], record["canonical_url"]}:
                self.db.execute(
                    "INSERT OR REPLACE INTO aliases (url_key, id) VALUES (?, ?)",
                    (normalize_url(url), aid),
                )
        elif event == "seen":
            self.db.execute(
                "UPDATE articles SET last_seen = ?, removed = 0,"
                " listed_titles = COALESCE(?, listed_titles) WHERE id = ?",
                (record["fetched_at"], _titles(record), aid),
            )
        elif event == "removed":
            self.db.execute("UPDATE articles SET removed = 1 WHERE id = ?", (aid,))
        if event in ("new", "changed", "seen"):
            self._fold_revalidation(aid, record)

    def _fold_revalidation(self, aid: str, record: dict) -> None:
        """The latest version or seen record decides what a conditional re-fetch sends."""
        validators = record.get("validators")
        payload = payload_of(record)
        if not isinstance(validators, dict) or payload is None:
            self.db.execute("DELETE FROM revalidation WHERE id = ?", (aid,))
            return
        if "date" not in payload:  # a revisit: its original's date, when it is the same
            row = self.db.execute(
                "SELECT payload FROM revalidation WHERE id = ?", (aid,)
            ).fetchone()
            old = json.loads(row[0]) if row else {}
            payload["date"] = (
                old.get("date") if old.get("record_id") == payload.get("record_id") else None
            )
        self.db.execute(
            "INSERT OR REPLACE INTO revalidation VALUES (?, ?, ?, ?, ?)",
            (
                aid,
                validators.get("etag"),
                validators.get("last_modified"),
                json.dumps(payload),
                str(record.get("content_hash") or ""),
            ),
        )

    # --- replay checkpoint -----------------------------------------------------------

    def _set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def checkpoint(self) -> int:
        row = self.db.execute("SELECT value FROM meta WHERE key = 'jsonl_offset'").fetchone()
        return int(row[0]) if row else 0

    @_writes
    def reset_articles(self) -> None:
        """Forget article state (before a full replay of the JSONL), in one transaction: a
        crash inside it must not leave the articles gone but the replay checkpoint kept
        (the next open would then replay nothing)."""
        with self._transaction():
            self._forget_articles()

    def _forget_articles(self) -> None:
        self.db.execute("DELETE FROM articles")
        self.db.execute("DELETE FROM aliases")
        self.db.execute("DELETE FROM revalidation")
        self.db.execute("DELETE FROM meta WHERE key = 'jsonl_offset'")

    # --- conditional GET validators --------------------------------------------------

    def validators(self, url: str) -> tuple[str | None, str | None]:
        row = self.db.execute(
            "SELECT etag, last_modified FROM validators WHERE url_key = ?", (normalize_url(url),)
        ).fetchone()
        return (row[0], row[1]) if row else (None, None)

    @_writes
    def remember_validators(
        self, url: str, etag: str | None, last_modified: str | None, now: str
    ) -> None:
        with self.db:
            self.db.execute(
                "INSERT OR REPLACE INTO validators VALUES (?, ?, ?, ?)",
                (normalize_url(url), etag, last_modified, now),
            )

    # --- last capture per URL (for revisit records) ----------------------------------

    def last_capture(self, url: str) -> tuple | None:
        return self.db.execute(
            "SELECT status, payload_digest, warc_file, offset, length, record_id, fetched_at"
            " FROM captures WHERE url = ?",
            (url,),
        ).fetchone()

    @_writes
    def remember_capture(
        self,
        url: str,
        status: int,
        digest: str,
        warc_file: str,
        offset: int,
        length: int,
        record_id: str,
        fetched_at: str,
    ) -> None:
        with self.db:
            self.db.execute(
                "INSERT OR REPLACE INTO captures VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (url, status, digest, warc_file, offset, length, record_id, fetched_at),
            )

    # --- sizes of closed WARC files (a changed size means damage) --------------------

    def warc_sizes(self) -> dict[str, int]:
        return dict(self.db.execute("SELECT name, size FROM warc_files"))

    @_writes
    def remember_warc_size(self, name: str, size: int) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO warc_files VALUES (?, ?)", (name, size))

    # --- each source's learnt boilerplate (crawler.archive.learnt) ---------------------

    def boilerplate_states(self) -> dict[str, str]:
        """source id -> its learnt state, as saved (JSON text)."""
        return dict(self.db.execute("SELECT source_id, state FROM boilerplate"))

    @_writes
    def save_boilerplate(self, source_id: str, state: str) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO boilerplate VALUES (?, ?)", (source_id, state))

    @_writes
    def replace_boilerplate(self, states: dict[str, str]) -> None:
        """Put ``states`` in place of every saved state, in one transaction."""
        with self._transaction():
            self.db.execute("DELETE FROM boilerplate")
            self.db.executemany("INSERT INTO boilerplate VALUES (?, ?)", states.items())

    def close(self) -> None:
        self.db.close()


def _titles(record: dict) -> str | None:
    """A record's listing headlines as stored (None: it has none, keep the last ones)."""
    kept = listed_titles(record.get("listed_titles"))
    return json.dumps(kept, ensure_ascii=False) if kept else None
