"""Repairing what a killed crawl left (WARC files cut mid-record), finding damage done
later (closed files whose size changed), and re-indexing sidecars of old archives.

A gzip member is one record; a member that does not decompress to exactly one whole
WARC record is torn, and so is everything after it.
"""

from __future__ import annotations

import os
import re
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

from crawler.archive.cdxj import (
    CAPTURES_ONLY_MARKER,
    MARKER_TEXT,
    cdxj_path,
    indexed_end,
    write_cdxj,
)
from crawler.archive.writer import warc_files

_HEAD_LIMIT = 1 << 16


def _record_complete(head: bytes, size: int) -> bool:
    """Whether a decompressed member is exactly one whole WARC record."""
    if not head.startswith(b"WARC/"):
        return False
    end = head.find(b"\r\n\r\n")
    if end < 0:
        return False
    match = re.search(rb"\r\ncontent-length:\s*(\d+)", head[:end], re.IGNORECASE)
    if not match:
        return False
    return size == end + 4 + int(match.group(1)) + 4


def scan_members(path: Path) -> Iterator[tuple[int, int, bool]]:
    """Yield (offset, length, is_whole_record) of each gzip member; stop at a torn one."""
    with open(path, "rb") as fh:
        offset = pos = size = 0
        head = bytearray()
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        while chunk := fh.read(1 << 20):
            while chunk:
                try:
                    out = inflater.decompress(chunk)
                except zlib.error:
                    return
                size += len(out)
                if len(head) < _HEAD_LIMIT:
                    head += out[: _HEAD_LIMIT - len(head)]
                if not inflater.eof:
                    pos += len(chunk)
                    break
                end = pos + len(chunk) - len(inflater.unused_data)
                yield offset, end - offset, _record_complete(bytes(head), size)
                chunk = inflater.unused_data
                offset = pos = end
                size = 0
                head = bytearray()
                inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)


def valid_length(path: Path) -> int:
    """Bytes at the start of ``path`` made of whole records."""
    end = 0
    for offset, length, whole in scan_members(path):
        if not whole:
            break
        end = offset + length
    return end


def repair_file(path: Path) -> int:
    """Cut a torn tail off ``path``; return the number of bytes removed."""
    size = path.stat().st_size
    keep = valid_length(path)
    if keep < size:
        with open(path, "r+b") as fh:
            fh.truncate(keep)
            fh.flush()
            os.fsync(fh.fileno())
    return size - keep


def recover_directory(
    directory: Path, on_closed: Callable[[str, int], None] | None = None
) -> list[str]:
    """Repair and index files a dead crawl left open; return messages about repairs.

    A directory without WARC files yet is marked as indexing captures only (see
    ``reindex_legacy``): every sidecar it will hold is written by this code.
    """
    notes = []
    files = warc_files(directory)
    if not files:
        (Path(directory) / CAPTURES_ONLY_MARKER).write_text(MARKER_TEXT)
    for path in files:
        if cdxj_path(path).exists():
            continue
        removed = repair_file(path)
        if removed:
            notes.append(f"{path.name}: cut a torn record of {removed} bytes left by a crash")
        if path.stat().st_size == 0:
            path.unlink()
            notes.append(f"{path.name}: removed, it held no complete record")
            continue
        write_cdxj(path)
        if on_closed is not None:
            on_closed(path.name, path.stat().st_size)
    return notes


def check_closed_sizes(
    directory: Path, known: dict[str, int], remember: Callable[[str, int], None]
) -> list[str]:
    """Messages about closed WARC files whose size changed since they were closed.

    A closed file never changes, so a different size means it was cut short or written
    to afterwards (a restore, a full disk elsewhere, a careless copy). ``known``: the
    sizes recorded at close; a file without one gets it from its CDXJ index (the end of
    its last indexed record, a lower bound) and is remembered.
    """
    notes = []
    for path in warc_files(directory):
        index = cdxj_path(path)
        if not index.exists():
            continue
        expected = known.get(path.name)
        if expected is None:
            expected = indexed_end(index)
            remember(path.name, expected)
            exact = False
        else:
            exact = True
        actual = path.stat().st_size
        if actual < expected or (exact and actual != expected):
            notes.append(
                f"{path.name} is {actual:,} bytes, but was {expected:,} when it was closed: "
                "damaged (run `newsarchive verify`)"
            )
    return notes


def reindex_legacy(directory: Path) -> int:
    """Re-write, once, the sidecars of an archive written before they left metadata out.

    Those sidecars list each metadata record under the article's URL, so a replay tool
    reading them serves the record's JSON as the page. The sidecars are derived data:
    every closed file is indexed again, then the marker is left so later calls cost
    nothing. Returns the number of files re-indexed.
    """
    directory = Path(directory)
    marker = directory / CAPTURES_ONLY_MARKER
    if marker.exists() or not directory.is_dir():
        return 0
    done = 0
    for path in warc_files(directory):
        if cdxj_path(path).exists():  # files without one are still being written
            write_cdxj(path)
            done += 1
    marker.write_text(MARKER_TEXT)
    return done
