"""Reading an article's archived capture back from its WARC file (``show --raw``)."""

from __future__ import annotations

from pathlib import Path

from newsarchive.errors import NewsarchiveError


def describe(capture: dict | None) -> str:
    """Where the capture lies, in one line."""
    if not capture:
        return "no capture pointer"
    text = f"warc/{capture.get('warc_file')} @ offset {capture.get('offset')} ({capture.get('length')} bytes)"
    if capture.get("digest"):
        text += f", payload {capture['digest']}"
    if capture.get("revisit") and capture.get("refers_to"):
        ref = capture["refers_to"]
        text += f"; a revisit of warc/{ref.get('warc_file')} @ offset {ref.get('offset')}"
    return text


def read_payload(home: Path, capture: dict | None) -> bytes:
    """The archived HTTP body (content-encoding removed) the pointer locates.

    A revisit record holds no payload: the record it refers to is read instead.
    """
    if not capture:
        raise NewsarchiveError("this article has no capture pointer: nothing to print")
    pointer = capture
    if capture.get("revisit") and capture.get("refers_to"):
        pointer = capture["refers_to"]
    name, offset = pointer.get("warc_file"), pointer.get("offset")
    if not name or offset is None:
        raise NewsarchiveError(f"the capture pointer is incomplete ({describe(capture)})")
    warc_dir = (Path(home) / "warc").resolve()
    path = (warc_dir / name).resolve()
    if warc_dir not in path.parents:
        raise NewsarchiveError(f"capture file {name!r} is outside {warc_dir}: refusing to read it")
    if not path.is_file():
        raise NewsarchiveError(
            f"the capture is in {path}, which does not exist: is NEWSARCHIVE_HOME ({home}) "
            "the archive this index was built from?"
        )
    from warcio.archiveiterator import ArchiveIterator

    try:
        with open(path, "rb") as fh:
            fh.seek(int(offset))
            record = next(iter(ArchiveIterator(fh)), None)
            if record is None or record.rec_type not in ("response", "resource"):
                kind = record.rec_type if record is not None else "nothing"
                raise NewsarchiveError(
                    f"{path} has a {kind} record at offset {offset}, not the article's response"
                )
            try:
                return record.content_stream().read()
            except Exception:  # an unknown content-encoding: the stored body is all there is
                fh.seek(int(offset))
                return next(iter(ArchiveIterator(fh))).raw_stream.read()
    except NewsarchiveError:
        raise
    except Exception as exc:
        raise NewsarchiveError(
            f"cannot read the capture at {path} offset {offset}: {exc}"
        ) from None
