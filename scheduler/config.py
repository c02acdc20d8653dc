"""The schedule file: intervals, their adaptive bounds, jitter and crawl settings.

``$NEWSARCHIVE_HOME/schedule.toml`` (or ``$NEWSARCHIVE_SCHEDULE``); every key is
optional. A source's ``interval``, ``min_interval`` and ``max_interval`` in the registry
win over ``[intervals]``, ``[min_intervals]`` and ``[max_intervals]`` here.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsarchive.config import Config, parse_duration, read_toml
from newsarchive.dates import format_duration
from newsarchive.errors import ConfigError

DEFAULT_MIN_INTERVAL = 600.0  # 10 minutes (Media Cloud's rss-fetcher uses the same floor)
DEFAULT_MAX_INTERVAL = 86400.0  # a day


@dataclass(frozen=True)
class ScheduleConfig:
    """What the schedule file says (every key optional)."""

    default_interval: float = 3600.0
    intervals: dict[str, float] = field(default_factory=dict)
    adaptive: bool = True  # listings' intervals follow their news (scheduler.polling)
    min_interval: float = DEFAULT_MIN_INTERVAL  # adaptive bounds, widened to take in the
    max_interval: float = DEFAULT_MAX_INTERVAL  # interval of a source when they do not
    min_intervals: dict[str, float] = field(default_factory=dict)  # per source id
    max_intervals: dict[str, float] = field(default_factory=dict)
    jitter: float = 0.1  # each wait is stretched or shrunk by up to this fraction
    max_batch: int = 1000  # sources one crawl process takes at most (1: one per source)
    keep_runs: int = 50  # run reports kept per source, and crawl logs of as many rounds
    stop_timeout: float = 300.0  # after SIGTERM, how long the crawl may take to wind down
    run_timeout: float = 6 * 3600.0  # a crawl still running after this is stopped
    max_articles: int | None = None
    recheck_days: int | None = None
    revisit: bool = True  # false: scheduled crawls run with --no-revisit
    crawl_settings: dict[str, str] = field(default_factory=dict)
    file: Path | None = None


_CONFIG_KEYS = {
    "default_interval",
    "intervals",
    "adaptive",
    "min_interval",
    "max_interval",
    "min_intervals",
    "max_intervals",
    "jitter",
    "max_batch",
    "keep_runs",
    "stop_timeout",
    "run_timeout",
    "max_articles",
    "recheck_days",
    "revisit",
    "crawl_settings",
}


def schedule_file(settings: Config, path: str | os.PathLike | None = None) -> Path | None:
    """The schedule file to read: explicit, $NEWSARCHIVE_SCHEDULE, or the home's, if any."""
    if path:
        return Path(path).expanduser()
    if os.environ.get("NEWSARCHIVE_SCHEDULE"):
        return Path(os.environ["NEWSARCHIVE_SCHEDULE"]).expanduser()
    default = Path(settings.home) / "schedule.toml"
    return default if default.is_file() else None


def load_schedule_config(path: Path | None) -> ScheduleConfig:
    """Read and validate the schedule file; no file means the defaults."""
    if path is None:
        return ScheduleConfig()
    data = read_toml(path, "schedule file")
    where = f"schedule file {path}"
    unknown = sorted(set(data) - _CONFIG_KEYS)
    if unknown:
        raise ConfigError(
            f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(_CONFIG_KEYS))})"
        )
    values: dict[str, Any] = {"file": path}
    for key in ("default_interval", "stop_timeout", "run_timeout", "min_interval", "max_interval"):
        if key in data:
            values[key] = parse_duration(data[key], f"{where}, key {key!r}")
    for table in ("intervals", "min_intervals", "max_intervals"):
        given = data.get(table, {})
        if not isinstance(given, dict):
            raise ConfigError(f"{where}: [{table}] must be a table of source id = duration")
        values[table] = {
            sid: parse_duration(v, f"{where}, {table}.{sid}") for sid, v in given.items()
        }
    low = values.get("min_interval", DEFAULT_MIN_INTERVAL)
    high = values.get("max_interval", DEFAULT_MAX_INTERVAL)
    if low > high:
        raise ConfigError(
            f"{where}: 'min_interval' ({format_duration(low)}) is longer than "
            f"'max_interval' ({format_duration(high)})"
        )
    if "adaptive" in data:
        if not isinstance(data["adaptive"], bool):
            raise ConfigError(f"{where}: 'adaptive' must be true or false")
        values["adaptive"] = data["adaptive"]
    if "jitter" in data:
        jitter = data["jitter"]
        if isinstance(jitter, bool) or not isinstance(jitter, int | float) or not 0 <= jitter < 1:
            raise ConfigError(f"{where}: 'jitter' must be a fraction from 0 to 0.99")
        values["jitter"] = float(jitter)
    for key, least in (
        ("keep_runs", 1),
        ("max_articles", 1),
        ("recheck_days", 0),
        ("max_batch", 1),
    ):
        if key in data:
            v = data[key]
            if isinstance(v, bool) or not isinstance(v, int) or v < least:
                raise ConfigError(f"{where}: {key!r} must be an integer >= {least}")
            values[key] = v
    if "revisit" in data:
        if not isinstance(data["revisit"], bool):
            raise ConfigError(f"{where}: 'revisit' must be true or false")
        values["revisit"] = data["revisit"]
    crawl_settings = data.get("crawl_settings", {})
    if not isinstance(crawl_settings, dict):
        raise ConfigError(f"{where}: [crawl_settings] must be a table of Scrapy settings")
    values["crawl_settings"] = {str(k): str(v) for k, v in crawl_settings.items()}
    return ScheduleConfig(**values)
