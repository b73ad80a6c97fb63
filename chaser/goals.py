"""Weekly goals ([[goals]]): what they are, how they are read, and the calendar of their weeks.

A goal week ends at the goal's due moment ("Fri 12:00", default "Sun 24:00") in the [costs]
time zone and starts at the previous one, by the wall clock: across a DST change a week lasts
167 or 169 hours, and still ends at noon on Friday. A week is labelled by the ISO week of its
due *day* ("Sun 24:00" is the end of that Sunday, so the week Mon-Sun keeps its own ISO label).

Which weeks count: `since` is the day the goal was set and told. A week that began before the
start of that day does not count (nobody can be held to a target they had not been given when
the week began), so the first counted week is the first one that starts on or after 00:00 of
`since`. A goal told on a Wednesday with a Friday-noon due counts from that Friday noon.

Week boundaries are kept in UTC: Python compares two datetimes of one tzinfo by their wall
clock, which is wrong in the repeated hour of a DST change.

Counting the weeks is chaser.goals_weeks; this module is plain data and parsing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from chaser import clock
from chaser.errors import ChaserError
from chaser.model import Person
from chaser.tomlplace import Where

COUNTS = ("created", "updated", "filled")
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DEFAULT_DUE = "Sun 24:00"
_FULL_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DUE = re.compile(r"\s*([A-Za-z]+)\s+(\d{1,2}):(\d{2})\s*")
_WEEK = re.compile(r"\s*(\d{4})-?[Ww](\d{1,2})\s*")
MAX_PER_WEEK = 100_000


@dataclass(frozen=True, slots=True)
class Goal:
    name: str
    object: str
    count: str  # one of COUNTS
    per_week: int
    due_day: int  # 0 = Monday .. 6 = Sunday
    due_minutes: int  # after that day's 00:00: 0..1440, a multiple of 15
    since: date  # the day the goal was set and told, in the [costs] time zone
    teams: tuple[str, ...] = ()  # only these teams' people; () = everyone
    origin: str = field(default="", compare=False, repr=False)  # "chaser.toml:12: key ..."

    def applies_to(self, person: Person) -> bool:
        if not self.teams:
            return True
        return person.team.casefold() in {t.casefold() for t in self.teams}

    @property
    def due_text(self) -> str:
        h, m = divmod(self.due_minutes, 60)
        return f"{DAYS[self.due_day]} {h:02d}:{m:02d}"

    @property
    def what(self) -> str:
        """"5 Account created a week, due Fri 12:00": how outputs describe the goal."""
        return f"{self.per_week} {self.object} {self.count} a week, due {self.due_text}"


@dataclass(frozen=True, slots=True)
class Week:
    label: str  # "2026-W45": the ISO week of the due day
    day: date  # the due day (a "Sun 24:00" week's is the Sunday)
    start: datetime  # aware UTC, included: the previous due moment
    end: datetime  # aware UTC, excluded: the due moment

    def contains(self, at: datetime) -> bool:
        return self.start <= at < self.end


# ---- parsing --------------------------------------------------------------------------------

def parse_due(text: str) -> tuple[int, int] | None:
    """"Fri 12:00" -> (4, 720); None when it is not a due time."""
    m = _DUE.fullmatch(text)
    if not m:
        return None
    name = m.group(1).casefold()
    days = [d.casefold() for d in DAYS]
    if name in days:
        day = days.index(name)
    elif name in _FULL_DAYS:
        day = _FULL_DAYS.index(name)
    else:
        return None
    h, mins = int(m.group(2)), int(m.group(3))
    if mins >= 60 or h * 60 + mins > 1440:
        return None
    return day, h * 60 + mins


def parse_goals(raw: object, where: Where) -> tuple[Goal, ...]:
    """The [[goals]] tables, validated. Each error names the file, line and key."""
    if not isinstance(raw, list):
        raise where.fail("must be a list of [[goals]] tables")
    out: list[Goal] = []
    names: dict[str, int] = {}
    for i, t in enumerate(raw):
        w = where.item(i)
        w.table(t, {"name", "object", "count", "per_week", "due", "since", "teams"},
                {"name", "object", "count", "per_week", "since"})
        name = w.string(t, "name").strip()
        if name.casefold() in names:
            raise w.at("name").fail(f"{name!r} is already the name of goals[{names[name.casefold()]}]"
                                    " (each goal needs its own name)")
        names[name.casefold()] = i
        count = w.string(t, "count").strip().lower()
        if count not in COUNTS:
            raise w.at("count").fail(f"must be one of {', '.join(COUNTS)}, not {t['count']!r}")
        per_week = w.integer(t, "per_week", None, 1, MAX_PER_WEEK)
        due_text = w.string(t, "due", DEFAULT_DUE)
        due = parse_due(due_text)
        if due is None:
            raise w.at("due").fail(f"{due_text!r} is not a day and time like \"Fri 12:00\" "
                                   "(Mon..Sun, 00:00 to 24:00)")
        if due[1] % 15:
            raise w.at("due").fail(f"{due_text!r}: the minutes must be :00, :15, :30 or :45")
        teams = w.strings(t, "teams", ())
        if "teams" in t and not teams:
            raise w.at("teams").fail("must name at least one team (or be left out for everyone)")
        out.append(Goal(name, w.string(t, "object").strip(), count, per_week, due[0], due[1],
                        _since(t["since"], w.at("since")),
                        tuple(s.strip() for s in teams), origin=w.place()))
    return tuple(out)


def _since(value: object, w: Where) -> date:
    # TOML gives an unquoted 2026-10-05 as a date, a quoted one as text: both mean the day.
    if isinstance(value, datetime):
        raise w.fail("must be a day like 2026-10-05 (the day the goal was told), not a time")
    if isinstance(value, date):
        day = value
    elif isinstance(value, str):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            raise w.fail(f"{value!r} is not a date like 2026-10-05 (the day the goal was set "
                         "and told)") from None
    else:
        raise w.fail(f"must be a date like 2026-10-05, not {value!r}")
    if not clock.in_range(day):
        raise w.fail(f"{day.isoformat()} is out of range: dates must be from {clock.MIN_YEAR} "
                     f"to {clock.MAX_YEAR}")
    return day


def check_objects(goals: Iterable[Goal], objects: Iterable[str], where: Where) -> None:
    """A goal on an object chaser does not read would count nothing, every week, for
    everyone: a typo in `object` is an error, not a silent "missed"."""
    known = list(dict.fromkeys(objects))
    for i, g in enumerate(goals):
        if g.object not in known:
            raise where.item(i).at("object").fail(
                f"chaser reads no object {g.object!r} (objects of the [[rules]]: "
                f"{', '.join(known) or 'none'})")


def demo_goals() -> tuple[Goal, ...]:
    """The demo org's weekly goals (config.demo_settings), set and told eight weeks before
    the demo's clock (which CHASER_NOW pins), so `chaser --demo goals` has weeks met and
    missed to show."""
    told = clock.now().date() - timedelta(weeks=8)
    # Targets the demo's reps meet some weeks and miss others: its 50 people create about
    # one Account a week between them each, and update 15 to 20 Opportunities.
    return (Goal("new accounts", "Account", "created", 1, 4, 12 * 60, told),
            Goal("opportunity updates", "Opportunity", "updated", 15, 4, 12 * 60, told))


# ---- the calendar ---------------------------------------------------------------------------

def _due(goal: Goal, day: date, tz: tzinfo) -> datetime:
    """The due moment on `day` (a due day), in UTC. Wall-clock arithmetic: 24:00 is the next
    day's 00:00; a time a DST change skips is read with the offset before it."""
    local = datetime.combine(day, time(0)) + timedelta(minutes=goal.due_minutes)
    return local.replace(tzinfo=tz).astimezone(UTC)


def _week(goal: Goal, day: date, tz: tzinfo) -> Week:
    iso = day.isocalendar()
    return Week(f"{iso.year}-W{iso.week:02d}", day, _due(goal, day - timedelta(days=7), tz),
                _due(goal, day, tz))


def week_of(goal: Goal, at: datetime, tz: tzinfo) -> Week:
    """The goal week holding the moment `at`."""
    local_day = at.astimezone(tz).date()
    day = local_day + timedelta(days=(goal.due_day - local_day.weekday()) % 7)
    if _due(goal, day, tz) <= at:
        day += timedelta(days=7)
    return _week(goal, day, tz)


def next_week(goal: Goal, week: Week, tz: tzinfo) -> Week:
    return week_of(goal, week.end, tz)


def parse_week(text: str) -> tuple[int, int]:
    """"2026-W45" (or 2026W45, any case) -> (2026, 45); ChaserError when it is no ISO week."""
    m = _WEEK.fullmatch(text or "")
    if not m:
        raise ChaserError(f"week {text!r} is not an ISO week like 2026-W45")
    year, number = int(m.group(1)), int(m.group(2))
    if not clock.MIN_YEAR <= year <= clock.MAX_YEAR:
        raise ChaserError(f"week {text!r} is out of range: years must be from {clock.MIN_YEAR} "
                          f"to {clock.MAX_YEAR}")
    try:
        date.fromisocalendar(year, number, 1)
    except ValueError:
        raise ChaserError(f"week {text!r} does not exist: {year} has weeks 1 to "
                          f"{date(year, 12, 28).isocalendar().week}") from None
    return year, number


def week_labelled(goal: Goal, label: str, tz: tzinfo) -> Week:
    """The goal's week labelled `label` ("2026-W45")."""
    year, number = parse_week(label)
    return _week(goal, date.fromisocalendar(year, number, goal.due_day + 1), tz)


def first_week(goal: Goal, tz: tzinfo) -> Week:
    """The first counted week: the first that starts on or after 00:00 of `since`."""
    told = datetime.combine(goal.since, time(0)).replace(tzinfo=tz).astimezone(UTC)
    week = week_of(goal, told, tz)
    return week if week.start >= told else next_week(goal, week, tz)


def weeks_between(goal: Goal, first: Week, last: Week, tz: tzinfo) -> list[Week]:
    """`first` to `last`, both included, in order."""
    out = []
    week = first
    while week.start <= last.start:
        out.append(week)
        week = next_week(goal, week, tz)
    return out


def weeks_due_in(goal: Goal, first_day: date, last_day: date, tz: tzinfo) -> list[Week]:
    """The weeks whose due day falls from `first_day` to `last_day` (a period's days)."""
    day = first_day + timedelta(days=(goal.due_day - first_day.weekday()) % 7)
    out = []
    while day <= last_day:
        out.append(_week(goal, day, tz))
        day += timedelta(days=7)
    return out


def counted_weeks(goal: Goal, tz: tzinfo, now: datetime) -> list[Week]:
    """Every counted week of the goal, from its first to the one running at `now`."""
    return weeks_between(goal, first_week(goal, tz), week_of(goal, now, tz), tz)
