"""Periods are cut in the configured zone: their UTC boundaries move with it (and with DST)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from chaser.config import CostSettings
from chaser.costs import summarise
from chaser.errors import ChaserError
from chaser.model import Channel, Chase, Outcome, Person
from chaser.periods import comparison, parse_period

BERLIN = ZoneInfo("Europe/Berlin")
LA = ZoneInfo("America/Los_Angeles")
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)  # a Friday


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def cut(text: str, now: datetime = NOW, tz=BERLIN):
    p = parse_period(text, now, tz)
    return p.start.astimezone(UTC), p.end.astimezone(UTC)


@pytest.mark.parametrize("text, start, end", [
    ("2026-11", utc(2026, 10, 31, 23), utc(2026, 11, 30, 23)),
    ("2026-03", utc(2026, 2, 28, 23), utc(2026, 3, 31, 22)),  # DST starts 29 March
    ("2026-q1", utc(2025, 12, 31, 23), utc(2026, 3, 31, 22)),
    ("2026-Q4", utc(2026, 9, 30, 22), utc(2026, 12, 31, 23)),
    ("2026", utc(2025, 12, 31, 23), utc(2026, 12, 31, 23)),
    ("2026-03-28..2026-03-29", utc(2026, 3, 27, 23), utc(2026, 3, 29, 22)),
    ("last-7d", utc(2026, 11, 13, 23), utc(2026, 11, 20, 23)),
    ("last-30d", utc(2026, 10, 21, 22), utc(2026, 11, 20, 23)),  # crosses the end of DST
    ("last-90d", utc(2026, 8, 22, 22), utc(2026, 11, 20, 23)),
    ("this-week", utc(2026, 11, 15, 23), utc(2026, 11, 22, 23)),
    ("this-month", utc(2026, 10, 31, 23), utc(2026, 11, 30, 23)),
])
def test_boundaries_in_berlin(text, start, end):
    assert cut(text) == (start, end)


def test_today_is_the_zones_today():
    # 23:30 UTC on the 19th is already the 20th in Berlin, and still the 19th in Los Angeles.
    late = utc(2026, 11, 19, 23, 30)
    assert cut("last-7d", late, BERLIN)[1] == utc(2026, 11, 20, 23)
    assert cut("last-7d", late, LA)[1] == utc(2026, 11, 20, 8)
    # the first of the month in Berlin is still October in Los Angeles
    first = utc(2026, 11, 1, 0, 30)
    assert cut("this-month", first, BERLIN)[0] == utc(2026, 10, 31, 23)
    assert cut("this-month", first, LA)[0] == utc(2026, 10, 1, 7)


def test_days_previous_and_span():
    p = parse_period("last-30d", NOW, BERLIN)
    assert p.calendar_days == 30
    real = p.end.astimezone(UTC) - p.start.astimezone(UTC)
    assert real == timedelta(days=30, hours=1)  # the extra hour of the DST change
    prev = comparison(p, utc(2026, 11, 21), BERLIN)  # finished: the whole 30 days before
    assert prev.end == p.start
    assert prev.start == datetime(2026, 9, 22, tzinfo=BERLIN)
    assert prev.calendar_days == 30 and prev.label == "the previous 30 days"
    assert p.span() == "2026-10-22 – 2026-11-20"
    one = parse_period("2026-11-05..2026-11-05", NOW, BERLIN)
    assert one.span() == "2026-11-05" and one.calendar_days == 1


@pytest.mark.parametrize("bad", ["2026-13", "nope", "2026-11-05..2026-11-01", "last-0d",
                                 "2026-02-30..2026-03-01", "Q4"])
def test_bad_periods_say_what_is_accepted(bad):
    with pytest.raises(ChaserError, match="period|date"):
        parse_period(bad, NOW, BERLIN)


def test_a_chase_counts_in_the_zones_month():
    """00:30 on 1 November in Berlin is 31 October in UTC: Berlin's November has it."""
    people = [Person("p1", "Ann")]
    chase = Chase("202610-1", utc(2026, 10, 31, 23, 30), "p1", Channel.CALL, 30, Outcome.PROMISED)
    costs = CostSettings(admin_hourly_rate=Decimal("60"))
    nov_berlin = summarise([chase], people, costs, parse_period("2026-11", NOW, BERLIN))
    nov_utc = summarise([chase], people, costs, parse_period("2026-11", NOW, UTC))
    assert nov_berlin.total.cost == Decimal("30")
    assert nov_utc.total.chases == 0
    # and the end is exclusive: a chase at exactly midnight belongs to the next period
    edge = Chase("202611-1", datetime(2026, 12, 1, tzinfo=BERLIN), "p1", Channel.CALL, 5,
                 Outcome.PROMISED)
    nov = parse_period("2026-11", NOW, BERLIN)
    assert not nov.contains(edge.at) and nov.contains(edge.at - timedelta(microseconds=1))


def test_the_local_zone_keeps_its_daylight_saving_rules(monkeypatch):
    """With no timezone configured, a Berlin machine cuts July at +02:00 and January at +01:00,
    whatever the offset is today (datetime.now().astimezone() knows only today's)."""
    import time

    from chaser.periods import zone

    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    try:
        local = zone(None)
        assert parse_period("2026-07", NOW, local).start.astimezone(UTC) == utc(2026, 6, 30, 22)
        assert parse_period("2026-01", NOW, local).start.astimezone(UTC) == utc(2025, 12, 31, 23)
        assert str(local) == "Europe/Berlin"
        monkeypatch.setenv("TZ", "UTC")
        time.tzset()
        assert str(zone(None)) == "UTC"
    finally:
        monkeypatch.undo()
        time.tzset()


# ---- one list, one default, no future periods, like-for-like comparisons ---------------------

def berlin(*args) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def test_presets_and_default_are_the_one_list():
    from chaser.periods import DEFAULT_PERIOD, PERIOD_HELP, PRESETS

    texts = [text for text, _ in PRESETS]
    assert DEFAULT_PERIOD == "last-30d" and DEFAULT_PERIOD in texts
    assert len(set(texts)) == len(texts)
    for text in texts:
        assert text in PERIOD_HELP
        assert parse_period(text, NOW, BERLIN).label == text


@pytest.mark.parametrize("text, first", [
    ("2027-01", "2027-01-01"), ("2027", "2027-01-01"), ("2027-Q1", "2027-01-01"),
    ("2026-12-02..2026-12-05", "2026-12-02"),
])
def test_a_period_that_starts_after_today_is_refused(text, first):
    now = berlin(2026, 12, 1, 9)
    with pytest.raises(ChaserError) as caught:
        parse_period(text, now, BERLIN)
    message = str(caught.value)
    assert text in message and first in message and "today (2026-12-01)" in message


def test_a_period_that_starts_today_is_accepted():
    now = berlin(2026, 12, 1, 9)
    assert parse_period("2026-12-01..2026-12-31", now, BERLIN).calendar_days == 31
    assert parse_period("this-month", now, BERLIN).first_day.isoformat() == "2026-12-01"
    assert parse_period("2026-12", now, BERLIN).label == "2026-12"


def compare(text: str, now: datetime, tz=BERLIN):
    period = parse_period(text, now, tz)
    before = comparison(period, now, tz)
    assert before.end <= period.start  # never overlaps the period it is compared with
    return before


@pytest.mark.parametrize("text, now, label, start, end", [
    # Tuesday 10:00: Monday and Tuesday until 10:00 of last week
    ("this-week", berlin(2026, 11, 17, 10), "the first 2 days of last week",
     berlin(2026, 11, 9), berlin(2026, 11, 10, 10)),
    # the first of the month at 09:00: the first 9 hours of last month, not USD 0 vs a month
    ("this-month", berlin(2026, 12, 1, 9), "the first day of last month",
     berlin(2026, 11, 1), berlin(2026, 11, 1, 9)),
    # 2026-Q4 in December: 70 whole days and today
    ("2026-Q4", berlin(2026, 12, 10, 10), "the first 71 days of 2026-Q3",
     berlin(2026, 7, 1), berlin(2026, 9, 9, 10)),
    ("this-quarter", berlin(2026, 12, 10, 10), "the first 71 days of last quarter",
     berlin(2026, 7, 1), berlin(2026, 9, 9, 10)),
    ("2026", berlin(2026, 1, 3, 8), "the first 3 days of 2025", berlin(2025, 1, 1), berlin(2025, 1, 3, 8)),
    # a rolling window runs until now: the 30 days before it, up to the same time of day
    ("last-30d", berlin(2026, 11, 20, 10), "the previous 30 days",
     berlin(2026, 9, 22), berlin(2026, 10, 21, 10)),
    # a custom range that has not ended
    ("2026-11-16..2026-11-30", berlin(2026, 11, 20, 10),
     "the first 5 days of 2026-11-01 – 2026-11-15", berlin(2026, 11, 1), berlin(2026, 11, 5, 10)),
    # 31 March is past February's end: the whole of February
    ("this-month", berlin(2026, 3, 31, 9), "last month", berlin(2026, 2, 1), berlin(2026, 3, 1)),
])
def test_a_running_period_is_compared_with_the_same_elapsed_span(text, now, label, start, end):
    before = compare(text, now)
    assert (before.label, before.start, before.end) == (label, start, end)


@pytest.mark.parametrize("text, label, start, end", [
    ("2026-10", "2026-09", berlin(2026, 9, 1), berlin(2026, 10, 1)),
    ("2026-01", "2025-12", berlin(2025, 12, 1), berlin(2026, 1, 1)),
    ("last-month", "2026-09", berlin(2026, 9, 1), berlin(2026, 10, 1)),
    ("2026-Q3", "2026-Q2", berlin(2026, 4, 1), berlin(2026, 7, 1)),
    ("2026-Q1", "2025-Q4", berlin(2025, 10, 1), berlin(2026, 1, 1)),
    ("2025", "2024", berlin(2024, 1, 1), berlin(2025, 1, 1)),
    ("2026-11-01..2026-11-07", "2026-10-25 – 2026-10-31", berlin(2026, 10, 25), berlin(2026, 11, 1)),
    ("2026-11-05..2026-11-05", "2026-11-04", berlin(2026, 11, 4), berlin(2026, 11, 5)),
])
def test_a_finished_period_is_compared_with_the_whole_one_before(text, label, start, end):
    before = compare(text, berlin(2026, 11, 20, 10))
    assert (before.label, before.start, before.end) == (label, start, end)


def test_weeks_with_a_dst_change_are_seven_calendar_days():
    autumn = parse_period("this-week", berlin(2026, 10, 21, 12), BERLIN)  # 25 Oct: 03:00 -> 02:00
    spring = parse_period("this-week", berlin(2026, 3, 25, 12), BERLIN)  # 29 Mar: 02:00 -> 03:00
    assert autumn.calendar_days == spring.calendar_days == 7
    assert autumn.end - autumn.start == timedelta(days=7)  # same wall clock...
    assert autumn.end.astimezone(UTC) - autumn.start.astimezone(UTC) == timedelta(hours=169)
    assert spring.end.astimezone(UTC) - spring.start.astimezone(UTC) == timedelta(hours=167)


@pytest.mark.parametrize("now, start, end_utc", [
    # Sunday noon in the week DST ends: last week up to Sunday noon (+02:00), although this week
    # has run an hour longer by the clock on the wall of an office
    (berlin(2026, 10, 25, 12), berlin(2026, 10, 12), utc(2026, 10, 18, 10)),
    # the Tuesday after it: last week is the 169-hour one, cut at Tuesday 10:00 (+02:00)
    (berlin(2026, 10, 27, 10), berlin(2026, 10, 19), utc(2026, 10, 20, 8)),
    # Sunday noon in the week DST starts, and the Tuesday after it (last week 167 hours)
    (berlin(2026, 3, 29, 12), berlin(2026, 3, 16), utc(2026, 3, 22, 11)),
    (berlin(2026, 3, 31, 10), berlin(2026, 3, 23), utc(2026, 3, 24, 9)),
])
def test_a_running_week_is_cut_by_wall_clock_across_dst(now, start, end_utc):
    before = compare("this-week", now)
    assert before.start == start and before.end.astimezone(UTC) == end_utc
    assert before.end.astimezone(BERLIN).time() == now.time()
    days = (now.date() - parse_period("this-week", now, BERLIN).first_day).days + 1
    assert before.label == f"the first {days} days of last week"


def test_a_finished_dst_week_is_compared_with_the_whole_week_before():
    week = parse_period("2026-10-19..2026-10-25", berlin(2026, 11, 20, 10), BERLIN)
    before = compare("2026-10-19..2026-10-25", berlin(2026, 11, 20, 10))
    assert before.label == "2026-10-12 – 2026-10-18" and before.end == week.start
    assert before.end.astimezone(UTC) - before.start.astimezone(UTC) == timedelta(hours=168)


def test_comparison_edges():
    assert compare("last-1d", berlin(2026, 11, 20, 10)).label == "the previous day"
    # Dates before 1970 are refused when parsed (issue 9), before any comparison is made.
    with pytest.raises(ChaserError, match="out of range"):
        compare("0001-01-01..2026-11-01", berlin(2026, 11, 20, 10))
    with pytest.raises(ChaserError, match="out of range"):
        compare("0001-01", berlin(2026, 11, 20, 10))
