"""Periods are cut in the configured zone: their UTC boundaries move with it (and with DST)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from chaser.config import CostSettings
from chaser.costs import summarise
from chaser.errors import ChaserError
from chaser.model import Channel, Chase, Outcome, Person
from chaser.periods import parse_period

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
    prev = p.previous()
    assert prev.end == p.start
    assert prev.start == datetime(2026, 9, 22, tzinfo=BERLIN)
    assert prev.calendar_days == 30
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
