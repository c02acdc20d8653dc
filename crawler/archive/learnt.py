"""Each source's learnt boilerplate (``crawler.extract.recurring``), as the archive keeps it.

One ``RecurringBlocks`` per source id, observed with every new version the archive
records (a re-capture of an unchanged page carries nothing new, and counting it would
dilute each block's share), in record order. The crawl keeps the states in the
seen-store, one row per source, each written whole in one transaction at most once a
second and when the archive closes (a state is up to some hundred KB of JSON, a few
ms to write: not a cost to pay per article), so a crawl killed at any instant restarts
with a whole state that lacks at most its last second's counts: a drop comes a few
articles later, nothing else.
``reextract`` keeps them in memory and rebuilds them from nothing over the captures,
in the order the crawl recorded them, so it drops what the crawl dropped.

The learnt state never decides what a version is: the archive hashes the body as the
rules left it (``identity.version_hash``), so it can change between two captures of a
page without making the second an edit.
"""

from __future__ import annotations

import json
import logging
import time
from typing import TYPE_CHECKING

from crawler.extract.recurring import RecurringBlocks

if TYPE_CHECKING:
    from crawler.archive.records import Outcome
    from crawler.archive.seen import SeenStore

log = logging.getLogger(__name__)

OBSERVED = ("new", "changed")  # the outcomes whose blocks are counted
SAVE_EVERY = 1.0  # seconds between saves of the changed states (and at close)


class LearntBoilerplate:
    """The sources' learnt states; ``store``: where they persist (None: in memory)."""

    def __init__(self, store: SeenStore | None = None) -> None:
        self.store = store
        self.states: dict[str, RecurringBlocks] = {}
        self._snapshots: dict[str, frozenset[str]] = {}
        self._unsaved: set[str] = set()
        self._saved_at = time.monotonic()
        self.notes: list[str] = []
        for source_id, text in (store.boilerplate_states() if store else {}).items():
            try:
                self.states[source_id] = RecurringBlocks.from_json(json.loads(text))
            except ValueError as exc:  # damaged: learn it again rather than stop the crawl
                self.notes.append(f"learnt boilerplate of {source_id}: {exc}; learning it anew")

    def state(self, source_id: str) -> RecurringBlocks:
        if source_id not in self.states:
            self.states[source_id] = RecurringBlocks()
        return self.states[source_id]

    def snapshot(self, source_id: str) -> frozenset[str]:
        """The source's recurring fingerprints now, for an extraction in another process."""
        found = self._snapshots.get(source_id)
        if found is None:
            state = self.states.get(source_id)
            found = state.recurring() if state is not None else frozenset()
            self._snapshots[source_id] = found
        return found

    def observe(self, source_id: str, outcome: Outcome, extracted: dict) -> bool:
        """Count the blocks of a recorded new version; False when there was nothing to
        count (a re-capture, or an extraction made without learning)."""
        fingerprints = extracted.get("block_fingerprints")
        if outcome.kind not in OBSERVED or not isinstance(fingerprints, list):
            return False
        self.state(source_id).observe(outcome.id, fingerprints)
        self._snapshots.pop(source_id, None)
        self._unsaved.add(source_id)
        if time.monotonic() - self._saved_at >= SAVE_EVERY:
            self.save()
        return True

    def save(self) -> None:
        """Write the states changed since the last save to the store (each in its own
        transaction, so a state on disk is always whole)."""
        if self.store is not None:
            for source_id in sorted(self._unsaved):
                self.store.save_boilerplate(source_id, json.dumps(self.states[source_id].to_json()))
        self._unsaved.clear()
        self._saved_at = time.monotonic()

    def to_json(self) -> dict[str, dict]:
        return {source_id: state.to_json() for source_id, state in sorted(self.states.items())}


__all__ = ["OBSERVED", "LearntBoilerplate"]
