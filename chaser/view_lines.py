"""Table rows of the screens: plain tuples of what a line shows, built from a ViewData (off
the UI thread when there are many). A screen paints them; it never computes a figure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from chaser.model import Gap, Tier

if TYPE_CHECKING:
    from chaser.views import ViewData


def parse_modified(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        at = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class PersonLine:
    """One line of the overview's people table."""

    key: str
    name: str
    team: str
    tier: Tier
    records: int
    with_gaps: int
    pct: float | None
    chases: int
    cost: Any | None  # Decimal; None when costs are unavailable
    reason: str = ""  # the tier's stated reason (chaser.tiers)
    goal: str = ""  # this week's goal progress, "3/5" (`chaser goals`: views_acc.goal_cell)
    goal_share: float | None = None  # of the targets, for sorting; None: no goal applies
    status: str = ""  # accountability status over the period (the report's, the HR export's)
    newcomer: str = ""  # "started 2026-11-10, nothing entered" (`chaser newcomers`)
    goal_detail: str = ""  # "this week: new accounts 0/1 (due Fri 12:00), ..."


def person_lines(data: ViewData) -> list[PersonLine]:
    out = []
    acc = data.acc
    for r in data.rows:
        key = r.person.key
        line = data.cost_line(key)
        status = acc.statuses.get(key) if acc is not None else None
        new = acc.newcomers.get(key) if acc is not None else None
        out.append(PersonLine(key, r.person.name, r.person.team, r.tier, r.tally.records,
                              r.tally.records_with_gaps, r.tally.completeness_pct,
                              line.chases if line is not None else 0,
                              line.cost if line is not None else None,
                              r.reason,
                              acc.goal_cell(key) if acc is not None else "",
                              acc.goal_sort(key) if acc is not None else None,
                              status.text if status is not None else "",
                              "" if new is None else
                              f"started {new.start.at.astimezone(data.tz):%Y-%m-%d} "
                              f"({new.days_since_start} days ago), nothing entered since",
                              acc.goal_detail(key) if acc is not None else ""))
    return out


class GapLine(NamedTuple):
    """One line of a person's gap list (a tuple: 50,000 of them build in a blink)."""

    object: str
    record_id: str
    record_name: str
    missing: str  # "Phone, Email"
    modified: str  # "2026-10-28" or ""
    age: int | None  # days since last modified
    url: str | None


def gap_lines(gaps: Sequence[Gap], now: datetime) -> list[GapLine]:
    """Fast on 50,000 gaps: the day is read from the ISO date prefix (cached per day) and
    only values that do not start with one are fully parsed."""
    today = now.date()
    days: dict[str, tuple[str, int | None]] = {}

    def day_of(text: str | None) -> tuple[str, int | None]:
        if not text:
            return "", None
        head = text[:10]
        hit = days.get(head)
        if hit is None:
            try:
                d = date.fromisoformat(head)
            except ValueError:
                at = parse_modified(text)
                return ("", None) if at is None else (at.date().isoformat(),
                                                      max(0, (now - at).days))
            hit = days[head] = (head, max(0, (today - d).days))
        return hit

    out = []
    for g in gaps:
        shown, age = day_of(g.modified)
        out.append(GapLine(g.object, g.record_id, g.record_name, ", ".join(g.missing), shown,
                           age, g.url))
    return out


def missing_fields(gaps: Sequence[Gap]) -> list[str]:
    """A person's missing fields, most often missing first: what the log modal offers."""
    counts: dict[str, int] = {}
    for g in gaps:
        for f in g.missing:
            counts[f] = counts.get(f, 0) + 1
    return sorted(counts, key=lambda f: (-counts[f], f))
