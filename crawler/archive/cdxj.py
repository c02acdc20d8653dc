"""CDXJ indexes of WARC files: one sorted sidecar per closed file, captures only.

A sidecar's existence means its WARC file is closed. It lists the records a replay
tool can serve as a capture of a URL (``warc.INDEXED_RECORDS``); the sidecars of
archives written before metadata records moved to a ``urn:`` target are re-indexed
once (``recovery.reindex_legacy``).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from crawler.archive.warc import INDEXED_RECORDS

# Present in a warc directory once every sidecar in it indexes only INDEXED_RECORDS
# (sidecars written before that also listed the metadata records).
CAPTURES_ONLY_MARKER = ".cdxj-captures-only"
MARKER_TEXT = "every CDXJ sidecar here indexes captures only (no metadata records)\n"


def cdxj_path(warc_path: Path) -> Path:
    return warc_path.with_name(warc_path.name[: -len(".warc.gz")] + ".cdxj")


def indexed_end(cdxj: Path) -> int:
    """Where the last record a CDXJ index lists ends in its WARC file."""
    end = 0
    with open(cdxj, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            try:
                entry = json.loads(line[line.index("{") :])
                end = max(end, int(entry["offset"]) + int(entry["length"]))
            except (ValueError, KeyError, TypeError):
                continue
    return end


def write_index(out, warc_paths: list[Path], dir_root: Path) -> None:
    """Write the sorted CDXJ index of ``warc_paths`` (captures only) to text file ``out``;
    file names in it are relative to ``dir_root``.

    304 revisits (server-not-modified) are left out: replay tools serve such a revisit
    as an empty 304 page (pywb does), while the capture it confirms is the page as it
    was then; the article record of the 304 still points at the revisit."""
    import io

    from cdxj_indexer.main import write_cdx_index

    options = {"sort": True, "dir_root": str(dir_root), "records": ",".join(INDEXED_RECORDS)}
    buffer = io.StringIO()
    write_cdx_index(buffer, [str(p) for p in warc_paths], options)
    for line in buffer.getvalue().splitlines(keepends=True):
        if not _not_modified(line):
            out.write(line)


def _not_modified(line: str) -> bool:
    """Whether a CDXJ line indexes a 304 revisit."""
    if '"warc/revisit"' not in line:
        return False
    try:
        entry = json.loads(line[line.index("{") :])
    except ValueError:
        return False
    return entry.get("mime") == "warc/revisit" and str(entry.get("status")) == "304"


def write_cdxj(warc_path: Path) -> Path:
    """Index one closed WARC file into its sorted CDXJ sidecar (written atomically).

    The temporary file has a unique name, so two processes re-indexing the same file
    (a crawl's recovery, ``newsarchive replay``) never write into each other's.
    """
    target = cdxj_path(warc_path)
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=target.name + ".", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            write_index(out, [warc_path], warc_path.parent)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)  # no half-written index left behind
        raise
    return target
