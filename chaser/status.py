"""A person's accountability status, stated as facts, never as a verdict without its numbers.

Precedence (the first that holds is the status):
1. "barrier"   any barrier open (chaser.barrier_register, chases and CRM field permissions):
               "barrier open since 2026-11-12 (access)". Nobody is held to goals the system
               keeps them from meeting, whatever their goal weeks say.
2. "no-goal"   no weekly goal applies to the person: "no goal set"; or one does but no week of
               it has ended in the period yet: "goal set, no week ended yet".
3. "on-track"  met at least ON_TRACK of the goal weeks judged: "on track: met 7 of 8 weekly
               goals".
4. "off-track" else: "off track: met 2 of 8 weekly goals, no open barriers, 7 chases in the
               period" (the chases say how much chasing it has taken).

Goal weeks come in as plain data (weeks met, weeks judged) per person, counted by
chaser.goals over the period: one goal-week is one goal's week, so two goals over four weeks
are 8 goal weeks. Plain data in, text out: the person screen, the report, the HR export and
the evidence file all say the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import tzinfo
from fractions import Fraction

from chaser.barrier_register import RegisteredBarrier

ON_TRACK = Fraction(3, 4)  # three goal weeks in four met: a bad week is allowed, a habit is not
STATES = ("barrier", "no-goal", "on-track", "off-track")


@dataclass(frozen=True, slots=True)
class Status:
    state: str  # one of STATES
    text: str
    goals_met: int | None  # None: no goal applies
    goal_weeks: int | None
    open_barriers: int


def status(goals: tuple[int, int] | None, open_barriers: Sequence[RegisteredBarrier],
           chases: int, tz: tzinfo) -> Status:
    """`goals`: (weeks met, weeks judged) of the goals that apply to the person, None when none
    does; `open_barriers`: those open at the moment judged (oldest first); `chases`: counted
    chases of the person in the period."""
    met, weeks = goals if goals is not None else (None, None)
    n = len(open_barriers)
    if n:
        first = min(open_barriers, key=lambda b: b.opened_at)
        kinds = ", ".join(dict.fromkeys(b.kind for b in sorted(open_barriers,
                                                               key=lambda b: b.opened_at)))
        since = f"{first.opened_at.astimezone(tz):%Y-%m-%d}"
        text = (f"barrier open since {since} ({kinds})" if n == 1 else
                f"{n} barriers open, the first since {since} ({kinds})")
        return Status("barrier", text, met, weeks, n)
    if goals is None:
        return Status("no-goal", "no goal set", None, None, 0)
    if not weeks:
        return Status("no-goal", "goal set, no week ended yet", met, weeks, 0)
    of = f"met {met} of {weeks} weekly goal{'' if weeks == 1 else 's'}"
    if Fraction(met, weeks) >= ON_TRACK:
        return Status("on-track", f"on track: {of}", met, weeks, 0)
    return Status("off-track", f"off track: {of}, no open barriers, {chases} "
                  f"chase{'' if chases == 1 else 's'} in the period", met, weeks, 0)
