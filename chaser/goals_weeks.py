"""Counting goal weeks: per person, goal and week, the target, the count and whether it was met.

- `created`: the person's records of the object created in the week, from the latest
  snapshot's Activity (records deleted since, or handed to someone else, no longer count for
  them: the count is of what they own now).
- `updated`: records modified in the week, once per record. A snapshot counts each record
  once, at its last modification as of that snapshot, so a record edited in two weeks shows
  in the later one only. Each week therefore takes the largest count any snapshot shows for
  it: never a record twice (within one snapshot each record counts once, and no two
  snapshots are added), at worst fewer when no snapshot was taken between two edits.
- `filled`: (record, field) gaps of the person in one snapshot that are no longer missing in
  the next one, in the week the later snapshot was taken. A field moved to the cannot-edit
  list is still blank: not filled. A record deleted from the CRM drops out of the gap list,
  and a gap list cannot tell that from a fill, so it counts as filled (as in
  chaser.effectiveness). Pairs of snapshots computed under different rules or placeholders
  are skipped: a rule removed is not a field filled. The fill counts for the person who owned
  the record in the earlier snapshot.

Weeks: a week that began before the person started (chaser.newcomers.starts) is not theirs.
The running week is "in progress" until its due moment, never "missed"; a week that has ended
after the latest snapshot was taken is "not synced" unless already met.

History is read one snapshot at a time (`load`), as chaser.effectiveness does.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from itertools import chain

from chaser.goals import Goal, Week, counted_weeks, first_week, week_of
from chaser.model import Person, Snapshot, quarter

MET, MISSED, IN_PROGRESS, NOT_SYNCED = "met", "missed", "in progress", "not synced"
# A pair of snapshots compares only when these fingerprint parts agree (see `filled`).
_SAME = ("rules", "placeholders")


@dataclass(frozen=True, slots=True)
class WeekResult:
    person: Person
    goal: Goal
    week: Week
    actual: int
    status: str  # MET, MISSED, IN_PROGRESS or NOT_SYNCED

    @property
    def target(self) -> int:
        return self.goal.per_week

    @property
    def met(self) -> bool:
        return self.actual >= self.goal.per_week

    @property
    def judged(self) -> bool:
        """The verdict is in: met, or missed after the due moment."""
        return self.status in (MET, MISSED)


@dataclass(frozen=True, slots=True)
class PersonGoals:
    person: Person
    weeks_met: int
    weeks_judged: int
    current: tuple[WeekResult, ...]  # the running week of each goal that applies
    weeks: tuple[WeekResult, ...]  # every week of every goal, oldest first


def _spread(counts: Mapping[int, int], bounds: Sequence[int], into: list[int]) -> None:
    """Add quarter-hour counts to the weeks whose [start, end) quarters hold them."""
    last = len(bounds) - 1
    for q, n in counts.items():
        i = bisect_right(bounds, q) - 1
        if 0 <= i < last:
            into[i] += n


def _bounds(weeks: Sequence[Week]) -> list[int]:
    # Contiguous weeks: each starts where the one before ends (a quarter-hour boundary in any
    # zone, see chaser.model.quarter). A chosen set may have holes, hence week by week.
    return [quarter(w.start) for w in weeks] + [quarter(weeks[-1].end)] if weeks else []


def _in_order(history: Sequence[Snapshot], latest: Snapshot) -> list[Snapshot]:
    snaps = sorted(history, key=lambda s: s.taken_at)
    if latest.id not in {s.id for s in snaps}:
        snaps.append(latest)
    return snaps


def _updated(goal: Goal, weeks: Sequence[Week], keys: set[str], snaps: Iterable[Snapshot],
             into: dict[str, list[int]]) -> None:
    bounds = _bounds(weeks)
    for snap in snaps:
        for key in keys:
            act = snap.activity.get(key, {}).get(goal.object)
            if act is None or not act.modified:
                continue
            here = [0] * len(weeks)
            _spread(act.modified, bounds, here)
            best = into[key]
            into[key] = [max(a, b) for a, b in zip(best, here, strict=True)]


def _missing(snap: Snapshot, obj: str, owners: set[str] | None) -> dict[str, set]:
    """owner -> {(record id, field)} of `obj` missing in `snap` (gaps and cannot-edit)."""
    out: dict[str, set] = {}
    for g in chain(snap.gaps, snap.cannot_edit_gaps):
        if g.object == obj and (owners is None or g.owner in owners):
            out.setdefault(g.owner, set()).update((g.record_id, f) for f in g.missing)
    return out


def _filled(goal: Goal, weeks: Sequence[Week], keys: set[str], snaps: Iterable[Snapshot],
            into: dict[str, list[int]]) -> None:
    before: dict[str, set] | None = None
    parts: tuple = ()
    for snap in snaps:
        here = tuple(snap.fingerprint.get(p) for p in _SAME)
        now_missing = _missing(snap, goal.object, None)
        i = next((n for n, w in enumerate(weeks) if w.contains(snap.taken_at)), None)
        if before is not None and here == parts and i is not None:
            still = set().union(*now_missing.values()) if now_missing else set()
            for key, had in before.items():
                into[key][i] += len(had - still)
        before = {k: v for k, v in now_missing.items() if k in keys}
        parts = here


def goal_results(goals: Iterable[Goal], people: Iterable[Person], latest: Snapshot,
                 history: Sequence[Snapshot], *, tz: tzinfo, now: datetime,
                 load: Callable[[Snapshot, bool], Snapshot] | None = None,
                 weeks: Callable[[Goal], list[Week]] | None = None,
                 starts: Mapping[str, datetime] | None = None) -> list[WeekResult]:
    """One result per active person, goal that applies to them, and week: `weeks(goal)` (the
    counted weeks to show; default every counted week up to the running one). Weeks before
    the goal's first counted week, or starting after `now`, are left out. `history` is oldest
    first and may hold summaries: `load(snapshot, gaps)` then fetches each with its activity,
    and with its gaps when `gaps` (a "filled" goal; an "updated" one reads activity only)."""
    people = [p for p in people if p.active]
    starts = starts or {}
    snaps = _in_order(history, latest)
    out = []
    for goal in goals:
        chosen = weeks(goal) if weeks is not None else counted_weeks(goal, tz, now)
        first = first_week(goal, tz)
        chosen = sorted({w for w in chosen if first.start <= w.start <= now},
                        key=lambda w: w.start)
        mine = [p for p in people if goal.applies_to(p)]
        if not chosen or not mine:
            continue
        keys = {p.key for p in mine}
        counts = {k: [0] * len(chosen) for k in keys}
        if goal.count == "created":
            bounds = _bounds(chosen)
            for key in keys:
                act = latest.activity.get(key, {}).get(goal.object)
                if act is not None:
                    _spread(act.created, bounds, counts[key])
        else:
            # A snapshot taken before the first week began says nothing about an edit in it;
            # for fills, the last one before is the pair's "before".
            begin = chosen[0].start
            early = [s for s in snaps if s.taken_at < begin]
            used = early[-1:] + [s for s in snaps if s.taken_at >= begin]
            loaded = (load(s, goal.count == "filled") if load is not None and s.id != latest.id else
                      (latest if s.id == latest.id else s) for s in used)
            (_updated if goal.count == "updated" else _filled)(goal, chosen, keys, loaded, counts)
        for p in mine:
            began = starts.get(p.key)
            for i, w in enumerate(chosen):
                if began is not None and w.start < began:
                    continue  # they had not started when the week began
                out.append(WeekResult(p, goal, w, counts[p.key][i],
                                      _status(goal, w, counts[p.key][i], latest, now)))
    return out


def _status(goal: Goal, week: Week, actual: int, latest: Snapshot, now: datetime) -> str:
    if actual >= goal.per_week:
        return MET
    if now < week.end:
        return IN_PROGRESS
    return NOT_SYNCED if latest.taken_at < week.end else MISSED


def person_goals(results: Iterable[WeekResult], now: datetime, tz: tzinfo
                 ) -> dict[str, PersonGoals]:
    """Per person key: weeks met of weeks judged, this week's results, every week."""
    by: dict[str, list[WeekResult]] = {}
    for r in results:
        by.setdefault(r.person.key, []).append(r)
    out = {}
    for key, rows in by.items():
        rows.sort(key=lambda r: (r.week.end, r.goal.name))
        current = tuple(r for r in rows if r.week == week_of(r.goal, now, tz))
        judged = [r for r in rows if r.judged]
        out[key] = PersonGoals(rows[0].person, sum(r.status == MET for r in judged),
                               len(judged), current, tuple(rows))
    return out


def goals_for(goals: Sequence[Goal], latest: Snapshot, history: Sequence[Snapshot], *,
              tz: tzinfo, now: datetime,
              load: Callable[[Snapshot, bool], Snapshot] | None = None) -> dict[str, PersonGoals]:
    """Every counted week of every goal for the latest snapshot's people, per person key:
    what the overview, person screen, status and evidence read."""
    from chaser.newcomers import starts

    began = {k: s.at for k, s in starts(latest, history).items()}
    results = goal_results(goals, latest.people, latest, history, tz=tz, now=now, load=load,
                           starts=began)
    return person_goals(results, now, tz)
