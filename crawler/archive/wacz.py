"""WACZ 1.1.1 packages of chosen captures: evidence a colleague (or a court) can replay
and verify on their own.

``write_wacz`` copies, byte for byte, the WARC records of each page's capture into one
``archive/data.warc.gz``: the response (or revisit), its request, its metadata record,
and for a revisit the response holding its payload (with that one's request and
metadata). Every record of our WARCs is its own gzip member, so the copies keep their
digests. Then come a CDXJ index
of the captures (``indexes/index.cdx``, the same indexing as the archive's sidecars),
``pages/pages.jsonl`` (url, title, capture time), and ``datapackage.json`` with the
SHA-256 and size of every file, the caller's metadata (e.g. the search that chose the
pages) and ``datapackage-digest.json`` over it. Spec: specs.webrecorder.net/wacz/1.1.1.

``verify_wacz`` checks a package against the spec's requirements and our stronger ones
(every digest, every index entry resolves to its record, every page has a capture).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import zipfile
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from crawler.archive import warc
from crawler.archive.cdxj import write_index
from crawler.archive.writer import warc_files
from newsarchive.errors import NewsarchiveError

WACZ_VERSION = "1.1.1"
WARC_NAME = "data.warc.gz"
INDEX_PATH = "indexes/index.cdx"
PAGES_PATH = "pages/pages.jsonl"
# How far past a capture its metadata record is looked for: it is written once the page
# is extracted, after the captures fetched meanwhile (or first in the next file).
METADATA_SCAN_BYTES = 64 << 20


def write_wacz(
    out: Path,
    warc_dir: Path,
    pages: Iterable[dict],
    *,
    title: str,
    description: str = "",
    metadata: dict | None = None,
) -> dict:
    """Write the WACZ of ``pages`` to ``out`` (atomically); return a summary.

    Each page is a dict with ``url``, ``fetched_at`` (the capture's WARC-Date), ``capture``
    (the article record's pointer: ``warc_file``, ``offset``, ``length``, ``record_id``,
    ``revisit``, ``refers_to``) and optionally ``title`` and ``id`` - an article record as
    the crawler writes it fits. ``metadata`` (JSON) goes into ``datapackage.json`` under
    ``newsarchive``: say there which search chose the pages (query, filters, time).
    """
    out = Path(out)
    warc_dir = Path(warc_dir)
    pages = list(pages)
    if not pages:
        raise NewsarchiveError("nothing to package: no pages were given")
    order = {p.name: n for n, p in enumerate(warc_files(warc_dir))}
    spans: set[tuple[str, int, int]] = set()
    missing_metadata = 0
    for page in pages:
        found = _capture_spans(warc_dir, page)
        missing_metadata += not found.pop("metadata_found")
        spans.update(found["spans"])
    ordered = sorted(spans, key=lambda s: (order.get(s[0], len(order)), s[0], s[1]))
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".wacz-") as tmp:
        root = Path(tmp)
        archive = root / "archive"
        for sub in ("archive", "indexes", "pages"):
            (root / sub).mkdir()
        _write_warc(archive / WARC_NAME, warc_dir, ordered, title, description)
        with open(root / INDEX_PATH, "w", encoding="utf-8") as fh:
            write_index(fh, [archive / WARC_NAME], archive)
        page_lines = _write_pages(root / PAGES_PATH, pages)
        files = [PAGES_PATH, INDEX_PATH, f"archive/{WARC_NAME}"]
        package = {
            "profile": "data-package",
            "wacz_version": WACZ_VERSION,
            "title": title,
            "description": description,
            "created": _now(),
            "software": f"newsarchive {_version()}",
            "mainPageUrl": page_lines[0]["url"],
            "mainPageDate": page_lines[0]["ts"],
            "resources": [_resource(root, path) for path in files],
            "newsarchive": {**(metadata or {}), "pages": len(page_lines)},
        }
        package_bytes = json.dumps(package, indent=2, ensure_ascii=False).encode() + b"\n"
        digest = {"path": "datapackage.json", "hash": _sha256(package_bytes)}
        digest_bytes = json.dumps(digest, indent=2).encode() + b"\n"
        partial = root / "package.wacz"
        with zipfile.ZipFile(partial, "w", allowZip64=True) as zf:
            zf.writestr("datapackage.json", package_bytes, zipfile.ZIP_DEFLATED)
            zf.writestr("datapackage-digest.json", digest_bytes, zipfile.ZIP_DEFLATED)
            for path in files:
                # already-compressed files are STOREd, so replay can read them by range
                method = zipfile.ZIP_STORED if path.endswith(".gz") else zipfile.ZIP_DEFLATED
                zf.write(root / path, path, compress_type=method)
        os.replace(partial, out)
    return {
        "out": str(out),
        "pages": len(page_lines),
        "records": len(ordered) + 1,  # and the package's warcinfo
        "bytes": out.stat().st_size,
        "missing_metadata": missing_metadata,
    }


# --- which records make up a page's capture -------------------------------------------------


def _capture_spans(warc_dir: Path, page: dict) -> dict:
    try:
        ptr = page["capture"]
        name, offset, length, record_id = (
            ptr["warc_file"], int(ptr["offset"]), int(ptr["length"]), ptr["record_id"],
        )  # fmt: skip
    except (KeyError, TypeError, ValueError):
        raise NewsarchiveError(f"page {page.get('url')!r} has no usable capture pointer") from None
    path = warc_dir / name
    head = _record_at(path, offset)
    if head is None or head["id"] != record_id or head["length"] != length:
        raise NewsarchiveError(
            f"the capture of {page.get('url')!r} is not at {name}:{offset} (record {record_id}); "
            "the archive and the records disagree"
        )
    spans = {(name, offset, length)}
    metadata_found = False
    for rec in _following(warc_dir, name, offset + length):
        if record_id not in (rec["refers_to"], rec["concurrent_to"]):
            continue
        if rec["type"] in ("request", "metadata"):
            spans.add(rec["span"])
        if rec["type"] == "metadata":  # written after the request
            metadata_found = True
            break
    if ptr.get("revisit"):
        original = ptr.get("refers_to") or {}
        if not original.get("warc_file"):
            raise NewsarchiveError(f"the revisit of {page.get('url')!r} names no original")
        spans |= _capture_spans(
            warc_dir, {"url": page.get("url"), "capture": {**original, "revisit": False}}
        )["spans"]
    return {"spans": spans, "metadata_found": metadata_found}


def _record_at(path: Path, offset: int) -> dict | None:
    return next(_records_from(path, offset), None)


def _records_from(path: Path, offset: int, limit: int = METADATA_SCAN_BYTES):
    """Headers of the records from ``offset`` on, until ``limit`` bytes were passed."""
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed below, also when the caller stops
    except OSError as exc:
        raise NewsarchiveError(f"cannot read {path}: {exc.strerror}") from None
    with fh:
        fh.seek(offset)
        it = ArchiveIterator(fh)
        try:
            for rec in it:
                rec.content_stream().read()
                start, size = it.get_record_offset(), it.get_record_length()  # absolute
                h = rec.rec_headers
                yield {
                    "type": rec.rec_type,
                    "id": h.get_header("WARC-Record-ID"),
                    "concurrent_to": h.get_header("WARC-Concurrent-To"),
                    "refers_to": h.get_header("WARC-Refers-To"),
                    "length": size,
                    "span": (path.name, start, size),
                }
                if start + size - offset >= limit:
                    return
        except Exception:  # a torn tail (a crawl still writing): nothing more to find
            return


def _following(warc_dir: Path, name: str, offset: int):
    """The records after ``offset`` in ``name``, then those of the next file."""
    yield from _records_from(warc_dir / name, offset)
    files = [p.name for p in warc_files(warc_dir)]
    if name in files and files.index(name) + 1 < len(files):
        yield from _records_from(warc_dir / files[files.index(name) + 1], 0)


# --- the package's files ----------------------------------------------------------------------


def _write_warc(target: Path, warc_dir: Path, spans, title: str, description: str) -> None:
    info = {
        "software": f"newsarchive {_version()} (warcio)",
        "format": "WARC File Format 1.1",
        "description": f"{title}. {description}".strip(". ") + "; records copied byte for "
        "byte from the newsarchive WARC files they were written to",
    }
    data, _ = warc.serialize([warc.builder.create_warcinfo_record(WARC_NAME, info)])
    with open(target, "wb") as out:
        out.write(data)
        for name, offset, length in spans:
            with open(warc_dir / name, "rb") as src:
                src.seek(offset)
                chunk = src.read(length)
            if len(chunk) != length:
                raise NewsarchiveError(f"{name} ends before the record at offset {offset}")
            out.write(chunk)


def _write_pages(path: Path, pages: list[dict]) -> list[dict]:
    lines, seen = [], set()
    for page in pages:
        key = (page["url"], page["fetched_at"])
        if key in seen:
            continue
        seen.add(key)
        line = {"id": page.get("id") or page["capture"]["record_id"], "url": page["url"],
                "ts": page["fetched_at"]}  # fmt: skip
        if page.get("title"):
            line["title"] = page["title"]
        lines.append(line)
    header = {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
    with open(path, "w", encoding="utf-8") as fh:
        for line in [header, *lines]:
            fh.write(json.dumps(line, ensure_ascii=False) + "\n")
    return lines


def _resource(root: Path, path: str) -> dict:
    with open(root / path, "rb") as fh:
        digest = hashlib.file_digest(fh, "sha256").hexdigest()
    return {
        "name": Path(path).name,
        "path": path,
        "hash": f"sha256:{digest}",
        "bytes": (root / path).stat().st_size,
    }


def _sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _version() -> str:
    from newsarchive import __version__

    return __version__


# --- verification ----------------------------------------------------------------------------


def verify_wacz(path: Path) -> list[str]:
    """What is wrong with the WACZ at ``path`` (an empty list: it is valid and intact)."""
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        return [f"not a ZIP file: {exc}"]
    with zf:
        return _verify(zf)


def _verify(zf: zipfile.ZipFile) -> list[str]:
    names = set(zf.namelist())
    if "datapackage.json" not in names:
        return ["datapackage.json is missing"]
    raw = zf.read("datapackage.json")
    try:
        package = json.loads(raw)
    except ValueError:
        return ["datapackage.json is not JSON"]
    problems = []
    if package.get("profile") != "data-package":
        problems.append('datapackage.json: profile is not "data-package"')
    if package.get("wacz_version") != WACZ_VERSION:
        problems.append(f"datapackage.json: wacz_version is not {WACZ_VERSION}")
    resources = package.get("resources")
    if not isinstance(resources, list) or not resources:
        return [*problems, "datapackage.json lists no resources"]
    listed = set()
    for res in resources:
        name = res.get("path") if isinstance(res, dict) else None
        if name not in names:
            problems.append(f"resource {name!r} is not in the package")
            continue
        listed.add(name)
        data = zf.read(name)
        if res.get("bytes") != len(data):
            problems.append(f"{name}: {len(data)} bytes, datapackage.json says {res.get('bytes')}")
        if res.get("hash") != _sha256(data):
            problems.append(f"{name}: its SHA-256 does not match datapackage.json")
    for name in sorted(names - listed - {"datapackage.json", "datapackage-digest.json"}):
        if not name.endswith("/"):
            problems.append(f"{name} is not listed in datapackage.json")
    if "datapackage-digest.json" in names:
        try:
            digest = json.loads(zf.read("datapackage-digest.json"))
        except ValueError:
            digest = {}
        if digest.get("path") != "datapackage.json" or digest.get("hash") != _sha256(raw):
            problems.append("datapackage-digest.json does not match datapackage.json")
    warcs = [n for n in names if n.startswith("archive/") and n.endswith((".warc", ".warc.gz"))]
    if not warcs:
        problems.append("archive/ holds no WARC file")
    for name in warcs + [n for n in names if n.endswith(".cdx.gz")]:
        if zf.getinfo(name).compress_type != zipfile.ZIP_STORED:
            problems.append(f"{name} is compressed again in the ZIP (must be STORED)")
    problems += _verify_index(zf, names)
    return problems


def _verify_index(zf: zipfile.ZipFile, names: set[str]) -> list[str]:
    indexes = [n for n in names if n.startswith("indexes/") and n.endswith((".cdx", ".cdxj"))]
    if not indexes:
        return ["indexes/ holds no CDXJ index"]
    problems, indexed = [], set()
    for index in indexes:
        for number, line in enumerate(zf.read(index).decode("utf-8").splitlines(), 1):
            try:
                _key, ts, data = line.split(" ", 2)
                entry = json.loads(data)
                member, offset, length = (
                    f"archive/{entry['filename']}", int(entry["offset"]), int(entry["length"]),
                )  # fmt: skip
            except (ValueError, KeyError, TypeError):
                entry = None
            if entry is None or len(ts) != 14 or not ts.isdigit():
                problems.append(f"{index} line {number} is not CDXJ")
                continue
            if member not in names:
                problems.append(f"{index} line {number} points into {member}, not in the package")
                continue
            target = kind = None
            with zf.open(member) as fh:
                fh.seek(offset)
                chunk = fh.read(length)
            try:  # exactly the record's bytes, as a replay tool reads them
                record = next(iter(ArchiveIterator(io.BytesIO(chunk))), None)
                target = record.rec_headers.get_header("WARC-Target-URI") if record else None
                kind = record.rec_type if record else None
            except Exception:  # any damage means: not a record
                pass
            if target != entry.get("url") or kind not in warc.INDEXED_RECORDS:
                problems.append(f"{index} line {number} does not point at a capture of its URL")
            indexed.add(entry.get("url"))
    if PAGES_PATH not in names:
        return [*problems, f"{PAGES_PATH} is missing"]
    for number, line in enumerate(zf.read(PAGES_PATH).decode("utf-8").splitlines(), 1):
        try:
            page = json.loads(line)
        except ValueError:
            problems.append(f"{PAGES_PATH} line {number} is not JSON")
            continue
        if "format" in page and number == 1:
            continue  # the header line
        if not page.get("url") or not _rfc3339(page.get("ts")):
            problems.append(f"{PAGES_PATH} line {number} lacks a url or an RFC 3339 ts")
        elif page["url"] not in indexed:
            problems.append(f"{PAGES_PATH} line {number}: {page['url']} has no capture")
    return problems


def _rfc3339(value) -> bool:
    if not isinstance(value, str) or "T" not in value:
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


__all__ = ["WACZ_VERSION", "verify_wacz", "write_wacz"]
