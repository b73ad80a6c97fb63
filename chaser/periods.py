"""Periods and dates as users type them, cut in the configured time zone.

`2026-11`, `2026-Q4`, `2026`, `2026-11-01..2026-11-15` (both days included), `last-7d`,
`last-30d`, `last-90d` (any `last-Nd`), `this-week`, `this-month`, `last-month`, `this-quarter`.
A Period is [start, end): aware datetimes, end exclusive, so adjacent periods never overlap.
A period that starts after today is refused: it can hold no chase and no snapshot yet.

This module is the one place that decides which periods exist (PRESETS, DEFAULT_PERIOD for the
CLI and the TUI) and what a period is compared with (`comparison`).
"""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chaser import clock
from chaser.errors import ChaserError

DEFAULT_PERIOD = "last-30d"  # the one default of the CLI and the TUI: never empty on day 1

# (text, label): the one list every TUI picker, the palette and the CLI help offer.
PRESETS: tuple[tuple[str, str], ...] = (
    ("last-7d", "Last 7 days"),
    ("last-30d", "Last 30 days"),
    ("last-90d", "Last 90 days"),
    ("this-week", "This week"),
    ("this-month", "This month"),
    ("last-month", "Last month"),
    ("this-quarter", "This quarter"),
)

PERIOD_HELP = ("YYYY-MM, YYYY-Qn, YYYY, YYYY-MM-DD..YYYY-MM-DD, last-Nd, "
               + ", ".join(text for text, _ in PRESETS))


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
    # what `comparison` steps back by: "days" (last-Nd), "range" (custom), "month", "quarter",
    # "year", or "this-week", "this-month", "this-quarter", so that it says "last week"
    kind: str = "range"

    @property
    def days(self) -> float:
        return (self.end - self.start).total_seconds() / 86400

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


def day_span(first: date, last: date, tz: tzinfo, label: str, kind: str = "range") -> Period:
    return Period(_midnight(first, tz), _midnight(last + timedelta(days=1), tz), label, kind)


def parse_date(text: str, what: str = "date") -> date:
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise ChaserError(f"{what} {text!r} is not a date like 2026-11-22") from None
    clock.check_range(day, what)
    return day


def _year(text: str, y: int) -> int:
    """Years outside chaser's range are refused before any date arithmetic can overflow."""
    if not clock.MIN_YEAR <= y <= clock.MAX_YEAR:
        raise ChaserError(f"period {text.strip()!r} is out of range: years must be from "
                          f"{clock.MIN_YEAR} to {clock.MAX_YEAR}")
    return y


def parse_period(text: str, now: datetime, tz: tzinfo) -> Period:
    """`text` as a Period cut in `tz`, "today" being `now`'s date there. A period that starts
    after today is an error: it could only ever report nothing (or "-100%")."""
    today = now.astimezone(tz).date()
    period = _parse(text, today, tz)
    clock.check_range(period.first_day, f"period {text.strip()!r} starts on")
    if period.first_day > today:
        raise ChaserError(f"period {text.strip()!r} starts on {period.first_day.isoformat()}, "
                          f"after today ({today.isoformat()}): pick one that has begun")
    return period


def _parse(text: str, today: date, tz: tzinfo) -> Period:
    t = text.strip().lower()
    if m := re.fullmatch(r"last-(\d{1,4})d", t):
        n = int(m.group(1))
        if n < 1:
            raise ChaserError(f"period {text!r}: the number of days must be at least 1")
        return day_span(today - timedelta(days=n - 1), today, tz, t, "days")
    if t == "this-week":
        monday = today - timedelta(days=today.weekday())
        return day_span(monday, monday + timedelta(days=6), tz, t, t)
    if t in ("this-month", "last-month"):
        first = _month_start(today.year, today.month - (t == "last-month"))
        return _months(first, 1, tz, t, "this-month" if t == "this-month" else "month")
    if t == "this-quarter":
        return _months(date(today.year, (today.month - 1) // 3 * 3 + 1, 1), 3, tz, t, t)
    if m := re.fullmatch(r"(\d{4})-q([1-4])", t):
        y, q = _year(text, int(m.group(1))), int(m.group(2))
        return _months(date(y, 3 * q - 2, 1), 3, tz, t.upper(), "quarter")
    if m := re.fullmatch(r"(\d{4})-(\d{2})", t):
        y, mo = _year(text, int(m.group(1))), int(m.group(2))
        if not 1 <= mo <= 12:
            raise ChaserError(f"period {text!r}: month must be 01 to 12")
        return _months(date(y, mo, 1), 1, tz, t, "month")
    if re.fullmatch(r"\d{4}", t):
        return _months(date(_year(text, int(t)), 1, 1), 12, tz, t, "year")
    if ".." in t:
        a, _, b = t.partition("..")
        first, last = parse_date(a, "period start"), parse_date(b, "period end")
        if last < first:
            raise ChaserError(f"period {text!r}: the end is before the start")
        return day_span(first, last, tz, t)
    raise ChaserError(f"period {text!r} is not one of: {PERIOD_HELP}")


def _months(first: date, count: int, tz: tzinfo, label: str, kind: str) -> Period:
    """`count` calendar months from `first` (the 1st of a month)."""
    end = _month_start(first.year, first.month + count)
    return Period(_midnight(first, tz), _midnight(end, tz), label, kind)


def _name(first: date, kind: str) -> str:
    """How the period of `kind` that starts on `first` reads after "vs "."""
    if kind == "month":
        return f"{first.year}-{first.month:02d}"
    if kind == "quarter":
        return f"{first.year}-Q{(first.month - 1) // 3 + 1}"
    return str(first.year)


# kind -> (months to step back, the relative name of the previous one, or None for its own name)
_CALENDAR = {"this-week": (0, "last week"), "this-month": (1, "last month"),
             "this-quarter": (3, "last quarter"), "month": (1, None), "quarter": (3, None),
             "year": (12, None)}


def comparison(period: Period, now: datetime, tz: tzinfo) -> Period:
    """The span to compare `period` with: the previous one of the same kind (calendar month,
    quarter, year or week; the N days before for last-Nd and a custom range). While `period`
    is still running at `now`, the previous one is cut to the same elapsed span by wall-clock
    time in `tz` (Tuesday 10:00 of this week against Monday 00:00 to Tuesday 10:00 of last week,
    whatever a DST change did to the hours), so a half-run week is not set against a whole one.
    Its label reads after "vs ": "the previous 30 days", "the first 2 days of last week"."""
    try:
        return _comparison(period, now, tz)
    except (OverflowError, ValueError):  # e.g. 0001-01-01..: no calendar before it
        raise ChaserError(f"period {period.label!r} has no period before it to compare "
                          "with") from None


def _comparison(period: Period, now: datetime, tz: tzinfo) -> Period:
    first = period.first_day
    kind = period.kind
    if kind == "this-week":
        prev_first = first - timedelta(days=7)
        prev = day_span(prev_first, first - timedelta(days=1), tz, "last week", kind)
    elif kind in _CALENDAR:
        months, name = _CALENDAR[kind]
        prev_first = _month_start(first.year, first.month - months)
        prev = _months(prev_first, months, tz, name or _name(prev_first, kind), kind)
    else:  # last-Nd and custom ranges: the same number of calendar days just before
        n = period.calendar_days
        prev_first = first - timedelta(days=n)
        prev = day_span(prev_first, first - timedelta(days=1), tz, "", kind)
        label = ("the previous day" if n == 1 else f"the previous {n} days") if kind == "days" \
            else prev.span()
        prev = Period(prev.start, prev.end, label, kind)
    if not period.contains(now):
        return prev
    local = now.astimezone(tz)
    elapsed = (local.date() - first).days  # whole days before today
    cut = datetime.combine(prev_first + timedelta(days=elapsed), local.time(), tzinfo=tz)
    if cut >= prev.end:  # today's day number is past the previous one's end (31 Mar vs Feb)
        return prev
    if kind == "days":  # a rolling window always runs: "the previous 30 days" to this hour
        return Period(prev.start, cut, prev.label, kind)
    days = elapsed + 1
    what = "the first day" if days == 1 else f"the first {days} days"
    return Period(prev.start, cut, f"{what} of {prev.label}", kind)


def parse_moment(text: str, tz: tzinfo) -> datetime:
    """`YYYY-MM-DD` (noon, so the day survives any zone shift) or `YYYY-MM-DDTHH:MM` in `tz`."""
    t = text.strip()
    try:
        if "T" in t or " " in t:
            at = datetime.fromisoformat(t)
            at = at if at.tzinfo else at.replace(tzinfo=tz)
        else:
            at = datetime.combine(date.fromisoformat(t), time(12), tzinfo=tz)
    except ValueError:
        raise ChaserError(f"--at {text!r} is not a date like 2026-11-22 or 2026-11-22T14:30") from None
    clock.check_range(at, "--at")
    return at
