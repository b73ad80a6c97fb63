"""Chase log: every logged chase, newest first; filter by person, team and period; void one.
The period is the app's (the overview's) until one is picked here (screens/periods.OwnPeriod);
older chases are a custom range away (e.g. 2020-01-01..2026-12-31).

The log can hold years of chases, so it lives in the virtual table (painted line by line).
Voided chases stay listed with the word VOID and their reason: the log is evidence and is
never rewritten; they only stop counting in totals, which come from chaser.costs (`counted`,
`Prices`), the one place that decides what a chase costs. Voiding itself is
`Store.void_chase`, as `chaser chases void` does, run in a worker.

The log is every admin's: the Writer column names whose ledger holds each chase, and `m`
shows only mine (the chases in this installation's ledger: Workspace.writer, the [admin] id
or the login name). While the screen is shown it watches the ledger folder (screens/ledger_watch.py), so another admin's
chase appears without a key press. When a read had to leave a file out, the totals line says
INCOMPLETE and whose months are missing (in words: never by colour alone), as `chaser chases`
warns on stderr.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar, NamedTuple

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.markup import escape
from textual.widgets import Header, Input, Static

from chaser.config import CostSettings
from chaser.costs import Prices, money
from chaser.modals.prompt import PromptModal
from chaser.model import NO_TEAM, Chase
from chaser.periods import Period
from chaser.screens.base import ChaserScreen
from chaser.screens.bindings import BACK
from chaser.screens.ledger_watch import WatchesLedger
from chaser.screens.periods import OwnPeriod, pick_period
from chaser.screens.workers import run_blocking
from chaser.views import ViewData, long_lived
from chaser.widgets.footer import KeyFooter
from chaser.widgets.table import Column, VirtualTable

ALL = "*"  # "no filter" in the person and team pickers


class ChaseLine(NamedTuple):
    """One line of the log: the chase plus the names it is shown and sorted by. A tuple, its
    time text made when a line is drawn and its cost when a total needs it: a log of 100,000
    chases must be ready in a blink, and a total adds only the few thousand shown."""

    chase: Chase
    name: str
    team: str
    prices: Prices  # chaser.costs' pricing: the cost is the one `chaser costs` adds up
    tz: Any = None  # the zone times are shown in

    @property
    def id(self) -> str:
        return self.chase.id

    @property
    def cost(self) -> Decimal:
        """Unrounded, as chaser.costs prices it (counted only when not voided)."""
        return self.prices.cost(self.chase, self.team)

    @property
    def when(self) -> str:
        """Local date and time, e.g. "2026-11-19 14:30"."""
        at = self.chase.at.astimezone(self.tz) if self.tz is not None else self.chase.at
        return at.isoformat(" ", "minutes")[:16]


def chase_lines(data: ViewData, costs: CostSettings) -> list[ChaseLine]:
    """Newest first, with names from the current snapshot (an unknown key shows as itself)
    and teams as chaser.costs prices them. A tenth of a second for 100,000 chases: run it in
    a worker."""
    people, tz = data.people, data.tz
    prices = Prices(costs, data.snapshot.people)
    with long_lived():  # no cyclic GC pass over the log while the lines are made
        return [ChaseLine(c, p.name if (p := people.get(c.person)) else c.person,
                          prices.team(c), prices, tz) for c in reversed(data.chases)]


def columns() -> list[Column]:
    """Sized from the data (widgets/layout.py): when room is short the Writer and then the
    Channel give way (the detail line names both) and the date loses its year, so names keep
    a dozen letters and the word VOID stays in sight."""
    return [
        Column("at", "Date", lambda r: r.chase.at, lambda r: r.when[:10], width=10,
               compact=lambda r: r.when[5:10]),
        Column("person", "Person", lambda r: r.name.casefold(), lambda r: r.name, width=0),
        Column("team", "Team", lambda r: r.team.casefold(), lambda r: r.team, width=0,
               min_width=10),
        Column("channel", "Channel", lambda r: r.chase.channel.value, width=7, short="Chan",
               drop=1),
        Column("minutes", "Min", lambda r: r.chase.minutes, width=4, align="right",
               desc_first=True),
        Column("outcome", "Outcome", lambda r: r.chase.outcome.value, width=18,
               tone=lambda r: "warning" if r.chase.outcome.is_barrier else None),
        Column("writer", "Writer", lambda r: r.chase.writer, width=8, drop=2),
        # The word is the signal; the colour only repeats it.
        Column("void", "Void", lambda r: "VOID" if r.chase.voided else "", width=4,
               tone=lambda r: "error" if r.chase.voided else None),
    ]


def _search_text(r: ChaseLine) -> str:
    c = r.chase
    return "\t".join((r.name, r.team, c.channel.value, c.outcome.value, c.note, c.by,
                      " ".join(c.fields), c.id, c.writer, "void" if c.voided else ""))


class ChaseLogScreen(WatchesLedger, OwnPeriod, ChaserScreen):
    DEFAULT_CSS = """
    ChaseLogScreen #chase-filters { height: auto; padding: 0 1; }
    ChaseLogScreen #chase-detail {
        height: 2; padding: 0 1; background: $panel; text-wrap: nowrap; text-overflow: ellipsis;
    }
    ChaseLogScreen #chase-totals { height: auto; padding: 0 1; }
    ChaseLogScreen #chase-search.hidden { display: none; }
    """
    BINDINGS: ClassVar = [
        Binding("v", "void", "Void", id="chases.void",
                tooltip="Void the selected chase: it stays listed, marked VOID, not counted"),
        Binding("w", "pick_person", "Person", id="chases.person", tooltip="Filter by person"),
        Binding("f", "pick_team", "Team", id="chases.team", tooltip="Filter by team"),
        Binding("p", "pick_period", "Period", id="chases.period", tooltip="Filter by period"),
        Binding("m", "toggle_mine", "Mine", id="chases.mine",
                tooltip="Only the chases I logged (my ledger: [admin] id); m again: everyone's"),
        # Not in the footer (80 columns are few); in help and the palette.
        Binding("x", "clear_filters", "Clear filters", show=False, id="chases.clear",
                tooltip="Person, team and mine back to all, the period back to the app's"),
        Binding("slash", "search", "Search", key_display="/", id="chases.search",
                tooltip="Search person, team, outcome, note and fields"),
        # Escape first closes the search box; when it is closed, escape goes back.
        Binding("escape", "close_search", "Close search", id="chases.close_search"),
        BACK,
    ]

    def __init__(self, person: str | None = None) -> None:
        super().__init__(id="chase-log")
        self.person = person or ALL
        self.team = ALL
        self.mine = False  # only the chases of this installation's writer (m)
        self.period: Period | None = None  # None until the first paint cuts it
        self.searching = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="chase-filters")
        yield VirtualTable(columns(), row_key=lambda r: r.id, search_text=_search_text,
                           empty="No chases match", id="chase-table")
        yield Input(placeholder="search person, team, outcome, note, fields (Escape: close)",
                    id="chase-search", classes="hidden")
        yield Static("", id="chase-detail", markup=False)
        yield Static("", id="chase-totals")
        yield KeyFooter()  # whole keys only, the screen's first (widgets/footer.py)

    @property
    def table(self) -> VirtualTable:
        return self.query_one("#chase-table", VirtualTable)

    def on_mount(self) -> None:
        self.table.focus()
        if self.data is None:
            self.table.loading = True
        # WatchesLedger.on_mount starts watching the ledger folder, and ChaserScreen.on_mount
        # (Textual calls both after this one) paints the data.

    def show_data(self, data: ViewData) -> None:
        self.period = self.cut_period()  # the app's may have changed (DataChanged "period")
        costs = self.app.ws.settings.costs
        run_blocking(self, lambda: chase_lines(data, costs), done=self._show_lines,
                     name="chase-lines", group="chase-lines", exclusive=True)

    def _show_lines(self, lines: list[ChaseLine]) -> None:
        table = self.table
        table.loading = False
        table.set_rows(lines, predicate=self._filter())  # filtered once, as shown
        self._show_status()

    # ---- filtering ---------------------------------------------------------------------------
    def _filter(self):
        person, team, period = self.person, self.team, self.period
        start, end = (period.start, period.end) if period is not None else (None, None)
        me = self.me if self.mine else None
        if person == ALL and team == ALL and me is None:
            if period is None:  # before the first paint
                return None
            return lambda r: start <= r.chase.at < end  # the usual case, on every row: lean
        return (lambda r: (person == ALL or r.chase.person == person)
                and (team == ALL or r.team == team)
                and (me is None or r.chase.writer == me)
                and (period is None or start <= r.chase.at < end))

    @property
    def me(self) -> str:
        """The writer id this installation logs as (an attribute: no file is read)."""
        return self.app.ws.writer.id

    def _apply_filters(self) -> None:
        self.table.set_filter(self._filter())
        self._show_status()

    def _show_status(self) -> None:
        data = self.data
        if data is None:
            return
        who = "all" if self.person == ALL else self._person_name(self.person)
        team = "all" if self.team == ALL else self.team
        when = "" if self.period is None else self.period_status(self.period)
        needle = self.query_one("#chase-search", Input).value.strip()
        # Names and search text are data: escaped, so a "[" in them is shown, not parsed.
        parts = [f"Person: [b]{escape(who)}[/]", f"Team: [b]{escape(team)}[/]",
                 f"Period: [b]{escape(when)}[/]"]
        if self.mine:
            parts.insert(0, f"[b]Mine[/] ({escape(self.me)})")
        if needle:
            parts.append(f"Search: [b]{escape(needle)}[/]")
        self.query_one("#chase-filters", Static).update(" · ".join(parts))
        self._show_totals(data)
        self._show_detail(self.table.current)

    def _show_totals(self, data: ViewData) -> None:
        shown = self.table.shown
        live = [r for r in shown if not r.chase.voided]  # chaser.costs.counted's rule
        void = len(shown) - len(live)
        currency = self.app.ws.settings.costs.currency
        # Summed exactly, rounded once by `money`, as chaser.costs totals are.
        cost = sum((r.cost for r in live), Decimal(0))
        minutes = sum(r.chase.minutes for r in live)
        left = (f"\n[b]INCOMPLETE[/]: left out {escape(data.left_out)} (see the notice)"
                if data.left_out else "")
        self.query_one("#chase-totals", Static).update(
            f"[b]{len(shown):,}[/]/{len(data.chases):,} shown · counted [b]{len(live):,}[/]: "
            f"[b]{minutes:,}[/] min, [b]{money(cost, currency)}[/]"
            + (f" · {void:,} VOID not counted" if void else "") + left)

    def _show_detail(self, row: ChaseLine | None) -> None:
        box = self.query_one("#chase-detail", Static)
        if row is None:
            box.update("")
            return
        c = row.chase
        # The row shows person, channel, minutes and outcome; this adds what it cannot.
        by = c.by if c.by and c.by != c.writer else ""
        first = (f"{c.id} · {row.when} · by {c.writer or '—'}{f' ({by})' if by else ''} · "
                 f"fields: {', '.join(c.fields) or '—'}")
        tz = self.data.tz if self.data is not None else None
        if c.voided and c.voided_at is not None:
            at = c.voided_at.astimezone(tz) if tz is not None else c.voided_at
            second = f"VOID since {at:%Y-%m-%d %H:%M}: {c.void_reason} (not counted)"
        else:
            second = f"note: {c.note}" if c.note else "no note"
        box.update(f"{first}\n{second}")

    def _person_name(self, key: str) -> str:
        p = self.data.person(key) if self.data is not None else None
        return p.name if p is not None else key

    @on(VirtualTable.Highlighted, "#chase-table")
    def _highlighted(self, event: VirtualTable.Highlighted) -> None:
        self._show_detail(event.row)

    @on(VirtualTable.Selected, "#chase-table")
    def _open_person(self, event: VirtualTable.Selected) -> None:
        self.app.open_person(event.row.chase.person)

    # ---- filter actions ----------------------------------------------------------------------
    def action_pick_person(self) -> None:
        from chaser.modals.picker import Picker

        data = self.data
        if data is None:
            return
        chased = {c.person for c in data.chases}
        keys = sorted(chased | {p.key for p in data.snapshot.people if p.active},
                      key=lambda k: self._person_name(k).casefold())
        options = [(ALL, "All people")]
        for k in keys:
            p = data.person(k)
            options.append((k, f"{p.name} ({p.team})" if p else f"{k} (not in the snapshot)"))

        def chosen(key: str | None) -> None:
            if key is not None:
                self.person = key
                self._apply_filters()

        self.app.push_screen(Picker("Filter by person", options, self.person), chosen)

    def action_pick_team(self) -> None:
        from chaser.modals.picker import Picker

        data = self.data
        if data is None:
            return
        teams = sorted({(p.team or NO_TEAM) for p in data.snapshot.people}
                       | {r.team for r in self.table.rows})
        options = [(ALL, "All teams"), *((t, t) for t in teams)]

        def chosen(team: str | None) -> None:
            if team is not None:
                self.team = team
                self._apply_filters()

        self.app.push_screen(Picker("Filter by team", options, self.team), chosen)

    def action_pick_period(self) -> None:
        def chosen(text: str) -> None:
            self.own_period = text
            self.period = self.cut_period()
            self._apply_filters()

        pick_period(self.app, "Show chases from (this screen)", self.period_text, chosen)

    def action_toggle_mine(self) -> None:
        self.mine = not self.mine
        self._apply_filters()

    def action_clear_filters(self) -> None:
        """Person, team and mine back to all, the period back to the app's."""
        self.person, self.team, self.own_period, self.mine = ALL, ALL, None, False
        self.period = self.cut_period()
        self._apply_filters()

    def action_search(self) -> None:
        box = self.query_one("#chase-search", Input)
        box.remove_class("hidden")
        box.focus()
        self._set_searching(True)

    def action_close_search(self) -> None:
        box = self.query_one("#chase-search", Input)
        box.value = ""
        box.add_class("hidden")
        self.table.focus()
        self._set_searching(False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "close_search":  # hidden from the footer while there is nothing to close
            return self.searching
        return True

    @on(Input.Changed, "#chase-search")
    def _search(self, event: Input.Changed) -> None:
        self.table.search(event.value)
        self._show_status()

    @on(Input.Submitted, "#chase-search")
    def _keep_search(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            event.input.add_class("hidden")
            self._set_searching(False)
        self.table.focus()

    def _set_searching(self, on: bool) -> None:
        self.searching = on
        self.refresh_bindings()

    # ---- voiding -----------------------------------------------------------------------------
    def action_void(self) -> None:
        row: ChaseLine | None = self.table.current
        if row is None:
            self.notify("No chase selected.", severity="warning")
            return
        c = row.chase
        if c.voided:
            self.notify(f"Chase {c.id} is already VOID: {c.void_reason}", severity="warning",
                        markup=False)
            return
        body = (f"{row.when} · {row.name} ({row.team}) · {c.channel.value} · {c.minutes} min · "
                f"{c.outcome.value}\n\nThe chase stays in the log, marked VOID with your reason, "
                "and stops counting in every total and export.")

        def confirmed(reason: str | None) -> None:
            if reason:
                self._void(c.id, reason)

        self.app.push_screen(PromptModal(f"Void chase {c.id}?", body, label="Reason",
                                         placeholder="e.g. logged twice, wrong person",
                                         confirm="Void chase", danger=True), confirmed)

    def _void(self, chase_id: str, reason: str) -> None:
        ws = self.app.ws

        def work() -> Chase:
            return ws.store.void_chase(chase_id, reason, at=ws.now())

        def done(chase: Chase) -> None:
            from chaser.screens.undo import remember

            self.notify(f"Voided chase {chase.id}: {reason} (u undoes)", title="Chase voided",
                        markup=False)
            remember(self.app, "void", chase, self._person_name(chase.person))
            self.app.reload("chase voided", chases_only=True)

        run_blocking(self, work, done=done, name="void-chase")
