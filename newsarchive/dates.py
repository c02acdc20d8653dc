"""Dates and durations as people type them, one grammar for every option and file.

Dates: ``2019``, ``2019-06``, ``June 2019``, ``2019-06-14``, ``2019-06-14T09:30+02:00``,
relative ``30min``, ``6h``, ``7d``, ``2w``, ``3mo``, ``1y`` (that long ago), ``today``,
``yesterday``, ``now``. A date names a *period* (a year, a month, a day, an hour...): a
start (``--from``, ``--since``) takes the start of the period and an end (``--to``) its
end, so ``--to 2019-06`` includes June 30. Dates without a zone are UTC; the result is
a half-open UTC interval ``[start, end)``.

Durations (schedule intervals): ``90`` (seconds), ``90s``, ``30min``, ``2h``, ``1d``,
``2w``. Units are the same in both: ``s``, ``min``, ``h``, ``d``, ``w``, ``mo``, ``y``
(and their English names). A bare ``m`` is refused, since it reads as minutes to some
and months to others.

Errors are ``DateError`` (a ``ValueError``) with a message that names no command-line
option: callers say which option or file key it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


class DateError(ValueError):
    """A date or duration that cannot be read; the message says what to write."""


DATE_HELP = (
    "use 2019, 2019-06, June 2019, 2019-06-14, 2019-06-14T09:30+02:00, "
    "or a relative date: 6h, 7d, 2w, 3mo, 1y, yesterday, today"
)
DURATION_HELP = "a duration like 90s, 30min, 2h, 1d or 2w"

# Every unit name -> (unit, seconds when it is a duration); months and years are
# calendar units, for dates only.
_UNIT_NAMES = {
    "s": "second", "sec": "second", "secs": "second", "second": "second", "seconds": "second",
    "min": "minute", "mins": "minute", "minute": "minute", "minutes": "minute",
    "h": "hour", "hr": "hour", "hrs": "hour", "hour": "hour", "hours": "hour",
    "d": "day", "day": "day", "days": "day",
    "w": "week", "wk": "week", "week": "week", "weeks": "week",
    "mo": "month", "month": "month", "months": "month",
    "y": "year", "yr": "year", "year": "year", "years": "year",
}  # fmt: skip
_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 604800}
_AMOUNT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$", re.IGNORECASE)


def _amount(text: str) -> tuple[float, str | None] | None:
    """(number, unit) of ``12d``-style text; None when it is not one. ``m`` is refused."""
    match = _AMOUNT.match(text)
    if not match:
        return None
    number, name = float(match.group(1)), match.group(2).lower()
    if name == "m":
        raise DateError(
            f"{text.strip()!r} is ambiguous: write {match.group(1)}min for minutes "
            f"or {match.group(1)}mo for months"
        )
    if not name:
        return number, None
    unit = _UNIT_NAMES.get(name)
    return (number, unit) if unit else None


# Components from coarse to fine; a parsed date is a period of its finest component.
_UNITS = ("year", "month", "day", "hour", "minute", "second")
# Two defaults differing in every component: a component that comes out equal under
# both was written by the user.
_DEFAULT_A = datetime(2000, 1, 1, 0, 0, 0)
_DEFAULT_B = datetime(2001, 2, 2, 1, 1, 1)


@dataclass(frozen=True)
class Period:
    """A half-open UTC interval ``[start, end)``."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class DateRange:
    """What ``--from``/``--to`` select; either side may be open (None)."""

    start: datetime | None = None  # inclusive
    end: datetime | None = None  # exclusive

    @property
    def is_open(self) -> bool:
        return self.start is None and self.end is None

    def to_es(self) -> dict:
        """The body of an Elasticsearch ``range`` query on a date field."""
        body: dict = {"format": "strict_date_optional_time"}
        if self.start is not None:
            body["gte"] = iso(self.start)
        if self.end is not None:
            body["lt"] = iso(self.end)
        return body


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with millisecond precision, as Elasticsearch stores dates."""
    text = moment.astimezone(UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def _start_of_day(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def _add(moment: datetime, unit: str, count: int) -> datetime:
    from dateutil.relativedelta import relativedelta

    return moment + relativedelta(**{unit + "s": count})


def _relative(text: str, now: datetime) -> Period | None:
    lowered = text.strip().lower()
    today = _start_of_day(now)
    if lowered == "today":
        return Period(today, today + timedelta(days=1))
    if lowered == "yesterday":
        return Period(today - timedelta(days=1), today)
    if lowered == "now":
        return Period(now, now)
    amount = _amount(lowered)
    if amount is None or amount[1] is None or amount[0] != int(amount[0]):
        return None
    count, unit = int(amount[0]), amount[1]
    try:
        if unit in ("second", "minute", "hour"):
            # "6h" is the hour that began six hours ago.
            start = now - timedelta(seconds=count * _SECONDS[unit])
            start = start.replace(microsecond=0)
            return Period(start, start + timedelta(seconds=_SECONDS[unit]))
        # "7d" is the whole day seven days ago: a start at 7d is its midnight.
        start = _add(today, unit, -count)
    except (ValueError, OverflowError):
        raise DateError(f"{text!r} reaches before year 1: {DATE_HELP}") from None
    return Period(start, start + timedelta(days=1))


def _absolute(text: str) -> Period:
    from dateutil import parser

    try:
        first = parser.parse(text, default=_DEFAULT_A)
        second = parser.parse(text, default=_DEFAULT_B)
    except (ValueError, OverflowError) as exc:  # ParserError is a ValueError
        raise DateError(f"cannot read {text!r} as a date: {DATE_HELP}") from exc
    written = [u for u in _UNITS if getattr(first, u) == getattr(second, u)]
    if "year" not in written:
        raise DateError(f"{text!r} has no year: {DATE_HELP}")
    finest = "year"
    for unit in _UNITS[1:]:
        if unit not in written:
            break
        finest = unit
    tz = first.tzinfo or UTC
    start = first.replace(tzinfo=tz, microsecond=0)
    cut = {u: 0 for u in ("hour", "minute", "second") if _UNITS.index(u) > _UNITS.index(finest)}
    if _UNITS.index(finest) < _UNITS.index("day"):
        cut["day"] = 1
    if finest == "year":
        cut["month"] = 1
    start = start.replace(**cut)
    try:  # a period ending after 9999-12-31 or, with its zone, before year 1 does not exist
        end = _add(start, finest, 1)
        return Period(start.astimezone(UTC), end.astimezone(UTC))
    except (ValueError, OverflowError):
        raise DateError(f"{text!r} reaches outside the years 1 to 9999: {DATE_HELP}") from None


def parse_period(text: str, *, now: datetime | None = None) -> Period:
    """The period a date names; raises InvalidQuery with a one-line hint."""
    if not text or not text.strip():
        raise DateError(f"empty date: {DATE_HELP}")
    now = (now or datetime.now(UTC)).astimezone(UTC)
    return _relative(text, now) or _absolute(text.strip())


def parse_range(start: str | None, end: str | None, *, now: datetime | None = None) -> DateRange:
    """A start and an end date (``--from``/``--to``) as one interval; a start after the
    end is an error."""
    lower = parse_period(start, now=now).start if start else None
    upper_period = parse_period(end, now=now) if end else None
    upper = None
    if upper_period is not None:
        # An instant (a date with seconds, or "now") includes itself.
        upper = upper_period.end
        if upper_period.end == upper_period.start:
            upper = upper_period.end + timedelta(milliseconds=1)
    if lower is not None and upper is not None and lower >= upper:
        raise DateError(f"the start ({start}) is after the end ({end})")
    return DateRange(lower, upper)


def parse_since(value: str | datetime | None, *, now: datetime | None = None) -> datetime | None:
    """The moment a start date names (``--since 7d``, ``--since 2019-06``): the start of
    its period, as an aware UTC datetime; None for no value."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return parse_period(str(value), now=now).start


def parse_duration(value: object) -> float:
    """A duration in seconds (> 0): ``90``, ``"90s"``, ``"30min"``, ``"2h"``, ``"1d"``."""
    if isinstance(value, bool):
        raise DateError(f"{value!r} is not {DURATION_HELP}")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        amount = _amount(str(value))
        if amount is None or amount[1] in ("month", "year"):
            raise DateError(f"{str(value)!r} is not {DURATION_HELP}")
        seconds = amount[0] * _SECONDS[amount[1] or "second"]
    if seconds <= 0:
        raise DateError("the duration must be more than 0")
    return seconds


def format_duration(seconds: float) -> str:
    """A duration as the grammar above writes it, to one decimal: ``90s``, ``22.5min``,
    ``3h``, ``1.5d`` (the largest unit that keeps the number at 2 or more)."""
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= 2 * size:
            return f"{round(seconds / size, 1):g}{unit}"
    return f"{round(seconds, 1):g}s"
