"""Person: who they are, their completeness trend, their gap records and their chase history.

Actions: c log a chase, t chase timer (stopping opens the log with the minutes filled in),
e draft a chase email of the gap records shown (copied to the clipboard; l in the draft logs
it), o open the record, v void a chase of the history, n add a note (screens/person_more.py).
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.markup import escape
from textual.widgets import Header, Input, Label, Static

from chaser import access
from chaser.drafting import draft_message
from chaser.model import Chase
from chaser.screens.person_barriers import BARRIER_KEYS, PersonBarriers, accountability_lines
from chaser.screens.person_more import PERSON_KEYS, PersonMore
from chaser.screens.workers import run_blocking
from chaser.view_lines import GapLine, gap_lines, missing_fields
from chaser.views import ViewData
from chaser.widgets.footer import KeyFooter
from chaser.widgets.table import Column, VirtualTable
from chaser.widgets.timer import ChaseTimer, whole_minutes
from chaser.widgets.trend import Trend

BIG = 2000  # gap lists longer than this are built in a worker, so the screen paints at once


def gap_search_text(g: GapLine) -> str:
    return f"{g.object}\t{g.record_name}\t{g.missing}".casefold()


def gap_columns() -> list[Column]:
    return [
        Column("object", "Object", lambda g: g.object, width=11),
        Column("record", "Record", lambda g: g.record_name.casefold(), lambda g: g.record_name,
               width=0),
        Column("missing", "Missing fields", lambda g: g.missing, width=0),
        Column("modified", "Modified", lambda g: g.modified or None, width=10),
        Column("age", "Age d", lambda g: g.age, lambda g: "" if g.age is None else f"{g.age:,}",
               width=6, align="right", desc_first=True),
    ]


def chase_columns(tz) -> list[Column]:
    def muted(c: Chase) -> str | None:
        return "muted" if c.voided else None

    return [
        Column("at", "When", lambda c: c.at, lambda c: c.at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
               width=16, tone=muted, desc_first=True),
        Column("channel", "Channel", lambda c: c.channel.value, width=7, tone=muted),
        Column("minutes", "Min", lambda c: c.minutes, width=4, align="right", tone=muted),
        Column("outcome", "Outcome", lambda c: c.outcome.value, width=18,
               tone=lambda c: "muted" if c.voided else "warning" if c.outcome.is_barrier else None),
        Column("fields", "Fields / note", lambda c: ", ".join(c.fields),
               lambda c: ("VOID " if c.voided else "") + "; ".join(
                   x for x in (", ".join(c.fields), c.note) if x), width=0, tone=muted),
    ]


class PersonScreen(PersonBarriers, PersonMore):  # notes, void, drafts as shown; r: barriers
    BINDINGS: ClassVar = [
        Binding("escape", "leave", "Back", id="person.back"),
        Binding("c", "log_chase", "Log chase", id="person.log_chase",
                tooltip="Log a chase of this person"),
        Binding("t", "timer", "Timer", id="person.timer",
                tooltip="Start or stop a chase timer; stopping opens the log with the minutes"),
        Binding("e", "draft", "Draft", id="person.draft",
                tooltip="Draft a chase email listing the gap records shown (copied to the clipboard)"),
        Binding("o", "open_record", "Open", id="person.open_record",
                tooltip="Open the selected record in the CRM (the link is copied too)"),
        Binding("slash", "search", "Find", key_display="/", id="person.search",
                tooltip="Find gap records by object, record name or field"),
        *PERSON_KEYS,  # v void, n note (screens/person_more.py)
        *BARRIER_KEYS,  # r resolve a barrier (screens/person_barriers.py)
    ]

    def __init__(self, key: str) -> None:
        super().__init__(id="person")
        self.key = key
        self._leave_armed = False
        self._gaps_for: str | None = None  # snapshot id whose gap lines are shown

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="person-info")
        yield Trend("Completeness", id="person-trend")
        yield ChaseTimer(id="timer")
        yield Label("Gap records", id="gaps-title", classes="section")
        yield VirtualTable(gap_columns(), row_key=lambda g: (g.object, g.record_id), id="gaps",
                           search_text=gap_search_text,
                           empty="No gap records: every required field is filled")
        yield Input(placeholder="find in gaps: object, record or field (Escape: clear)",
                    id="gap-search", classes="hidden")
        yield Label("Chase history", id="chases-title", classes="section")
        yield VirtualTable([], row_key=lambda c: c.id, id="chases", empty="Not chased yet")
        yield KeyFooter()  # whole keys only, the screen's first (widgets/footer.py)

    def on_mount(self) -> None:
        self.query_one("#gaps", VirtualTable).focus()

    @property
    def person(self):
        return self.data.person(self.key) if self.data is not None else None

    def show_data(self, data: ViewData) -> None:
        person, row = data.person(self.key), data.row(self.key)
        if person is None:
            self.query_one("#person-info", Static).update(
                f"{escape(self.key)} is not in the latest snapshot.")
            return
        self.sub_title = person.name
        tier = row.tier.value if row is not None else "inactive"
        pct = row.tally.completeness_pct if row is not None else None
        # The tier with its stated reason ("ineffective: 54.8% complete, 120 gaps open over
        # 30 days", chaser.tiers), as `chaser gaps --by person` and the report give it.
        reason = row.reason if row is not None and row.reason else ""
        told = (f"Tier [b]{tier}[/]: {escape(reason.partition(': ')[2])}"
                if reason.startswith(f"{tier}: ") else
                f"Tier [b]{tier}[/] · completeness [b]{'—' if pct is None else f'{pct:.1f}%'}[/]")
        narrow = 0 < self.size.width < 80  # fewer words: the gap list keeps rows at 60x20
        self.query_one("#person-info", Static).update(
            # Names, e-mail and team are CRM text: escaped, so a "[" is shown, not parsed.
            f"[b]{escape(person.name)}[/] <{escape(person.email or 'no email')}>\n"
            f"{escape(person.team)} · manager {escape(person.manager or '—')}\n"
            f"{told}" + ("" if narrow else
                         f" · {row.tally.records_with_gaps if row else 0:,} of "
                         f"{row.tally.records if row else 0:,} records with gaps")
            # Blanks in fields the person may not edit: not blamed, said so (chaser.access).
            + (f"\n{escape(person.name)} [b]{escape(note)}[/]" if (note := access.person_note(
                person, data.snapshot.cannot_edit.get(self.key))) else "")
            + "".join(f"\n{escape(line)}" for line in accountability_lines(
                data, self.key, weeks=3 if narrow else 6)))
        self.query_one(Trend).show(data.trend(self.key))
        chases = self.query_one("#chases", VirtualTable)
        if not chases.columns:
            chases.set_columns(chase_columns(data.tz))
        mine = data.chases_for(self.key)
        chases.set_rows(mine)
        self.query_one("#chases-title", Label).update(f"Chase history ({len(mine)})")
        if self._gaps_for != data.snapshot.id:  # a chase reload keeps the snapshot: skip
            self._gaps_for = data.snapshot.id
            self._show_gaps(data)

    def _show_gaps(self, data: ViewData) -> None:
        gaps = data.gaps_for(self.key)
        table = self.query_one("#gaps", VirtualTable)
        self.query_one("#gaps-title", Label).update(f"Gap records ({len(gaps):,})")
        if len(gaps) <= BIG:
            table.set_rows(gap_lines(gaps, data.now))
            return
        table.loading = True

        def done(lines: list[GapLine]) -> None:
            table.loading = False
            table.set_rows(lines)
            # Paint first; then build the search index off the UI thread, so the first
            # search on 50,000 gaps is as quick as the next.
            self.call_after_refresh(
                run_blocking, self, lambda: [gap_search_text(g) for g in lines],
                done=lambda hay: table.set_hay(lines, hay), name="gap-search", group="gap-lines")

        run_blocking(self, lambda: gap_lines(gaps, data.now), done=done, name="gap-lines",
                     group="gap-lines", exclusive=True)

    # ---- actions -----------------------------------------------------------------------------
    def open_log(self, **kwargs) -> None:
        from chaser.modals.log_chase import LogChaseScreen

        if self.data is None or self.person is None:
            return
        fields = missing_fields(self.data.gaps_for(self.key))
        self.app.push_screen(LogChaseScreen(self.person, fields, **kwargs))

    def action_log_chase(self) -> None:
        timer = self.query_one(ChaseTimer)
        minutes = whole_minutes(timer.stop()) if timer.running else None
        self.open_log(minutes=minutes)

    def action_timer(self) -> None:
        timer = self.query_one(ChaseTimer)
        if timer.running:
            self.open_log(minutes=whole_minutes(timer.stop()))
        else:
            timer.start()
            self.notify("Chase timer started: t stops it and opens the log.")

    def action_draft(self) -> None:
        from chaser.modals.draft import DraftScreen

        if self.data is None or self.person is None:
            return
        gaps = self.shown_gaps()  # the records the search shows, in the table's order
        text = draft_message(self.person, gaps, self.app.ws.writer.name)
        self.app.copy_to_clipboard(text)

        def chosen(log_it: bool | None) -> None:
            if log_it:
                from chaser.modals.log_chase import LogChaseScreen

                timer = self.query_one(ChaseTimer)
                minutes = whole_minutes(timer.stop()) if timer.running else None
                # The draft's fields, email, no outcome yet (log_chase.after_draft).
                self.app.push_screen(LogChaseScreen.after_draft(self.person, gaps,
                                                                minutes=minutes))

        self.app.push_screen(DraftScreen(self.person.name, text, len(gaps)), chosen)

    def action_open_record(self) -> None:
        row: GapLine | None = self.query_one("#gaps", VirtualTable).current
        if row is None:
            return
        if not row.url:
            self.notify("This source gives no CRM link for the record.", severity="warning")
            return
        url, app = row.url, self.app
        app.copy_to_clipboard(url)  # a fallback that always works, even over SSH

        def work() -> bool:
            import webbrowser

            if not app.is_web:  # a terminal app: is there a browser to hand the link to?
                try:
                    webbrowser.get()
                except webbrowser.Error:
                    return False
            app.open_url(url)
            return True

        def done(opened: bool) -> None:
            self.notify(f"Opening {url} (link copied)" if opened else
                        f"No web browser found here; the link is copied: {url}",
                        severity="information" if opened else "warning", markup=False)

        run_blocking(self, work, done=done, name="open-url")

    def action_search(self) -> None:
        box = self.query_one("#gap-search", Input)
        box.remove_class("hidden")
        box.focus()

    @on(Input.Changed, "#gap-search")
    def _search(self, event: Input.Changed) -> None:
        gaps = self.query_one("#gaps", VirtualTable)
        gaps.search(event.value)
        total = len(gaps.rows)
        shown = f"{gaps.row_count:,} of {total:,}" if event.value.strip() else f"{total:,}"
        self.query_one("#gaps-title", Label).update(f"Gap records ({shown})")

    @on(Input.Submitted, "#gap-search")
    def _keep_search(self) -> None:
        self.query_one("#gaps", VirtualTable).focus()

    def action_leave(self) -> None:
        box = self.query_one("#gap-search", Input)
        if not box.has_class("hidden"):  # Escape first closes the search
            box.value = ""
            box.add_class("hidden")
            self.query_one("#gaps", VirtualTable).focus()
            return
        timer = self.query_one(ChaseTimer)
        if timer.running and not self._leave_armed:
            self._leave_armed = True
            self.notify("The chase timer is running: t stops it and logs the chase; "
                        "Escape again discards it.", severity="warning")
            return
        timer.stop()
        self.app.pop_screen()

    @on(VirtualTable.Selected, "#gaps")
    def _open_selected(self) -> None:
        self.action_open_record()
