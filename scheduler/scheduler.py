"""Scheduled crawls: every listing at its own adaptive interval, all due sources in one
crawl, then index, never overlapping.

Why it looks like this:

- A round crawls every due source at once, in one child process (``python -m
  crawler.crawl --source A --source B ... --plan FILE``): Scrapy is built for many hosts
  at once, and its per-host download slots (``CONCURRENT_REQUESTS_PER_DOMAIN``,
  AutoThrottle, robots.txt, Retry-After) keep each host polite while the crawl as a
  whole stays busy. One source per process would leave the machine idle between polite
  requests to one host. ``max_batch`` caps the sources of one crawl (1: one each).
- The crawl runs in a child process: Twisted's reactor cannot restart inside one process,
  and a child makes SIGTERM simple: the scheduler forwards it, Scrapy finishes the
  requests in flight and writes their records, and the scheduler stops at that safe
  point (the indexer picks the records up next time).
- A per-source lock (:mod:`scheduler.locks`) keeps two schedulers, or a scheduler and a
  cron job, from crawling the same source at once; the crawl child inherits every lock
  of its round (``pass_fds``), so an orphaned crawl still holds its sources.
- Each listing (feed, sitemap, section) has its own interval, moved after every poll by
  what the poll found (:mod:`scheduler.polling`), within the source's bounds; the plan
  tells the crawl which listings are due. A listing may be polled up to ``jitter`` of its
  interval early, so that sources falling due close together share a round.
- Each source's run leaves its own JSON report under ``$NEWSARCHIVE_HOME/schedule/runs/``
  and one log line, whatever the other sources of its round did; the per-source state
  (last start, last run, listings) lives in ``schedule/state/<id>.json``
  (:mod:`scheduler.state`), the round's crawl log and plan in ``schedule/rounds/``.

Intervals: ``interval`` on the registry entry when it has one, else ``[intervals]`` of
the schedule file (``$NEWSARCHIVE_HOME/schedule.toml`` or ``$NEWSARCHIVE_SCHEDULE``),
else its ``default_interval`` (1 hour); bounds likewise from ``min_interval`` /
``max_interval``.
"""

from __future__ import annotations

import json
import math
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crawler.crawl import raise_open_files_limit
from crawler.sources import interval_bounds_problem
from newsarchive.config import Config
from newsarchive.dates import format_duration
from newsarchive.errors import ConfigError, IndexBusy, NewsarchiveError
from newsarchive.locks import FileLock
from scheduler.config import ScheduleConfig
from scheduler.locks import SourceLock
from scheduler.polling import Bounds, Listing, Poll, after_poll, polls_of
from scheduler.state import SourceRecord, load_record, save_record

Clock = Callable[[], float]


def _now_iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds")


class Scheduler:
    """Runs due sources in rounds: lock, crawl (one child process), index, report."""

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
        clock: Clock = time.time,
    ) -> None:
        self.settings = settings
        self.config = config
        self.sources = [s for s in sources if getattr(s, "enabled", True)]
        self.sources_file = sources_file
        self.rng = random.Random(seed)
        self.log = log or (lambda line: print(line, flush=True))
        self.index = index or _index_new_records
        self.clock = clock
        self.root = Path(settings.home) / "schedule"
        self.stopping = False
        self._next: dict[str, float] = {}
        self._bounds = {s.id: self._resolve_bounds(s) for s in self.sources}

    # ---- when ----------------------------------------------------------------------
    def interval(self, source) -> float:
        """The source's configured interval: the registry's, else the schedule file's,
        else the default. Its listings start there and adapt within its bounds."""
        if source.interval is not None:
            return source.interval
        return self.config.intervals.get(source.id, self.config.default_interval)

    def bounds(self, source) -> Bounds:
        return self._bounds[source.id]

    def _resolve_bounds(self, source) -> Bounds:
        """Registry bounds, else the schedule file's per-source ones (both must take in the
        source's interval), else the defaults, widened to take it in."""
        start = self.interval(source)
        low = source.min_interval or self.config.min_intervals.get(source.id)
        high = source.max_interval or self.config.max_intervals.get(source.id)
        problem = interval_bounds_problem(start, low, high)
        if problem:
            raise ConfigError(f"source {source.id!r}: {problem}")
        low = low or min(self.config.min_interval, start)
        high = high or max(self.config.max_interval, start)
        problem = interval_bounds_problem(start, low, high)
        if problem:  # a per-source bound against a default one
            raise ConfigError(f"source {source.id!r}: {problem}")
        return Bounds(start=start, low=low, high=high, adaptive=self.config.adaptive)

    def record(self, source_id: str) -> SourceRecord:
        return load_record(self.root / "state", source_id)

    def last_started(self, source_id: str) -> float | None:
        return self.record(source_id).last_started

    def listings(self, source, record: SourceRecord | None = None) -> list[Listing]:
        """The source's registry listings with their polling state (new ones start at the
        source's interval; a state from before per-listing polling counts from the last
        start)."""
        record = record or self.record(source.id)
        start = self.bounds(source).start
        out = []
        for kind, urls in (
            ("feed", source.feeds),
            ("sitemap", source.sitemaps),
            ("section", source.sections),
        ):
            for url in urls:
                known = record.listings.get(url)
                if known is None or known.kind != kind:
                    known = Listing(url, kind, start, last_polled=record.last_started)
                out.append(known)
        return out

    def _slack(self, listing: Listing) -> float:
        return self.config.jitter * listing.interval

    def due_listings(self, source, now: float, record: SourceRecord | None = None) -> list:
        """The listings due by ``now`` (or within their jitter window of it)."""
        return [li for li in self.listings(source, record) if li.due() <= now + self._slack(li)]

    def is_due(self, source, now: float) -> bool:
        return bool(self.due_listings(source, now))

    def current(self, source, record: SourceRecord | None = None) -> Listing:
        """The listing that sets the source's pace: the one polled most often."""
        return min(self.listings(source, record), key=lambda li: (li.interval, li.due()))

    def _plan(self, source, now: float) -> float:
        """The next start of ``source``: its first listing's due time, stretched by jitter."""
        first = min(self.listings(source), key=Listing.due)
        spread = self.rng.uniform(-self.config.jitter, self.config.jitter) * first.interval
        if first.last_polled is None:  # never polled: start soon, spread over the window
            return now + abs(spread)
        return max(now, first.due() + spread)

    # ---- loops ---------------------------------------------------------------------
    def run_once(self) -> list[dict]:
        """Run every source that is due now, once each (for cron)."""
        due = [s for s in self.sources if self.is_due(s, self.clock())]
        reports: list[dict] = []
        for start in range(0, len(due), self.config.max_batch):
            if self.stopping:
                break
            batch = due[start : start + self.config.max_batch]
            done = self.run_round(batch, still=lambda s: self.is_due(s, self.clock()))
            reports += [r for r in done.values() if r is not None]
        return reports

    def run_forever(self, max_runs: int | None = None) -> int:
        """Run rounds as sources fall due until SIGTERM/SIGINT (or ``max_runs`` runs)."""
        now = self.clock()
        self._next = {s.id: self._plan(s, now) for s in self.sources}
        seen = {s.id: self.last_started(s.id) for s in self.sources}  # as planned
        runs = 0
        while not self.stopping and (max_runs is None or runs < max_runs):
            if not self._next:
                self.log("no enabled sources to schedule")
                return runs
            self._sleep_until(min(self._next.values()))
            if self.stopping:
                break
            now = self.clock()
            ready = sorted(
                (s for s in self.sources if self._next[s.id] <= now or self.is_due(s, now)),
                key=lambda s: self._next[s.id],
            )
            limit = self.config.max_batch
            if max_runs is not None:
                limit = min(limit, max_runs - runs)
            batch = ready[:limit]
            done = self.run_round(batch, still=lambda s: self.last_started(s.id) == seen[s.id])
            for source in batch:
                seen[source.id] = self.last_started(source.id)
                report = done.get(source.id)
                planned = self._plan(source, self.clock())
                if report is not None and report["status"] == "skipped":
                    # running elsewhere: try again after that run's start
                    retry = self.clock() + min(self.interval(source), 60.0)
                    planned = max(retry, planned)
                self._next[source.id] = planned
                runs += report is not None and report["status"] != "skipped"
        return runs

    def _sleep_until(self, when: float) -> None:
        while not self.stopping:
            left = when - self.clock()
            if left <= 0:
                return
            time.sleep(min(left, 0.25))

    def request_stop(self, *_: object) -> None:
        """Signal handler: finish (or safely stop) the current round, then exit."""
        if not self.stopping:
            self.log("stop requested: finishing the current run, then exiting")
        self.stopping = True

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGTERM, self.request_stop)
        signal.signal(signal.SIGINT, self.request_stop)

    # ---- one round -----------------------------------------------------------------
    def run_source(self, source, *, still: Callable[[], bool] | None = None) -> dict | None:
        """A round of one source (see ``run_round``)."""
        check = None if still is None else (lambda _source: still())
        return self.run_round([source], still=check).get(source.id)

    def run_round(
        self, sources: list, *, still: Callable[[Any], bool] | None = None
    ) -> dict[str, dict | None]:
        """Lock, crawl (all in one child process), index and report these sources; never
        raises for a failed run. Returns each source's report (None: not run, because
        ``still``, asked again under the lock, said another process has just run it)."""
        raise_open_files_limit()  # a lock file per source, handed to the crawl
        started = self.clock()
        done: dict[str, dict | None] = {}
        locks: dict[str, SourceLock] = {}
        reports: dict[str, dict] = {}
        for source in sources:
            report = _new_report(source.id, started)
            lock = SourceLock(self.root / "locks" / f"{source.id}.lock")
            if not lock.acquire(source=source.id):
                holder = lock.holder() or {}
                report.update(status="skipped", error=f"locked by pid {holder.get('pid')}")
                done[source.id] = self._finish(report, started, keep=False)
                continue
            if still is not None and not still(source):
                lock.release()
                done[source.id] = None
                continue
            locks[source.id] = lock
            reports[source.id] = report
        if not locks:
            return done
        batch = [s for s in sources if s.id in locks]
        try:
            records = {s.id: self.record(s.id) for s in batch}
            plan = {
                s.id: {
                    li.url: li.last_polled for li in self.due_listings(s, started, records[s.id])
                }
                for s in batch
            }
            for source in batch:
                lock, report = locks[source.id], reports[source.id]
                if lock.stale:
                    report["stale_lock_cleared"] = lock.stale
                    self.log(
                        f"{source.id}: cleared a stale lock left by pid {lock.stale.get('pid')} "
                        f"on {lock.stale.get('host')} (the process is gone)"
                    )
                records[source.id].last_started = started
                save_record(self.root / "state", records[source.id])
            crawl = self._crawl(batch, plan, list(locks.values()), reports, started)
            for source in batch:
                self._account(
                    source, crawl, plan[source.id], reports[source.id], records[source.id], started
                )
            if self.stopping:  # a safe point: the records are written, indexing can wait
                for report in reports.values():
                    report["status"] = "stopped"
                    report["index"] = "deferred: the next run indexes these records"
            else:  # even after a failed crawl: whatever it archived is worth indexing
                self._index_step(list(reports.values()))
        finally:
            for lock in locks.values():
                lock.release()
        for source in batch:
            report, record = reports[source.id], records[source.id]
            done[source.id] = self._finish(report, started)
            record.last_run = {
                k: report.get(k) for k in ("started", "status", "new", "errors", "error")
            }
            save_record(self.root / "state", record)
        self._prune()
        return done

    def crawl_command(self, sources: Iterable, plan_file: Path | None = None) -> list[str]:
        cmd = [sys.executable, "-m", "crawler.crawl"]
        for source in sources:
            cmd += ["--source", source.id]
        cmd += ["--json", "--home", str(self.settings.home)]
        if plan_file is not None:
            cmd += ["--plan", str(plan_file)]
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

    def _crawl(
        self,
        batch: list,
        plan: dict,
        locks: list[SourceLock],
        reports: dict[str, dict],
        started: float,
    ) -> dict | None:
        """Run the round's crawl child; forward a stop request to it; return its JSON
        report (each source's report gets the round's log, pid and exit code)."""
        folder = self.root / "rounds"
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{_stamp(_now_iso(started))}-{os.getpid()}"
        log_path, plan_path = folder / f"{name}.log", folder / f"{name}.plan.json"
        plan_path.write_text(json.dumps(plan), encoding="utf-8")
        polled = sum(len(p) for p in plan.values())
        if len(batch) > 1:
            self.log(
                f"{_now_iso(started)} round: {len(batch)} sources ({polled} listings due) "
                "in one crawl"
            )
        env = dict(os.environ, NEWSARCHIVE_HOME=str(self.settings.home))
        with log_path.open("wb") as log_file:
            proc = subprocess.Popen(
                self.crawl_command(batch, plan_path),
                stdout=subprocess.PIPE,
                stderr=log_file,
                pass_fds=tuple(lock.fd for lock in locks if lock.fd is not None),
                start_new_session=True,  # Ctrl-C reaches the scheduler only; it forwards
                env=env,
            )
            round_info = {"sources": len(batch), "listings": polled, "crawl_pid": proc.pid}
            for report in reports.values():
                report.update(log=str(log_path), crawl_pid=proc.pid, round=round_info)
            out, error = self._wait(proc)
        crawl = _parse_report(out)
        for report in reports.values():
            report["exit_code"] = proc.returncode
            if error:
                report["error"] = error
            if crawl is None:
                report["status"] = "stopped" if self.stopping else "failed"
                report["error"] = f"the crawl exited with code {proc.returncode}; see {log_path}"
                report["errors"] = 1
            elif proc.returncode != 0 and not self.stopping:
                report["status"] = "failed"
                report["error"] = f"the crawl stopped early ({crawl.get('finish_reason')})"
        return crawl

    def _wait(self, proc: subprocess.Popen) -> tuple[bytes, str | None]:
        """The crawl's stdout once it exits, and why it was stopped (if it was)."""
        began = time.monotonic()
        deadline: float | None = None
        error = None
        while True:
            try:
                out, _ = proc.communicate(timeout=0.25)
                return out or b"", error
            except subprocess.TimeoutExpired:
                pass
            now = time.monotonic()
            if self.stopping and deadline is None:
                proc.send_signal(signal.SIGTERM)  # Scrapy: finish what is in flight, then stop
                deadline = now + self.config.stop_timeout
            elif deadline is None and now - began > self.config.run_timeout:
                error = "the crawl ran longer than run_timeout and was stopped"
                proc.send_signal(signal.SIGTERM)
                deadline = now + self.config.stop_timeout
            elif deadline is not None and now > deadline:
                error = "the crawl did not stop in time and was killed"
                proc.kill()
                deadline = math.inf

    def _account(
        self,
        source,
        crawl: dict | None,
        planned: dict,
        report: dict,
        record: SourceRecord,
        started: float,
    ) -> None:
        """The source's row of the crawl report into its run report, and each polled
        listing's outcome into its polling state (a listing the crawl never answered
        because it was stopped stays due)."""
        mine = next((s for s in (crawl or {}).get("sources", []) if s["id"] == source.id), {})
        for key in ("new", "changed", "unchanged", "removed"):
            report[key] = mine.get("articles", {}).get(key, 0)
        if crawl is not None:
            report["errors"] = sum(mine.get("errors", {}).values())
            report["dead_feeds"] = len(mine.get("dead_feeds", []))
            report["crawl_report"] = crawl.get("report_file")
            report["finish_reason"] = crawl.get("finish_reason")
        polls = polls_of(mine)
        bounds = self.bounds(source)
        listings = self.listings(source, record)
        for listing in listings:
            poll = polls.get(listing.url)
            if poll is None and crawl is None and not self.stopping and listing.url in planned:
                poll = Poll(status="dead", reason="the crawl failed")
            if poll is not None:
                after_poll(listing, poll, bounds, started)
                report.setdefault("listings", []).append(
                    {
                        "url": listing.url,
                        "kind": listing.kind,
                        "status": poll.status,
                        "new": poll.new,
                        "entries": poll.listed,
                        "interval": listing.interval,
                        "reason": listing.reason,
                    }
                )
        record.listings = {li.url: li for li in listings}

    def _index_step(self, reports: list[dict]) -> None:
        """Index what the round archived, once for all its sources. Schedulers take turns
        (a blocking lock), since the indexer allows one run per home at a time."""
        lock = FileLock(self.root / "locks" / "index.lock")
        problem: tuple[str, bool] | None = None  # (error, just deferred)
        summary = None
        try:
            lock.acquire(wait=True)
            summary = self.index(self.settings)
        except NewsarchiveError as exc:
            busy = isinstance(exc, IndexBusy)
            problem = (f"indexing {'deferred' if busy else 'failed'}: {exc}", busy)
        except Exception as exc:  # the crawl's records are safe; the next run indexes them
            problem = (f"indexing failed: {type(exc).__name__}: {exc}", False)
        finally:
            lock.release()
        for report in reports:
            if problem is None:
                report["index"] = summary
                continue
            error, busy = problem
            report["status"] = "ok" if busy and report["status"] == "ok" else "failed"
            report["errors"] += 0 if busy else 1
            report["index"] = None
            report["error"] = error

    def _finish(self, report: dict, started: float, keep: bool = True) -> dict:
        finished = self.clock()
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

    def _prune(self) -> None:
        """Keep the last ``keep_runs`` run reports of each source, and the crawl logs and
        plans of as many rounds."""
        keep = self.config.keep_runs
        by_source: dict[str, list[Path]] = {}
        for path in sorted((self.root / "runs").glob("*.json")):
            by_source.setdefault(path.name[16:-5], []).append(path)
        for paths in by_source.values():
            for old in paths[: max(0, len(paths) - keep)]:
                old.unlink(missing_ok=True)
        logs = sorted((self.root / "rounds").glob("*.log"))
        for old in logs[: max(0, len(logs) - keep)]:
            old.unlink(missing_ok=True)
            old.with_suffix(".plan.json").unlink(missing_ok=True)

    # ---- status ---------------------------------------------------------------------
    def status_lines(self, now: float | None = None) -> list[str]:
        """``schedule --status``: per source its pace and why, last run, when due; then
        each listing."""
        now = self.clock() if now is None else now
        lines = []
        for source in self.sources:
            record = self.record(source.id)
            pace = self.current(source, record)
            run = record.last_run
            seen = f"last {run['started']} {run['status']}" if run else "never run"
            due = min(li.due() for li in self.listings(source, record))
            when = "due now" if self.is_due(source, now) else f"due in {_left(due - now)}"
            lines.append(
                f"{source.id}: every {format_duration(pace.interval)} ({pace.kind} "
                f"{pace.url}: {pace.reason}), {seen}, {when}"
            )
            for listing in self.listings(source, record):
                lines.append(
                    f"  {listing.kind} {listing.url}: every {format_duration(listing.interval)}, "
                    f"{listing.reason}"
                )
        return lines


def _new_report(source_id: str, started: float) -> dict[str, Any]:
    return {
        "source": source_id,
        "started": _now_iso(started),
        "status": "ok",
        "new": 0,
        "changed": 0,
        "unchanged": 0,
        "removed": 0,
        "errors": 0,
        "error": None,
    }


def _left(seconds: float) -> str:
    return "now" if seconds <= 0 else format_duration(seconds)


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
