"""The seam for the digest's sections that come from other features: open barriers, goals
missed last week, newcomers with nothing entered. Each is one small function that returns a
Block (or None: the section is left out, "where those exist"), so the digest's builder,
renderers and tests never change when a source of these facts does.

All three read the scope's `acc` (chaser.accountability.gather, taken once per digest run and
handed to the report too), so a digest says what `chaser barriers --open`, `chaser goals`
and `chaser newcomers` say. To plug in another source, replace a function's body; keep it
returning Block | None with CRM text left raw (the renderers escape it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chaser.model import Person, Snapshot
    from chaser.periods import Period
    from chaser.workspace import Workspace


@dataclass(frozen=True, slots=True)
class Item:
    text: str  # a person, a barrier kind, a goal: CRM text, raw
    detail: str = ""  # figures and remedies: chaser's own words


@dataclass(frozen=True, slots=True)
class Block:
    title: str
    items: tuple[Item, ...]
    note: str = ""  # one line under the title (what the list is drawn from)


@dataclass(frozen=True, slots=True)
class Scope:
    """What one section of a digest covers: handed to every function below."""

    ws: Workspace
    period: Period
    team: str | None  # None: the whole org
    people: Sequence[Person]  # the scope's people in the current snapshot
    figures: Mapping[str, Any]  # `chaser report --format json` of the scope
    latest: Snapshot  # the current snapshot, with its gaps
    history: Sequence[Snapshot]  # every snapshot's summary, oldest first
    acc: Any = None  # chaser.accountability.Accountability: barriers, goal weeks, newcomers


def blocks(scope: Scope) -> tuple[Block, ...]:
    """The extra sections of one scope, in the order the digest shows them."""
    found = (open_barriers(scope), goals_missed(scope), newcomers_idle(scope))
    return tuple(b for b in found if b is not None and b.items)


def open_barriers(scope: Scope) -> Block | None:
    """Barriers to remove before anyone is held to account: the scope's people's open
    barriers (the register: barrier chases not yet resolved, and blanks the CRM's field
    permissions forbid), oldest first, with their age, as `chaser barriers --open`."""
    if scope.acc is None:
        return None
    ws, names = scope.ws, {p.key: p.name for p in scope.people}
    now = ws.now()
    found = sorted((b for b in scope.acc.barriers if b.open and b.person in names),
                   key=lambda b: b.opened_at)
    def detail(b) -> str:
        where = " (CRM field permissions)" if b.source == "crm" else ""
        fields = f"; fields: {', '.join(b.fields)}" if b.fields else ""
        return (f"{b.kind}{where} since {b.opened_at.astimezone(ws.tz):%Y-%m-%d}, "
                f"{b.age_days(now)} days open{fields}")

    items = tuple(Item(names[b.person], detail(b)) for b in found)
    return Block("Barriers to remove", items, "open barriers, oldest first") if items else None


def goals_missed(scope: Scope) -> Block | None:
    """People of the scope who missed a weekly goal in the last goal week that has ended:
    one Item per person and goal, as `chaser goals --week` shows that week."""
    if scope.acc is None or not scope.ws.settings.goals:
        return None
    ws, keys = scope.ws, {p.key for p in scope.people}
    now = ws.now()
    last: dict[str, str] = {}  # goal name -> the label of its last week that has ended
    for goal in ws.settings.goals:
        from chaser.goals import week_of

        current = week_of(goal, now, ws.tz)
        last[goal.name] = week_of(goal, current.start - timedelta(microseconds=1), ws.tz).label
    items = tuple(Item(r.person.name, f"{r.goal.name}: {r.actual} of {r.target} "
                       f"(week {r.week.label}, due {r.goal.due_text})")
                  for key in sorted(keys & set(scope.acc.weeks))
                  for r in scope.acc.weeks[key]
                  if r.status == "missed" and r.week.label == last.get(r.goal.name))
    return Block("Goals missed last week", items) if items else None


def newcomers_idle(scope: Scope) -> Block | None:
    """Newcomers of the scope who have entered nothing yet, as `chaser newcomers`."""
    if scope.acc is None:
        return None
    ws, keys = scope.ws, {p.key for p in scope.people}
    items = tuple(Item(n.person.name, f"started {n.start.at.astimezone(ws.tz):%Y-%m-%d} "
                       f"({n.days_since_start} days ago), nothing entered yet")
                  for n in scope.acc.newcomers if n.person.key in keys)
    return Block("Newcomers with nothing entered", items) if items else None
