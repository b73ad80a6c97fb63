"""Chases + rates -> the hidden cost of non-adoption, per person, team and period.

The one place chase money is computed (DESIGN section 3). Money is Decimal throughout and is
rounded to cents only when shown (`money`, `cents`): totals are summed as exact
"minutes x rate" products and divided by 60 once per line, so a total equals the hand
calculation to the cent however many chases it holds. Voided chases cost nothing. Barrier
chases cost what any chase costs, but every line also carries their share apart, so a view can
show what the system's faults cost instead of blaming the person for them.

Imports no textual and no Workspace: everything here works on plain data (settings, chases,
people, snapshots), gathered from a Workspace by chaser.inputs. The CLI, the report, the HR
export and the TUI's costs screen all call this.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from chaser.config import CostSettings
from chaser.errors import ChaserError
from chaser.model import NO_TEAM, Chase, Person, Snapshot, Tally
from chaser.periods import Period

UNKNOWN_TEAM = "(unknown)"  # chases of a person the snapshot does not know
TOTAL_KEY = "total"
_CENT = Decimal("0.01")
_MINUTES_PER_HOUR = Decimal(60)


@dataclass(frozen=True, slots=True)
class Rates:
    admin_hourly_rate: Decimal
    rep_hourly_rate: Decimal
    rep_minutes_per_chase: int


def rates_for(costs: CostSettings, team: str) -> Rates:
    """The rates for one team: the [costs.teams.<team>] overrides, field by field, over the
    defaults. Team names match exactly first, then ignoring case (CRMs are not consistent)."""
    over = costs.teams.get(team)
    if over is None:
        folded = team.casefold()
        over = next((t for name, t in costs.teams.items() if name.casefold() == folded), None)

    def pick(name: str):
        value = getattr(over, name) if over is not None else None
        return getattr(costs, name) if value is None else value

    return Rates(pick("admin_hourly_rate"), pick("rep_hourly_rate"), pick("rep_minutes_per_chase"))


def unmatched_overrides(costs: CostSettings, teams: Iterable[str]) -> list[str]:
    """[costs.teams.X] tables that match no team: a typo there would silently price that team
    at the default rates, so the faces warn about it."""
    folded = {t.casefold() for t in teams}
    return [name for name in costs.teams if name.casefold() not in folded]


def _rate_minutes(chase: Chase, rates: Rates) -> Decimal:
    """minutes x hourly rate, exact: the numerator of the cost before the one division by 60."""
    return (Decimal(chase.minutes) * rates.admin_hourly_rate
            + Decimal(rates.rep_minutes_per_chase) * rates.rep_hourly_rate)


def chase_cost(chase: Chase, rates: Rates) -> Decimal:
    """minutes/60 x admin rate + rep_minutes_per_chase/60 x rep rate. Unrounded."""
    return _rate_minutes(chase, rates) / _MINUTES_PER_HOUR


def cents(value: Decimal) -> Decimal:
    """Round half up to cents, as people do by hand: the one place money is rounded (tables,
    CSV, JSON, the HR files and the TUI all call it), so a 1.245 line never shows 1.24 under
    a total that rounds it 1.25. Only for showing and exporting, and for factors a reader
    multiplies by hand (the report's cost per gap)."""
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def money(value: Decimal, currency: str) -> str:
    """"USD 1,234.50": the one place money is formatted for humans. An empty currency gives
    the bare amount, for table columns whose header names the currency."""
    amount = f"{cents(value):,.2f}"
    return f"{currency} {amount}" if currency else amount


@dataclass(frozen=True, slots=True)
class CostLine:
    key: str  # person key, team name, or "total"
    name: str
    team: str
    people: int
    chases: int
    minutes: int
    cost: Decimal  # all non-voided chases, barriers included
    barrier_chases: int
    barrier_minutes: int
    barrier_cost: Decimal

    @property
    def barrier_share(self) -> float | None:
        """Barrier cost / cost; None when nothing was spent."""
        return float(self.barrier_cost / self.cost) if self.cost else None

    @property
    def accountable_cost(self) -> Decimal:
        """What was spent on plain non-compliance: the cost without the barrier chases."""
        return self.cost - self.barrier_cost

    @property
    def hours(self) -> float:
        return self.minutes / 60


@dataclass(frozen=True, slots=True)
class CostSummary:
    period: Period
    currency: str
    total: CostLine
    by_person: dict[str, CostLine]  # person key -> line; most expensive first
    by_team: dict[str, CostLine]  # team name -> line; most expensive first


@dataclass(slots=True)
class _Acc:
    """A line being summed. Costs stay as exact rate-minute numerators until `line`."""

    people: set[str] = field(default_factory=set)
    chases: int = 0
    minutes: int = 0
    rate_minutes: Decimal = Decimal(0)
    barrier_chases: int = 0
    barrier_minutes: int = 0
    barrier_rate_minutes: Decimal = Decimal(0)

    def add(self, chase: Chase, rate_minutes: Decimal) -> None:
        self.chases += 1
        self.minutes += chase.minutes
        self.rate_minutes += rate_minutes
        if chase.outcome.is_barrier:
            self.barrier_chases += 1
            self.barrier_minutes += chase.minutes
            self.barrier_rate_minutes += rate_minutes

    def merge(self, other: _Acc) -> None:
        self.people |= other.people
        self.chases += other.chases
        self.minutes += other.minutes
        self.rate_minutes += other.rate_minutes
        self.barrier_chases += other.barrier_chases
        self.barrier_minutes += other.barrier_minutes
        self.barrier_rate_minutes += other.barrier_rate_minutes

    def line(self, key: str, name: str, team: str) -> CostLine:
        return CostLine(key, name, team, len(self.people), self.chases, self.minutes,
                        self.rate_minutes / _MINUTES_PER_HOUR, self.barrier_chases,
                        self.barrier_minutes, self.barrier_rate_minutes / _MINUTES_PER_HOUR)


def counted(chases: Iterable[Chase], period: Period) -> list[Chase]:
    """The chases a total counts: not voided, and inside the period."""
    return [c for c in chases if not c.voided and period.contains(c.at)]


def summarise(chases: Iterable[Chase], people: Sequence[Person], costs: CostSettings,
              period: Period) -> CostSummary:
    """Cost per person, per team and in total for the chases inside `period`.

    `people` are the snapshot's people: every active one gets a line (zero when not chased), so
    a view can show everyone; an inactive person gets one only when chased. Chases of a person
    the snapshot does not know are kept under their key with team "(unknown)": the money was
    spent, and hiding it would make the total lie."""
    known = {p.key: p for p in people}
    persons: dict[str, _Acc] = {p.key: _Acc({p.key}) for p in people if p.active}
    rates: dict[str, Rates] = {}
    for chase in counted(chases, period):
        p = known.get(chase.person)
        team = (p.team or NO_TEAM) if p is not None else UNKNOWN_TEAM
        r = rates.get(team) or rates.setdefault(team, rates_for(costs, team))
        persons.setdefault(chase.person, _Acc({chase.person})).add(chase, _rate_minutes(chase, r))

    teams: dict[str, _Acc] = {}
    total = _Acc()
    by_person: dict[str, CostLine] = {}
    for key, acc in persons.items():
        p = known.get(key)
        team = (p.team or NO_TEAM) if p is not None else UNKNOWN_TEAM
        by_person[key] = acc.line(key, p.name if p is not None else key, team)
        teams.setdefault(team, _Acc()).merge(acc)
        total.merge(acc)
    return CostSummary(
        period=period,
        currency=costs.currency,
        total=total.line(TOTAL_KEY, "Total", ""),
        by_person=_by_cost(by_person),
        by_team=_by_cost({t: acc.line(t, t, t) for t, acc in teams.items()}),
    )


def _by_cost(lines: dict[str, CostLine]) -> dict[str, CostLine]:
    return dict(sorted(lines.items(), key=lambda kv: (-kv[1].cost, kv[1].name.casefold(), kv[0])))


def priced(chases: Iterable[Chase], people: Sequence[Person], costs: CostSettings
           ) -> list[tuple[Chase, str, Decimal]]:
    """(chase, team, unrounded cost) for each chase, priced exactly as `summarise` does: for
    detail lists (the HR detail export, the report's barriers) that must add up to its totals."""
    known = {p.key: p for p in people}
    out = []
    for chase in chases:
        p = known.get(chase.person)
        team = (p.team or NO_TEAM) if p is not None else UNKNOWN_TEAM
        out.append((chase, team, chase_cost(chase, rates_for(costs, team))))
    return out


# ---- scope helpers shared by the views ----------------------------------------------------


def team_people(people: Sequence[Person], team: str | None) -> list[Person]:
    """The people of one team (any case), or everyone; an unknown team is a ChaserError that
    lists the teams there are."""
    if team is None:
        return list(people)
    folded = team.strip().casefold()
    chosen = [p for p in people if (p.team or NO_TEAM).casefold() == folded]
    if not chosen:
        names = sorted({p.team or NO_TEAM for p in people})
        raise ChaserError(f"unknown team {team!r} (teams: {', '.join(names) or 'none'})")
    return chosen


def as_of(history: Sequence[Snapshot], at: datetime) -> Snapshot | None:
    """The last snapshot taken before `at` (history oldest first): the state at that moment."""
    found = None
    for snap in history:
        if snap.taken_at < at:
            found = snap
        else:
            break
    return found


def scope_tally(snapshot: Snapshot, keys: Iterable[str] | None = None) -> Tally:
    """Records and gaps of the snapshot's active people (only `keys` when given): the same
    people `audit.org_tally` counts, so completeness agrees across views."""
    wanted = None if keys is None else set(keys)
    total = Tally()
    for p in snapshot.people:
        if p.active and (wanted is None or p.key in wanted) and p.key in snapshot.tallies:
            total.add(snapshot.tallies[p.key])
    return total


def scoped(people: Sequence[Person], chases: Iterable[Chase], period: Period,
           team: str | None = None) -> tuple[list[Person], list[Chase]]:
    """The people (of one team, or all) and their counted chases in `period`: the one scoping
    rule of `chaser costs`, the report, the HR export and the TUI. With no team, chases of
    people the snapshot does not know are kept (see `summarise`)."""
    chosen = team_people(people, team)
    kept = counted(chases, period)
    if team is not None:
        keys = {p.key for p in chosen}
        kept = [c for c in kept if c.person in keys]
    return chosen, kept
