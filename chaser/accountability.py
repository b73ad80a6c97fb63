"""Everything a person's accountability is judged from, gathered once: the barrier register,
each person's goal weeks (chaser.goals_weeks), and the newcomers. Plain data in the core
functions (`goal_tally`, `goals_in`, `status_of`); `gather` is the one glue that reads them
from a Workspace, so the report, the HR export, the evidence file, the CLI and the TUI judge
from the same inputs.

Which goal weeks belong to a period: those whose due moment falls in it, i.e.
period.start < week.end <= period.end (a week due "Sun 24:00" on the last day of a month
belongs to that month); only judged weeks (met, or missed after the due moment) count.
Barriers count as of the period's end, or now when the period has not ended yet.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from chaser.barrier_register import RegisteredBarrier, open_at
from chaser.periods import Period
from chaser.status import Status, status

if TYPE_CHECKING:
    from chaser.model import Chase, Snapshot
    from chaser.workspace import Workspace


@dataclass(frozen=True, slots=True)
class Accountability:
    barriers: tuple[RegisteredBarrier, ...] = ()
    # person key -> every goal week since each goal was set (chaser.goals_weeks.WeekResult),
    # oldest first; only people some goal applies to have a key.
    weeks: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    applicable: frozenset[str] = frozenset()  # people some goal applies to
    newcomers: tuple[Any, ...] = ()  # chaser.newcomers.Newcomer


def judged_at(period: Period, now: datetime) -> datetime:
    """The moment barriers are counted at: the period's end, or now if it has not come."""
    return min(period.end, now)


def in_period(week_result: Any, period: Period) -> bool:
    return period.start < week_result.week.end <= period.end


def goal_tally(weeks: Iterable[Any], period: Period) -> tuple[int, int]:
    """(weeks met, weeks judged) of a person's goal weeks due in `period`."""
    judged = [w for w in weeks if w.judged and in_period(w, period)]
    return sum(1 for w in judged if w.met), len(judged)


def goals_in(acc: Accountability, period: Period) -> dict[str, tuple[int, int]]:
    """Per person some goal applies to: (weeks met, weeks judged) in `period`."""
    return {k: goal_tally(acc.weeks.get(k, ()), period) for k in acc.applicable}


def status_of(acc: Accountability, key: str, period: Period, chases: int, *, now: datetime,
              tz: tzinfo, goals: Mapping[str, tuple[int, int]] | None = None) -> Status:
    """The person's status over `period` (`goals`: goals_in's, when already computed)."""
    tally = (goals if goals is not None else goals_in(acc, period)).get(key)
    return status(tally, open_at(acc.barriers, key, judged_at(period, now)), chases, tz)


def gather(ws: Workspace, *, newcomers: bool = True, latest: Snapshot | None = None,
           history: Sequence[Snapshot] | None = None,
           chases: Sequence[Chase] | None = None) -> Accountability:
    """The register, every goal week and the newcomers of the workspace's current data
    (`latest`, `history`, `chases`: when the caller has read them already, as a TUI load has:
    reading a big snapshot's gaps again was most of a reload)."""
    from chaser.barrier_register import register

    latest = latest if latest is not None else ws.snapshot()
    history = history if history is not None else ws.store.snapshot_history()
    barriers = (tuple(ws.barriers()) if chases is None else
                tuple(register(chases, ws.store.resolutions(), history)))
    goals, weeks, applicable, found = ws.settings.goals, {}, frozenset(), ()
    now, tz = ws.now(), ws.tz

    def load(summary, gaps: bool):
        if summary.id == latest.id:
            return latest
        return ws.store.load_snapshot(summary.id) if gaps else ws.store.with_activity(summary)

    if goals:
        from chaser.goals_weeks import goals_for

        applicable = frozenset(p.key for p in latest.people
                               if p.active and any(g.applies_to(p) for g in goals))
        weeks = {k: pg.weeks for k, pg in goals_for(goals, latest, history, tz=tz, now=now,
                                                      load=load).items()}
    if newcomers:
        from chaser.newcomers import newcomers as find

        objects = sorted({g.object for g in goals}) or None
        found = tuple(find(latest, history, objects=objects, tz=tz, now=now))
    return Accountability(barriers, weeks, applicable, found)


def person_status(ws: Workspace, key: str, period: Period,
                  acc: Accountability | None = None, chases: int | None = None) -> Status:
    """What the person screen shows: the status of one person over `period`. Pass `acc`
    (gather's) when showing many people; `chases` when already counted."""
    acc = acc or gather(ws, newcomers=False)
    if chases is None:
        chases = sum(1 for c in ws.chases(period.start, period.end, include_voided=False)
                     if c.person == key)
    return status_of(acc, key, period, chases, now=ws.now(), tz=ws.tz)


def statuses(acc: Accountability, keys: Sequence[str], period: Period,
             chases: Mapping[str, int], *, now: datetime, tz: tzinfo) -> dict[str, Status]:
    """Many people's statuses over one period (the report's, the export's)."""
    goals = goals_in(acc, period)
    return {k: status_of(acc, k, period, chases.get(k, 0), now=now, tz=tz, goals=goals)
            for k in keys}
