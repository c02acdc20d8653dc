"""The schedule file, intervals and jitter (no crawl, no Elasticsearch)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler.sources import Source
from newsarchive.config import Config, parse_duration
from newsarchive.errors import ConfigError
from scheduler.config import ScheduleConfig, load_schedule_config
from scheduler.scheduler import Scheduler
from scheduler.state import SourceRecord, save_record
from search_cli.cli import cli


def _source(sid: str, **extra) -> Source:
    return Source(
        id=sid,
        name=sid.title(),
        homepage="http://127.0.0.1/",
        domains=("127.0.0.1",),
        feeds=("http://127.0.0.1/feed.xml",),
        **extra,
    )


@pytest.mark.parametrize(
    ("text", "seconds"),
    [(90, 90), ("90s", 90), ("15min", 900), ("2h", 7200), ("1d", 86400), ("1.5h", 5400)],
)
def test_durations(text, seconds):
    assert parse_duration(text, "x") == seconds


@pytest.mark.parametrize("bad", ["soon", "-5min", "0", True, "5 fortnights", "15m", "1mo"])
def test_bad_durations_name_the_key(bad):
    with pytest.raises(ConfigError, match="where"):
        parse_duration(bad, "where")


def test_schedule_file(tmp_path: Path):
    path = tmp_path / "schedule.toml"
    path.write_text(
        'default_interval = "2h"\njitter = 0.2\nmax_articles = 50\n'
        '[intervals]\nap = "30min"\n[crawl_settings]\nDOWNLOAD_DELAY = 1\n'
    )
    config = load_schedule_config(path)
    assert config.default_interval == 7200 and config.jitter == 0.2
    assert config.intervals == {"ap": 1800}
    scheduler = Scheduler(Config(home=tmp_path), config, [_source("ap"), _source("npr")])
    assert scheduler.interval(scheduler.sources[0]) == 1800
    assert scheduler.interval(scheduler.sources[1]) == 7200
    # An interval in the registry entry wins over the schedule file's.
    registry_wins = Scheduler(Config(home=tmp_path), config, [_source("ap", interval=600)])
    assert registry_wins.interval(registry_wins.sources[0]) == 600
    cmd = scheduler.crawl_command(scheduler.sources, tmp_path / "plan.json")
    assert cmd[1:7] == ["-m", "crawler.crawl", "--source", "ap", "--source", "npr"]
    assert cmd[cmd.index("--plan") + 1] == str(tmp_path / "plan.json")
    assert "--max-articles" in cmd and "DOWNLOAD_DELAY=1" in cmd
    assert "--no-revisit" not in cmd  # revisits are on in scheduled crawls by default
    path.write_text("revisit = false\n")
    off = Scheduler(Config(home=tmp_path), load_schedule_config(path), [_source("ap")])
    assert "--no-revisit" in off.crawl_command(off.sources)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("interval = 5", "unknown key 'interval'"),
        ("jitter = 2", "'jitter' must be a fraction"),
        ('[intervals]\nap = "often"', "intervals.ap"),
        ("keep_runs = 0", "'keep_runs' must be an integer"),
        ("default_interval = ", "not valid TOML"),
        ('revisit = "no"', "'revisit' must be true or false"),
    ],
)
def test_bad_schedule_files_say_what_is_wrong(tmp_path: Path, text, message):
    path = tmp_path / "schedule.toml"
    path.write_text(text + "\n")
    with pytest.raises(ConfigError, match=message):
        load_schedule_config(path)


def test_jitter_is_bounded_and_reproducible(tmp_path: Path):
    config = ScheduleConfig(default_interval=1000, jitter=0.1)
    settings = Config(home=tmp_path)
    plans = []
    for _ in range(2):
        scheduler = Scheduler(settings, config, [_source("a")], seed=42)
        save_record(tmp_path / "schedule" / "state", SourceRecord("a", last_started=10_000.0))
        plans.append([scheduler._plan(scheduler.sources[0], 0.0) for _ in range(50)])
    assert plans[0] == plans[1]  # same seed, same timings
    assert all(10_900 <= t <= 11_100 for t in plans[0])  # interval +- 10%
    assert len(set(plans[0])) > 40  # and actually spread


def test_cli_reports_a_bad_schedule_file_in_one_line(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("NEWSARCHIVE_HOME", str(tmp_path))
    (tmp_path / "schedule.toml").write_text("jitter = 5\n")
    result = CliRunner().invoke(cli, ["schedule", "--once"])
    assert result.exit_code == 1
    assert "Error: schedule file" in result.output and "Traceback" not in result.output
    (tmp_path / "schedule.toml").unlink()
    unknown = CliRunner().invoke(cli, ["schedule", "--once", "--source", "nope"])
    assert unknown.exit_code == 1 and "unknown source id 'nope'" in unknown.output
