"""Date strings from any source to ISO 8601, and reconciliation across sources.

A date is kept as precise as its source: a day stays a day, a wall time without a
zone stays naive unless the page states its zone elsewhere. Nothing is filled in
from the clock: no date found means ``None``.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from dataclasses import dataclass

MIN_YEAR, MAX_YEAR = 1990, 2100
# The UTC offsets clocks keep: from -12 h (Baker Island) to +14 h (Line Islands).
EARLIEST_OFFSET, LATEST_OFFSET = dt.timedelta(hours=-12), dt.timedelta(hours=14)
ZONE_SPREAD = LATEST_OFFSET - EARLIEST_OFFSET  # the most two local times of one instant differ

# Zone abbreviations seen in news bylines -> UTC offset in hours (dateutil needs seconds).
_TZ_HOURS = """
UTC=0 GMT=0 Z=0 UT=0 BST=1 CET=1 CEST=2 EET=2 EEST=3 MSK=3 EST=-5 EDT=-4 CST=-6 CDT=-5
MST=-7 MDT=-6 PST=-8 PDT=-7 AKST=-9 AKDT=-8 HST=-10 JST=9 KST=9 AEST=10 AEDT=11
ACST=9.5 AWST=8 NZST=12 NZDT=13 SGT=8 HKT=8 PHT=8 WIB=7 ET=-5 PT=-8 CT=-6
"""
_TZINFOS = {
    name: int(float(hours) * 3600)
    for name, hours in (pair.split("=") for pair in _TZ_HOURS.split())
}
_URL_DATE_RE = re.compile(
    r"(?<!\d)((?:19|20)\d{2})[/_-]?(0[1-9]|1[0-2])[/_-]?(0[1-9]|[12]\d|3[01])(?!\d)"
)
_URL_SEP_DATE_RE = re.compile(r"/((?:19|20)\d{2})/(0?[1-9]|1[0-2])/(0?[1-9]|[12]\d|3[01])/")
_TIMESTAMP_RE = re.compile(r"^\d{10}(\d{3})?$")
_ISO_HINT_RE = re.compile(r"^\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class When:
    """A parsed date: a ``date`` or a ``datetime`` (naive or aware)."""

    value: dt.date | dt.datetime

    @property
    def has_time(self) -> bool:
        return isinstance(self.value, dt.datetime)

    @property
    def aware(self) -> bool:
        return isinstance(self.value, dt.datetime) and self.value.tzinfo is not None

    @property
    def day(self) -> dt.date:
        return self.value.date() if isinstance(self.value, dt.datetime) else self.value

    @property
    def is_utc(self) -> bool:
        """An instant written in UTC (``Z`` or ``+00:00``)."""
        return self.aware and self.value.utcoffset() == dt.timedelta(0)

    def iso(self) -> str:
        if isinstance(self.value, dt.datetime):
            return self.value.isoformat(timespec="seconds")
        return self.value.isoformat()

    def sort_key(self) -> dt.datetime:
        """Comparable instant; naive values and days are read as UTC."""
        value = self.value
        if not isinstance(value, dt.datetime):
            value = dt.datetime(value.year, value.month, value.day)
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _valid(value: dt.date) -> bool:
    return MIN_YEAR <= value.year <= MAX_YEAR


def _from_iso(text: str) -> When | None:
    candidate = text.replace(" ", "T", 1) if re.match(r"^\d{4}-\d{2}-\d{2} \d", text) else text
    candidate = re.sub(r"(\.\d{6})\d+", r"\1", candidate)  # nanoseconds
    try:
        if len(candidate) == 10:
            return When(dt.date.fromisoformat(candidate))
        return When(dt.datetime.fromisoformat(candidate))
    except ValueError:
        return None


def _from_dateutil(text: str) -> When | None:
    from dateutil import parser

    probes = []
    for default in (dt.datetime(1904, 1, 1, 0, 0, 0), dt.datetime(1908, 2, 2, 1, 1, 1)):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                probes.append(parser.parse(text, default=default, tzinfos=_TZINFOS, fuzzy=True))
        except (ValueError, OverflowError, TypeError, parser.ParserError):
            return None
    first, second = probes
    if first.year != second.year or first.month != second.month or first.day != second.day:
        return None  # year, month or day was not in the string: not a full date
    if (first.hour, first.minute) != (second.hour, second.minute):
        return When(first.date())
    return When(first)


def parse_date(raw: object) -> When | None:
    """Parse one date string (ISO 8601, RFC 2822, prose, Unix time) or ``None``."""
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        raw = str(int(raw))
    text = " ".join(str(raw).split())[:100]
    if not text:
        return None
    if _TIMESTAMP_RE.match(text):
        seconds = int(text[:10])
        when = When(dt.datetime.fromtimestamp(seconds, dt.UTC))
    elif _ISO_HINT_RE.match(text):
        when = _from_iso(text) or _from_dateutil(text)
    else:
        when = _from_dateutil(text)
    return when if when is not None and _valid(when.day) else None


def date_from_url(url: str) -> When | None:
    """A full date written in the URL path (``/2024/03/07/``, ``20240307``)."""
    path = re.sub(r"^[a-z]+://[^/]+", "", url or "", flags=re.I).split("?")[0]
    for pattern in (_URL_SEP_DATE_RE, _URL_DATE_RE):
        match = pattern.search(path)
        if match:
            try:
                day = dt.date(*(int(g) for g in match.groups()))
            except ValueError:
                continue
            if _valid(day):
                return When(day)
    return None


def with_page_zone(when: When, others: list[When]) -> When:
    """Give a naive wall time the page's zone when the page states one unambiguously.

    Prefer a zoned value with the same wall time (the same moment written twice);
    else use the page's zone if every zoned value on it agrees.
    """
    if not when.has_time or when.aware:
        return when
    value = when.value
    assert isinstance(value, dt.datetime)
    zoned = [o.value for o in others if o.aware]
    for other in zoned:
        assert isinstance(other, dt.datetime)
        if other.replace(tzinfo=None) == value:
            return When(value.replace(tzinfo=other.tzinfo))
    offsets = {o.utcoffset() for o in zoned if isinstance(o, dt.datetime)}
    if len(offsets) == 1 and all(o.utcoffset() != dt.timedelta(0) for o in zoned):
        # A single non-UTC zone is the page's local zone; UTC stamps tell us nothing.
        return When(value.replace(tzinfo=zoned[0].tzinfo))
    return when


def in_local_time(when: When, shown: list[When]) -> When:
    """A UTC instant as the page's own clock shows it, when the page says so.

    Metadata often gives the moment in UTC while the page shows the outlet's local
    time; late in the evening the two fall on different days, and the story's day is
    the local one. A visible time that is the same instant written with a local offset,
    or a naive one a whole quarter-hour offset away (-12 h to +14 h) to the second (an
    instant off the quarter-hour, so the match is no coincidence), is that clock: the
    instant is kept, written in its offset. A time the page writes out to the minute
    (``times_in_text``) must show the instant's minute, whole hours away."""
    if not when.is_utc:
        return when
    instant = when.value
    assert isinstance(instant, dt.datetime)
    for other in shown:
        value = other.value
        if not isinstance(value, dt.datetime):
            continue
        if value.tzinfo is not None:
            offset = value.utcoffset()
            if offset and value == instant:
                return When(instant.astimezone(value.tzinfo))
            continue
        if not (instant.second or instant.minute % 15):
            continue  # on a quarter-hour, any other time shown would match: no evidence
        if instant.second and not (value.second or value.microsecond):
            # Written to the minute ("10:28 p.m."): it must show the instant's own minute,
            # a whole number of hours away (a quarter-hour would match one time in 15).
            if not instant.minute % 15:
                continue
            offset = value - instant.replace(tzinfo=None, second=0, microsecond=0)
            evidence = not offset.total_seconds() % 3600
        else:
            offset = value - instant.replace(tzinfo=None)
            evidence = not offset.total_seconds() % 900
        if offset and evidence and EARLIEST_OFFSET <= offset <= LATEST_OFFSET:
            return When(instant.astimezone(dt.timezone(offset)))
    return when


_MONTH_KEYS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
# A month's name or abbreviation, any case ("Nov.", "NOVEMBER", "Sept", "novembre"): the
# one pattern for the modules that find dates in text.
MONTH_NAME = rf"(?i:(?:{'|'.join(_MONTH_KEYS)})[a-z]*)"
_SHOWN_DAY_RES = (
    re.compile(
        rf"\b(?P<mon>{MONTH_NAME})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})\b",
        re.I,
    ),
    re.compile(
        rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<mon>{MONTH_NAME})\.?,?\s+(?P<y>\d{{4}})\b",
        re.I,
    ),
)
_SHOWN_TIME_RE = re.compile(
    r"(?<![\d.:])(?P<h>[01]?\d|2[0-3])[:.](?P<mi>[0-5]\d)(?![\d%])\s*(?:(?P<ap>[ap])\.?\s?m\b\.?)?",
    re.I,
)
_DAY_TO_TIME = 25  # characters between a written date and its time ("Nov. 8, 2023, at 10:28")


def times_in_text(text: str) -> list[When]:
    """Date-times a page writes out for its reader, naive and to the minute: "Nov. 8,
    2023, 10:28 p.m. ET", "Wed 8 Nov 2023 22.28 GMT", "10:28 PM EST, Wed November 8,
    2023". A time counts with the written date nearest it, within a few words."""
    days = []
    for pattern in _SHOWN_DAY_RES:
        for m in pattern.finditer(text):
            month = _MONTH_KEYS.index(m.group("mon")[:3].lower()) + 1
            try:
                day = dt.date(int(m.group("y")), month, int(m.group("d")))
            except ValueError:
                continue
            if _valid(day):
                days.append((m.start(), m.end(), day))
    found = []
    for m in _SHOWN_TIME_RE.finditer(text) if days else ():
        hour, minute, half = int(m.group("h")), int(m.group("mi")), (m.group("ap") or "").lower()
        if half and not 1 <= hour <= 12:
            continue
        if half:
            hour = hour % 12 + (12 if half == "p" else 0)
        gaps = [
            (max(m.start() - end, start - m.end()), day)
            for start, end, day in days
            if -1 <= m.start() - end <= _DAY_TO_TIME or -1 <= start - m.end() <= _DAY_TO_TIME
        ]
        if gaps:
            day = min(gaps, key=lambda g: g[0])[1]
            found.append(When(dt.datetime.combine(day, dt.time(hour, minute))))
    return found


def latest_wall_time(moment: dt.datetime) -> dt.datetime:
    """The latest wall-clock time anywhere on Earth at ``moment``, naive (the date a
    page could show then, in the zone furthest ahead)."""
    return (moment.astimezone(dt.UTC) + LATEST_OFFSET).replace(tzinfo=None)


def refine(chosen: When, others: list[When]) -> When:
    """Prefer a more precise value for the same day from another source."""
    if chosen.has_time:
        return chosen
    for other in others:
        if other.has_time and other.day == chosen.day:
            return other
    return chosen
