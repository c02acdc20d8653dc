"""An article's archived capture, read back from its WARC file (``show --raw``).

The reading itself is the archive's (``crawler.archive.reader``): verified, revisits
followed. This names the place in the user's terms.
"""

from __future__ import annotations

from pathlib import Path

from crawler.archive.reader import CaptureUnreadable, describe, read_capture
from newsarchive.errors import NewsarchiveError

__all__ = ["describe", "read_payload"]


def read_payload(home: Path, capture: dict | None) -> bytes:
    """The archived HTTP body (content-encoding removed) the pointer locates."""
    warc_dir = Path(home) / "warc"
    try:
        return read_capture(warc_dir, capture).body
    except CaptureUnreadable as exc:
        hint = ""
        if "does not exist" in str(exc):
            hint = f": is NEWSARCHIVE_HOME ({home}) the archive this index was built from?"
        raise NewsarchiveError(f"cannot read the capture: {exc}{hint}") from None
