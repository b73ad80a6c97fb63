"""What the TUI shows of accountability (issue 13), read off the UI thread from the very
functions the CLI prints with, so every figure on screen has its command:

- this week's goal progress per person: `chaser goals` (actual/target of the running week);
- the last goal weeks met or missed: `chaser goals --period P --person P`;
- newcomers who have entered nothing: `chaser newcomers`;
- barriers, open and removed: `chaser barriers --person P`;
- the accountability status over the app's period: the report's and the HR export's "Status".

Built once per full load (goal weeks read the snapshot history); a chase logged, voided or a
barrier resolved only re-reads the register and the statuses (`with_chases`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from chaser.accountability import Accountability, gather, statuses
from chaser.barrier_register import RegisteredBarrier, of_person, register
from chaser.model import Chase
from chaser.periods import Period
from chaser.status import Status

NEWCOMER_MARK = "⚑ "  # before a newcomer's name: a flag that reads without colour
SHOWN_WEEKS = 6  # goal weeks on the person screen, newest last (`chaser goals` has them all)


@dataclass(frozen=True, slots=True)
class AccView:
    acc: Accountability
    statuses: Mapping[str, Status] = field(default_factory=dict)  # over the app's period
    newcomers: Mapping[str, Any] = field(default_factory=dict)  # key -> newcomers.Newcomer
    now: datetime | None = None

    def barriers_of(self, key: str, *, open_only: bool = False) -> list[RegisteredBarrier]:
        return of_person(self.acc.barriers, key, open_only=open_only)

    def current(self, key: str) -> list[Any]:
        """This week's result of each goal that applies (goals_weeks.WeekResult)."""
        now = self.now
        return [w for w in self.acc.weeks.get(key, ())
                if now is not None and w.week.start <= now < w.week.end]

    goal_count: int = 0  # goals that apply to someone: one, a cell is its progress; more, met

    def goal_cell(self, key: str) -> str:
        """This week, as `chaser goals` shows it: "3/5" (actual/target) when one goal is
        set, "1/2" (goals met / goals that apply) when several are; "" when none applies."""
        weeks = self.current(key)
        if not weeks:
            return ""
        if self.goal_count == 1:
            return f"{weeks[0].actual}/{weeks[0].target}"
        return f"{sum(w.met for w in weeks)}/{len(weeks)}"

    def goal_detail(self, key: str) -> str:
        """"this week: new accounts 0/1 (due Fri 12:00), opportunity updates 20/15 met"."""
        weeks = self.current(key)
        if not weeks:
            return ""
        return "this week: " + ", ".join(
            f"{w.goal.name} {w.actual}/{w.target} "
            + ("met" if w.met else f"(due {w.goal.due_text})") for w in weeks)

    def goal_sort(self, key: str) -> float | None:
        """This week's share of the targets (a person with no goal sorts last)."""
        weeks = self.current(key)
        if not weeks:
            return None
        return sum(min(w.actual / w.target, 1.0) for w in weeks) / len(weeks)

    def weeks_text(self, key: str, shown: int = SHOWN_WEEKS) -> str:
        """The last goal weeks, oldest first, one cell each. One goal: "W47 5/5 met · W48
        2/5 missed"; several: the goals met of those judged, "W47 2/2 · W48 1/2"; then the
        total over every judged week ("13 of 16 met"), as `chaser goals --person` counts."""
        weeks = [w for w in self.acc.weeks.get(key, ())
                 if self.now is None or w.week.start <= self.now]
        if not weeks:
            return ""
        by: dict[str, list[Any]] = {}
        for w in weeks:
            by.setdefault(w.week.label, []).append(w)
        labels = list(by)[-shown:]
        if self.goal_count == 1:
            cells = [f"{label[-3:]} {w.actual}/{w.target} {w.status}"
                     for label in labels for w in by[label]]
        else:
            cells = [f"{label[-3:]} {sum(w.met for w in by[label])}/{len(by[label])}"
                     for label in labels]
        judged = [w for w in weeks if w.judged]
        total = f"all weeks: {sum(w.met for w in judged)} of {len(judged)} met"
        return " · ".join(cells) + f" ({total})"


def build(ws: Any, period: Period, chases: Sequence[Chase], snapshot: Any,
          history: Sequence[Any]) -> AccView:
    """Everything at once (a full load): the register, goal weeks, newcomers, statuses, from
    the snapshot, history and chases the load has read."""
    acc = gather(ws, latest=snapshot, history=history, chases=chases)
    goals = len({w.goal.name for weeks in acc.weeks.values() for w in weeks})  # once: not
    return _with_statuses(AccView(acc, newcomers={n.person.key: n for n in acc.newcomers},
                                  now=ws.now(), goal_count=goals),  # per person's cell
                          ws, period, chases, snapshot.people)


def with_chases(old: AccView, ws: Any, period: Period, chases: Sequence[Chase],
                history: Sequence[Any], people: Sequence[Any]) -> AccView:
    """After a chase or a resolution: the register again (goal weeks and newcomers come from
    snapshots, which have not changed), then the statuses."""
    barriers = tuple(register(chases, ws.store.resolutions(), history))
    return _with_statuses(replace(old, acc=replace(old.acc, barriers=barriers), now=ws.now()),
                          ws, period, chases, people)


def _with_statuses(view: AccView, ws: Any, period: Period, chases: Sequence[Chase],
                   people: Sequence[Any]) -> AccView:
    counted = Counter(c.person for c in chases
                      if not c.voided and period.start <= c.at < period.end)
    keys = [p.key for p in people if p.active]
    return replace(view, statuses=statuses(view.acc, keys, period, counted, now=ws.now(),
                                           tz=ws.tz))
