"""Periods and dates as users type them, cut in the configured time zone.

`2026-11`, `2026-Q4`, `2026`, `2026-11-01..2026-11-15` (both days included), `last-7d`,
`last-30d`, `last-90d`, `this-week`, `this-month`, `last-month`, `this-quarter`.
A Period is [start, end): aware datetimes, end exclusive, so adjacent periods never overlap.
"""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chaser.errors import ChaserError

PERIOD_HELP = ("YYYY-MM, YYYY-Qn, YYYY, YYYY-MM-DD..YYYY-MM-DD, last-7d, last-30d, last-90d, "
               "this-week, this-month, last-month, this-quarter")


def zone(name: str | None) -> tzinfo:
    """The configured zone, or the machine's local zone when none is configured."""
    if name:
        return ZoneInfo(name)
    return local_zone()


_UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/Universal", "Universal", "Etc/Zulu", "Zulu",
                        "Etc/UCT", "UCT"})


def local_zone() -> tzinfo:
    """The machine's zone with its daylight-saving rules. `datetime.now().astimezone()` gives
    only today's offset: in Berlin in November that is +01:00 for July too, which would cut
    every summer period an hour wrong. So find the IANA zone as libc does: $TZ, then
    /etc/localtime; fall back to today's offset where neither names one (e.g. Windows)."""
    fixed = datetime.now().astimezone().tzinfo
    assert fixed is not None
    key = os.environ.get("TZ", "").lstrip(":")
    if not key:
        with contextlib.suppress(OSError):
            key = os.path.realpath("/etc/localtime")
    if "zoneinfo/" in key:  # a path to a zone file
        key = key.split("zoneinfo/", 1)[1]
    try:
        found = ZoneInfo(key) if key else None
    except (ZoneInfoNotFoundError, ValueError):  # e.g. a POSIX rule string: libc's reading
        found = None
    if found is None or key in _UTC_NAMES:  # plain UTC keeps reading "UTC"
        return fixed
    return found


@dataclass(frozen=True, slots=True)
class Period:
    start: datetime
    end: datetime  # exclusive
    label: str

    @property
    def days(self) -> float:
        return (self.end - self.start).total_seconds() / 86400

    def previous(self) -> Period:
        """The period of the same length just before this one (for "change vs last period")."""
        length = self.end - self.start
        return Period(self.start - length, self.start, f"before {self.label}")

    def contains(self, at: datetime) -> bool:
        return self.start <= at < self.end

    @property
    def first_day(self) -> date:
        return self.start.date()

    @property
    def last_day(self) -> date:
        """The last calendar day inside the period (end is exclusive)."""
        return (self.end - timedelta(microseconds=1)).date()

    @property
    def calendar_days(self) -> int:
        """Days the period covers, counted on the calendar: a 30-day period across a DST change
        is 30 days here although it lasts 30 days +- 1 hour."""
        return (self.last_day - self.first_day).days + 1

    def span(self) -> str:
        """"2026-10-22 – 2026-11-20": both days included, as people read a date range."""
        if self.first_day == self.last_day:
            return self.first_day.isoformat()
        return f"{self.first_day.isoformat()} – {self.last_day.isoformat()}"


def _midnight(d: date, tz: tzinfo) -> datetime:
    return datetime.combine(d, time(0), tzinfo=tz)


def _month_start(year: int, month: int) -> date:
    return date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def day_span(first: date, last: date, tz: tzinfo, label: str) -> Period:
    return Period(_midnight(first, tz), _midnight(last + timedelta(days=1), tz), label)


def parse_date(text: str, what: str = "date") -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ChaserError(f"{what} {text!r} is not a date like 2026-11-22") from None


def parse_period(text: str, now: datetime, tz: tzinfo) -> Period:
    t = text.strip().lower()
    today = now.astimezone(tz).date()
    if m := re.fullmatch(r"last-(\d{1,4})d", t):
        n = int(m.group(1))
        if n < 1:
            raise ChaserError(f"period {text!r}: the number of days must be at least 1")
        return day_span(today - timedelta(days=n - 1), today, tz, text)
    if t == "this-week":
        monday = today - timedelta(days=today.weekday())
        return day_span(monday, monday + timedelta(days=6), tz, text)
    if t == "this-month":
        first = today.replace(day=1)
        return Period(_midnight(first, tz), _midnight(_month_start(first.year, first.month + 1), tz), text)
    if t == "last-month":
        first = _month_start(today.year, today.month - 1)
        return Period(_midnight(first, tz), _midnight(today.replace(day=1), tz), text)
    if t == "this-quarter":
        q = (today.month - 1) // 3
        first = date(today.year, 3 * q + 1, 1)
        return Period(_midnight(first, tz), _midnight(_month_start(today.year, 3 * q + 4), tz), text)
    if m := re.fullmatch(r"(\d{4})-q([1-4])", t):
        y, q = int(m.group(1)), int(m.group(2))
        return Period(_midnight(date(y, 3 * q - 2, 1), tz),
                      _midnight(_month_start(y, 3 * q + 1), tz), text.upper())
    if m := re.fullmatch(r"(\d{4})-(\d{2})", t):
        y, mo = int(m.group(1)), int(m.group(2))
        if not 1 <= mo <= 12:
            raise ChaserError(f"period {text!r}: month must be 01 to 12")
        return Period(_midnight(date(y, mo, 1), tz), _midnight(_month_start(y, mo + 1), tz), text)
    if re.fullmatch(r"\d{4}", t):
        y = int(t)
        return Period(_midnight(date(y, 1, 1), tz), _midnight(date(y + 1, 1, 1), tz), text)
    if ".." in t:
        a, _, b = t.partition("..")
        first, last = parse_date(a, "period start"), parse_date(b, "period end")
        if last < first:
            raise ChaserError(f"period {text!r}: the end is before the start")
        return day_span(first, last, tz, text)
    raise ChaserError(f"period {text!r} is not one of: {PERIOD_HELP}")


def parse_moment(text: str, tz: tzinfo) -> datetime:
    """`YYYY-MM-DD` (noon, so the day survives any zone shift) or `YYYY-MM-DDTHH:MM` in `tz`."""
    t = text.strip()
    try:
        if "T" in t or " " in t:
            at = datetime.fromisoformat(t)
            return at if at.tzinfo else at.replace(tzinfo=tz)
        return datetime.combine(date.fromisoformat(t), time(12), tzinfo=tz)
    except ValueError:
        raise ChaserError(f"--at {text!r} is not a date like 2026-11-22 or 2026-11-22T14:30") from None
