"""WARC 1.1 records as the archive writes them: the capture pointer, digests, dates, and
the request, response, revisit and metadata records of one fetch.

Every record is serialized as one gzip member (``serialize``), so each can be read
alone at its offset. Writing them to files is ``writer``; repairing files a crash left
is ``recovery``; their CDXJ indexes are ``cdxj``.
"""

from __future__ import annotations

import base64
import hashlib
import io
import zlib
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from warcio.recordbuilder import RecordBuilder
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

WARC_VERSION = "WARC/1.1"
GZIP_LEVEL = 3
METADATA_URN_PREFIX = "urn:newsarchive:metadata:"
# What the CDXJ indexes list: the records a replay tool can serve as a capture of a URL.
# Metadata records (ours, and the JSON ones of archives written before they moved to a
# urn: target) and requests are left out.
INDEXED_RECORDS = ("response", "revisit", "resource")


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

    def moment(self) -> datetime | None:
        """``fetched_at`` as an aware datetime (None if the record's date is unreadable):
        the bound of the dates the captured page can show."""
        try:
            return datetime.fromisoformat(self.fetched_at)
        except (TypeError, ValueError):
            return None


def payload_digest(body: bytes) -> str:
    """The WARC payload digest (sha1, base32) of an HTTP entity body."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def warc_date(moment: datetime | None = None) -> str:
    """A WARC 1.1 date (UTC, microseconds)."""
    moment = (moment or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


builder = RecordBuilder(warc_version=WARC_VERSION)  # the archive's one record builder


def make_record_id() -> str:
    return builder._make_warc_id()


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
    return builder.create_warc_record(
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
    return builder.create_warc_record(
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
    return builder.create_revisit_record(
        url,
        digest,
        refers_to.url,
        refers_to.fetched_at,
        http_headers=http,
        warc_headers_dict=warc_headers,
    )


NOT_MODIFIED_PROFILE = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"


def build_not_modified(
    url: str,
    *,
    protocol: str,
    reason: str,
    headers: list[tuple[str, str]],
    date: str,
    record_id: str,
    ip: str | None,
    refers_to: dict,
):
    """A ``revisit`` record for a 304 Not Modified answer to a conditional request, as
    WARC 1.1 describes it (profile ``server-not-modified``): the 304's status line and
    headers, no payload, and a pointer at the record holding the payload the server
    confirmed (``refers_to``: its record id, URL, date and payload digest)."""
    http = StatusAndHeaders(f"304 {reason}".strip(), headers, protocol=protocol)
    warc_headers = {
        "WARC-Date": date,
        "WARC-Record-ID": record_id,
        "WARC-Profile": NOT_MODIFIED_PROFILE,
        "WARC-Refers-To": refers_to["record_id"],
        "WARC-Refers-To-Target-URI": refers_to.get("url") or url,
    }
    if refers_to.get("date"):
        warc_headers["WARC-Refers-To-Date"] = refers_to["date"]
    if refers_to.get("digest"):
        warc_headers["WARC-Payload-Digest"] = refers_to["digest"]
    if ip:
        warc_headers["WARC-IP-Address"] = ip
    return builder.create_warc_record(
        url, "revisit", http_headers=http, warc_headers_dict=warc_headers
    )


def is_not_modified(record) -> bool:
    """Whether a WARC record is a server-not-modified revisit (a 304)."""
    return record.rec_headers.get_header("WARC-Profile") == NOT_MODIFIED_PROFILE


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
    return builder.create_warc_record(
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


def serialize(records) -> tuple[bytes, list[tuple[int, int]]]:
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
