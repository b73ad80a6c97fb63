"""Barrier outcomes: chases that failed because of the system (no access, no training, no time,
waiting on others), not the person. The report lists them with how to remove each; the HR
about-file says what each means. One table of names and remedies, so both say the same. Beside
them, `FieldAccess`: blanks in fields their owners may not edit, found by the audit itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from chaser.access import REMEDY, fields_text
from chaser.costs import money
from chaser.model import Chase, Outcome, Person, Snapshot, Tally

# outcome -> (label, what it means, what to do about it)
REMEDIES = {
    Outcome.BARRIER_ACCESS: ("No access", "the person lacks access or field permissions to "
                             "fill the fields", "grant the missing access or fix field permissions"),
    Outcome.BARRIER_TRAINING: ("Needs training", "the person does not know how or what to "
                               "fill in", "schedule training on the fields chased"),
    Outcome.BARRIER_TIME: ("No time", "the person has no time for the data entry asked",
                           "cut the data-entry load or move the deadline"),
    Outcome.BARRIER_DEPENDENCY: ("Waiting on others", "the data has to come from someone else",
                                 "get the data from whoever owns it"),
}


@dataclass(frozen=True, slots=True)
class Barrier:
    """Chases that hit one kind of barrier: the system's fault, to be removed, not blamed."""

    label: str
    outcome: Outcome
    chases: int
    minutes: int
    cost: Decimal
    people: tuple[str, ...]  # most often hit first
    remedy: str

    def numbers(self, currency: str) -> str:
        return (f"{self.chases} chase{'s' if self.chases != 1 else ''}, {self.minutes:,} min, "
                f"{money(self.cost, currency)}")


def barriers(priced: Iterable[tuple[Chase, str, Decimal]], names: dict[str, str]
             ) -> tuple[Barrier, ...]:
    """One Barrier per barrier outcome hit by the given (counted, priced) chases."""
    chases = [(c, cost) for c, _, cost in priced if not c.voided]
    out = []
    for outcome, (label, _, remedy) in REMEDIES.items():
        hits = [(c, cost) for c, cost in chases if c.outcome is outcome]
        if not hits:
            continue
        who: dict[str, int] = {}
        for c, _ in hits:
            name = names.get(c.person, c.person)
            who[name] = who.get(name, 0) + 1
        out.append(Barrier(label, outcome, len(hits), sum(c.minutes for c, _ in hits),
                           sum((cost for _, cost in hits), Decimal(0)),
                           tuple(sorted(who, key=lambda n: (-who[n], n.casefold()))), remedy))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class FieldAccess:
    """Blanks not blamed because their owners may not edit the fields (chaser.access): a
    barrier the audit finds, not a chase. From the current snapshot, for the people in scope."""

    records: int
    missing: int  # blank fields
    by_field: dict[str, int]  # "Object.Field" -> blanks, most first
    people: tuple[str, ...]  # names, most records first
    remedy: str = REMEDY

    def numbers(self) -> str:
        return (f"{self.records:,} record{'s' if self.records != 1 else ''}, {self.missing:,} "
                f"blank field{'s' if self.missing != 1 else ''} not blamed")

    @property
    def fields(self) -> str:
        return fields_text(self.by_field)


def field_access(snapshot: Snapshot, people: Iterable[Person]) -> FieldAccess | None:
    """The cannot-edit barrier of `people` in `snapshot`; None when none of them has one."""
    total, who = Tally(), {}
    for p in people:
        t = snapshot.cannot_edit.get(p.key)
        if t is not None and t.records:
            total.add(t)
            who[p.name] = who.get(p.name, 0) + t.records
    if not total.records:
        return None
    return FieldAccess(total.records, total.missing_fields,
                       dict(sorted(total.by_field.items(), key=lambda kv: (-kv[1], kv[0]))),
                       tuple(sorted(who, key=lambda n: (-who[n], n.casefold()))))
