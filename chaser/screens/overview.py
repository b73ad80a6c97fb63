"""Overview (home): the org's headline numbers, its completeness trend, and the people table,
which `g` turns into teams and fields (screens/overview_rollups.py).

Every number comes from ViewData (audit tallies and tiers, costs.summarise, chaser.rollups);
this screen only lays them out, sorts and filters. The headline says what the people figures
leave out (rollups.left_out: the buckets `chaser gaps --by bucket` lists) and `b` lists it.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.markup import escape
from textual.widgets import Header, Input, Static

from chaser import access
from chaser.model import Bucket, Tier
from chaser.rollups import left_out
from chaser.screens.bindings import NAV
from chaser.screens.overview_marks import MARK_KEYS, ChaseMany
from chaser.screens.overview_mine import ChasedByMe
from chaser.screens.overview_rollups import RollupViews
from chaser.view_lines import PersonLine, person_lines
from chaser.views import ViewData
from chaser.views_acc import NEWCOMER_MARK
from chaser.widgets.footer import KeyFooter
from chaser.widgets.table import Column, VirtualTable
from chaser.widgets.trend import Trend
from chaser.words import plural

ALL_TEAMS = "*"
# Tier is always written out; the colour only repeats it (never colour alone).
TIER_TONE = {Tier.GRADE_A: "success", Tier.MODERATE: None, Tier.INEFFECTIVE: "warning",
             Tier.NONE: "error"}


def _num(v) -> str:
    return "" if v is None else f"{v:,}"


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v:.1f}"


def plural_b(n: int, one: str) -> str:
    """"[b]49[/] people": the count in bold, its noun as `words.plural` writes it."""
    count, _, noun = plural(n, one).partition(" ")
    return f"[b]{count}[/] {noun}"


def _cost(v) -> str:
    if v is None:
        return "—"
    from chaser.costs import cents

    return f"{cents(v):,.2f}"


def people_columns(goals: int = 0) -> list[Column]:
    # short/drop/min_width: at 60 columns Goal, Records then Chases give way to the names
    # (widgets/layout.py); the person screen has all three. A newcomer who has entered
    # nothing is flagged before the name (NEWCOMER_MARK: a sign, not a colour).
    # `goals`: how many are set. One: the cell is its progress this week ("3/5"); more: the
    # goals met this week of those that apply ("1/2"), each goal in the detail line.
    goal = [Column("goal", "Goal" if goals == 1 else "Goals met", lambda r: r.goal_share,
                   lambda r: r.goal, width=5, short="Goal" if goals == 1 else "Met",
                   drop=3)] if goals else []
    return [
        Column("name", "Name", lambda r: r.name.casefold(),
               lambda r: NEWCOMER_MARK + r.name if r.newcomer else r.name, width=0),
        Column("team", "Team", lambda r: r.team.casefold(), lambda r: r.team, width=0,
               min_width=10),
        Column("tier", "Tier", lambda r: list(Tier).index(r.tier), lambda r: r.tier.value,
               width=11, tone=lambda r: TIER_TONE[r.tier]),
        Column("records", "Records", lambda r: r.records, lambda r: _num(r.records), width=7,
               align="right", desc_first=True, short="Recs", drop=2),
        Column("gaps", "Gaps", lambda r: r.with_gaps, lambda r: _num(r.with_gaps), width=6,
               align="right", desc_first=True),
        Column("pct", "Compl%", lambda r: r.pct, lambda r: _pct(r.pct), width=6, align="right",
               short="Cpl%"),
        Column("chases", "Chases", lambda r: r.chases, lambda r: _num(r.chases), width=6,
               align="right", desc_first=True, short="Chs", drop=1),
        Column("cost", "Cost", lambda r: r.cost, lambda r: _cost(r.cost), width=10,
               align="right", desc_first=True),
        *goal,  # last: the sort keys 1-8 stay where they were before goals were set
    ]


class OverviewScreen(RollupViews, ChaseMany, ChasedByMe):  # marks, c, e; m: by me
    DEFAULT_CSS = """
    OverviewScreen #detail {
        height: 1; padding: 0 1; background: $panel; text-wrap: nowrap; text-overflow: ellipsis;
    }
    """
    BINDINGS: ClassVar = [
        Binding("g", "cycle_view", "View", id="overview.view",
                tooltip="People / teams / fields (Enter on a team: its people; on a field: "
                        "who misses it and on which records)"),
        Binding("slash", "search", "Find", key_display="/", id="overview.search",
                tooltip="Find in the table shown: people, teams, fields or records"),
        Binding("f", "pick_team", "Team", id="overview.team",
                tooltip="Filter by team: its people, its team row, the fields its people "
                        "leave blank, their records"),
        Binding("p", "pick_period", "Period", id="overview.period",
                tooltip="The app's period: the headline, the chases and cost columns, and "
                        "the costs screen and chase log"),
        Binding("b", "left_out", "Left out", show=False, id="overview.left_out",
                tooltip="The records the figures leave out: inactive and unknown owners, "
                        "queues, blanks the owner cannot edit (as chaser gaps --by bucket)"),
        Binding("escape", "clear", "Clear", show=False, id="overview.clear",
                tooltip="Close the search, then back out of a drill-down, then clear the "
                        "team filter"),
        *MARK_KEYS,  # space mark, c chase, e drafts: chase many (screens/overview_marks.py)
        *NAV,  # home shows the screen keys; pushed screens keep them quiet (see common.py)
    ]

    def __init__(self) -> None:
        super().__init__(id="overview")
        self.team = ALL_TEAMS
        self._goals_shown = 0  # how many goals the people table's Goal column is for
        self.init_rollups()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="headline")
        yield Trend("Org completeness", id="org-trend")
        yield Static("", id="filters")
        yield VirtualTable(people_columns(), row_key=lambda r: r.key, id="people",
                           search_text=lambda r: f"{r.name}\t{r.team}\t{r.tier.value}",
                           empty="No people match")
        yield from self.compose_rollups()  # teams, fields, records, left out: hidden
        yield Input(placeholder="search name, team or tier (Enter: keep, Escape: clear)",
                    id="search", classes="hidden")
        yield KeyFooter()  # whole keys only, the screen's first (widgets/footer.py)

    def on_mount(self) -> None:
        table = self.people_table
        table.focus()
        if self.data is None:  # first start: the load (maybe the demo seed) runs in a worker
            table.loading = True
            demo = self.app.ws.is_demo
            self.query_one("#headline", Static).update(
                "Opening the demo org (the first start builds 12 weeks of history)…"
                if demo else "Loading the latest snapshot…")

    @property
    def table(self) -> VirtualTable:
        """The table of the view shown (people, teams, fields, records or left out)."""
        return self.query_one(f"#{self.view}", VirtualTable)

    @property
    def people_table(self) -> VirtualTable:
        return self.query_one("#people", VirtualTable)

    def show_data(self, data: ViewData) -> None:
        self._show_headline(data)
        self.query_one(Trend).show(data.trend())
        table = self.people_table
        if table.loading:
            table.loading = False
            table.focus()  # the loading indicator took the focus away
            self.call_after_refresh(self.refresh_bindings)  # and the footer must hear of it
        goals = data.acc.goal_count if data.acc is not None else 0
        if goals != self._goals_shown:  # a goal set or dropped
            self._goals_shown = goals
            base = {c.key for c in people_columns(1)}
            table.set_columns([*people_columns(goals),  # and keep "By me" (m) if shown
                               *(c for c in table.columns if c.key not in base)])
            self._mark_column(table)
        table.set_rows(person_lines(data))
        self.show_rollups(data)
        if self.team != ALL_TEAMS and self.team not in data.teams:
            self.set_team(ALL_TEAMS)
        self._show_detail()
        self._show_filters()

    def _show_headline(self, data: ViewData) -> None:
        from chaser.screens.periods import describe

        org, costs = data.org, data.costs
        cost = data.money(costs.total.cost) if costs is not None else "—"
        chases = f" ({plural(costs.total.chases, 'chase')})" if costs is not None else ""
        # Under 80 columns the same figures in fewer words (the filters line has the period's
        # name), so that the table keeps some rows at 60x20.
        narrow = 0 < self.size.width < 80
        period = (data.period.span() if ".." in data.period.label else data.period.label) \
            if narrow else describe(data.period)
        # The people's figures, as `chaser gaps` counts them; what they leave out (inactive
        # people, owner buckets, blanks the owner cannot edit) is said under them, with its key.
        self.query_one("#headline", Static).update(
            f"{plural_b(len(data.rows), 'person')} · {plural_b(org.records, 'record')} · "
            f"[b]{org.records_with_gaps:,}[/] {'gaps' if narrow else 'with gaps'} · "
            f"[b]{_pct(org.completeness_pct)}%[/] complete\n"
            f"Chase cost {escape(period)}: [b]{cost}[/]{chases}"
            + "".join(f"\n{escape(line)}" for line in self._left_out_lines(data, narrow))
            + self._newcomers_line(data))

    @staticmethod
    def _newcomers_line(data: ViewData) -> str:
        """Said once a newcomer has gone a week with nothing entered (`chaser newcomers`)."""
        n = len(data.acc.newcomers) if data.acc is not None else 0
        if not n:
            return ""
        who = "newcomer" if n == 1 else "newcomers"  # one line at 60 columns too
        return f"\n{NEWCOMER_MARK}{n} {who} with nothing entered yet (chaser newcomers)"

    def on_resize(self) -> None:
        if self.data is not None:
            self._show_headline(self.data)

    @staticmethod
    def _left_out_lines(data: ViewData, narrow: bool = False) -> list[str]:
        """What the figures above leave out, and the key that lists it: inactive people and
        owner buckets, then the cannot-edit bucket on its own line, with what to do."""
        if narrow:  # one line (two at 60): the buckets by name, `b` lists their figures
            note = left_out(data.snapshot)
            return [f"Not blamed (b): {note}"] if note else []
        lines = []
        if note := left_out(data.snapshot, cannot_edit=False):
            lines.append(f"Not blamed (b): {note}")
        if note := access.bucket_note(data.snapshot.buckets.get(Bucket.CANNOT_EDIT.value)):
            lines.append(note if lines else f"{note} (b)")
        return lines

    def _show_filters(self) -> None:
        data, table = self.data, self.table
        period = data.period.label if data is not None else ""
        needle = self.query_one("#search", Input).value.strip()
        team = "all" if self.team == ALL_TEAMS else self.team
        # Team names and the search text are data: escaped, so a "[" is shown, not parsed.
        parts = [f"View: [b]{escape(self.view_label())}[/]", f"Team: [b]{escape(team)}[/]",
                 f"Period: [b]{escape(period)}[/]", f"{table.row_count:,} shown"]
        if needle:
            parts.append(f"Search: [b]{escape(needle)}[/]")
        if self.drilled:
            parts.append("Esc: back")
        self.query_one("#filters", Static).update(" · ".join(parts))

    # ---- actions -----------------------------------------------------------------------------
    def set_team(self, team: str) -> None:
        self.team = team
        self.people_table.set_filter(None if team == ALL_TEAMS else (lambda r: r.team == team))
        self.team_filter(team)  # the roll-ups' tables too
        self._show_filters()

    def action_pick_team(self) -> None:
        from chaser.modals.picker import Picker

        if self.data is None:
            return
        options = [(ALL_TEAMS, "All teams"), *((t, t) for t in self.data.teams)]

        def chosen(team: str | None) -> None:
            if team is not None:
                self.set_team(team)

        self.app.push_screen(Picker("Filter by team", options, self.team), chosen)

    def action_pick_period(self) -> None:
        from chaser.screens.periods import pick_period

        pick_period(self.app, "Period of every screen", self.app.period_text,
                    self.app.set_period)

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
        # The marks of a chase of many (screens/overview_marks.py), then out of a drill-down
        # or the left-out view.
        elif self.clear_marks() or self.step_back():
            return
        elif self.team != ALL_TEAMS:
            self.set_team(ALL_TEAMS)
        elif self.view != "people":
            self.set_view("people")

    @on(Input.Changed, "#search")
    def _search(self, event: Input.Changed) -> None:
        self.searched[self.view] = event.value
        self.table.search(event.value)
        self._show_filters()

    @on(Input.Submitted, "#search")
    def _keep_search(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            event.input.add_class("hidden")
        self.table.focus()

    @on(VirtualTable.Selected)
    def _open(self, event: VirtualTable.Selected) -> None:
        if event.table.id != self.view or self.drill(event.row):
            return
        row: PersonLine = event.row  # or a RecordLine: both carry the person's key
        self.app.open_person(row.key)
