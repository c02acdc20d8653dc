"""What the scheduler remembers per source between runs and restarts.

``$NEWSARCHIVE_HOME/schedule/state/<id>.json``: the last start (so ``--once`` from cron
knows what is due, and two schedulers do not run a source back to back), the last
run's outcome, and each listing's polling state (``scheduler.polling``: its interval,
why, and the new entries of its last polls). Written atomically (a temporary file, then
a rename); a missing or damaged file reads as "never ran", so the source is simply due.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from scheduler.polling import Listing


@dataclass
class SourceRecord:
    source_id: str
    last_started: float | None = None
    last_run: dict | None = None  # started, status, new, errors of the last run
    listings: dict[str, Listing] = field(default_factory=dict)  # registry URL -> state


def state_path(folder: Path, source_id: str) -> Path:
    return Path(folder) / f"{source_id}.json"


def load_record(folder: Path, source_id: str) -> SourceRecord:
    """The source's record; an empty one when there is none (or it is unreadable)."""
    try:
        data = json.loads(state_path(folder, source_id).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return SourceRecord(source_id)
    if not isinstance(data, dict):
        return SourceRecord(source_id)
    try:
        last_started = float(data["last_started"])
    except (KeyError, TypeError, ValueError):
        last_started = None
    listings = {}
    for item in data.get("listings") or []:
        listing = Listing.from_json(item) if isinstance(item, dict) else None
        if listing is not None:
            listings[listing.url] = listing
    last_run = data.get("last_run") if isinstance(data.get("last_run"), dict) else None
    return SourceRecord(source_id, last_started, last_run, listings)


def save_record(folder: Path, record: SourceRecord) -> None:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    data = {
        "last_started": record.last_started,
        "at": _iso(record.last_started),
        "last_run": record.last_run,
        "listings": [listing.to_json() for listing in record.listings.values()],
    }
    path = state_path(folder, record.source_id)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
    tmp.replace(path)


def _iso(ts: float | None) -> str | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds")
