"""The report's accountability part, as plain lines: the barrier register (open barriers, and
those removed in the period, with their age), each person's status (chaser.status), and the
newcomers of the first-week check. chaser.report builds them into the Report; the renderers
and the JSON only lay them out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, tzinfo
from typing import Any

from chaser.accountability import Accountability, judged_at, statuses
from chaser.model import Person
from chaser.periods import Period

STATE_ORDER = {"barrier": 0, "off-track": 1, "on-track": 2, "no-goal": 3}


def register_lines(acc: Accountability, people: Sequence[Person], period: Period, *,
                   now: datetime, tz: tzinfo) -> tuple[dict[str, Any], ...]:
    """Barriers of `people` open at the period's end (or now), and those removed in the
    period: open ones first, oldest first."""
    at = judged_at(period, now)
    known = {p.key: p for p in people}
    out = []
    for b in acc.barriers:
        p = known.get(b.person)
        if p is None:
            continue
        removed_here = b.removed_at is not None and period.start <= b.removed_at <= at
        if not (b.open_at(at) or removed_here):
            continue
        out.append({
            "id": b.id, "person": p.name, "team": p.team, "kind": b.kind, "source": b.source,
            "opened": b.opened_at.astimezone(tz).date(), "opened_by": b.opened_by,
            "removed": b.removed_at.astimezone(tz).date() if removed_here else None,
            "removed_by": b.removed_by if removed_here else "",
            "note": b.note if removed_here else "",
            "age_days": max(((b.removed_at if removed_here else at) - b.opened_at).days, 0),
            "fields": list(b.fields), "chases": len(b.chases),
            "state": "removed" if removed_here else "open"})
    out.sort(key=lambda r: (r["state"] != "open", r["opened"], r["person"].casefold()))
    return tuple(out)


def status_lines(acc: Accountability, people: Sequence[Person], period: Period,
                 chases: Mapping[str, int], *, now: datetime, tz: tzinfo
                 ) -> tuple[dict[str, Any], ...]:
    """Every active person in scope with their status: barriers first, then off track."""
    active = [p for p in people if p.active]
    judged = statuses(acc, [p.key for p in active], period, chases, now=now, tz=tz)
    out = [{"person": p.name, "team": p.team, "state": judged[p.key].state,
            "goals_met": judged[p.key].goals_met, "goal_weeks": judged[p.key].goal_weeks,
            "open_barriers": judged[p.key].open_barriers, "status": judged[p.key].text,
            "person_key": p.key} for p in active]
    out.sort(key=lambda r: (STATE_ORDER.get(r["state"], 9), r["team"].casefold(),
                            r["person"].casefold()))
    return tuple(out)


def newcomer_lines(acc: Accountability, people: Sequence[Person], tz: tzinfo
                   ) -> tuple[dict[str, Any], ...]:
    """The newcomers (chaser.newcomers) among `people`: started 7 to N days ago, nothing
    entered since."""
    keys = {p.key for p in people}
    return tuple({"person": n.person.name, "team": n.person.team,
                  "started": n.start.at.astimezone(tz).date(), "start_source": n.start.source,
                  "days_since_start": n.days_since_start, "records_created": n.records_created}
                 for n in acc.newcomers if n.person.key in keys)
