"""Reliability suite: seeded repetitions and a ledger of every trial for docs/reliability.md.

``RELIABILITY_REPEAT`` (default 2, ``make test-reliability`` sets 10) is how many seeded
repetitions each fault case runs; fuzz cases scale their example counts with it.
``RELIABILITY_SEED`` shifts every seed (default 1). ``RELIABILITY_REPORT``: a JSON file
the session's trials are appended to; ``python -m tests.reliability.report`` renders it.
"""

from __future__ import annotations

import json
import os
import zlib
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pytest

REPEAT = max(1, int(os.environ.get("RELIABILITY_REPEAT", "2")))
FULL = REPEAT >= 10
BASE_SEED = int(os.environ.get("RELIABILITY_SEED", "1"))

_TRIALS: list[dict] = []


def seed_for(case: str, rep: int) -> int:
    """A stable seed per case and repetition, so a failure can be replayed alone."""
    return zlib.crc32(f"{case}:{rep}".encode()) ^ BASE_SEED


def reps() -> list[int]:
    return list(range(REPEAT))


@dataclass
class Trial:
    """What one test tried and saw; the hook below adds whether it passed."""

    case: str = ""
    tries: int = 1
    outcomes: dict[str, int] = field(default_factory=dict)
    lost: int = 0
    notes: list[str] = field(default_factory=list)

    def saw(self, outcome: str, count: int = 1) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + count


@pytest.fixture
def trial() -> Trial:
    return Trial()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    trial = getattr(item, "funcargs", {}).get("trial")
    if trial is None or not trial.case:
        return
    if report.when == "call" or (report.when == "setup" and report.failed):
        if hasattr(report, "wasxfail"):
            status = "known bug (xfail)"
        else:
            status = "passed" if report.passed else ("skipped" if report.skipped else "failed")
        _TRIALS.append({**asdict(trial), "status": status, "test": item.nodeid})


def pytest_sessionfinish(session, exitstatus):
    target = os.environ.get("RELIABILITY_REPORT")
    if not target or not _TRIALS:
        return
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    old = json.loads(path.read_text()) if path.exists() else []
    path.write_text(json.dumps(old + _TRIALS, indent=1))
