"""Did chasing work? For each chase: were the chased fields on that person's records filled in a
later snapshot within N days (`[costs] fix_window_days`, default 14)?

The evidence is the snapshots' gap lists, nothing the admin typed: the chase's *targets* are the
gap records of that person in the last snapshot before the chase, narrowed to the chased fields
(all missing fields when none were named). A target is *closed* when a snapshot inside the
window shows its chased fields filled. A chase is fixed when all its targets closed, partly
fixed when some did. Reps clear a backlog a few records at a time, so a chase-level yes/no is
either too harsh (all of 40 records) or meaningless (any one of them); the fix rate is therefore
counted in gaps: of the gaps chased, the share closed within the window.

A record is looked up by (object, record id) whoever owns it now, so a gap handed to someone
else is not counted as closed; a record deleted from the CRM drops out of the gap list and
counts as closed (a gap list cannot tell the two apart).

Snapshots are loaded one at a time, oldest first, and only those the chases need, so memory is
bounded by one snapshot's gaps however long the history is.
"""

from __future__ import annotations

import statistics
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from itertools import chain

from chaser.config import CostSettings
from chaser.costs import TOTAL_KEY, cents, priced
from chaser.model import Chase, Person, Snapshot

RecordKey = tuple[str, str]  # (object, record id)


class FixStatus(StrEnum):
    FIXED = "fixed"  # every target closed inside the window
    PARTLY = "partly"  # the window has passed with some targets closed
    NOT_FIXED = "not-fixed"  # the window has passed; snapshots inside it showed none closed
    PENDING = "pending"  # not all closed yet, and the window is still open
    UNTRACKED = "untracked"  # no evidence: no snapshot before, nothing missing, none after

    @property
    def judged(self) -> bool:
        """The verdict is in: the window has passed, or nothing is left to close."""
        return self in (FixStatus.FIXED, FixStatus.PARTLY, FixStatus.NOT_FIXED)


@dataclass(frozen=True, slots=True)
class ChaseFix:
    chase: Chase
    status: FixStatus
    targets: frozenset[RecordKey]  # gap records the chase was about
    closed: frozenset[RecordKey]  # targets seen with their chased fields filled in the window
    days: float | None = None  # chase -> the first snapshot that showed a target closed


def chase_fixes(chases: Iterable[Chase], history: Sequence[Snapshot], *, window_days: int,
                now: datetime, load: Callable[[Snapshot], Snapshot] | None = None
                ) -> list[ChaseFix]:
    """Judge each non-voided chase against the snapshots (oldest first). `history` may hold
    summaries without gaps (`Store.snapshot_history()`); `load` then fetches one with its gaps.
    Results come in the order of the chases given."""
    chases = [c for c in chases if not c.voided]
    window = timedelta(days=window_days)
    snaps = sorted(history, key=lambda s: s.taken_at)
    order = sorted(range(len(chases)), key=lambda i: chases[i].at)
    times = [chases[i].at for i in order]
    # A chase's targets, grouped by the chased fields the records were missing: (records,
    # [(fields, records missing them)]). Records are grouped so that what closed is a few set
    # differences in C, not a test per record per chase: a year of a team's chases would spend
    # seconds here otherwise. Chases of one person about the same fields between two
    # snapshots have the same targets, and share one (read-only) tuple.
    targets: dict[int, tuple[frozenset[RecordKey], list[tuple[frozenset[str],
                                                               frozenset[RecordKey]]]]] = {}
    closed: dict[int, frozenset[RecordKey]] = {}
    first: dict[int, float] = {}  # days from the chase to its first closure
    looked: set[int] = set()  # chases checked against at least one snapshot in their window
    nxt = 0  # position in `order` of the next chase still waiting for its "before" snapshot
    while nxt < len(order) and snaps and chases[order[nxt]].at < snaps[0].taken_at:
        nxt += 1  # chased before the first snapshot: nothing to compare with
    for i, summary in enumerate(snaps):
        t = summary.taken_at
        until = snaps[i + 1].taken_at if i + 1 < len(snaps) else None
        # the targeted chases with at < t <= at + window, i.e. t - window <= at < t: a slice
        # of the chases in time order, not a test of every target against every snapshot
        lo, hi = bisect_left(times, t - window), bisect_left(times, t)
        check = [c for c in order[lo:hi] if c in targets]
        assign = []
        while nxt < len(order) and (until is None or chases[order[nxt]].at < until):
            assign.append(order[nxt])
            nxt += 1
        if not check and not assign:
            continue  # this snapshot says nothing about these chases: do not load its gaps
        snap = load(summary) if load is not None else summary
        if check:
            wanted = set().union(*{id(targets[c]): targets[c][0] for c in check}.values())
            # field -> the wanted records still missing it in this snapshot
            still: dict[str, set[RecordKey]] = {}
            # A blank now counted in the cannot-edit bucket (access taken away) is still
            # blank: not a fix. A record may be in both lists, with other fields in each.
            for g in chain(snap.gaps, snap.cannot_edit_gaps):
                key = (g.object, g.record_id)
                if key in wanted:
                    for f in g.missing:
                        still.setdefault(f, set()).add(key)
            closing: dict[int, frozenset[RecordKey]] = {}  # shared targets close together
            for c in check:
                looked.add(c)
                aim = targets[c]
                done = closing.get(id(aim))
                if done is None:
                    # closed: a record none of whose chased missing fields is missing now
                    parts = []
                    for fields, keys in aim[1]:
                        for f in fields:
                            if f in still:
                                keys = keys - still[f]
                        parts.append(keys)
                    done = closing[id(aim)] = frozenset().union(*parts)
                if done:
                    # a union: a gap filled and blanked again inside the window was still closed
                    # (the first one is shared, not copied: see _line)
                    closed[c] = closed[c] | done if c in closed else done
                    first.setdefault(c, (t - chases[c].at).total_seconds() / 86400)
        if assign:
            owners = {chases[c].person for c in assign}
            # owner -> the fields a record misses -> those records
            by_owner: dict[str, dict[frozenset[str], list[RecordKey]]] = {}
            for g in snap.gaps:
                if g.owner in owners:
                    by_owner.setdefault(g.owner, {}).setdefault(frozenset(g.missing), []).append(
                        (g.object, g.record_id))
            shared: dict[tuple[str, frozenset[str]], tuple] = {}
            for c in assign:
                chased = frozenset(chases[c].fields)  # none named: all the missing ones
                aim = shared.get((chases[c].person, chased))
                if aim is None:
                    groups = [(fields, frozenset(keys)) for missing_now, keys
                              in by_owner.get(chases[c].person, {}).items()
                              if (fields := missing_now & chased if chased else missing_now)]
                    aim = shared[(chases[c].person, chased)] = (
                        frozenset().union(*(keys for _, keys in groups)), groups)
                if aim[0]:
                    targets[c] = aim
    out = []
    for c, chase in enumerate(chases):
        aimed = targets[c][0] if c in targets else frozenset()
        done = closed.get(c, frozenset())
        days = round(first[c], 1) if c in first else None
        if not aimed:
            status = FixStatus.UNTRACKED
        elif done == aimed:
            status = FixStatus.FIXED
        elif chase.at + window > now:
            status = FixStatus.PENDING
        elif done:
            status = FixStatus.PARTLY
        elif c in looked:
            status = FixStatus.NOT_FIXED
        else:  # the window passed with no snapshot inside it: no evidence either way
            status = FixStatus.UNTRACKED
        out.append(ChaseFix(chase, status, aimed, done, days))
    return out


@dataclass(frozen=True, slots=True)
class FixLine:
    key: str
    name: str
    team: str
    chases: int
    fixed: int
    partly: int
    not_fixed: int
    pending: int
    untracked: int
    gaps_chased: int  # distinct gap records targeted by judged chases
    gaps_fixed: int  # ... of which closed inside the window
    gaps_closed: int  # distinct gap records closed after any chase, pending ones included
    median_days: float | None  # chase -> first closure, over judged chases that closed any
    judged_cost: Decimal  # what the judged chases cost: the price of `gaps_fixed`

    @property
    def judged(self) -> int:
        return self.fixed + self.partly + self.not_fixed

    @property
    def fix_rate(self) -> float | None:
        """Share of the gaps chased that were closed within the window (judged chases only:
        a pending chase has not had its chance yet)."""
        return self.gaps_fixed / self.gaps_chased if self.gaps_chased else None

    @property
    def cost_per_gap(self) -> Decimal | None:
        """The average cost of closing one gap; None with no gap closed to average over."""
        return self.judged_cost / self.gaps_fixed if self.gaps_fixed else None


@dataclass(frozen=True, slots=True)
class Effectiveness:
    window_days: int
    total: FixLine
    by_person: dict[str, FixLine]  # only people who were chased
    by_team: dict[str, FixLine]
    fixes: tuple[ChaseFix, ...]


def projected_cost(open_gaps: int, line: FixLine) -> Decimal | None:
    """Open gaps x the cost of closing one, rounded to cents first: the report shows both
    factors, and their product must be what a reader gets multiplying them by hand. None when
    there is no history to average."""
    per_gap = line.cost_per_gap
    return None if per_gap is None else cents(per_gap) * open_gaps


_JUDGED = frozenset(s for s in FixStatus if s.judged)


def _line(key: str, name: str, team: str, fixes: list[tuple[ChaseFix, Decimal]]) -> FixLine:
    count = {s: 0 for s in FixStatus}
    # Chases of one person between two snapshots share their target and closed sets
    # (chase_fixes): each distinct set is added once, by identity, not once per chase.
    chased: dict[int, frozenset[RecordKey]] = {}
    fixed: dict[int, frozenset[RecordKey]] = {}
    closed: dict[int, frozenset[RecordKey]] = {}
    days, cost = [], Decimal(0)
    for fix, price in fixes:
        count[fix.status] += 1
        closed[id(fix.closed)] = fix.closed
        if fix.status in _JUDGED:
            chased[id(fix.targets)] = fix.targets
            fixed[id(fix.closed)] = fix.closed
            cost += price
            if fix.days is not None:
                days.append(fix.days)
    median = round(statistics.median(days), 1) if days else None

    def size(sets: dict[int, frozenset[RecordKey]]) -> int:
        return len(frozenset().union(*sets.values()))

    return FixLine(key, name, team, len(fixes), count[FixStatus.FIXED], count[FixStatus.PARTLY],
                   count[FixStatus.NOT_FIXED], count[FixStatus.PENDING],
                   count[FixStatus.UNTRACKED], size(chased), size(fixed), size(closed), median,
                   cost)


def effectiveness(fixes: Sequence[ChaseFix], people: Sequence[Person], costs: CostSettings,
                  window_days: int | None = None) -> Effectiveness:
    """Fix rate, median days to fix and cost per gap closed, per person, per team and in total.
    Chases are priced by `costs.priced`, the same way the cost summary prices them."""
    names = {p.key: p.name for p in people}
    prices = priced((f.chase for f in fixes), people, costs)
    per_person: dict[str, list[tuple[ChaseFix, Decimal]]] = {}
    per_team: dict[str, list[tuple[ChaseFix, Decimal]]] = {}
    teams: dict[str, str] = {}
    for fix, (_, team, cost) in zip(fixes, prices, strict=True):
        teams[fix.chase.person] = team
        per_person.setdefault(fix.chase.person, []).append((fix, cost))
        per_team.setdefault(team, []).append((fix, cost))
    every = [fc for group in per_person.values() for fc in group]
    return Effectiveness(
        window_days=window_days or costs.fix_window_days,
        total=_line(TOTAL_KEY, "Total", "", every),
        by_person={k: _line(k, names.get(k, k), teams[k], v) for k, v in sorted(per_person.items())},
        by_team={t: _line(t, t, t, v) for t, v in sorted(per_team.items())},
        fixes=tuple(fixes),
    )


def judge(chases: Sequence[Chase], people: Sequence[Person], history: Sequence[Snapshot],
          costs: CostSettings, *, now: datetime,
          load: Callable[[Snapshot], Snapshot] | None = None) -> Effectiveness:
    """`effectiveness` of given chases against a snapshot history (oldest first; summaries
    without gaps when `load` fetches one with its gaps), judged as of `now`."""
    days = costs.fix_window_days
    fixes = chase_fixes(chases, history, window_days=days, now=now, load=load)
    return effectiveness(fixes, people, costs, days)
