"""The overview's views, mixed into OverviewScreen: `g` cycles people / teams / fields, Enter
drills down (a team: its people; a field: who misses it and on which records), `b` shows the
records the people figures leave out, and Escape steps back out.

One table per view, all composed at once and shown one at a time: a switch only toggles
which is displayed and repaints it (the lines are built in the load's worker: ViewData's
team_lines / field_lines), and each view keeps its own sort and cursor. The search box, the
team filter and the period apply to whichever view is shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.widgets import Footer, Input, Static

from chaser.rollups import FieldLine
from chaser.screens.base import ChaserScreen
from chaser.screens.overview_views import (
    CYCLE,
    TITLES,
    bucket_columns,
    bucket_lines,
    detail,
    field_columns,
    record_columns,
    record_lines,
    team_columns,
)
from chaser.screens.workers import run_blocking
from chaser.views import ViewData
from chaser.widgets.table import VirtualTable

ALL_TEAMS = "*"
BIG = 2000  # a field's records beyond this many are built in a worker (as a person's gaps)
EMPTY = {"teams": "No teams match", "fields": "No missing fields: every record is complete",
         "records": "No records match", "buckets": "Nothing left out: every record has a person"}


class RollupViews(ChaserScreen):
    """State: `view` (the view shown), `drilled` (the views to go back to, with the team
    filter each had), `field` (the FieldLine whose records are shown). The host screen has
    `team`, `data`, `table` (the shown table) and `_show_filters`."""

    view: str = "people"
    field: FieldLine | None = None
    team: str = ALL_TEAMS
    _keys_shown: tuple | None = None  # the footer's keys as last told (see _tell_keys)

    if TYPE_CHECKING:  # the host screen's (OverviewScreen)
        @property
        def table(self) -> VirtualTable: ...
        def _show_filters(self) -> None: ...
        def set_team(self, team: str) -> None: ...

    def compose_rollups(self) -> ComposeResult:
        for view, columns, key in (("teams", team_columns(), lambda r: r.name),
                                   ("fields", field_columns(), lambda r: r.key),
                                   ("records", record_columns(),
                                    lambda r: (r.key, r.object, r.record_id)),
                                   ("buckets", bucket_columns(), lambda r: r.name)):
            table = VirtualTable(columns, row_key=key, id=view, empty=EMPTY[view])
            # Shown and hidden by `display` (an inline style), not a class: a class change
            # makes Textual match the stylesheet again, a third of a switch's time.
            table.display = False
            yield table
        detail = Static("", id="detail", markup=False)
        detail.display = False
        yield detail

    def tables(self) -> Iterator[VirtualTable]:
        yield from self.query(VirtualTable)

    def init_rollups(self) -> None:
        self.view = "people"
        self.drilled: list[tuple[str, str]] = []
        self.field = None
        self.searched: dict[str, str] = {}  # view -> the search text its table was given
        self._records_of: tuple | None = None  # (snapshot, its stamp, field) of the records

    # ---- painting --------------------------------------------------------------------------
    def show_rollups(self, data: ViewData) -> None:
        """Fresh lines for the roll-up tables (after every load, chase or period change)."""
        q = self.query_one
        q("#teams", VirtualTable).set_rows(data.team_lines())
        self._show_fields(data)
        q("#buckets", VirtualTable).set_rows(bucket_lines(data))
        if self.field is not None:
            known = {f.key: f for f in data.field_lines()}
            self.field = known.get(self.field.key, self.field)
            self._show_records(data)

    def _show_fields(self, data: ViewData) -> None:
        keys = None if self.team == ALL_TEAMS else \
            next((t.keys for t in data.team_lines() if t.name == self.team), ())
        self.query_one("#fields", VirtualTable).set_rows(
            data.field_lines(keys))

    def _show_records(self, data: ViewData) -> None:
        """The field's records: built again only for another field or snapshot (a chase
        changes neither), and in a worker when there are many."""
        field = self.field
        # The snapshot by its id and file stamp, not the object: that would keep an old
        # snapshot's gaps alive after a sync.
        of = (data.snapshot.id, data.snapshot_stamp, field.key) if field is not None else None
        if of is None or self._records_of == of:
            return
        self._records_of = of
        table = self.query_one("#records", VirtualTable)
        if field.missing <= BIG:
            table.set_rows(record_lines(data, field))
            return
        # Said in the table's empty line: a loading indicator costs more to mount than the
        # worker takes for 15,000 records.
        table.empty = "Finding the records…"
        table.set_rows([])

        def done(lines: list) -> None:
            if self._records_of == of:
                table.empty = EMPTY["records"]
                table.set_rows(lines)
                self._show_detail()
                self._show_filters()

        run_blocking(self, lambda: record_lines(data, field), done=done,  # type: ignore[arg-type]
                     name="field-records", group="field-records", exclusive=True)

    def team_filter(self, team: str) -> None:
        """The team filter, on every view: people and records of the team, its own team row,
        the fields its people leave blank (buckets have no team)."""
        q = self.query_one
        only = None if team == ALL_TEAMS else team
        q("#teams", VirtualTable).set_filter(None if only is None else
                                             (lambda r: r.name == only))
        q("#records", VirtualTable).set_filter(None if only is None else
                                               (lambda r: r.team == only))
        if self.data is not None:
            self._show_fields(self.data)

    # ---- switching -------------------------------------------------------------------------
    def set_view(self, view: str) -> None:
        """Show `view`'s table (with the search typed so far) and give it the focus."""
        self.view = view
        needle = self.query_one("#search", Input).value
        for table in self.tables():
            shown = table.id == view
            if table.display != shown:
                table.display = shown
            if shown:
                # Searched again only when the text differs: a search puts the cursor on the
                # first match, and coming back out of a drill-down keeps the row it left.
                if self.searched.get(view, "") != needle:
                    self.searched[view] = needle
                    table.search(needle)
                table.focus()
        self._show_detail()
        self._show_filters()
        # No refresh_bindings: the focus moved, and that refreshes the footer once already.

    def action_cycle_view(self) -> None:
        """people -> teams -> fields -> people; from a drill-down, on from where it began."""
        base = self.drilled[0][0] if self.drilled else self.view
        if base not in CYCLE:
            base = "people"
        self.drilled.clear()
        self.field = None
        self.set_view(CYCLE[(CYCLE.index(base) + 1) % len(CYCLE)])

    def action_left_out(self) -> None:
        """The buckets (`chaser gaps --by bucket`); again: back to where it was."""
        if self.view == "buckets":
            self.step_back()
            return
        self.drilled.append((self.view, self.team))
        self.set_view("buckets")

    def drill(self, row: Any) -> bool:
        """Enter on a roll-up row: a team opens its people, a field who misses it and where.
        False when the row is not a roll-up's (the host handles it)."""
        if self.view == "teams":
            self.drilled.append(("teams", self.team))
            self.set_view("people")
            self.set_team(row.name)
            return True
        if self.view == "fields" and self.data is not None:
            self.drilled.append(("fields", self.team))
            self.field = row
            self._show_records(self.data)
            self.set_view("records")
            return True
        return self.view == "buckets"  # nothing below a bucket here: the CLI lists them

    def step_back(self) -> bool:
        """Escape after the search: back out of a drill-down (or the left-out view)."""
        if not self.drilled:
            return False
        view, team = self.drilled.pop()
        if view != "records":  # only the records view shows a field's records
            self.field = None
        self.set_view(view)
        if team != self.team:
            self.set_team(team)
        return True

    def view_label(self) -> str:
        """What the filters line calls the view: "teams", "Contact.Phone records" ..."""
        if self.view == "records" and self.field is not None:
            return f"{self.field.object}.{self.field.field} records"
        return TITLES[self.view]

    def _show_detail(self, row: Any = None) -> None:
        box = self.query_one("#detail", Static)
        if row is None:
            row = self.table.current
        text = detail(self.view, row)
        if box.display != bool(text):
            box.display = bool(text)
        box.update(text)

    def on_virtual_table_highlighted(self, event: VirtualTable.Highlighted) -> None:
        if event.table.id == self.view:
            self._show_detail(event.row)

    def refresh_bindings(self) -> None:
        """Screen.refresh_bindings, only when the keys the footer would show changed. A view
        switch moves the focus between tables with the same keys, and every focus change
        asks for a refresh: a footer rebuilt for nothing was a third of a switch's time."""
        # The app's focus too: the footer ignores a refresh while the terminal is unfocused.
        shown = (self.app.app_focus,
                 *((key, a.binding.action, a.binding.description, a.binding.show, a.enabled)
                   for key, a in self.active_bindings.items()))
        # Skipped only once the footer has heard of these keys: a refresh before it was
        # mounted reached nobody (Footer._bindings_ready: unknown to a newer Textual, and
        # then never skipped).
        told = all(getattr(f, "_bindings_ready", False)
                   for f in self.query(Footer))
        if told and shown == self._keys_shown:
            return
        self._keys_shown = shown
        super().refresh_bindings()  # type: ignore[misc]

    # ---- hooks for actions on a selection (chase many) -------------------------------------
    def people_keys(self, row: Any) -> tuple[str, ...]:
        """The person keys a row of any view stands for: a person's own, a team's people, the
        people missing a field, a record's owner; () for a bucket."""
        if self.view == "teams":
            return tuple(row.keys)
        if self.view == "fields":
            return tuple(sorted(row.keys))
        return (row.key,) if self.view in ("people", "records") else ()
