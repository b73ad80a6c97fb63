"""Costs: what chasing cost in a period, per team, per person or per admin (whose time), as a
table and a bar chart, and the HR export of the same period.

Every number is a `chaser.costs.CostSummary` (what `chaser costs` prints) and the export is
`chaser.exports.hr_export` + `write_hr` (what `chaser export hr` writes): this screen only
picks the period, lays the lines out and asks where the file goes. The summary is computed
in a worker from the loaded chase log, so a big log never stalls the screen. The period is the
app's (the overview's) until one is picked here (screens/periods.OwnPeriod).
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.markup import escape
from textual.widgets import Header, Static

from chaser.costs import CostLine, CostSummary, cents, money, summarise
from chaser.periods import Period
from chaser.screens.base import ChaserScreen
from chaser.screens.periods import OwnPeriod, pick_period
from chaser.screens.workers import run_blocking
from chaser.views import ViewData
from chaser.widgets.bar_chart import FULL, PART, Bar, BarChart
from chaser.widgets.footer import KeyFooter
from chaser.widgets.table import Column, VirtualTable
from chaser.words import plural


def share(line: CostLine) -> str:
    s = line.barrier_share
    return "—" if s is None else f"{s:.0%}"


BYS = ("team", "person", "admin")  # what `t` cycles through, as `chaser costs --by`


def cost_columns(by: str) -> list[Column]:
    if by == "admin":  # whose time: the writer id, and the name their chases were logged as
        first = [Column("admin", "Admin", lambda r: r.key, width=0),
                 Column("name", "Name", lambda r: r.name.casefold(), lambda r: r.name, width=0)]
    else:
        first = [Column("name", "Team" if by == "team" else "Person",
                        lambda r: r.name.casefold(), lambda r: r.name, width=0)]
    if by == "team":
        first.append(Column("people", "People", lambda r: r.people, width=6, align="right",
                            desc_first=True))
    elif by == "person":
        first.append(Column("team", "Team", lambda r: r.team.casefold(), lambda r: r.team,
                            width=0))
    return [
        *first,
        Column("chases", "Chases", lambda r: r.chases, lambda r: f"{r.chases:,}", width=6,
               align="right", desc_first=True),
        Column("minutes", "Minutes", lambda r: r.minutes, lambda r: f"{r.minutes:,}", width=7,
               align="right", desc_first=True),
        Column("cost", "Cost", lambda r: r.cost, lambda r: f"{cents(r.cost):,.2f}", width=11,
               align="right", desc_first=True),
        Column("barrier", "Barrier", lambda r: r.barrier_share, share, width=7, align="right",
               desc_first=True),
    ]


def bars(lines: list[CostLine], currency: str) -> list[Bar]:
    """Lines that cost something, most expensive first (summarise already sorts them)."""
    return [Bar(line.name, float(line.cost), money(line.cost, currency),
                part=float(line.barrier_cost)) for line in lines if line.cost > 0]


class CostsScreen(OwnPeriod, ChaserScreen):
    DEFAULT_CSS = """
    CostsScreen #costs-period, CostsScreen #costs-total { height: auto; padding: 0 1; }
    CostsScreen #costs-table { height: auto; max-height: 60%; min-height: 5; }
    CostsScreen #costs-chart-title { height: 1; padding: 0 1; background: $panel; }
    CostsScreen #costs-chart-box { height: 1fr; min-height: 3; padding: 0 1; }
    """
    BINDINGS: ClassVar = [
        Binding("p", "pick_period", "Period", id="costs.period",
                tooltip="The period to add up (presets or a custom range)"),
        Binding("t", "toggle_by", "Team/person/admin", id="costs.by",
                tooltip="Costs by team, by person or by admin (whose time; Enter on a team: "
                "its people)"),
        Binding("e", "export", "Export HR CSV", id="costs.export",
                tooltip="Export HR CSV: one file per person, one per chase"),
    ]

    def __init__(self, period: str | None = None, by: str = "team") -> None:
        super().__init__(id="costs")
        self.asked_period = period  # None: the app's period, or the one picked here before
        self.period: Period | None = None
        self.by = by if by in BYS else "team"
        self.summary: CostSummary | None = None
        self.team: str | None = None  # by person: only this team's people (Enter on a team)

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="costs-period")
        yield Static("", id="costs-total")
        yield VirtualTable(cost_columns(self.by), row_key=lambda r: r.key, id="costs-table",
                           empty="Nobody in this period")
        yield Static("", id="costs-chart-title")
        with VerticalScroll(id="costs-chart-box"):
            yield BarChart(empty="No chases cost anything in this period", id="costs-chart")
        yield KeyFooter()  # whole keys only, the screen's first (widgets/footer.py)

    @property
    def table(self) -> VirtualTable:
        return self.query_one("#costs-table", VirtualTable)

    def on_mount(self) -> None:
        if self.asked_period:
            self.own_period = self.asked_period
        self.table.focus()
        if self.data is None:
            self.table.loading = True
        # ChaserScreen.on_mount (called by Textual after this one) paints the data.

    # ---- data --------------------------------------------------------------------------------
    def show_data(self, data: ViewData) -> None:
        """Re-price the period from the fresh log (a voided chase drops out at once)."""
        self.period = period = self.cut_period()  # the app's may have changed ("period")
        costs = self.app.ws.settings.costs
        chases, people = data.chases, data.snapshot.people

        def work() -> CostSummary:
            return summarise(chases, people, costs, period)

        run_blocking(self, work, done=self._show_summary, name="costs", group="costs",
                     exclusive=True)

    def _show_summary(self, summary: CostSummary) -> None:
        self.summary = summary
        self.table.loading = False
        p, t, cur = summary.period, summary.total, summary.currency
        scope = f" · team [b]{escape(self.team)}[/]" if self.by == "person" and self.team else ""
        # No "cost in USD" here: the total line under it names the currency, and this line
        # must fit 80 columns with "(this screen)".
        # A read that left a writer's file out makes every figure here short: said in words.
        left = (f"\n[b]INCOMPLETE[/]: left out {escape(self.data.left_out)} (see the notice)"
                if self.data is not None and self.data.left_out else "")
        self.query_one("#costs-period", Static).update(
            f"Period: [b]{escape(self.period_status(p))}[/] · by [b]{self.by}[/]{scope}{left}")
        # Two short lines, so neither wraps at 80 columns.
        barrier = (f"Barriers (the system's fault) [b]{money(t.barrier_cost, cur)}[/]: "
                   f"{share(t)} of it, {plural(t.barrier_chases, 'chase')}"
                   if t.barrier_chases else "No barrier chases (the system's fault) here")
        self.query_one("#costs-total", Static).update(
            f"Total [b]{money(t.cost, cur)}[/] · {plural(t.chases, 'chase')} · {t.minutes:,} min "
            f"(voided chases excluded)\n{barrier}")
        self._show_lines()

    def _show_lines(self) -> None:
        summary = self.summary
        if summary is None:
            return
        lines = list({"team": summary.by_team, "person": summary.by_person,
                      "admin": summary.by_admin}[self.by].values())
        team = self.team if self.by == "person" else None
        if team is not None:
            lines = [line for line in lines if line.team == team]
        table = self.table
        table.set_columns(cost_columns(self.by))
        table.set_rows(lines)
        idle = sum(1 for line in lines if line.cost <= 0)
        note = f" ({idle} with no cost not shown)" if idle else ""
        # The glyphs carry the meaning; the colours only repeat it.
        self.query_one("#costs-chart-title", Static).update(
            f"Cost by {self.by}{note} · {FULL} other chases  {PART} barrier chases")
        self.query_one("#costs-chart", BarChart).set_bars(bars(lines, summary.currency))

    # ---- actions -----------------------------------------------------------------------------
    def action_pick_period(self) -> None:
        def chosen(text: str) -> None:
            self.own_period = text
            if self.data is not None:
                self.show_data(self.data)

        pick_period(self.app, "Costs over (this screen)", self.period_text, chosen)

    def action_toggle_by(self) -> None:
        self.by = BYS[(BYS.index(self.by) + 1) % len(BYS)]
        self.team = None
        if self.summary is not None:
            self._show_summary(self.summary)

    @on(VirtualTable.Selected, "#costs-table")
    def _open(self, event: VirtualTable.Selected) -> None:
        line: CostLine = event.row
        if self.by == "person":
            self.app.open_person(line.key)
        elif self.by == "team" and self.summary is not None:  # a team opens its people
            self.by, self.team = "person", line.key
            self._show_summary(self.summary)

    # ---- the HR export -----------------------------------------------------------------------
    def action_export(self) -> None:
        from chaser.modals.hr_export import export_hr

        if self.period is None:
            self.notify("Still loading; try again in a moment.", severity="warning")
            return
        export_hr(self, self.period)
