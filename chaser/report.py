"""The manager's summary of one period: what chasing cost, where, who, which barriers to remove,
whether it worked, and what the open gaps will cost to close. `build` gathers the numbers from
the core (costs, effectiveness, snapshots); `render_text` and `render_markdown` only lay them
out, so the CLI, the TUI and an email all say the same thing.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from chaser.audit import teams, tier_of
from chaser.costs import CostSummary, as_of, money, priced, scope_tally, scoped_chases, summarise
from chaser.effectiveness import Effectiveness, FixLine, judge, projected_cost
from chaser.model import Outcome
from chaser.periods import Period

if TYPE_CHECKING:
    from chaser.workspace import Workspace

FORMATS = ("text", "markdown")
WIDTH = 96  # text lines wrap here: fits a terminal beside an editor, and an email
_FOOTNOTE = ("A chased gap is closed when a snapshot within {days} days of the chase shows the "
             "chased fields filled. Barrier chases are counted in the cost and listed apart. "
             "Voided chases are excluded.")

# What to do about each barrier: the report should say how to remove it, not just count it.
REMEDIES = {
    Outcome.BARRIER_ACCESS: ("No access", "grant the missing access or fix field permissions"),
    Outcome.BARRIER_TRAINING: ("Needs training", "schedule training on the fields chased"),
    Outcome.BARRIER_TIME: ("No time", "cut the data-entry load or move the deadline"),
    Outcome.BARRIER_DEPENDENCY: ("Waiting on others", "get the data from whoever owns it"),
}


@dataclass(frozen=True, slots=True)
class Table:
    headers: tuple[str, ...]
    right: frozenset[int]  # columns aligned right (numbers, money)
    rows: tuple[tuple[str, ...], ...]


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


@dataclass(frozen=True, slots=True)
class Report:
    period: Period
    scope: str  # "all teams" or the team's name
    zone: str
    summary: CostSummary
    previous: CostSummary
    completeness: float | None
    previous_completeness: float | None
    snapshot_at: datetime | None  # of the snapshot completeness comes from, in the zone
    effectiveness: Effectiveness
    open_gaps: int | None
    projected: Decimal | None
    teams: Table
    top: Table
    barriers: tuple[Barrier, ...]

    @property
    def currency(self) -> str:
        return self.summary.currency

    @property
    def title(self) -> str:
        return f"Chase-cost report: {self.period.label}"

    @property
    def subtitle(self) -> str:
        return f"{self.period.span()} ({self.zone}) · {self.scope} · {self.currency}"

    @property
    def compared(self) -> str:
        return f"previous {self.period.calendar_days} days"

    @property
    def footnote(self) -> str:
        text = _FOOTNOTE.format(days=self.effectiveness.window_days)
        if self.snapshot_at is not None:
            text += f" Completeness as of the snapshot of {self.snapshot_at:%Y-%m-%d %H:%M}."
        return text

    def headline(self) -> list[tuple[str, str]]:
        s, cur = self.summary.total, self.currency
        cost = money(s.cost, cur)
        notes = []
        if self.previous.total.cost:
            change = (s.cost - self.previous.total.cost) / self.previous.total.cost * 100
            notes.append(f"{change:+.0f}% vs {self.compared}")
        else:
            notes.append(f"nothing spent in the {self.compared}")
        if s.barrier_share:
            notes.append(f"{money(s.barrier_cost, cur)} of it on barriers "
                         f"({s.barrier_share:.0%})")
        lines = [("Hidden cost", f"{cost} ({'; '.join(notes)})"),
                 ("Chases", f"{s.chases:,}, {s.minutes:,} min ({s.hours:,.1f} h) of admin "
                            f"time; {s.barrier_chases:,} hit a barrier")]
        lines.append(("Completeness", self._completeness()))
        lines.append(("Fix rate", _fix_text(self.effectiveness.total,
                                            self.effectiveness.window_days)))
        if self.open_gaps is None:
            lines.append(("Open gaps", "n/a (no snapshot yet)"))
        elif self.projected is None:
            lines.append(("Open gaps", f"{self.open_gaps:,} records; no closed gaps to price "
                                       "them from yet"))
        else:
            per = self.effectiveness.total.cost_per_gap
            lines.append(("Open gaps", f"{self.open_gaps:,} records; projected "
                                       f"{money(self.projected, cur)} to close at "
                                       f"{money(per, cur)} per gap"))
        return lines

    def _completeness(self) -> str:
        if self.completeness is None:
            return "n/a (no snapshot in or before this period)"
        now = f"{self.completeness:.1f}%"
        if self.previous_completeness is None:
            return f"{now} (no snapshot before {self.period.first_day} to compare)"
        delta = round(self.completeness - self.previous_completeness, 1) + 0.0  # no "-0.0"
        return f"{now} ({delta:+.1f} pts vs {self.compared})"


def _fix_text(line: FixLine, days: int) -> str:
    pending = f"; {line.pending} chases still inside the window" if line.pending else ""
    if line.fix_rate is None:
        return f"n/a (no chase judged yet{pending})"
    median = (f"; median {line.median_days:.1f} days to the first fix"
              if line.median_days is not None else "")
    return (f"{line.fix_rate:.0%} of {line.gaps_chased:,} chased gaps closed within {days} days; "
            f"{line.fixed} of {line.judged} chases fully fixed, {line.partly} partly{median}"
            f"{pending}")


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}%"


def _rate(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def build(ws: Workspace, period: Period, team: str | None = None, top: int = 5) -> Report:
    """Gather the report of `period` (optionally one team). People and teams are the current
    snapshot's; completeness is the last snapshot's before the period ends, compared with the
    last one before it starts; open gaps are today's."""
    costs = ws.settings.costs
    latest = ws.snapshot()  # loaded once: it carries the whole gap list
    people, chases = scoped_chases(ws, period, team, latest.people)
    keys = [p.key for p in people]
    summary = summarise(chases, people, costs, period)
    before = period.previous()
    _, old_chases = scoped_chases(ws, before, team, latest.people)
    previous = summarise(old_chases, people, costs, before)
    eff = judge(ws, chases, latest.people)
    history = ws.store.snapshot_history()
    snap, old = as_of(history, period.end), as_of(history, period.start)
    now_tally = scope_tally(snap, keys) if snap else None
    old_tally = scope_tally(old, keys) if old else None
    current = scope_tally(latest, keys)
    cur = summary.currency
    projected = projected_cost(current.records_with_gaps, eff.total)

    managers = teams(people)
    team_rows = []
    for name, line in summary.by_team.items():
        members = [k for k in keys if summary.by_person.get(k) and summary.by_person[k].team == name]
        t = scope_tally(snap, members) if snap else None
        fl = eff.by_team.get(name)
        manager = (managers[name].manager or "") if name in managers else ""
        team_rows.append((name, manager,
                          str(line.people), f"{line.chases:,}", f"{line.minutes:,}",
                          money(line.cost, ""), money(line.barrier_cost, ""),
                          _pct(t.completeness_pct if t else None),
                          _rate(fl.fix_rate if fl else None)))
    person_rows = []
    for key, line in list(summary.by_person.items())[:top]:
        if not line.chases:
            break  # sorted by cost: the rest were not chased
        tally = snap.tallies.get(key) if snap else None
        fl = eff.by_person.get(key)
        person_rows.append((line.name, line.team, f"{line.chases:,}", f"{line.minutes:,}",
                            money(line.cost, ""), _pct(tally.completeness_pct if tally else None),
                            tier_of(tally, ws.settings.tiers).value if tally else "–",
                            _rate(fl.fix_rate if fl else None)))
    return Report(
        period=period, scope=f"team {_spelled(team, people)}" if team else "all teams",
        zone=str(ws.tz), summary=summary, previous=previous,
        completeness=now_tally.completeness_pct if now_tally else None,
        previous_completeness=old_tally.completeness_pct if old_tally else None,
        snapshot_at=snap.taken_at.astimezone(ws.tz) if snap else None, effectiveness=eff,
        open_gaps=current.records_with_gaps, projected=projected,
        teams=Table(("Team", "Manager", "People", "Chases", "Minutes", f"Cost {cur}",
                     f"Barriers {cur}", "Complete", "Fix rate"), frozenset({2, 3, 4, 5, 6, 7, 8}),
                    tuple(team_rows)),
        top=Table(("Person", "Team", "Chases", "Minutes", f"Cost {cur}", "Complete", "Tier",
                   "Fix rate"), frozenset({2, 3, 4, 5, 7}), tuple(person_rows)),
        barriers=_barriers(summary, priced(chases, people, costs), {p.key: p.name for p in people}),
    )


def _spelled(team: str, people) -> str:
    """The team's name as the CRM spells it (the user may have typed it in any case)."""
    return next((p.team for p in people if p.team.casefold() == team.strip().casefold()), team)


def _barriers(summary: CostSummary, chases, names: dict[str, str]) -> tuple[Barrier, ...]:
    out = []
    for outcome, (label, remedy) in REMEDIES.items():
        hits = [(c, cost) for c, _, cost in chases
                if c.outcome is outcome and summary.period.contains(c.at) and not c.voided]
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


# ---- rendering ----------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _plain(text: str, width: int = 28) -> str:
    """CRM text made safe for a terminal (no escape sequences) and cut to a column width."""
    text = _CONTROL.sub(" ", text)
    return text if len(text) <= width else text[: width - 1] + "…"


def _text_table(table: Table, empty: str) -> list[str]:
    if not table.rows:
        return [f"  ({empty})"]
    rows = [tuple(_plain(c) for c in r) for r in table.rows]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(table.headers)]

    def line(cells) -> str:
        return "  " + "  ".join(c.rjust(w) if i in table.right else c.ljust(w)
                                for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    return [line(table.headers), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def render_text(report: Report) -> str:
    title = _plain(report.title, 200)
    out = [title, "=" * len(title), _plain(report.subtitle, 200), ""]
    width = max(len(k) for k, _ in report.headline())
    for k, v in report.headline():
        out += textwrap.wrap(_plain(v, 500), WIDTH, initial_indent=f"  {k.ljust(width)}  ",
                             subsequent_indent=" " * (width + 4))
    out += ["", "Teams", "-----", *_text_table(report.teams, "no teams")]
    out += ["", "People costing most", "-------------------",
            *_text_table(report.top, "nobody was chased in this period")]
    out += ["", "Barriers to remove", "------------------"]
    if not report.barriers:
        out.append("  (no chase hit a barrier in this period)")
    for b in report.barriers:
        out.append(f"  {b.label} ({b.outcome.value}): {b.numbers(report.currency)}")
        out += textwrap.wrap("who: " + ", ".join(_plain(n, 60) for n in b.people), WIDTH,
                             initial_indent="    ", subsequent_indent="         ")
        out.append(f"    fix: {b.remedy}")
    out += ["", *textwrap.wrap(report.footnote, WIDTH)]
    return "\n".join(out) + "\n"


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _md(text: str) -> str:
    """CRM text made inert in markdown: no table breaks, links, emphasis or HTML."""
    return _MD_SPECIAL.sub(r"\\\1", _CONTROL.sub(" ", text))


def _md_table(table: Table, empty: str) -> list[str]:
    if not table.rows:
        return [f"*{empty}*"]
    rule = ["---:" if i in table.right else "---" for i in range(len(table.headers))]
    return ["| " + " | ".join(table.headers) + " |", "| " + " | ".join(rule) + " |",
            *("| " + " | ".join(_md(c) for c in r) + " |" for r in table.rows)]


def render_markdown(report: Report) -> str:
    out = [f"# {_md(report.title)}", "", f"*{_md(report.subtitle)}*", ""]
    out += [f"- **{k}:** {_md(v)}" for k, v in report.headline()]
    out += ["", "## Teams", "", *_md_table(report.teams, "no teams")]
    out += ["", "## People costing most", "",
            *_md_table(report.top, "nobody was chased in this period")]
    out += ["", "## Barriers to remove", ""]
    if not report.barriers:
        out.append("*No chase hit a barrier in this period.*")
    out += [f"- **{b.label}** ({b.outcome.value}): {b.numbers(report.currency)} — "
            f"{', '.join(_md(n) for n in b.people)}. *Remedy:* {b.remedy}."
            for b in report.barriers]
    out += ["", f"*{_md(report.footnote)}*"]
    return "\n".join(out) + "\n"


def render(report: Report, fmt: str) -> str:
    return render_markdown(report) if fmt == "markdown" else render_text(report)
