"""[[goals]] parsing and the calendar of goal weeks: due times, DST changes, `since`."""

from __future__ import annotations

import tomllib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from chaser import config
from chaser.errors import ChaserError
from chaser.goals import (
    Goal,
    counted_weeks,
    first_week,
    parse_goals,
    parse_week,
    week_labelled,
    week_of,
    weeks_due_in,
)
from chaser.model import Person
from chaser.tomlplace import Where

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
GOAL = """
[[goals]]
name = "new accounts"
object = "Account"
count = "created"
per_week = 5
due = "Fri 12:00"
since = "2026-10-05"
teams = ["EMEA"]
"""


def goals(text: str) -> tuple[Goal, ...]:
    return parse_goals(tomllib.loads(text).get("goals", []), Where(Path("c.toml"), text, "goals"))


def goal(due_day=4, minutes=720, since=date(2026, 1, 1), count="created") -> Goal:
    return Goal("g", "Account", count, 5, due_day, minutes, since)


def local(y, mo, d, h=0, mi=0, tz=BERLIN) -> datetime:
    """A wall-clock time in tz, as UTC (computed here, not by chaser)."""
    return datetime(y, mo, d, h, mi, tzinfo=tz).astimezone(UTC)


# ---- parsing ----------------------------------------------------------------------------

def test_a_goal_is_read_with_every_key():
    (g,) = goals(GOAL)
    assert (g.name, g.object, g.count, g.per_week, g.due_day, g.due_minutes, g.since,
            g.teams) == ("new accounts", "Account", "created", 5, 4, 720, date(2026, 10, 5),
                         ("EMEA",))
    assert g.due_text == "Fri 12:00"
    assert g.applies_to(Person("a", "A", team="emea")) and not g.applies_to(Person("b", "B"))


def test_due_defaults_to_sunday_midnight_and_since_may_be_a_toml_date():
    (g,) = goals(GOAL.replace('due = "Fri 12:00"\n', "").replace('"2026-10-05"', "2026-10-05"))
    assert (g.due_day, g.due_minutes, g.due_text, g.since) == (6, 1440, "Sun 24:00",
                                                               date(2026, 10, 5))
    assert g.applies_to(Person("a", "A", team="EMEA"))


@pytest.mark.parametrize("edit, message", [
    (('since = "2026-10-05"\n', ""), "key 'goals[0].since': is required"),
    (('"2026-10-05"', '"5 Oct"'), "not a date like 2026-10-05"),
    (('"2026-10-05"', "2026-10-05T09:00:00"), "not a time"),
    (('"2026-10-05"', '"1900-01-01"'), "out of range"),
    (('"created"', '"deleted"'), "must be one of created, updated, filled"),
    (("per_week = 5", "per_week = 0"), "whole number from 1"),
    (("per_week = 5", 'per_week = "5"'), "whole number from 1"),
    (('"Fri 12:00"', '"Fri 12:10"'), "the minutes must be :00, :15, :30 or :45"),
    (('"Fri 12:00"', '"Fri 24:15"'), "is not a day and time"),
    (('"Fri 12:00"', '"Fry 12:00"'), "is not a day and time"),
    (('"Fri 12:00"', '"noon"'), "is not a day and time"),
    (('teams = ["EMEA"]', "teams = []"), "must name at least one team"),
    (('teams = ["EMEA"]', 'team = "EMEA"'), "unknown key"),
])
def test_bad_goals_name_the_key(edit, message):
    with pytest.raises(ChaserError) as e:
        goals(GOAL.replace(*edit))
    assert message in str(e.value) and "c.toml" in str(e.value)


def test_goal_names_are_unique():
    with pytest.raises(ChaserError, match=r"goals\[1\].name.*already the name of goals\[0\]"):
        goals(GOAL + GOAL.replace('teams = ["EMEA"]', ""))


def test_full_day_names_and_quarter_hours():
    (g,) = goals(GOAL.replace('"Fri 12:00"', '"wednesday 17:45"'))
    assert (g.due_day, g.due_minutes, g.due_text) == (2, 1065, "Wed 17:45")


CSV_CONFIG = """
[source]
kind = "csv"
[[source.csv.objects]]
object = "Deal"
path = "deals.csv"
id = "id"
owner = "owner"
[[rules]]
object = "Deal"
require = ["amount"]
"""


def test_config_hook_fills_settings_goals_and_checks_the_object(tmp_path):
    text = CSV_CONFIG + GOAL.replace('"Account"', '"Deal"')
    s = config.parse(tomllib.loads(text), tmp_path / "c.toml", text)
    assert [g.name for g in s.goals] == ["new accounts"] and s.dates_for == {"Deal"}
    text = CSV_CONFIG + GOAL
    with pytest.raises(ChaserError, match=r"goals\[0\].object.*reads no object 'Account'.*Deal"):
        config.parse(tomllib.loads(text), tmp_path / "c.toml", text)
    assert config.parse(tomllib.loads(CSV_CONFIG), tmp_path / "c.toml").goals == ()


def test_the_demo_has_goals_told_eight_weeks_ago():
    s = config.demo_settings()
    assert len(s.goals) >= 2
    assert all(g.since == date(2026, 11, 20) - timedelta(weeks=8) for g in s.goals)


# ---- the calendar -------------------------------------------------------------------------

def test_a_friday_noon_week_ends_at_noon_and_is_labelled_by_its_friday():
    g = goal()
    before = week_of(g, local(2026, 11, 13, 11, 59), BERLIN)
    at_noon = week_of(g, local(2026, 11, 13, 12, 0), BERLIN)
    assert (before.start, before.end) == (local(2026, 11, 6, 12), local(2026, 11, 13, 12))
    assert before.label == "2026-W46" and before.day == date(2026, 11, 13)
    assert (at_noon.start, at_noon.end, at_noon.label) == (local(2026, 11, 13, 12),
                                                           local(2026, 11, 20, 12), "2026-W47")


def test_sunday_midnight_weeks_run_monday_to_sunday_with_their_own_iso_label():
    g = goal(6, 1440)
    w = week_of(g, local(2026, 11, 8, 23, 59), BERLIN)  # Sunday 8 Nov, late
    assert (w.start, w.end, w.label) == (local(2026, 11, 2), local(2026, 11, 9), "2026-W45")
    assert week_of(g, local(2026, 11, 9), BERLIN).label == "2026-W46"
    assert week_labelled(g, "2026-W45", BERLIN) == w
    # Monday 00:00 is the same moment, but the week is labelled by the Monday
    assert week_labelled(goal(0, 0), "2026-W46", BERLIN).end == w.end


def test_weeks_are_cut_in_the_configured_zone():
    g = goal()
    ny = week_of(g, local(2026, 11, 13, 12, 30), NEW_YORK)  # 12:30 Berlin is 06:30 in NY
    assert ny.end == local(2026, 11, 13, 12, tz=NEW_YORK) == datetime(2026, 11, 13, 17,
                                                                      tzinfo=UTC)


@pytest.mark.parametrize("tz, week_day, hours", [
    (BERLIN, (2026, 10, 30), 169),  # Europe/Berlin: back to CET on Sun 25 Oct
    (BERLIN, (2026, 4, 3), 167),  # forward to CEST on Sun 29 Mar
    (NEW_YORK, (2026, 11, 6), 169),  # US Eastern: back to EST on Sun 1 Nov
    (ZoneInfo("America/Los_Angeles"), (2026, 3, 13), 167),  # forward on Sun 8 Mar
    (BERLIN, (2026, 11, 6), 168),
])
def test_a_week_across_a_dst_change_still_ends_at_noon_local(tz, week_day, hours):
    g = goal()
    w = week_of(g, local(*week_day, 11, tz=tz), tz)
    assert w.end == local(*week_day, 12, tz=tz)
    assert w.end.astimezone(tz).hour == 12 and w.start.astimezone(tz).hour == 12
    assert (w.end - w.start) == timedelta(hours=hours)


def test_sunday_midnight_across_the_october_change():
    w = week_of(goal(6, 1440), local(2026, 10, 25, 12), BERLIN)
    assert w.start == datetime(2026, 10, 18, 22, tzinfo=UTC)  # Mon 19 Oct 00:00 CEST
    assert w.end == datetime(2026, 10, 25, 23, tzinfo=UTC)  # Mon 26 Oct 00:00 CET
    assert w.label == "2026-W43"


def test_a_due_time_the_clock_skips_is_read_with_the_offset_before_the_change():
    g = goal(6, 150)  # Sun 02:30: on 29 Mar 2026 Berlin goes from 02:00 to 03:00
    w = week_of(g, local(2026, 3, 28), BERLIN)
    assert w.end == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 CEST
    after = week_of(g, w.end, BERLIN)
    assert after.start == w.end  # contiguous: no moment in two weeks, none in none


def test_weeks_follow_each_other_without_holes_over_a_year():
    for tz in (BERLIN, NEW_YORK, ZoneInfo("Asia/Kathmandu")):
        weeks = counted_weeks(goal(since=date(2026, 1, 1)), tz, local(2026, 12, 31, tz=tz))
        assert all(a.end == b.start for a, b in zip(weeks, weeks[1:], strict=False))
        assert all(w.end.astimezone(tz).strftime("%a %H:%M") == "Fri 12:00" for w in weeks)
        assert len({w.label for w in weeks}) == len(weeks) == 52


@pytest.mark.parametrize("since, due, first_start", [
    # told on Wednesday: the week that began last Friday noon does not count
    (date(2026, 10, 7), (4, 720), (2026, 10, 9, 12)),
    # told on the Friday itself: that day's noon week counts (it starts after 00:00)
    (date(2026, 10, 9), (4, 720), (2026, 10, 9, 12)),
    # told on Saturday: next Friday
    (date(2026, 10, 10), (4, 720), (2026, 10, 16, 12)),
    # a Mon-Sun goal told on Monday counts that week; told on Tuesday, the next one
    (date(2026, 10, 5), (6, 1440), (2026, 10, 5, 0)),
    (date(2026, 10, 6), (6, 1440), (2026, 10, 12, 0)),
])
def test_the_first_counted_week_begins_on_or_after_since(since, due, first_start):
    w = first_week(goal(*due, since=since), BERLIN)
    assert w.start == local(*first_start)
    assert w.start >= local(since.year, since.month, since.day)


def test_since_labels_the_first_week():
    assert first_week(goal(since=date(2026, 10, 7)), BERLIN).label == "2026-W42"  # Fri 16 Oct


def test_weeks_due_in_a_period():
    weeks = weeks_due_in(goal(), date(2026, 11, 1), date(2026, 11, 30), BERLIN)
    assert [w.day for w in weeks] == [date(2026, 11, d) for d in (6, 13, 20, 27)]


@pytest.mark.parametrize("text", ["2026-W54", "2026-W00", "2026-45", "W45", "", "1969-W01"])
def test_bad_week_labels(text):
    with pytest.raises(ChaserError, match="week"):
        parse_week(text)


def test_week_53_exists_only_in_long_years():
    assert parse_week("2026-W53") == (2026, 53)  # 2026 starts on a Thursday
    with pytest.raises(ChaserError, match="2027 has weeks 1 to 52"):
        parse_week("2027-W53")
