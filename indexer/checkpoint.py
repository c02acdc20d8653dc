"""Where the last acknowledged record of each JSONL file is, per index prefix.

``$NEWSARCHIVE_HOME/state/index-checkpoint-<prefix>.json``, replaced atomically
(write, rename; no fsync: a
checkpoint lost to a power cut only makes the next run replay more, harmlessly). It also names the article index it describes: if the write
alias later points elsewhere (an index deleted or rebuilt by hand), the offsets no
longer mean anything and loading starts over, which is harmless because loads are
idempotent.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

FORMAT = 1


def checkpoint_path(home: Path, prefix: str) -> Path:
    return Path(home) / "state" / f"index-checkpoint-{prefix}.json"


def _file_id(path: Path) -> list[int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return [st.st_dev, st.st_ino]


class Checkpoint:
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self.data = json.loads(self.path.read_text(encoding="utf-8"))
            if self.data.get("format") != FORMAT:
                raise ValueError("unknown format")
        except FileNotFoundError:
            self.data = {}
        except ValueError:  # damaged: start over (idempotent), keep the file for a look
            self.path.replace(self.path.with_suffix(".damaged"))
            self.data = {}
        self.data.setdefault("format", FORMAT)
        self.data.setdefault("files", {})

    @property
    def index_uuid(self) -> str | None:
        return self.data.get("index_uuid")

    @property
    def source(self) -> str | None:
        """The record file (relative to home) the index follows, if not the live one."""
        return self.data.get("source")

    def offset(self, key: str, path: Path) -> int:
        """Acknowledged end offset of ``path``; 0 if it was replaced or truncated."""
        entry = self.data["files"].get(key)
        if not entry:
            return 0
        try:
            size = os.path.getsize(path)
        except FileNotFoundError:
            return 0
        if entry.get("file_id") != _file_id(path) or entry["offset"] > size:
            return 0
        return int(entry["offset"])

    def advance(self, key: str, path: Path, offset: int) -> None:
        entry = self.data["files"].get(key)
        same = entry and entry.get("file_id") == _file_id(path)
        if same and entry["offset"] >= offset:
            return
        self.data["files"][key] = {"offset": offset, "file_id": _file_id(path)}
        self.save()

    def reset(self, *, index_uuid: str | None, source: str | None = None) -> None:
        self.data = {"format": FORMAT, "files": {}, "index_uuid": index_uuid}
        if source:
            self.data["source"] = source

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(self.data, fh, indent=1)
        os.replace(tmp, self.path)
