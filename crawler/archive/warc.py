"""WARC 1.1 files: a size-rotated writer that never leaves a torn record behind.

Every record is one gzip member, serialized in memory and written with one
``os.write`` loop; if the write fails (disk full) the file is truncated back to where
the record began, so the file always ends on a record boundary. A killed process can
still leave a torn tail: ``recover_directory`` cuts it off on the next open.

A file is *closed* when its CDXJ sidecar ``<name>.cdxj`` exists; files without one
were being written when a crawl died and are repaired and indexed on recovery.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import json
import logging
import os
import re
import socket
import tempfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from warcio.recordbuilder import RecordBuilder
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsarchive.errors import NewsarchiveError

WARC_VERSION = "WARC/1.1"
DEFAULT_MAX_BYTES = 1 << 30
_NAME = re.compile(r"^(?P<prefix>[\w.-]+)-(?P<ts>\d{14})-(?P<serial>\d{5,})\.warc\.gz$")
_HEAD_LIMIT = 1 << 16
GZIP_LEVEL = 3
METADATA_URN_PREFIX = "urn:newsarchive:metadata:"
# What the CDXJ indexes list: the records a replay tool can serve as a capture of a URL.
# Metadata records (ours, and the JSON ones of archives written before they moved to a
# urn: target) and requests are left out.
INDEXED_RECORDS = ("response", "revisit", "resource")

log = logging.getLogger(__name__)


class ArchiveWriteError(NewsarchiveError):
    """Writing the archive failed (disk full, permissions); the archive is left valid."""


@dataclass(frozen=True)
class Capture:
    """Where one fetch was archived. Set as ``request.meta["capture"]`` by the middleware.

    ``offset``/``length`` locate the response (or revisit) record in ``warc_file``
    (relative to the warc directory). A revisit holds no payload: ``refers_to`` points
    at the record that does.
    """

    url: str
    warc_file: str
    offset: int
    length: int
    record_id: str
    payload_digest: str
    fetched_at: str  # ISO 8601 UTC, the WARC-Date of the record
    status: int
    revisit: bool = False
    refers_to: dict | None = None  # {warc_file, offset, length, record_id} for a revisit

    def pointer(self) -> dict:
        """The capture pointer carried by article records (see docs/record-format.md)."""
        ptr = {
            "warc_file": self.warc_file,
            "offset": self.offset,
            "length": self.length,
            "digest": self.payload_digest,
            "record_id": self.record_id,
            "revisit": self.revisit,
        }
        if self.refers_to:
            ptr["refers_to"] = dict(self.refers_to)
        return ptr

    def to_dict(self) -> dict:
        return asdict(self)


def payload_digest(body: bytes) -> str:
    """The WARC payload digest (sha1, base32) of an HTTP entity body."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def warc_date(moment: datetime | None = None) -> str:
    """A WARC 1.1 date (UTC, microseconds)."""
    moment = (moment or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_builder = RecordBuilder(warc_version=WARC_VERSION)


def make_record_id() -> str:
    return _builder._make_warc_id()


def build_request(
    url: str,
    *,
    method: str,
    target: str,
    protocol: str,
    headers: list[tuple[str, str]],
    body: bytes,
    date: str,
    concurrent_to: str,
):
    http = StatusAndHeaders(f"{method} {target} {protocol}", headers, is_http_request=True)
    return _builder.create_warc_record(
        url,
        "request",
        payload=io.BytesIO(body),
        length=len(body),
        http_headers=http,
        warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": concurrent_to},
    )


def build_response(
    url: str,
    *,
    protocol: str,
    status: int,
    reason: str,
    headers: list[tuple[str, str]],
    body: bytes,
    digest: str,
    date: str,
    record_id: str,
    ip: str | None,
):
    """``digest``: ``payload_digest(body)``, already computed, so warcio does not hash
    the body a second time."""
    http = StatusAndHeaders(f"{status} {reason}".strip(), headers, protocol=protocol)
    warc_headers = {"WARC-Date": date, "WARC-Record-ID": record_id, "WARC-Payload-Digest": digest}
    if ip:
        warc_headers["WARC-IP-Address"] = ip
    return _builder.create_warc_record(
        url,
        "response",
        payload=io.BytesIO(body),
        length=len(body),
        http_headers=http,
        warc_headers_dict=warc_headers,
    )


def build_revisit(
    url: str,
    *,
    protocol: str,
    status: int,
    reason: str,
    headers: list[tuple[str, str]],
    digest: str,
    date: str,
    record_id: str,
    ip: str | None,
    refers_to: Capture,
):
    http = StatusAndHeaders(f"{status} {reason}".strip(), headers, protocol=protocol)
    warc_headers = {
        "WARC-Date": date,
        "WARC-Record-ID": record_id,
        "WARC-Refers-To": refers_to.record_id,
    }
    if ip:
        warc_headers["WARC-IP-Address"] = ip
    return _builder.create_revisit_record(
        url,
        digest,
        refers_to.url,
        refers_to.fetched_at,
        http_headers=http,
        warc_headers_dict=warc_headers,
    )


def metadata_target(url: str) -> str:
    """The ``WARC-Target-URI`` of the metadata record describing a capture of ``url``.

    Not ``url`` itself: replay tools (pywb, OpenWayback, ReplayWeb.page) and indexers
    (cdxj-indexer, pywb's own) index every metadata record under its target URI, so a
    JSON record at the article's URL would be replayed as the page. A ``urn:`` target,
    as Browsertrix writes ``urn:pageinfo:<url>`` for its page records, keeps it out of
    the page's captures while still naming the page.
    """
    return METADATA_URN_PREFIX + url


def build_metadata(url: str, *, payload: bytes, date: str, describes: str):
    """A metadata record about the capture whose record id is ``describes``.

    Linked both ways the WARC 1.1 spec offers: ``WARC-Refers-To`` (the record it
    describes) and ``WARC-Concurrent-To`` (the same capture event; what older readers,
    re-extraction among them, follow). ``date`` is the capture's WARC-Date, as the spec
    asks of the records of one capture event.
    """
    return _builder.create_warc_record(
        metadata_target(url),
        "metadata",
        payload=io.BytesIO(payload),
        length=len(payload),
        warc_content_type="application/json",
        warc_headers_dict={
            "WARC-Date": date,
            "WARC-Refers-To": describes,
            "WARC-Concurrent-To": describes,
        },
    )


def _serialize(records) -> tuple[bytes, list[tuple[int, int]]]:
    """Gzip each record as its own member; return the bytes and (offset, length) of each.

    Level ``GZIP_LEVEL``, not warcio's 9: on news pages level 9 costs about four times
    the CPU of level 3 for a file about 12 % smaller, and the WARC is written on the
    crawl's one reactor thread.
    """
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=False, warc_version=WARC_VERSION)
    out = bytearray()
    spans = []
    for record in records:
        buf.seek(0)
        buf.truncate()
        writer.write_record(record)
        gz = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS | 16)
        member = gz.compress(buf.getvalue()) + gz.flush()
        spans.append((len(out), len(member)))
        out += member
    return bytes(out), spans


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


class RotatingWarcWriter:
    """Appends records to ``<dir>/<prefix>-<timestamp>-<serial>.warc.gz`` files.

    A new file starts (with its ``warcinfo`` record) once the current one reaches
    ``max_bytes``; a group of records passed to one ``write`` call never straddles
    two files. ``fsync=True`` syncs after every write (power-loss safety); otherwise
    data is handed to the OS after every write (kill -9 safety) and synced on close.
    """

    def __init__(
        self,
        directory: Path,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        fsync: bool = False,
        prefix: str = "newsarchive",
        info: dict[str, str] | None = None,
        on_closed: Callable[[str, int], None] | None = None,
    ) -> None:
        if max_bytes <= 0:
            raise ValueError("max_bytes must be positive")
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.max_bytes = max_bytes
        self.fsync = fsync
        self.prefix = prefix
        self.info = info or {}
        self._fd: int | None = None
        self._name: str | None = None
        self._size = 0
        self.closed_files: list[str] = []
        self.on_closed = on_closed  # (name, size) of each file closed and indexed

    @property
    def current_file(self) -> str | None:
        return self._name

    def _next_name(self) -> str:
        serials = [int(m["serial"]) for p in self.directory.iterdir() if (m := _NAME.match(p.name))]
        serial = max(serials, default=0) + 1
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        return f"{self.prefix}-{stamp}-{serial:05d}.warc.gz"

    def _open(self) -> None:
        name = self._next_name()
        path = self.directory / name
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o644)
        info = {
            "software": "newsarchive (warcio)",
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "hostname": socket.gethostname(),
            **self.info,
        }
        data, _ = _serialize([_builder.create_warcinfo_record(name, info)])
        try:
            _write_all(fd, data)
        except OSError as exc:
            os.close(fd)
            path.unlink(missing_ok=True)
            raise ArchiveWriteError(f"cannot write WARC file {path}: {exc.strerror}") from exc
        self._fd, self._name, self._size = fd, name, len(data)

    def write(self, records: list) -> list[tuple[str, int, int]]:
        """Append records; return (file name, offset, length) of each."""
        if self._fd is not None and self._size >= self.max_bytes:
            self.close()
        if self._fd is None:
            self._open()
        assert self._fd is not None and self._name is not None
        data, spans = _serialize(records)
        start = self._size
        try:
            _write_all(self._fd, data)
            if self.fsync:
                os.fsync(self._fd)
        except OSError as exc:
            self._rollback(start)
            raise ArchiveWriteError(
                f"cannot write to WARC file {self.directory / self._name}: {exc.strerror}; "
                "the archive was left valid, free some space and run the crawl again"
            ) from exc
        self._size += len(data)
        return [(self._name, start + off, length) for off, length in spans]

    def _rollback(self, size: int) -> None:
        """Cut a partly written record off, so the file ends on a record boundary."""
        with contextlib.suppress(OSError):  # else recovery cuts the tail on the next open
            os.ftruncate(self._fd, size)

    def close(self) -> None:
        """Sync and close the current file, then write its CDXJ index."""
        if self._fd is None:
            return
        fd, name, size = self._fd, self._name, self._size
        self._fd, self._name, self._size = None, None, 0
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            write_cdxj(self.directory / name)
        except OSError as exc:  # disk full: the next open indexes files without a .cdxj
            log.warning(
                "%s: cannot write its CDXJ index (%s); it is rebuilt on the next crawl",
                name,
                exc.strerror or exc,
            )
            return
        self.closed_files.append(name)
        if self.on_closed is not None:
            try:
                self.on_closed(name, size)
            except ArchiveWriteError as exc:  # a cache: the size comes from the CDXJ then
                log.warning("%s: its size was not recorded (%s)", name, exc)


# --- recovery ----------------------------------------------------------------------


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


def warc_files(directory: Path) -> list[Path]:
    """The archive's WARC files in write order (timestamp, then serial)."""
    found = [p for p in Path(directory).glob("*.warc.gz") if _NAME.match(p.name)]
    return sorted(found, key=lambda p: (int(_NAME.match(p.name)["serial"]), p.name))


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
        (Path(directory) / CAPTURES_ONLY_MARKER).write_text(_MARKER_TEXT)
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


# --- CDXJ --------------------------------------------------------------------------

# Present in a warc directory once every sidecar in it indexes only INDEXED_RECORDS
# (sidecars written before that also listed the metadata records).
CAPTURES_ONLY_MARKER = ".cdxj-captures-only"
_MARKER_TEXT = "every CDXJ sidecar here indexes captures only (no metadata records)\n"


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
    file names in it are relative to ``dir_root``."""
    from cdxj_indexer.main import write_cdx_index

    options = {"sort": True, "dir_root": str(dir_root), "records": ",".join(INDEXED_RECORDS)}
    write_cdx_index(out, [str(p) for p in warc_paths], options)


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
    marker.write_text(_MARKER_TEXT)
    return done
