"""Chase many, mixed into OverviewScreen: `space` marks rows of any view (a person; a team or
a field row: all its people; a record: its owner), `c` logs one chase of the marked people
(or of the row under the cursor), `e` drafts one email per person, Escape clears the marks.

The marks are a dict of (view, row key) -> the row, so they survive reloads, sorting and
switching views (mark two teams and a person, then `c`). A row stands for people and, for a
field or a record, for some of their gap records only: the drafts list exactly those (the
search and filter of the view they were marked in), and the log form offers their fields.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from textual.binding import Binding
from textual.widgets import Static

from chaser.drafting import draft_message
from chaser.model import Gap, Outcome, Person
from chaser.screens.base import ChaserScreen
from chaser.view_lines import missing_fields
from chaser.views import ViewData
from chaser.widgets.table import Column, VirtualTable

MARK = "✓ "  # before the first cell of a marked row: a mark you can read without colour
NOUNS = {"people": ("person", "people"), "teams": ("team", "teams"),
         "fields": ("field", "fields"), "records": ("record", "records")}


class Choice:
    """What a selection means for one person: which of their gap records (None: all), and
    the fields a field row stood for (chosen in the log form)."""

    __slots__ = ("fields", "records")

    def __init__(self) -> None:
        self.records: set[tuple[str, str]] | None = set()
        self.fields: list[str] = []

    def add(self, records: Iterable[tuple[str, str]] | None, fields: Iterable[str] = ()) -> None:
        if records is None or self.records is None:
            self.records = None  # all of the person's gaps: a narrower row adds nothing
        else:
            self.records.update(records)
        self.fields += [f for f in fields if f not in self.fields]

    def gaps(self, data: ViewData, key: str) -> list[Gap]:
        gaps = data.gaps_for(key)
        if self.records is None:
            return gaps
        return [g for g in gaps if (g.object, g.record_id) in self.records]


def choices(data: ViewData, items: Iterable[tuple[str, Any]]) -> dict[str, Choice]:
    """(view, row) pairs -> person key -> Choice, people in the order first met: the order
    the log form splits the minutes in. Buckets stand for nobody."""
    out: dict[str, Choice] = {}

    def pick(key: str) -> Choice:
        return out.setdefault(key, Choice())

    for view, row in items:
        if view == "people":
            pick(row.key).add(None)
        elif view == "teams":
            for key in row.keys:
                pick(key).add(None)
        elif view == "fields":
            for key in sorted(row.keys):
                records = [(g.object, g.record_id) for g in data.gaps_for(key)
                           if g.object == row.object and row.field in g.missing]
                pick(key).add(records, (row.field,))
        elif view == "records":
            pick(row.key).add([(row.object, row.record_id)])
    return {k: c for k, c in out.items() if data.person(k) is not None}


# In OverviewScreen.BINDINGS, after the screen's own keys (so its footer starts with those).
MARK_KEYS = [
    Binding("space", "mark", "Mark", id="overview.mark",
            tooltip="Mark the row for a chase of many (a team or field row: all its people); "
                    "again: unmark; Escape clears the marks"),
    Binding("c", "chase_many", "Chase", id="overview.chase",
            tooltip="Log one chase of the marked people (or the row's): the minutes are split "
                    "across them in whole minutes that add up"),
    Binding("e", "draft_many", "Draft", show=False, id="overview.draft",
            tooltip="Draft one chase email per marked person (or the row's), listing only the "
                    "records shown"),
]


class ChaseMany(ChaserScreen):
    """Base of OverviewScreen, whose BINDINGS hold MARK_KEYS. The host has `view` and
    `table` (the view shown) and `data`."""

    view: str

    if TYPE_CHECKING:  # the host screen's (OverviewScreen)
        @property
        def table(self) -> VirtualTable: ...

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.marks: dict[tuple[str, Any], Any] = {}

    def on_mount(self) -> None:
        for table in self.query(VirtualTable):
            self._mark_column(table)
        self.mount(Static("", id="marks", classes="hidden", markup=False), after="#filters")

    # ---- the marks --------------------------------------------------------------------------
    def _mark_column(self, table: VirtualTable) -> None:
        """Put the mark before the first cell of each marked row (nothing when none is)."""
        if not table.columns:
            return
        first = table.columns[0]
        view = table.id or ""

        def text(row: Any, first: Column = first) -> str:
            if not self.marks:
                return first.cell(row)
            key = table.row_key(row) if table.row_key is not None else id(row)
            return (MARK if (view, key) in self.marks else "  ") + first.cell(row)

        table.columns[0] = replace(first, text=text)

    def action_mark(self) -> None:
        table = self.table
        row = table.current
        if row is None:
            return
        if self.view not in NOUNS:
            self.notify("Left-out records have no person to chase.", severity="warning")
            return
        mark = (self.view, table.row_key(row) if table.row_key is not None else id(row))
        if self.marks.pop(mark, None) is None:
            self.marks[mark] = row
        table.cursor += 1  # on to the next row, as file managers do: marking many is quick
        self._show_marks()

    def clear_marks(self) -> bool:
        """Escape: unmark all; False when nothing was marked."""
        if not self.marks:
            return False
        self.marks.clear()
        self._show_marks()
        return True

    def _show_marks(self) -> None:
        for table in self.query(VirtualTable):
            # The same columns again: the table measures its cells anew (widgets/layout.py
            # sizes and shortens names from what they show, and a mark is part of that).
            table.set_columns(table.columns)
        box = self.query_one("#marks", Static)
        data = self.data
        if not self.marks or data is None:
            box.add_class("hidden")
            return
        counts: dict[str, int] = {}
        for view, _ in self.marks:
            counts[view] = counts.get(view, 0) + 1
        what = ", ".join(f"{n} {NOUNS[v][n != 1]}" for v, n in counts.items())
        n = len(choices(data, self.marks_items()))
        if set(counts) != {"people"}:  # teams and fields stand for people: say how many
            what += f" ({n} {'person' if n == 1 else 'people'})"
        box.update(f"Marked: {what} · c chase them · e drafts · Esc clears")
        box.remove_class("hidden")

    def marks_items(self) -> list[tuple[str, Any]]:
        return [(view, row) for (view, _), row in self.marks.items()]

    def on_data_changed(self) -> None:
        if self.marks:
            self._show_marks()

    # ---- what the selection (or the row) means ------------------------------------------
    def _selection(self) -> dict[str, Choice] | None:
        """The marked rows' people, else the row under the cursor's (in the records view:
        the owner's records shown); None with a notice when there is nobody."""
        data, table = self.data, self.table
        if data is None:
            return None
        if self.marks:
            items = self.marks_items()
        elif (row := table.current) is None or self.view not in NOUNS:
            self.notify("Nobody to chase here: mark people, teams or fields with space.",
                        severity="warning")
            return None
        elif self.view == "records":
            items = [("records", r) for r in table.shown if r.key == row.key]
        else:
            items = [(self.view, row)]
        picked = choices(data, items)
        if not picked:
            self.notify("Nobody to chase: the rows stand for no active person.",
                        severity="warning")
            return None
        return picked

    def _people(self, picked: dict[str, Choice]) -> list[Person]:
        return [p for k in picked if (p := self.data.person(k)) is not None]  # type: ignore[union-attr]

    def _open_log(self, picked: dict[str, Choice], *, drafted: bool = False) -> None:
        """The one-person form for one person (a call, by default), the bulk form for more
        (an email: what one admin sends many people at once). After a draft: an email about
        the drafted records, their fields ticked, no outcome yet."""
        from chaser.modals.bulk_log import BulkLogScreen
        from chaser.modals.log_chase import DRAFT_NOTE, LogChaseScreen

        data = self.data
        gaps = [g for k, c in picked.items() for g in c.gaps(data, k)]  # type: ignore[arg-type]
        chosen = missing_fields(gaps) if drafted else list(dict.fromkeys(
            f for c in picked.values() for f in c.fields))
        people = self._people(picked)

        def done(result: Any) -> None:
            if result is not None:
                self.clear_marks()

        if len(people) == 1:
            form = (LogChaseScreen.after_draft(people[0], gaps) if drafted else
                    LogChaseScreen(people[0], chosen=chosen, gaps=gaps))
        else:
            form = BulkLogScreen(people, gaps, chosen=chosen,
                                 note=DRAFT_NOTE if drafted else "",
                                 outcome=None if drafted else Outcome.PROMISED.value)
        self.app.push_screen(form, done)

    def action_chase_many(self) -> None:
        picked = self._selection()
        if picked is not None:
            self._open_log(picked)

    def action_draft_many(self) -> None:
        from chaser.modals.draft import DraftScreen
        from chaser.modals.drafts import Draft, DraftsScreen

        picked = self._selection()
        if picked is None:
            return
        data, sender = self.data, self.app.ws.writer.name
        drafts = []
        for key, choice in picked.items():
            gaps = choice.gaps(data, key)  # type: ignore[arg-type]
            if gaps:  # nothing to ask of someone whose records are all complete
                person = data.person(key)  # type: ignore[union-attr]
                drafts.append(Draft(person, draft_message(person, gaps, sender), len(gaps)))
        if not drafts:
            self.notify("No gap records to ask about.", severity="warning")
            return
        asked = {d.person.key: picked[d.person.key] for d in drafts}

        def chosen(log_it: bool | None) -> None:
            if log_it:
                self._open_log(asked, drafted=True)

        if len(drafts) == 1:
            d = drafts[0]
            self.app.copy_to_clipboard(d.text)
            self.app.push_screen(DraftScreen(d.person.name, d.text, d.records), chosen)
        else:
            self.app.push_screen(DraftsScreen(drafts), chosen)
