"""Dates as people type them: ``2019``, ``2019-06``, ``June 2019``, ``2019-06-14T09:30+02:00``,
``7d``, ``2w``, ``3m``, ``1y``, ``yesterday``, ``today``.

A date names a *period* (a year, a month, a day, a minute...). ``--from`` takes the
start of the period and ``--to`` its end, so ``--to 2019-06`` includes June 30. Dates
without a zone are UTC. The result is a half-open UTC interval ``[start, end)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from search_cli.query.errors import InvalidQuery

DATE_HELP = (
    "use 2019, 2019-06, June 2019, 2019-06-14, 2019-06-14T09:30+02:00, "
    "or a relative date: 7d, 2w, 3m, 1y, yesterday, today"
)

_RELATIVE = re.compile(r"^(\d{1,5})\s*(d|w|m|y)$", re.IGNORECASE)
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
    match = _RELATIVE.match(lowered)
    if not match:
        return None
    count, unit = int(match.group(1)), match.group(2)
    unit = {"d": "day", "w": "week", "m": "month", "y": "year"}[unit]
    # "7d" is the whole day seven days ago: --from 7d starts at its midnight.
    try:
        start = _add(today, unit, -count)
    except (ValueError, OverflowError):
        raise InvalidQuery(f"{text!r} reaches before year 1: {DATE_HELP}") from None
    return Period(start, start + timedelta(days=1))


def _absolute(text: str) -> Period:
    from dateutil import parser

    try:
        first = parser.parse(text, default=_DEFAULT_A)
        second = parser.parse(text, default=_DEFAULT_B)
    except (ValueError, OverflowError) as exc:  # ParserError is a ValueError
        raise InvalidQuery(f"cannot read {text!r} as a date: {DATE_HELP}") from exc
    written = [u for u in _UNITS if getattr(first, u) == getattr(second, u)]
    if "year" not in written:
        raise InvalidQuery(f"{text!r} has no year: {DATE_HELP}")
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
        raise InvalidQuery(f"{text!r} reaches outside the years 1 to 9999: {DATE_HELP}") from None


def parse_period(text: str, *, now: datetime | None = None) -> Period:
    """The period a date names; raises InvalidQuery with a one-line hint."""
    if not text or not text.strip():
        raise InvalidQuery(f"empty date: {DATE_HELP}")
    now = (now or datetime.now(UTC)).astimezone(UTC)
    return _relative(text, now) or _absolute(text.strip())


def parse_range(start: str | None, end: str | None, *, now: datetime | None = None) -> DateRange:
    """``--from``/``--to`` as one interval; ``--from`` after ``--to`` is an error."""
    lower = parse_period(start, now=now).start if start else None
    upper_period = parse_period(end, now=now) if end else None
    upper = None
    if upper_period is not None:
        # An instant (a date with seconds, or "now") includes itself.
        upper = upper_period.end
        if upper_period.end == upper_period.start:
            upper = upper_period.end + timedelta(milliseconds=1)
    if lower is not None and upper is not None and lower >= upper:
        raise InvalidQuery(
            f"--from {start} is after --to {end}: the start must come before the end",
            param="--from",
        )
    return DateRange(lower, upper)
