"""Scheduled crawls: each source at its own interval, crawl then index, never overlapping.

Why it looks like this:

- The crawl of a source runs in a child process (``python -m crawler.crawl``): Twisted's
  reactor cannot restart inside one process, and a child makes SIGTERM simple: the
  scheduler forwards it, Scrapy finishes the requests in flight and writes their records,
  and the scheduler stops at that safe point (the indexer picks the records up next time).
- A per-source lock (:mod:`scheduler.locks`) keeps two schedulers, or a scheduler and a
  cron job, from crawling the same source at once; the crawl child inherits the lock.
- Each run leaves a JSON report under ``$NEWSARCHIVE_HOME/schedule/runs/`` (the last
  ``keep_runs`` are kept) and one log line; per-source state (last start) lives in
  ``schedule/state/<id>.json`` so ``--once`` from cron knows what is due.

Intervals: ``interval`` on the registry entry when it has one, else
``[intervals]`` of the schedule file (``$NEWSARCHIVE_HOME/schedule.toml`` or
``$NEWSARCHIVE_SCHEDULE``), else its ``default_interval`` (1 hour).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newsarchive.config import Config
from newsarchive.errors import IndexBusy, NewsarchiveError
from newsarchive.locks import FileLock
from scheduler.config import ScheduleConfig
from scheduler.locks import SourceLock


def _now_iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds")


class Scheduler:
    """Runs due sources one at a time: lock, crawl (child process), index, report."""

    def __init__(
        self,
        settings: Config,
        config: ScheduleConfig,
        sources: list,
        *,
        sources_file: str | None = None,
        seed: int | None = None,
        log: Callable[[str], None] | None = None,
        index: Callable[[Config], dict] | None = None,
    ) -> None:
        self.settings = settings
        self.config = config
        self.sources = [s for s in sources if getattr(s, "enabled", True)]
        self.sources_file = sources_file
        self.rng = random.Random(seed)
        self.log = log or (lambda line: print(line, flush=True))
        self.index = index or _index_new_records
        self.root = Path(settings.home) / "schedule"
        self.stopping = False
        self._next: dict[str, float] = {}

    # ---- when ----------------------------------------------------------------------
    def interval(self, source) -> float:
        """The registry's interval of the source, else the schedule file's, else the default."""
        if source.interval is not None:
            return source.interval
        return self.config.intervals.get(source.id, self.config.default_interval)

    def last_started(self, source_id: str) -> float | None:
        try:
            data = json.loads((self.root / "state" / f"{source_id}.json").read_text())
            return float(data["last_started"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def is_due(self, source, now: float) -> bool:
        last = self.last_started(source.id)
        return last is None or now >= last + self.interval(source)

    def _plan(self, source, now: float) -> float:
        """The next start of ``source``: last start + interval, stretched by jitter."""
        interval = self.interval(source)
        spread = self.rng.uniform(-self.config.jitter, self.config.jitter) * interval
        last = self.last_started(source.id)
        if last is None:  # never ran: start soon, spread over the jitter window
            return now + abs(spread)
        return max(now, last + interval + spread)

    # ---- loops ---------------------------------------------------------------------
    def run_once(self) -> list[dict]:
        """Run every source that is due now, once each (for cron)."""
        reports = []
        for source in self.sources:
            if self.stopping:
                break
            if self.is_due(source, time.time()):
                report = self.run_source(source, still=lambda s=source: self.is_due(s, time.time()))
                if report is not None:
                    reports.append(report)
        return reports

    def run_forever(self, max_runs: int | None = None) -> int:
        """Run sources as they fall due until SIGTERM/SIGINT (or ``max_runs`` runs)."""
        now = time.time()
        self._next = {s.id: self._plan(s, now) for s in self.sources}
        seen = {s.id: self.last_started(s.id) for s in self.sources}  # as planned
        by_id = {s.id: s for s in self.sources}
        runs = 0
        while not self.stopping and (max_runs is None or runs < max_runs):
            sid = min(self._next, key=self._next.__getitem__, default=None)
            if sid is None:
                self.log("no enabled sources to schedule")
                return runs
            self._sleep_until(self._next[sid])
            if self.stopping:
                break
            report = self.run_source(
                by_id[sid], still=lambda sid=sid: self.last_started(sid) == seen[sid]
            )
            seen[sid] = self.last_started(sid)
            if report is None:  # another scheduler ran it meanwhile: plan from its start
                self._next[sid] = self._plan(by_id[sid], time.time())
                continue
            runs += report["status"] != "skipped"
            if report["status"] == "skipped":  # running elsewhere: plan from its start
                retry = time.time() + min(self.interval(by_id[sid]), 60.0)
                self._next[sid] = max(retry, self._plan(by_id[sid], time.time()))
            else:
                self._next[sid] = self._plan(by_id[sid], time.time())
        return runs

    def _sleep_until(self, when: float) -> None:
        while not self.stopping:
            left = when - time.time()
            if left <= 0:
                return
            time.sleep(min(left, 0.25))

    def request_stop(self, *_: object) -> None:
        """Signal handler: finish (or safely stop) the current run, then exit."""
        if not self.stopping:
            self.log("stop requested: finishing the current run, then exiting")
        self.stopping = True

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGTERM, self.request_stop)
        signal.signal(signal.SIGINT, self.request_stop)

    # ---- one run -------------------------------------------------------------------
    def run_source(self, source, *, still: Callable[[], bool] | None = None) -> dict | None:
        """Lock, crawl, index and report one source; never raises for a failed run.

        ``still`` is asked again under the lock (is the source still due, or has another
        process just run it?); if it says no, nothing runs and None is returned."""
        started = time.time()
        report: dict[str, Any] = {
            "source": source.id,
            "started": _now_iso(started),
            "status": "ok",
            "new": 0,
            "changed": 0,
            "unchanged": 0,
            "removed": 0,
            "errors": 0,
            "error": None,
        }
        lock = SourceLock(self.root / "locks" / f"{source.id}.lock")
        if not lock.acquire(source=source.id):
            holder = lock.holder() or {}
            report.update(status="skipped", error=f"locked by pid {holder.get('pid')}")
            return self._finish(report, started, keep=False)
        try:
            if still is not None and not still():
                return None
            if lock.stale:
                report["stale_lock_cleared"] = lock.stale
                self.log(
                    f"{source.id}: cleared a stale lock left by pid {lock.stale.get('pid')} "
                    f"on {lock.stale.get('host')} (the process is gone)"
                )
            self._save_state(source.id, started)
            crawl = self._crawl(source, lock, report)
            if crawl is not None:
                mine = next((s for s in crawl.get("sources", []) if s["id"] == source.id), {})
                for key in ("new", "changed", "unchanged", "removed"):
                    report[key] = mine.get("articles", {}).get(key, 0)
                report["errors"] = sum(mine.get("errors", {}).values())
                report["dead_feeds"] = len(mine.get("dead_feeds", []))
                report["crawl_report"] = crawl.get("report_file")
                report["finish_reason"] = crawl.get("finish_reason")
            if self.stopping:  # a safe point: the records are written, indexing can wait
                report["status"] = "stopped"
                report["index"] = "deferred: the next run indexes these records"
            else:  # even after a failed crawl: whatever it archived is worth indexing
                self._index_step(report)
        finally:
            lock.release()
        return self._finish(report, started)

    def crawl_command(self, source) -> list[str]:
        cmd = [sys.executable, "-m", "crawler.crawl", "--source", source.id, "--json"]
        cmd += ["--home", str(self.settings.home)]
        if self.sources_file:
            cmd += ["--sources", str(self.sources_file)]
        if self.config.max_articles:
            cmd += ["--max-articles", str(self.config.max_articles)]
        if self.config.recheck_days is not None:
            cmd += ["--recheck-days", str(self.config.recheck_days)]
        if not self.config.revisit:
            cmd.append("--no-revisit")
        for name, value in self.config.crawl_settings.items():
            cmd += ["-s", f"{name}={value}"]
        return cmd

    def _crawl(self, source, lock: SourceLock, report: dict) -> dict | None:
        """Run the crawl child; forward a stop request to it; return its JSON report."""
        log_dir = self.root / "runs"
        log_dir.mkdir(parents=True, exist_ok=True)
        log_path = log_dir / f"{_stamp(report['started'])}-{source.id}.log"
        report["log"] = str(log_path)
        env = dict(os.environ, NEWSARCHIVE_HOME=str(self.settings.home))
        with log_path.open("wb") as log_file:
            proc = subprocess.Popen(
                self.crawl_command(source),
                stdout=subprocess.PIPE,
                stderr=log_file,
                pass_fds=(lock.fd,),  # the crawl holds the source's lock as long as it runs
                start_new_session=True,  # Ctrl-C reaches the scheduler only; it forwards
                env=env,
            )
            report["crawl_pid"] = proc.pid
            out = self._wait(proc, report)
        report["exit_code"] = proc.returncode
        crawl = _parse_report(out)
        if crawl is None:
            report["status"] = "stopped" if self.stopping else "failed"
            report["error"] = f"the crawl exited with code {proc.returncode}; see {log_path}"
            report["errors"] = 1
        elif proc.returncode != 0 and not self.stopping:
            report["status"] = "failed"
            report["error"] = f"the crawl stopped early ({crawl.get('finish_reason')})"
        return crawl

    def _wait(self, proc: subprocess.Popen, report: dict) -> bytes:
        began = time.monotonic()
        deadline: float | None = None
        while True:
            try:
                out, _ = proc.communicate(timeout=0.25)
                return out or b""
            except subprocess.TimeoutExpired:
                pass
            now = time.monotonic()
            if self.stopping and deadline is None:
                proc.send_signal(signal.SIGTERM)  # Scrapy: finish what is in flight, then stop
                deadline = now + self.config.stop_timeout
            elif deadline is None and now - began > self.config.run_timeout:
                report["error"] = "the crawl ran longer than run_timeout and was stopped"
                proc.send_signal(signal.SIGTERM)
                deadline = now + self.config.stop_timeout
            elif deadline is not None and now > deadline:
                report["error"] = "the crawl did not stop in time and was killed"
                proc.kill()
                deadline = float("inf")

    def _index_step(self, report: dict) -> None:
        """Index what the crawl archived. Schedulers take turns (a blocking lock), since
        the indexer allows one run per home at a time."""
        lock = FileLock(self.root / "locks" / "index.lock")
        try:
            lock.acquire(wait=True)
            summary = self.index(self.settings)
        except NewsarchiveError as exc:
            busy = isinstance(exc, IndexBusy)
            report["status"] = "ok" if busy and report["status"] == "ok" else "failed"
            report["errors"] += 0 if busy else 1
            report["index"] = None
            report["error"] = f"indexing {'deferred' if busy else 'failed'}: {exc}"
            return
        except Exception as exc:  # the crawl's records are safe; the next run indexes them
            report["status"] = "failed"
            report["errors"] += 1
            report["index"] = None
            report["error"] = f"indexing failed: {type(exc).__name__}: {exc}"
            return
        finally:
            lock.release()
        report["index"] = summary

    def _save_state(self, source_id: str, started: float) -> None:
        folder = self.root / "state"
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f"{source_id}.json.tmp"
        tmp.write_text(json.dumps({"last_started": started, "at": _now_iso(started)}))
        tmp.replace(folder / f"{source_id}.json")

    def _finish(self, report: dict, started: float, keep: bool = True) -> dict:
        finished = time.time()
        report["finished"] = _now_iso(finished)
        report["seconds"] = round(finished - started, 2)
        self.log(format_run(report))
        if keep:
            self._keep(report)
        return report

    def _keep(self, report: dict) -> None:
        folder = self.root / "runs"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{_stamp(report['started'])}-{report['source']}.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(report, indent=2, default=str))
        tmp.replace(path)
        reports = sorted(folder.glob("*.json"))
        for old in reports[: max(0, len(reports) - self.config.keep_runs)]:
            old.unlink(missing_ok=True)
            old.with_suffix(".log").unlink(missing_ok=True)


def format_run(report: dict) -> str:
    """The one log line of a run."""
    head = f"{report['started']} {report['source']} {report['status']}"
    if report["status"] == "skipped":
        return f"{head}: {report['error']}"
    line = (
        f"{head} new={report['new']} changed={report['changed']} "
        f"unchanged={report['unchanged']} errors={report['errors']} {report['seconds']:.1f}s"
    )
    return line + (f" ({report['error']})" if report.get("error") else "")


def recent_runs(settings: Config, limit: int = 20) -> list[dict]:
    """The last ``limit`` run reports, oldest first."""
    folder = Path(settings.home) / "schedule" / "runs"
    out = []
    for path in sorted(folder.glob("*.json"))[-limit:]:
        try:
            out.append(json.loads(path.read_text()))
        except (OSError, ValueError):
            continue
    return out


def _stamp(iso: str) -> str:
    return iso[:19].replace(":", "").replace("-", "")


def _parse_report(out: bytes) -> dict | None:
    """The crawl's JSON report from its stdout (anything printed before it is skipped)."""
    text = out.decode("utf-8", "replace")
    start = text.find("{")
    while start != -1:
        try:
            data, _ = json.JSONDecoder().raw_decode(text, start)
            if isinstance(data, dict) and "sources" in data:
                return data
        except ValueError:
            pass
        start = text.find("{", start + 1)
    return None


def _index_new_records(settings: Config) -> dict:
    from indexer.operations import index_new_records

    return index_new_records(settings).as_dict()
