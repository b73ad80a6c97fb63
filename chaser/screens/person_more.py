"""The person screen's notes, voids and filtered drafts, mixed into PersonScreen.

`n` adds a dated note about the person (signed by this installation's admin; a ledger event,
listed by `chaser notes PERSON` too); the latest notes are shown under who they are. `v`
voids the chase highlighted in the chase history, as the chase log's `v` does (`u` undoes
it). A draft lists only the gap records shown: the search narrows the email as it narrows
the table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.binding import Binding
from textual.widgets import Static

from chaser.model import Chase, Gap
from chaser.screens.base import ChaserScreen
from chaser.screens.workers import run_blocking
from chaser.widgets.table import VirtualTable

SHOWN = 2  # notes shown on the screen, newest first; `chaser notes` lists them all
PERSON_KEYS = [
    Binding("v", "void_chase", "Void", id="person.void",
            tooltip="Void the chase highlighted in the chase history: it stays listed, "
                    "marked VOID, not counted (u undoes)"),
    Binding("n", "add_note", "Note", id="person.note",
            tooltip="Add a dated note about this person (\"on leave until the 15th\"): "
                    "shown here and by chaser notes"),
]


class PersonMore(ChaserScreen):
    """Mixin of PersonScreen (which has `key`, `person`, the #gaps and #chases tables and
    #person-info); the bindings are PERSON_KEYS, in its BINDINGS."""

    if TYPE_CHECKING:
        from chaser.model import Person

        key: str
        person: Person | None

    def on_mount(self) -> None:
        self.mount(Static("", id="person-notes", classes="hidden", markup=False),
                   after="#person-info")
        self._show_notes()

    def on_data_changed(self) -> None:
        self._show_notes()

    def _show_notes(self) -> None:
        box = self.query_one("#person-notes", Static)
        data = self.data
        notes = data.notes_for(self.key) if data is not None else []
        box.set_class(not notes, "hidden")
        if not notes:
            return
        lines = [f"Note {n.at.astimezone(data.tz):%Y-%m-%d %H:%M} by {n.by}: {n.text}"
                 for n in notes[:SHOWN]]
        if len(notes) > SHOWN:
            lines.append(f"+{len(notes) - SHOWN} older (chaser notes lists all)")
        box.update("\n".join(lines))

    # ---- the gap records shown: what a draft lists ------------------------------------------
    def shown_gaps(self) -> list[Gap]:
        """The person's gap records as the table shows them (searched, sorted); all of them
        while the table is still being filled."""
        data = self.data
        if data is None:
            return []
        gaps = data.gaps_for(self.key)
        table = self.query_one("#gaps", VirtualTable)
        if len(table.rows) != len(gaps) or (table.row_count == len(gaps) and not table.sort_key):
            return gaps
        by = {(g.object, g.record_id): g for g in gaps}
        return [by[k] for r in table.shown if (k := (r.object, r.record_id)) in by]

    # ---- notes ------------------------------------------------------------------------------
    def action_add_note(self) -> None:
        from chaser.ledger_docs import MAX_NOTE
        from chaser.modals.prompt import PromptModal

        person = self.person
        if person is None:
            return
        app = self.app
        ws = app.ws

        def check(text: str) -> str | None:
            return f"At most {MAX_NOTE:,} characters." if len(text) > MAX_NOTE else None

        def written(text: str | None) -> None:
            if not text:
                return

            def done(_: Any) -> None:
                app.notify(f"Note about {person.name} added.", title="Note", markup=False)
                app.reload("note added", chases_only=True)

            run_blocking(self, lambda: ws.add_note(person, text), done=done,  # type: ignore[arg-type]
                         name="add-note")

        app.push_screen(PromptModal(
            f"Note about {person.name}",
            f"Dated now and signed {ws.writer.name or ws.writer.id}; kept in the ledger like a "
            "chase, shown here and by `chaser notes`.", label="Note",
            placeholder="e.g. on leave until the 15th; prefers Teams", confirm="Add note",
            check=check), written)

    # ---- voiding from the chase history ---------------------------------------------------
    def action_void_chase(self) -> None:
        from chaser.modals.prompt import PromptModal

        table = self.query_one("#chases", VirtualTable)
        chase: Chase | None = table.current
        app = self.app
        if chase is None:
            app.notify("No chase in the history to void.", severity="warning")
            return
        if chase.voided:
            app.notify(f"Chase {chase.id} is already VOID: {chase.void_reason}",
                       severity="warning", markup=False)
            return
        person = self.person
        name = person.name if person is not None else chase.person
        tz = self.data.tz if self.data is not None else None
        body = (f"{chase.at.astimezone(tz):%Y-%m-%d %H:%M} · {name} · {chase.channel.value} · "
                f"{chase.minutes} min · {chase.outcome.value}\n\nThe chase stays in the log, "
                "marked VOID with your reason, and stops counting in every total and export.")

        def confirmed(reason: str | None) -> None:
            if reason:
                self._void(chase, name, reason)

        app.push_screen(PromptModal(f"Void chase {chase.id}?", body, label="Reason",
                                    placeholder="e.g. logged twice, wrong person",
                                    confirm="Void chase", danger=True), confirmed)

    def _void(self, chase: Chase, name: str, reason: str) -> None:
        from chaser.screens.undo import remember

        app = self.app
        ws = app.ws

        def done(voided: Chase) -> None:
            app.notify(f"Voided chase {voided.id}: {reason} (u undoes)", title="Chase voided",
                       markup=False)
            remember(app, "void", voided, name)
            app.reload("chase voided", chases_only=True)

        run_blocking(self, lambda: ws.store.void_chase(chase.id, reason, at=ws.now()),  # type: ignore[arg-type]
                     done=done, name="void-chase")
