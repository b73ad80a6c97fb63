"""Roll-ups by team and by object field, and what the people figures leave out: the lines
`chaser gaps --by team|object-field` and `chaser costs --by team` print and the TUI's overview
shows, built here once so the two faces cannot drift apart.

Nothing new is counted here: a team's people, records and tier are `audit.team_rows`, its
chases and cost `costs.summarise`'s by_team line, the field counts the snapshot's gap records
of the people `audit.person_rows` lists (the same records their tallies count, so a field's
total over its objects equals `audit.field_counts`). Imports no textual.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from chaser.audit import PersonRow, Thresholds, bucket_rows, team_rows
from chaser.model import NO_TEAM, Bucket, Gap, Snapshot, Team, Tier

# Tier mix in words, best first: "3 A · 5 mod · 2 ineff · 1 none" (never colour alone).
TIER_ORDER = (Tier.GRADE_A, Tier.MODERATE, Tier.INEFFECTIVE, Tier.NONE)
TIER_SHORT = {Tier.GRADE_A: "A", Tier.MODERATE: "mod", Tier.INEFFECTIVE: "ineff",
              Tier.NONE: "none"}


def mix_text(mix: Mapping[Tier, int]) -> str:
    """"3 A · 5 mod · 1 none": the tiers a team's people are in, tiers nobody is in left out."""
    return " · ".join(f"{mix[t]:,} {TIER_SHORT[t]}" for t in TIER_ORDER if mix.get(t))


@dataclass(frozen=True, slots=True)
class TeamLine:
    """One team: its active people's records and tiers, and what chasing them cost."""

    team: Team  # its name and managers (audit.teams)
    people: int  # active people, as `chaser gaps --by team` counts them
    records: int
    with_gaps: int
    missing_fields: int
    pct: float | None
    tier: Tier  # of the team's summed tally
    mix: tuple[tuple[Tier, int], ...]  # people per tier, best tier first, zeros left out
    chases: int  # `chaser costs --by team` of the period (chases of inactive members too)
    minutes: int
    cost: Decimal | None  # None when costs are unavailable
    keys: tuple[str, ...]  # the people's keys: the team's drill-down, a chase of the team

    @property
    def name(self) -> str:
        return self.team.name

    @property
    def mix_text(self) -> str:
        return mix_text(dict(self.mix))

    def tier_count(self, tier: Tier) -> int:
        return dict(self.mix).get(tier, 0)


def team_lines(rows: Sequence[PersonRow], thresholds: Thresholds,
               summary: Any | None = None) -> list[TeamLine]:
    """One line per team of `rows`, by name. `summary`: a costs.CostSummary of the period."""
    members: dict[str, list[PersonRow]] = {}
    for r in rows:
        members.setdefault(r.person.team, []).append(r)
    by_team = summary.by_team if summary is not None else {}
    out = []
    for t in team_rows(rows, thresholds):
        group = members[t.team.name]
        tiers = Counter(r.tier for r in group)
        cost = by_team.get(t.team.name or NO_TEAM)
        out.append(TeamLine(
            t.team, t.people, t.tally.records, t.tally.records_with_gaps,
            t.tally.missing_fields, t.tally.completeness_pct, t.tier,
            tuple((tier, tiers[tier]) for tier in TIER_ORDER if tiers[tier]),
            cost.chases if cost is not None else 0, cost.minutes if cost is not None else 0,
            cost.cost if cost is not None else (Decimal(0) if summary is not None else None),
            tuple(r.person.key for r in group)))
    return out


# ---- fields -----------------------------------------------------------------------------

FieldIndex = dict[tuple[str, str], dict[str, int]]  # (object, field) -> person key -> records


def field_index(gaps: Iterable[Gap], keys: Iterable[str]) -> FieldIndex:
    """How many gap records of each of `keys` miss each object's field: one pass over the
    gaps (in a worker), so a field line for any set of people is a few sums."""
    wanted = set(keys)
    counts: Counter = Counter()
    for g in gaps:
        if g.owner in wanted:
            counts.update((g.object, f, g.owner) for f in g.missing)
    index: FieldIndex = {}
    for (obj, field, owner), n in counts.items():
        index.setdefault((obj, field), {})[owner] = n
    return index


@dataclass(frozen=True, slots=True)
class FieldLine:
    """One object's field: how many records miss it, of how many people."""

    object: str
    field: str
    missing: int  # records of the people missing it
    people: int  # people with at least one such record
    keys: frozenset[str]  # who: the field's drill-down

    @property
    def key(self) -> tuple[str, str]:
        return (self.object, self.field)


def field_lines(index: FieldIndex, keys: Iterable[str] | None = None) -> list[FieldLine]:
    """The fields missing on the records of `keys` (everyone in the index when None), most
    missing first, then by object and field."""
    wanted = None if keys is None else set(keys)
    out = []
    for (obj, field), owners in index.items():
        if wanted is not None:
            owners = {k: n for k, n in owners.items() if k in wanted}
        if owners:
            out.append(FieldLine(obj, field, sum(owners.values()), len(owners),
                                 frozenset(owners)))
    out.sort(key=lambda f: (-f.missing, f.object, f.field))
    return out


def field_gaps(gaps: Iterable[Gap], obj: str, field: str) -> list[Gap]:
    """The gap records among `gaps` that miss `field` of `obj`."""
    return [g for g in gaps if g.object == obj and field in g.missing]


# ---- what the people figures leave out --------------------------------------------------


def inactive_people(snapshot: Snapshot) -> int:
    return sum(1 for p in snapshot.people if not p.active)


def left_out(snapshot: Snapshot, cannot_edit: bool = True) -> str | None:
    """"1 inactive person; records: inactive owner 424, queue 530, cannot-edit 19": what the
    people figures (the overview's, `chaser gaps`') leave out of the snapshot, by the bucket
    names `chaser gaps --by bucket` lists (the same tallies as `audit.unblamed_note`; short
    enough for two lines at 60 columns); None when nothing is left out. Cannot-edit records
    stay in their owner's records; only the blanks they may not fill are not gaps (without
    `cannot_edit` that bucket is left to a line of its own: access.bucket_note)."""
    n = inactive_people(snapshot)
    parts = [f"{n:,} inactive {'person' if n == 1 else 'people'}"] if n else []
    buckets = {name: t for name, t in bucket_rows(snapshot).items()
               if cannot_edit or name != Bucket.CANNOT_EDIT.value}
    if buckets:
        parts.append("records: " + ", ".join(f"{name} {t.records:,}"
                                             for name, t in buckets.items()))
    return "; ".join(parts) or None
