"""Log chase (modal): channel, minutes, fields chased, outcome, note. Enter saves, Escape cancels.

Minutes are checked as they are typed with chaser.workspace.validate_minutes, the one rule the
CLI uses too; the chase is written by Workspace.log_chase in a worker, then every view reloads.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.markup import escape
from textual.screen import ModalScreen
from textual.validation import ValidationResult, Validator
from textual.widgets import Input, Label, Select, SelectionList

from chaser.errors import ChaserError
from chaser.model import Channel, Chase, Outcome, Person
from chaser.screens.common import run_blocking
from chaser.workspace import MAX_MINUTES, MIN_MINUTES, validate_minutes

OUTCOME_LABELS = {
    Outcome.FIXED: "fixed", Outcome.PROMISED: "promised", Outcome.NO_RESPONSE: "no response",
    Outcome.DISPUTED: "disputed",
    Outcome.BARRIER_ACCESS: "barrier: no access", Outcome.BARRIER_TRAINING: "barrier: no training",
    Outcome.BARRIER_TIME: "barrier: no time", Outcome.BARRIER_DEPENDENCY: "barrier: depends on others",
}
MINUTES_HINT = f"{MIN_MINUTES}-{MAX_MINUTES} minutes"


class Minutes(Validator):
    def validate(self, value: str) -> ValidationResult:
        try:
            validate_minutes(value)
        except ChaserError as e:
            return self.failure(str(e))
        return self.success()


class FieldList(SelectionList[str]):
    """Space toggles a field; Enter saves the chase (as in every other field of the form)."""

    BINDINGS: ClassVar = [Binding("enter", "screen.save", "Save", show=False, id="log.save_list")]


class LogChaseScreen(ModalScreen[Chase | None]):
    BINDINGS: ClassVar = [
        Binding("escape", "cancel", "Cancel", id="log.cancel"),
        Binding("ctrl+s", "save", "Save", id="log.save"),
    ]

    def __init__(self, person: Person, fields: Sequence[str] = (), *, minutes: int | None = None,
                 channel: str = Channel.CALL.value, chosen: Sequence[str] = (),
                 outcome: str = Outcome.PROMISED.value, note: str = "") -> None:
        super().__init__(classes="log-chase")
        self.person = person
        self.fields = list(dict.fromkeys([*fields, *chosen]))
        self.initial = (minutes, channel, set(chosen), outcome, note)
        self.saving = False

    def compose(self) -> ComposeResult:
        minutes, channel, chosen, outcome, note = self.initial
        with Vertical(classes="dialog"):
            yield Label(f"Log a chase of [b]{escape(self.person.name)}[/]", classes="dialog--title")
            with Horizontal(classes="row"):
                yield Select([(c.value, c.value) for c in Channel], value=channel,
                             allow_blank=False, id="channel", prompt="Channel")
                yield Input("" if minutes is None else str(minutes), placeholder="minutes",
                            id="minutes", validators=[Minutes()],
                            validate_on=["changed", "submitted"])
            # The verdict quotes what was typed: shown as written.
            yield Label(MINUTES_HINT, id="minutes-error", classes="hint", markup=False)
            # Field names are CRM text: shown as written (Content), never parsed as markup.
            yield Label("", id="chosen", classes="hint", markup=False)
            yield FieldList(*((Content(f), f, f in chosen) for f in self.fields), id="fields")
            with Horizontal(classes="row"):
                yield Select([(label, o.value) for o, label in OUTCOME_LABELS.items()],
                             value=outcome, allow_blank=False, id="outcome", prompt="Outcome")
                yield Input(note, placeholder="note (optional)", id="note")
            yield Label("Enter saves · Escape cancels", classes="hint")

    def on_mount(self) -> None:
        box = self.query_one("#minutes", Input)
        box.focus()
        self._show_chosen()
        if box.value:
            self._check(box.value)

    def _check(self, text: str) -> int | None:
        """Show the one minutes rule's verdict under the field; the minutes when valid."""
        label = self.query_one("#minutes-error", Label)
        try:
            minutes = validate_minutes(text)
        except ChaserError as e:
            label.update(str(e))
            label.add_class("error")
            return None
        label.update(MINUTES_HINT)
        label.remove_class("error")
        return minutes

    @on(SelectionList.SelectedChanged)
    def _show_chosen(self) -> None:
        """The chosen fields in words: the list's check marks differ by colour only."""
        if not self.fields:
            text = "No missing fields to choose"
        else:
            chosen = self.query_one(FieldList).selected
            text = "Fields chased (space toggles): " + (", ".join(chosen) or "none yet")
        self.query_one("#chosen", Label).update(text)

    @on(Input.Changed, "#minutes")
    def _minutes_changed(self, event: Input.Changed) -> None:
        self._check(event.value)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        if self.saving:
            return
        box = self.query_one("#minutes", Input)
        minutes = self._check(box.value)
        if minutes is None:
            box.focus()
            return
        channel = str(self.query_one("#channel", Select).value)
        outcome = str(self.query_one("#outcome", Select).value)
        fields = list(self.query_one(FieldList).selected)
        note = self.query_one("#note", Input).value
        ws, person = self.app.ws, self.person  # type: ignore[attr-defined]
        self.saving = True

        def work() -> Chase:
            try:
                return ws.log_chase(person, minutes=minutes, channel=channel, outcome=outcome,
                                    fields=fields, note=note)
            finally:
                self.saving = False  # a failed save may be corrected and retried

        run_blocking(self, work, done=self._saved, name="log-chase")

    def _saved(self, chase: Chase) -> None:
        self.app.notify(f"Logged {chase.minutes} min {chase.channel.value} with "
                        f"{self.person.name}: {chase.outcome.value}", title="Chase logged",
                        markup=False)
        self.app.reload("chase logged", chases_only=True)  # type: ignore[attr-defined]
        self.dismiss(chase)


class DraftScreen(ModalScreen[bool]):
    """The drafted chase email, already on the clipboard. l logs it as an email chase."""

    BINDINGS: ClassVar = [
        Binding("escape", "dismiss(False)", "Close", id="draft.close"),
        Binding("l", "dismiss(True)", "Log as email chase", id="draft.log"),
        Binding("y", "copy", "Copy again", id="draft.copy"),
    ]

    def __init__(self, name: str, text: str, records: int) -> None:
        super().__init__(classes="draft")
        self.person_name, self.text, self.records = name, text, records

    def compose(self) -> ComposeResult:
        from textual.widgets import Footer, TextArea

        with Vertical(classes="dialog"):
            yield Label(f"Chase email to [b]{escape(self.person_name)}[/] ({self.records:,} records) — "
                        "copied to the clipboard", classes="dialog--title")
            yield TextArea(self.text, read_only=True, soft_wrap=True, id="draft-text")
            yield Label("l logs it as an email chase · y copies again · Escape closes",
                        classes="hint")
        yield Footer()

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.text)
        self.notify("Copied the chase email to the clipboard.")
