"""The first-week check: people who started 7 to N days ago and have created no record yet.

"One company checked after the first week whether every person had inputted a lead or
opportunity in the system. For those who had not yet, they reached out."

A person's start is Person.started when the source gives start dates at all ("started" in
Snapshot.person_facts), else the first stored snapshot the person appears in. People already in
the very first snapshot have no known start in the second case (they were there before
chaser was): they are never listed as newcomers, for want of a date, rather than all of them
looking new for the first weeks after chaser is installed.

Records created count from the latest snapshot's Activity: of the goal objects when goals are
set, else of every object whose dates were read (Settings.dates_for).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from chaser.model import Person, Snapshot, quarter

FROM_SOURCE, FROM_SNAPSHOT = "source", "first snapshot"
MIN_DAYS = 7  # the check runs after the first week
DEFAULT_DAYS = 60


@dataclass(frozen=True, slots=True)
class Start:
    at: datetime  # aware UTC
    source: str  # FROM_SOURCE or FROM_SNAPSHOT


@dataclass(frozen=True, slots=True)
class Newcomer:
    person: Person
    start: Start
    days_since_start: int  # calendar days in the [costs] zone from the start day to today
    records_created: int


def starts(latest: Snapshot, history: Sequence[Snapshot]) -> dict[str, Start]:
    """Person key -> start, for the latest snapshot's people whose start is known: the
    source's date when it gives one for the person, else the first snapshot after the first
    that shows them."""
    snaps = sorted(history, key=lambda s: s.taken_at)
    if latest.id not in {s.id for s in snaps}:
        snaps.append(latest)
    seen = {p.key for p in snaps[0].people}  # there before chaser: start unknown
    out: dict[str, Start] = {}
    for snap in snaps[1:]:
        for p in snap.people:
            if p.key not in seen:
                seen.add(p.key)
                out[p.key] = Start(snap.taken_at, FROM_SNAPSHOT)
    given = "started" in latest.person_facts
    for p in latest.people:
        if given and p.started is not None:
            out[p.key] = Start(p.started, FROM_SOURCE)
    wanted = {p.key for p in latest.people}
    return {k: s for k, s in out.items() if k in wanted}


def has_dates(latest: Snapshot) -> bool:
    """Whether the snapshot holds any created dates at all: without them (a CSV with no
    `created` column, a snapshot from before goals) nobody can be said to have created
    nothing."""
    return any(a.created for by_obj in latest.activity.values() for a in by_obj.values())


def created_since(latest: Snapshot, key: str, since: datetime,
                  objects: Iterable[str] | None) -> int:
    wanted = set(objects) if objects is not None else None
    first = quarter(since)
    return sum(n for obj, act in latest.activity.get(key, {}).items()
               if wanted is None or obj in wanted
               for q, n in act.created.items() if q >= first)


def newcomers(latest: Snapshot, history: Sequence[Snapshot], *,
              objects: Iterable[str] | None, tz: tzinfo, now: datetime,
              days: int = DEFAULT_DAYS) -> list[Newcomer]:
    """Active people who started MIN_DAYS to `days` days ago (both included) and have
    created no record of `objects` (None: of any object) since, oldest start first."""
    objects = tuple(objects) if objects is not None else None
    today = now.astimezone(tz).date()
    out = []
    known = starts(latest, history)
    for p in latest.people:
        start = known.get(p.key)
        if not p.active or start is None:
            continue
        age = (today - start.at.astimezone(tz).date()).days
        if not MIN_DAYS <= age <= days:
            continue
        made = created_since(latest, p.key, start.at, objects)
        if made == 0:
            out.append(Newcomer(p, start, age, made))
    out.sort(key=lambda n: (n.start.at, n.person.name.casefold()))
    return out
