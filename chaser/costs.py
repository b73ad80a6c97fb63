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
from chaser.model import NO_TEAM, Chase, Outcome, Person, Snapshot, Tally
from chaser.periods import Period

UNKNOWN_TEAM = "(unknown)"  # chases of a person the snapshot does not know
UNKNOWN_ADMIN = "(unknown)"  # chases that name no writer (made in code, never read from a ledger)
TOTAL_KEY = "total"
_CENT = Decimal("0.01")
_MINUTES_PER_HOUR = Decimal(60)
_BARRIERS = frozenset(o for o in Outcome if o.is_barrier)  # a set lookup per chase, not a call


@dataclass(frozen=True, slots=True)
class Rates:
    admin_hourly_rate: Decimal
    rep_hourly_rate: Decimal
    rep_minutes_per_chase: int


def rates_for(costs: CostSettings, team: str, admin: str | None = None) -> Rates:
    """The rates of a chase of one team by one admin (a ledger writer id): the
    [costs.teams.<team>] overrides, field by field, over the defaults; then the admin's own
    [costs.admins.<id>] hourly_rate over whichever admin rate that gives. The admin's rate wins
    because it is the price of that admin's hour, whoever they chase; a team's admin rate
    prices the chases of admins who have no rate of their own. Team names match exactly
    first, then ignoring case (CRMs are not consistent); admin ids exactly (they are ids)."""
    over = costs.teams.get(team)
    if over is None:
        folded = team.casefold()
        over = next((t for name, t in costs.teams.items() if name.casefold() == folded), None)

    def pick(name: str):
        value = getattr(over, name) if over is not None else None
        return getattr(costs, name) if value is None else value

    own = costs.admins.get(admin) if admin else None
    return Rates(pick("admin_hourly_rate") if own is None else own, pick("rep_hourly_rate"),
                 pick("rep_minutes_per_chase"))


def unmatched_overrides(costs: CostSettings, teams: Iterable[str]) -> list[str]:
    """[costs.teams.X] tables that match no team: a typo there would silently price that team
    at the default rates, so the faces warn about it."""
    folded = {t.casefold() for t in teams}
    return [name for name in costs.teams if name.casefold() not in folded]


def unmatched_admins(costs: CostSettings, writers: Iterable[str]) -> list[str]:
    """[costs.admins.X] tables that name no writer of the ledger: a typo in an id would price
    that admin at the default rate, so the faces warn about it."""
    known = set(writers)
    return [wid for wid in costs.admins if wid not in known]


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
    # admin (ledger writer id) -> line, most expensive first: name is the name the admin's
    # newest chase was logged under, people the number of people they chased
    by_admin: dict[str, CostLine] = field(default_factory=dict)


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
        if chase.outcome in _BARRIERS:
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


class Prices:
    """Each chase's team and exact rate-minutes and cost, as `summarise` and `priced` (and a
    view that prices a long list only as it is shown) need them.
    Looked up once per (team, admin) and per (team, admin, minutes): a year of a team's
    chases has tens of thousands of chases but a few hundred distinct prices, and Decimal
    arithmetic is what a big report would otherwise spend its time on. Pure caching: the
    values are the ones `rates_for` and `_rate_minutes` give."""

    def __init__(self, costs: CostSettings, people: Sequence[Person]) -> None:
        self.costs = costs
        self.known = {p.key: p for p in people}
        self._rates: dict[tuple[str, str], Rates] = {}
        self._rm: dict[tuple[str, str, int], Decimal] = {}
        self._cost: dict[tuple[str, str, int], Decimal] = {}

    def team(self, chase: Chase) -> str:
        p = self.known.get(chase.person)
        return (p.team or NO_TEAM) if p is not None else UNKNOWN_TEAM

    def rate_minutes(self, chase: Chase, team: str) -> Decimal:
        key = (team, chase.writer, chase.minutes)
        rm = self._rm.get(key)
        if rm is None:
            rates = self._rates.get(key[:2])
            if rates is None:
                rates = self._rates[key[:2]] = rates_for(self.costs, team, chase.writer)
            rm = self._rm[key] = _rate_minutes(chase, rates)
        return rm

    def cost(self, chase: Chase, team: str) -> Decimal:
        """`chase_cost`, unrounded: rate-minutes / 60, divided once per distinct price."""
        key = (team, chase.writer, chase.minutes)
        cost = self._cost.get(key)
        if cost is None:
            cost = self._cost[key] = self.rate_minutes(chase, team) / _MINUTES_PER_HOUR
        return cost


def counted(chases: Iterable[Chase], period: Period) -> list[Chase]:
    """The chases a total counts: not voided, and inside the period."""
    start, end = period.start, period.end  # Period.contains and Chase.voided, inlined: hot
    return [c for c in chases if c.voided_at is None and start <= c.at < end]


def summarise(chases: Iterable[Chase], people: Sequence[Person], costs: CostSettings,
              period: Period) -> CostSummary:
    """Cost per person, per team and in total for the chases inside `period`.

    `people` are the snapshot's people: every active one gets a line (zero when not chased), so
    a view can show everyone; an inactive person gets one only when chased. Chases of a person
    the snapshot does not know are kept under their key with team "(unknown)": the money was
    spent, and hiding it would make the total lie."""
    prices = Prices(costs, people)
    known = prices.known
    persons: dict[str, _Acc] = {p.key: _Acc({p.key}) for p in people if p.active}
    admins: dict[str, _Acc] = {}
    admin_names: dict[str, tuple] = {}  # writer -> (at, name) of their newest chase
    for chase in counted(chases, period):
        rm = prices.rate_minutes(chase, prices.team(chase))
        acc = persons.get(chase.person)
        if acc is None:
            acc = persons[chase.person] = _Acc({chase.person})
        acc.add(chase, rm)
        wid = chase.writer or UNKNOWN_ADMIN
        acc = admins.get(wid)
        if acc is None:
            acc = admins[wid] = _Acc()
        acc.people.add(chase.person)
        acc.add(chase, rm)
        if wid not in admin_names or chase.at >= admin_names[wid][0]:
            admin_names[wid] = (chase.at, chase.by or wid)

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
        by_admin=_by_cost({w: acc.line(w, admin_names[w][1], "") for w, acc in admins.items()}),
    )


def _by_cost(lines: dict[str, CostLine]) -> dict[str, CostLine]:
    return dict(sorted(lines.items(), key=lambda kv: (-kv[1].cost, kv[1].name.casefold(), kv[0])))


def priced(chases: Iterable[Chase], people: Sequence[Person], costs: CostSettings
           ) -> list[tuple[Chase, str, Decimal]]:
    """(chase, team, unrounded cost) for each chase, priced exactly as `summarise` does: for
    detail lists (the HR detail export, the report's barriers) that must add up to its totals."""
    prices = Prices(costs, people)
    out = []
    for chase in chases:
        team = prices.team(chase)
        out.append((chase, team, prices.cost(chase, team)))
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
