"""The manager's summary of one period: what chasing cost, where, who, which barriers to remove,
whether it worked, and what the open gaps will cost to close. `build` gathers the numbers from
the core (costs, effectiveness, snapshots) on plain data; `render_text`, `render_markdown` and
`to_dict` (JSON) only lay them out, so the CLI, the TUI, an email and a script all say the
same thing. Every figure a reader might check is computed once here, already rounded as shown
(money by `costs.cents`, percentages half up), and the text is formatted from those figures.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from chaser import report_accountability as ra
from chaser.accountability import Accountability
from chaser.audit import Thresholds, teams, tier_of
from chaser.barriers import Barrier, FieldAccess, barriers, field_access
from chaser.config import CostSettings
from chaser.costs import CostSummary, as_of, cents, money, priced, scope_tally, scoped, summarise
from chaser.effectiveness import Effectiveness, judge, projected_cost
from chaser.freshness import as_of_text
from chaser.ledger_status import LedgerRead
from chaser.model import Chase, Snapshot
from chaser.periods import Period
from chaser.report_render import WIDTH, render_markdown, render_text  # noqa: F401 (the API)

FORMATS = ("text", "markdown", "json")
NO_DATA = "no data for the previous period"
_FOOTNOTE = ("A chased gap is closed when a snapshot within {days} days of the chase shows the "
             "chased fields filled; a chase is judged once that window has passed or all its "
             "gaps are closed. Barrier chases are counted in the cost and listed apart. "
             "Voided chases are excluded.")

def percent(part: Decimal | int, whole: Decimal | int) -> int | None:
    """part / whole in whole %, exact and rounded half up as by hand; None for a zero whole."""
    if not whole:
        return None
    return int((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True, slots=True)
class Table:
    headers: tuple[str, ...]
    right: frozenset[int]  # columns aligned right (numbers, money)
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class Projection:
    """open gaps x cost per closed gap, with what that cost is drawn from, so the product can be
    checked by hand: per_gap is judged_cost / gaps_fixed rounded to cents, and cost is exactly
    open_gaps x per_gap."""

    open_gaps: int
    judged_chases: int  # the period's chases whose verdict is in: the basis
    judged_cost: Decimal
    gaps_fixed: int
    per_gap: Decimal | None  # cents; None when no judged chase closed a gap
    cost: Decimal | None


@dataclass(frozen=True, slots=True)
class Report:
    period: Period
    compared: Period  # what the period is set against (`periods.comparison`)
    scope: str  # "all teams" or the team's name
    zone: str
    summary: CostSummary
    previous: CostSummary
    completeness: float | None
    previous_completeness: float | None
    snapshot: Snapshot | None  # the one completeness comes from
    snapshot_at: datetime | None  # its time, in the zone
    effectiveness: Effectiveness
    projection: Projection | None  # None with no snapshot
    team_lines: tuple[dict[str, Any], ...]  # keys TEAM_KEYS
    person_lines: tuple[dict[str, Any], ...]  # keys PERSON_KEYS
    barriers: tuple[Barrier, ...]
    latest_at: datetime | None = None  # of the current snapshot (people, teams, open gaps)
    cannot_edit: FieldAccess | None = None  # blanks not blamed: the owners may not edit them
    ledger: LedgerRead | None = None  # whose ledgers were read; None: not told (plain data)
    admin_lines: tuple[dict[str, Any], ...] = ()  # admin, name, people, chases, minutes, cost
    # chaser.report_accountability: the barrier register (open, and removed in the period),
    # every active person's status, and the newcomers; empty when not given (plain data)
    register: tuple[dict[str, Any], ...] = ()
    status_lines: tuple[dict[str, Any], ...] = ()
    newcomers: tuple[dict[str, Any], ...] = ()

    @property
    def currency(self) -> str:
        return self.summary.currency

    @property
    def open_gaps(self) -> int | None:
        return self.projection.open_gaps if self.projection else None

    @property
    def projected(self) -> Decimal | None:
        return self.projection.cost if self.projection else None

    @property
    def title(self) -> str:
        return f"Chase-cost report: {self.period.label}"

    @property
    def as_of(self) -> str:
        """"as of 2026-12-01 09:12": the snapshot the people, teams and open gaps are from."""
        return "no snapshot yet" if self.latest_at is None else as_of_text(self.latest_at)

    @property
    def subtitle(self) -> str:
        return (f"{self.period.span()} ({self.zone}) · {self.scope} · {self.currency} · "
                f"{self.as_of}")

    @property
    def footnote(self) -> str:
        text = _FOOTNOTE.format(days=self.effectiveness.window_days)
        if self.snapshot_at is not None:
            text += f" Completeness as of the snapshot of {self.snapshot_at:%Y-%m-%d %H:%M}."
        return text

    # ---- the figures, each decided once ----------------------------------------------------
    @property
    def cost_change_pct(self) -> int | None:
        """Cost change vs the compared span, whole %; None when that span holds no chases."""
        before = self.previous.total.cost
        if not self.previous.total.chases or not before:
            return None
        return percent(self.summary.total.cost - before, before)

    @property
    def barrier_share_pct(self) -> int | None:
        t = self.summary.total
        return percent(t.barrier_cost, t.cost)

    @property
    def completeness_change_pts(self) -> float | None:
        if self.completeness is None or self.previous_completeness is None:
            return None
        return round(self.completeness - self.previous_completeness, 1) + 0.0  # no "-0.0"

    @property
    def fix_rate_pct(self) -> int | None:
        t = self.effectiveness.total
        return percent(t.gaps_fixed, t.gaps_chased)

    # ---- text ------------------------------------------------------------------------------
    def headline(self) -> list[tuple[str, str]]:
        s, cur = self.summary.total, self.currency
        notes = []
        change = self.cost_change_pct
        if change is not None:
            notes.append(f"{change:+}% vs {self.compared.label}")
        elif self.previous.total.chases:
            notes.append(f"nothing spent in {self.compared.label}")
        else:
            notes.append(NO_DATA)
        if s.barrier_cost:
            notes.append(f"{money(s.barrier_cost, cur)} of it on barriers "
                         f"({self.barrier_share_pct}%)")
        lines = [("Hidden cost", f"{money(s.cost, cur)} ({'; '.join(notes)})"),
                 ("Chases", f"{s.chases:,}, {s.minutes:,} min ({s.hours:,.1f} h) of admin "
                            f"time; {s.barrier_chases:,} hit a barrier")]
        lines.append(("Completeness", self._completeness()))
        lines.append(("Fix rate", self._fix_text()))
        lines.append(("Open gaps", self._projection_text()))
        if self.ledger is not None:
            lines.append(("Ledgers", self.ledger.text()))
        return lines

    def _completeness(self) -> str:
        if self.completeness is None:
            return "n/a (no snapshot in or before this period)"
        now = f"{self.completeness:.1f}%"
        delta = self.completeness_change_pts
        if delta is None:
            return f"{now} ({NO_DATA})"
        return f"{now} ({delta:+.1f} pts vs {self.compared.label})"

    def _fix_text(self) -> str:
        line, days = self.effectiveness.total, self.effectiveness.window_days
        pending = f"; {_n(line.pending, 'chase')} still inside the window" if line.pending else ""
        if self.fix_rate_pct is None:
            return f"n/a (no chase judged yet{pending})"
        median = (f"; median {line.median_days:.1f} days to the first fix"
                  if line.median_days is not None else "")
        return (f"{self.fix_rate_pct}% of {line.gaps_chased:,} chased gaps closed within "
                f"{days} days; {line.fixed} of {line.judged} chases fully fixed, "
                f"{line.partly} partly{median}{pending}")

    def _projection_text(self) -> str:
        p, cur = self.projection, self.currency
        if p is None:
            return "n/a (no snapshot yet)"
        basis = f"the {_n(p.judged_chases, 'judged chase')} of {self.period.span()}"
        if p.per_gap is None or p.cost is None:
            return (f"{p.open_gaps:,} records; no closed gaps to price them from yet "
                    f"({basis} closed none)" if p.judged_chases else
                    f"{p.open_gaps:,} records; no closed gaps to price them from yet "
                    f"(no chase of {self.period.span()} judged yet)")
        return (f"{p.open_gaps:,} records × {money(p.per_gap, cur)} per gap closed = "
                f"{money(p.cost, cur)} projected to close them (open gaps × cost per closed "
                f"gap; {money(p.per_gap, cur)} = {money(p.judged_cost, cur)} spent on {basis} "
                f"÷ the {_n(p.gaps_fixed, 'gap')} they closed)")

    @property
    def teams(self) -> Table:
        cur = self.currency
        return Table(("Team", "Manager", "People", "Chases", "Minutes", f"Cost {cur}",
                      f"Barriers {cur}", "Complete", "Fix rate"), frozenset({2, 3, 4, 5, 6, 7, 8}),
                     tuple((r["team"], r["manager"] or "", str(r["people"]), f"{r['chases']:,}",
                            f"{r['minutes']:,}", money(r["cost"], ""),
                            money(r["barrier_cost"], ""), _pct(r["completeness_pct"]),
                            _rate(r["fix_rate_pct"])) for r in self.team_lines))

    @property
    def admins(self) -> Table:
        cur = self.currency
        return Table(("Admin", "Name", "People", "Chases", "Minutes", f"Cost {cur}"),
                     frozenset({2, 3, 4, 5}),
                     tuple((r["admin"], r["name"], str(r["people"]), f"{r['chases']:,}",
                            f"{r['minutes']:,}", money(r["cost"], "")) for r in self.admin_lines))

    @property
    def top(self) -> Table:
        cur = self.currency
        return Table(("Person", "Team", "Chases", "Minutes", f"Cost {cur}", "Complete", "Tier",
                      "Fix rate"), frozenset({2, 3, 4, 5, 7}),
                     tuple((r["person"], r["team"], f"{r['chases']:,}", f"{r['minutes']:,}",
                            money(r["cost"], ""), _pct(r["completeness_pct"]), r["tier"] or "–",
                            _rate(r["fix_rate_pct"])) for r in self.person_lines))

    @property
    def register_table(self) -> Table:
        """The barrier register's lines: open barriers, and those removed in the period."""
        return Table(("Person", "Team", "Kind", "Source", "Opened", "Removed", "Days", "Chases",
                      "Fields"), frozenset({6, 7}),
                     tuple((r["person"], r["team"], r["kind"], r["source"], str(r["opened"]),
                            str(r["removed"] or "open"), str(r["age_days"]), str(r["chases"]),
                            ", ".join(r["fields"])) for r in self.register))


def _n(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}%"


def _rate(value: int | None) -> str:
    return "–" if value is None else f"{value}%"


def _in(history: Sequence[Snapshot], period: Period) -> Snapshot | None:
    """The last snapshot taken inside `period`: the state at its end, if it has one."""
    found = as_of(history, period.end)
    return found if found is not None and found.taken_at >= period.start else None


def build(period: Period, compared: Period, chases: Sequence[Chase], latest: Snapshot,
          history: Sequence[Snapshot], costs: CostSettings, tiers: Thresholds, *,
          now: datetime, tz: tzinfo, load: Callable[[Snapshot], Snapshot] | None = None,
          team: str | None = None, top: int = 5, ledger: LedgerRead | None = None,
          acc: Accountability | None = None) -> Report:
    """The report of `period` (optionally one team) against `compared`. `chases` must hold at
    least those of both spans (others are ignored); `latest` is the current snapshot with its
    gaps, `history` every snapshot oldest first (`load` fetches one's gaps). People and teams
    are the latest snapshot's; completeness is the last snapshot's before the period ends,
    compared with the last one inside the compared span; open gaps are today's. `acc` (the
    barrier register, goal weeks, newcomers: chaser.accountability) adds accountability."""
    people, in_period = scoped(latest.people, chases, period, team)
    _, in_compared = scoped(latest.people, chases, compared, team)
    keys = [p.key for p in people]
    summary = summarise(in_period, people, costs, period)
    previous = summarise(in_compared, people, costs, compared)
    eff = judge(in_period, latest.people, history, costs, now=now, load=load)
    snap, old = as_of(history, period.end), _in(history, compared)
    now_tally = scope_tally(snap, keys) if snap else None
    old_tally = scope_tally(old, keys) if old else None
    total = eff.total
    open_gaps = scope_tally(latest, keys).records_with_gaps
    per_gap = total.cost_per_gap
    projection = Projection(open_gaps, total.judged, total.judged_cost, total.gaps_fixed,
                            None if per_gap is None else cents(per_gap),
                            projected_cost(open_gaps, total))

    managers = teams(people)
    team_lines = []
    for name, line in summary.by_team.items():
        members = [k for k in keys if summary.by_person.get(k) and summary.by_person[k].team == name]
        t = scope_tally(snap, members) if snap else None
        fl = eff.by_team.get(name)
        team_lines.append({
            "team": name, "manager": managers[name].manager if name in managers else None,
            "people": line.people, "chases": line.chases, "minutes": line.minutes,
            "cost": line.cost, "barrier_cost": line.barrier_cost,
            "completeness_pct": t.completeness_pct if t else None,
            "fix_rate_pct": percent(fl.gaps_fixed, fl.gaps_chased) if fl else None})
    person_lines = []
    for key, line in list(summary.by_person.items())[:top]:
        if not line.chases:
            break  # sorted by cost: the rest were not chased
        tally = snap.tallies.get(key) if snap else None
        fl = eff.by_person.get(key)
        person_lines.append({
            "person": line.name, "team": line.team, "chases": line.chases,
            "minutes": line.minutes, "cost": line.cost,
            "completeness_pct": tally.completeness_pct if tally else None,
            "tier": tier_of(tally, tiers).value if tally else None,
            "fix_rate_pct": percent(fl.gaps_fixed, fl.gaps_chased) if fl else None})
    return Report(
        period=period, compared=compared,
        scope=f"team {_spelled(team, people)}" if team else "all teams",
        zone=str(tz), summary=summary, previous=previous,
        completeness=now_tally.completeness_pct if now_tally else None,
        previous_completeness=old_tally.completeness_pct if old_tally else None,
        snapshot=snap, snapshot_at=snap.taken_at.astimezone(tz) if snap else None,
        effectiveness=eff, projection=projection,
        team_lines=tuple(team_lines), person_lines=tuple(person_lines),
        barriers=barriers(priced(in_period, people, costs), {p.key: p.name for p in people}),
        latest_at=latest.taken_at.astimezone(tz), ledger=ledger,
        cannot_edit=field_access(latest, people),
        admin_lines=tuple({"admin": k, "name": line.name, "people": line.people,
                           "chases": line.chases, "minutes": line.minutes, "cost": line.cost}
                          for k, line in summary.by_admin.items()),
        register=ra.register_lines(acc, people, period, now=now, tz=tz) if acc else (),
        status_lines=ra.status_lines(acc, people, period, {k: line.chases for k, line in
                                                           summary.by_person.items()},
                                     now=now, tz=tz) if acc else (),
        newcomers=ra.newcomer_lines(acc, people, tz) if acc else (),
    )


def _spelled(team: str, people) -> str:
    """The team's name as the CRM spells it (the user may have typed it in any case)."""
    return next((p.team for p in people if p.team.casefold() == team.strip().casefold()), team)


# ---- rendering: chaser/report_render.py (text, markdown), chaser/report_json.py


def render(report: Report, fmt: str) -> str:
    if fmt == "json":
        from chaser.report_json import render_json  # imports this module: import when used

        return render_json(report)
    return render_markdown(report) if fmt == "markdown" else render_text(report)
