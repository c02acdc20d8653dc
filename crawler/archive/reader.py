"""Reading one archived HTTP response back from its WARC file, verified.

Everything that needs a capture again (``show --raw``, re-extraction, ``verify``) reads
it here: the record at a file and offset, a revisit followed to the response that holds
its payload, and the payload checked against its digest, so a WARC cut short or
overwritten is reported (file, offset, why) instead of read as an empty page.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from crawler.archive.warc import payload_digest
from newsarchive.errors import NewsarchiveError


class CaptureUnreadable(NewsarchiveError):
    """A capture cannot be read back whole: its WARC data is missing or damaged."""


@dataclass(frozen=True)
class StoredResponse:
    """An archived response: status, headers and the body exactly as received."""

    url: str
    status: int
    headers: list[tuple[str, str]]
    raw_body: bytes  # still content-encoded, as it came over the wire

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), None)

    @property
    def body(self) -> bytes:
        """The body with its content-encoding (gzip, deflate) removed; the stored bytes
        when the encoding is unknown."""
        encoding = (self.header("Content-Encoding") or "").strip().lower()
        if encoding in ("gzip", "x-gzip", "deflate"):
            try:
                return zlib.decompressobj(zlib.MAX_WBITS | 32).decompress(self.raw_body)
            except zlib.error:
                try:  # raw deflate, as some servers send it
                    return zlib.decompressobj(-zlib.MAX_WBITS).decompress(self.raw_body)
                except zlib.error:
                    return self.raw_body
        if encoding == "br":
            try:
                import brotli

                return brotli.decompress(self.raw_body)
            except Exception:  # noqa: BLE001 - no brotli, or not brotli after all
                return self.raw_body
        return self.raw_body


def read_response(
    path: Path, offset: int, *, record_id: str | None = None, digest: str | None = None
) -> StoredResponse:
    """The response record at ``offset`` of ``path``, its payload checked against
    ``digest`` (else the record's own ``WARC-Payload-Digest``)."""
    where = f"{Path(path).name} @ offset {offset}"
    try:
        with open(path, "rb") as fh:
            fh.seek(int(offset))
            record = next(iter(ArchiveIterator(fh)), None)
            if record is None:
                raise CaptureUnreadable(f"{where}: no WARC record there (the file is shorter)")
            if record.rec_type not in ("response", "resource"):
                raise CaptureUnreadable(f"{where}: a {record.rec_type} record, not a response")
            headers = record.rec_headers
            if record_id and headers.get_header("WARC-Record-ID") != record_id:
                raise CaptureUnreadable(f"{where}: another record than the one archived there")
            raw = record.raw_stream.read()
            http = record.http_headers
    except CaptureUnreadable:
        raise
    except FileNotFoundError:
        raise CaptureUnreadable(f"{where}: the WARC file does not exist") from None
    except Exception as exc:  # a gzip member or WARC record cut short or overwritten
        raise CaptureUnreadable(f"{where}: damaged WARC data ({type(exc).__name__})") from None
    expected = digest or headers.get_header("WARC-Payload-Digest")
    if expected and payload_digest(raw) != expected:
        raise CaptureUnreadable(f"{where}: the payload does not match its digest (damaged)")
    return StoredResponse(
        url=headers.get_header("WARC-Target-URI") or "",
        status=int(http.get_statuscode() or 0) if http else 0,
        headers=list(http.headers) if http else [],
        raw_body=raw,
    )


def iter_records(path: Path, damaged: list[str]) -> Iterator[tuple[Any, int, int, bytes]]:
    """(record, offset, length, payload) of every whole record of ``path`` whose
    digests hold, in file order. Damage is named in ``damaged`` (file @ offset: why):
    a record whose digest fails or whose block ends early is passed over; data that
    cannot be parsed any more ends the file."""
    name = Path(path).name
    whole_end, passed_over = 0, False
    with open(path, "rb") as fh:
        it = ArchiveIterator(fh, check_digests=True)
        try:
            for record in it:
                payload = record.raw_stream.read()  # digests are checked as it is read
                offset, length = it.get_record_offset(), it.get_record_length()
                checker = record.digest_checker
                short = getattr(record.raw_stream, "limit", 0) > 0  # bytes it still owed
                if short or (checker is not None and checker.passed is False):
                    why = (
                        "cut short (the block ends early)" if short else "; ".join(checker.problems)
                    )
                    damaged.append(f"{name} @ offset {offset}: {why}")
                    passed_over = True
                    continue
                whole_end = offset + length
                yield record, offset, length, payload
        except Exception as exc:  # cut short or overwritten: nothing after it can be read
            damaged.append(
                f"{name} @ offset {whole_end}: unreadable from here on "
                f"({type(exc).__name__}; cut short or overwritten?)"
            )
            return
    size = Path(path).stat().st_size
    if not passed_over and whole_end < size:
        damaged.append(
            f"{name} @ offset {whole_end}: {size - whole_end} bytes that are not whole records"
        )


def read_capture(warc_dir: Path, capture: dict | None) -> StoredResponse:
    """The response a record's ``capture`` pointer locates; a revisit is followed to
    the record that holds its payload. Files outside ``warc_dir`` are refused."""
    if not capture:
        raise CaptureUnreadable("this article has no capture pointer")
    pointer = capture.get("refers_to") if capture.get("revisit") else capture
    name, offset = (pointer or {}).get("warc_file"), (pointer or {}).get("offset")
    if not name or offset is None:
        raise CaptureUnreadable(f"the capture pointer is incomplete ({describe(capture)})")
    root = Path(warc_dir).resolve()
    path = (root / name).resolve()
    if root not in path.parents:
        raise CaptureUnreadable(f"capture file {name!r} is outside {root}: refusing to read it")
    return read_response(
        path, int(offset), record_id=pointer.get("record_id"), digest=capture.get("digest")
    )


def describe(capture: dict | None) -> str:
    """Where a capture lies, in one line."""
    if not capture:
        return "no capture pointer"
    text = (
        f"warc/{capture.get('warc_file')} @ offset {capture.get('offset')} "
        f"({capture.get('length')} bytes)"
    )
    if capture.get("digest"):
        text += f", payload {capture['digest']}"
    if capture.get("revisit") and capture.get("refers_to"):
        ref = capture["refers_to"]
        text += f"; a revisit of warc/{ref.get('warc_file')} @ offset {ref.get('offset')}"
    return text
