"""Overview (home): the org's headline numbers, its completeness trend, and the people table.

Every number comes from ViewData (audit tallies and tiers, costs.summarise); this screen only
lays them out, sorts and filters.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.markup import escape
from textual.widgets import Footer, Header, Input, Static

from chaser import access
from chaser.model import Bucket, Tier
from chaser.screens.common import NAV, ChaserScreen
from chaser.views import PersonLine, ViewData, person_lines
from chaser.widgets.table import Column, VirtualTable
from chaser.widgets.trend import Trend

ALL_TEAMS = "*"
# Tier is always written out; the colour only repeats it (never colour alone).
TIER_TONE = {Tier.GRADE_A: "success", Tier.MODERATE: None, Tier.INEFFECTIVE: "warning",
             Tier.NONE: "error"}


def _num(v) -> str:
    return "" if v is None else f"{v:,}"


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v:.1f}"


def _cost(v) -> str:
    if v is None:
        return "—"
    from chaser.costs import cents

    return f"{cents(v):,.2f}"


def people_columns() -> list[Column]:
    return [
        Column("name", "Name", lambda r: r.name.casefold(), lambda r: r.name, width=0),
        Column("team", "Team", lambda r: r.team.casefold(), lambda r: r.team, width=0),
        Column("tier", "Tier", lambda r: list(Tier).index(r.tier), lambda r: r.tier.value,
               width=11, tone=lambda r: TIER_TONE[r.tier]),
        Column("records", "Records", lambda r: r.records, lambda r: _num(r.records), width=7,
               align="right", desc_first=True),
        Column("gaps", "Gaps", lambda r: r.with_gaps, lambda r: _num(r.with_gaps), width=6,
               align="right", desc_first=True),
        Column("pct", "Compl%", lambda r: r.pct, lambda r: _pct(r.pct), width=6, align="right"),
        Column("chases", "Chases", lambda r: r.chases, lambda r: _num(r.chases), width=6,
               align="right", desc_first=True),
        Column("cost", "Cost", lambda r: r.cost, lambda r: _cost(r.cost), width=10,
               align="right", desc_first=True),
    ]


class OverviewScreen(ChaserScreen):
    BINDINGS: ClassVar = [
        Binding("slash", "search", "Find", key_display="/", id="overview.search",
                tooltip="Find people by name, team or tier"),
        Binding("f", "pick_team", "Team", id="overview.team",
                tooltip="Filter the people table by team"),
        Binding("p", "pick_period", "Period", id="overview.period",
                tooltip="The app's period: the headline, the chases and cost columns, and "
                        "the costs screen and chase log"),
        Binding("escape", "clear", "Clear", show=False, id="overview.clear",
                tooltip="Close the search, then clear the team filter"),
        *NAV,  # home shows the screen keys; pushed screens keep them quiet (see common.py)
    ]

    def __init__(self) -> None:
        super().__init__(id="overview")
        self.team = ALL_TEAMS

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="headline")
        yield Trend("Org completeness", id="org-trend")
        yield Static("", id="filters")
        yield VirtualTable(people_columns(), row_key=lambda r: r.key, id="people",
                           search_text=lambda r: f"{r.name}\t{r.team}\t{r.tier.value}",
                           empty="No people match")
        yield Input(placeholder="search name, team or tier (Enter: keep, Escape: clear)",
                    id="search", classes="hidden")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one(VirtualTable)
        table.focus()
        if self.data is None:  # first start: the load (maybe the demo seed) runs in a worker
            table.loading = True
            demo = getattr(self.app, "ws", None) is not None and self.app.ws.is_demo
            self.query_one("#headline", Static).update(
                "Opening the demo org (the first start builds 12 weeks of history)…"
                if demo else "Loading the latest snapshot…")

    @property
    def table(self) -> VirtualTable:
        return self.query_one("#people", VirtualTable)

    def show_data(self, data: ViewData) -> None:
        from chaser.screens.confirm import describe

        org = data.org
        costs = data.costs
        cost = data.money(costs.total.cost) if costs is not None else "—"
        chases = f" ({costs.total.chases:,} chases)" if costs is not None else ""
        self.query_one("#headline", Static).update(
            f"[b]{len(data.rows):,}[/] people · [b]{org.records:,}[/] records · "
            f"[b]{_pct(org.completeness_pct)}%[/] complete · "
            f"[b]{org.records_with_gaps:,}[/] open gaps\n"
            f"Chase cost {escape(describe(data.period))}: [b]{cost}[/]{chases}"
            # Blanks their owners may not edit: not in the figures above (chaser.access).
            + (f"\n{escape(note)}" if (note := access.bucket_note(
                data.snapshot.buckets.get(Bucket.CANNOT_EDIT.value))) else ""))
        self.query_one(Trend).show(data.trend())
        table = self.table
        if table.loading:
            table.loading = False
            table.focus()  # the loading indicator took the focus away
            self.call_after_refresh(self.refresh_bindings)  # and the footer must hear of it
        table.set_rows(person_lines(data))
        if self.team != ALL_TEAMS and self.team not in data.teams:
            self.set_team(ALL_TEAMS)
        self._show_filters()

    def _show_filters(self) -> None:
        data, table = self.data, self.table
        period = data.period.label if data is not None else ""
        needle = self.query_one("#search", Input).value.strip()
        team = "all" if self.team == ALL_TEAMS else self.team
        # Team names and the search text are data: escaped, so a "[" is shown, not parsed.
        parts = [f"Team: [b]{escape(team)}[/]", f"Period: [b]{escape(period)}[/]",
                 f"{table.row_count:,} shown"]
        if needle:
            parts.append(f"Search: [b]{escape(needle)}[/]")
        self.query_one("#filters", Static).update(" · ".join(parts))

    # ---- actions -----------------------------------------------------------------------------
    def set_team(self, team: str) -> None:
        self.team = team
        self.table.set_filter(None if team == ALL_TEAMS else (lambda r: r.team == team))
        self._show_filters()

    def action_pick_team(self) -> None:
        from chaser.screens.picker import Picker

        if self.data is None:
            return
        options = [(ALL_TEAMS, "All teams"), *((t, t) for t in self.data.teams)]

        def chosen(team: str | None) -> None:
            if team is not None:
                self.set_team(team)

        self.app.push_screen(Picker("Filter by team", options, self.team), chosen)

    def action_pick_period(self) -> None:
        from chaser.periods import DEFAULT_PERIOD
        from chaser.screens.confirm import pick_period

        current = getattr(self.app, "period_text", DEFAULT_PERIOD)
        pick_period(self.app, "Period of every screen", current,
                    self.app.set_period)  # type: ignore[attr-defined]

    def action_search(self) -> None:
        box = self.query_one("#search", Input)
        box.remove_class("hidden")
        box.focus()

    def action_clear(self) -> None:
        box = self.query_one("#search", Input)
        if box.value or not box.has_class("hidden"):
            box.value = ""
            box.add_class("hidden")
            self.table.focus()
        elif self.team != ALL_TEAMS:
            self.set_team(ALL_TEAMS)

    @on(Input.Changed, "#search")
    def _search(self, event: Input.Changed) -> None:
        self.table.search(event.value)
        self._show_filters()

    @on(Input.Submitted, "#search")
    def _keep_search(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            event.input.add_class("hidden")
        self.table.focus()

    @on(VirtualTable.Selected, "#people")
    def _open(self, event: VirtualTable.Selected) -> None:
        row: PersonLine = event.row
        self.app.open_person(row.key)  # type: ignore[attr-defined]
