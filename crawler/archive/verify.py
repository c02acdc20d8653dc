"""Check a whole archive: every WARC record whole and matching its digests, every CDXJ
index entry pointing at a record of its file, every article record's capture readable.

``newsarchive verify`` prints what this finds. It only reads (no lock is taken), so it
can run beside a crawl; the file a running crawl is writing has no CDXJ index yet and
is reported as open, not as damaged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from crawler.archive.cdxj import cdxj_path
from crawler.archive.jsonl import read_lines
from crawler.archive.reader import iter_records
from crawler.archive.recovery import scan_members
from crawler.archive.store import archive_paths
from crawler.archive.writer import warc_files

MAX_LISTED = 1000  # problems kept per kind; the counts are always complete


@dataclass
class Verification:
    """What ``verify`` found; ``ok`` when nothing is damaged."""

    warc_files: int = 0
    warc_records: int = 0
    open_files: list[str] = field(default_factory=list)
    damaged: list[str] = field(default_factory=list)  # WARC data: file @ offset: why
    index_problems: list[str] = field(default_factory=list)  # CDXJ entries
    unreadable_articles: list[str] = field(default_factory=list)  # records whose capture fails
    article_records: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not (self.damaged or self.index_problems or self.unreadable_articles)

    def add(self, kind: str, message: str) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        listed = getattr(self, kind)
        if len(listed) < MAX_LISTED:
            listed.append(message)

    def to_dict(self) -> dict:
        return {
            "ok": self.ok,
            "warc_files": self.warc_files,
            "warc_records": self.warc_records,
            "article_records": self.article_records,
            "open_files": self.open_files,
            "counts": self.counts,
            "damaged": self.damaged,
            "index_problems": self.index_problems,
            "unreadable_articles": self.unreadable_articles,
        }


def _scan_warc(path: Path, result: Verification) -> dict[int, tuple[int, str | None]]:
    """offset -> (length, record id) of every whole record whose digests hold."""
    records: dict[int, tuple[int, str | None]] = {}
    damaged: list[str] = []
    for record, offset, length, _payload in iter_records(path, damaged):
        records[offset] = (length, record.rec_headers.get_header("WARC-Record-ID"))
        result.warc_records += 1
    # A gzip member cut in its last bytes can still yield its whole record: the member
    # structure (each member complete, one record each, to the end of the file) says.
    end = 0
    for offset, length, whole in scan_members(path):
        if not whole:
            break
        end = offset + length
    size = path.stat().st_size
    if end < size and not damaged:
        damaged.append(
            f"{path.name} @ offset {end}: {size - end} bytes that are not a whole gzip member"
        )
    for message in damaged:
        result.add("damaged", message)
    return records


def _check_index(path: Path, records: dict, result: Verification) -> None:
    index = cdxj_path(path)
    with open(index, encoding="utf-8", errors="replace") as fh:
        for number, line in enumerate(fh, 1):
            try:
                entry = json.loads(line[line.index("{") :])
                offset, length = int(entry["offset"]), int(entry["length"])
            except (ValueError, KeyError, TypeError):
                result.add("index_problems", f"{index.name} line {number}: not a CDXJ entry")
                continue
            if records.get(offset, (None,))[0] != length:
                result.add(
                    "index_problems",
                    f"{index.name} line {number}: no whole record at offset {offset} of {path.name}",
                )


def verify(home: Path) -> Verification:
    """Read every WARC, CDXJ index and live article record of the archive in ``home``."""
    paths = archive_paths(home)
    result = Verification()
    known: dict[str, dict] = {}
    for path in warc_files(paths["warc"]):
        result.warc_files += 1
        if not cdxj_path(path).exists():
            result.open_files.append(path.name)  # being written, or left by a crash
        records = _scan_warc(path, result)
        known[path.name] = records
        if cdxj_path(path).exists():
            _check_index(path, records, result)
    if paths["articles"].exists():
        for line in read_lines(paths["articles"]):
            record = line.record
            if record is None:
                continue  # damaged lines are the store's and the indexer's to report
            result.article_records += 1
            capture = record.get("capture") or {}
            pointers = [capture] + ([capture["refers_to"]] if capture.get("refers_to") else [])
            for ptr in pointers:
                found = known.get(ptr.get("warc_file"), {}).get(ptr.get("offset"))
                if (
                    found is None
                    or (ptr.get("record_id") and found[1] != ptr.get("record_id"))
                    # a record cut short can still be read in part: not the whole capture
                    or (ptr.get("length") is not None and found[0] != ptr.get("length"))
                ):
                    result.add(
                        "unreadable_articles",
                        f"{record.get('id')} v{record.get('version')} ({record.get('event')}): "
                        f"no whole record at warc/{ptr.get('warc_file')} @ offset {ptr.get('offset')}",
                    )
                    break
    return result
