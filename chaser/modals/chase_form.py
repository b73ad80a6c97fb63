"""What the two chase forms share: the one-person form (log_chase.py) and the one chase of
many people (bulk_log.py). Channel and minutes on one row, the fields chased (`[x]` / `[ ]`,
grouped by object: chaser.field_choices), outcome and note on one row, a hint line that says
how to save. ctrl+s saves from anywhere, Enter too from a text box or the field list (on a
dropdown Enter opens it, as Textual's Select does, so the form says "ctrl+s saves"); Escape
cancels. A subclass says how the minutes are checked (`check`), what a save writes (`write`,
run in a worker) and what is said once it is durable (`saved`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Input, Label, Select, SelectionList

from chaser.field_choices import FieldChoice, chosen_fields
from chaser.model import Channel, Outcome
from chaser.screens.base import ChaserModal, Result
from chaser.screens.workers import run_blocking
from chaser.widgets.checklist import CheckList

OUTCOME_LABELS = {
    Outcome.FIXED: "fixed", Outcome.PROMISED: "promised", Outcome.NO_RESPONSE: "no response",
    Outcome.DISPUTED: "disputed",
    Outcome.BARRIER_ACCESS: "barrier: no access", Outcome.BARRIER_TRAINING: "barrier: no training",
    Outcome.BARRIER_TIME: "barrier: no time", Outcome.BARRIER_DEPENDENCY: "barrier: depends on others",
}
SAVE_HINT = "ctrl+s saves · Enter too, in a text box · Escape cancels"


class FieldList(CheckList):
    """Space toggles a field (`[x]` / `[ ]`); Enter saves the chase, as from a text box."""

    BINDINGS: ClassVar = [Binding("enter", "screen.save", "Save", show=False, id="log.save_list")]


class ChaseForm(ChaserModal[Result]):
    """Base of the chase forms. `initial` is (minutes, channel, chosen field names, outcome
    or None for "choose one", note); `choices` the fields offered."""

    CHECK_EMPTY = False  # check (and explain) the minutes before any is typed

    def __init__(self, *, classes: str) -> None:
        super().__init__(classes=classes)
        self.initial: tuple[int | None, str, set[str], str | None, str] = (
            None, Channel.CALL.value, set(), Outcome.PROMISED.value, "")
        self.choices: list[FieldChoice] = []
        self.saving = False

    # ---- the parts of the form, in the order they are shown -----------------------------
    def channel_row(self, placeholder: str) -> ComposeResult:
        minutes, channel, *_ = self.initial
        with Horizontal(classes="row"):
            yield Select([(c.value, c.value) for c in Channel], value=channel,
                         allow_blank=False, id="channel", prompt="Channel")
            yield self.minutes_input("" if minutes is None else str(minutes), placeholder)

    def minutes_input(self, value: str, placeholder: str) -> Input:
        return Input(value, placeholder=placeholder, id="minutes")

    def field_list(self) -> FieldList:
        chosen = self.initial[2]
        # Field names are CRM text: shown as written (Content), never parsed as markup.
        return FieldList(*((Content(c.label), c.key, c.field in chosen) for c in self.choices),
                         id="fields")

    def outcome_row(self, note_placeholder: str) -> ComposeResult:
        *_, outcome, note = self.initial
        with Horizontal(classes="row"):
            yield Select([(label, o.value) for o, label in OUTCOME_LABELS.items()],
                         value=outcome if outcome is not None else Select.NULL,
                         allow_blank=outcome is None, id="outcome",
                         prompt="Outcome: choose one")
            yield Input(note, placeholder=note_placeholder, id="note")
        yield Label(SAVE_HINT, id="save-hint", classes="hint")

    # ---- what a subclass says -----------------------------------------------------------
    def check(self, text: str) -> int | None:
        """Show the minutes' verdict; the minutes when valid, else None."""
        raise NotImplementedError

    def write(self, minutes: int, channel: str, outcome: str, fields: list[str],
              note: str) -> Callable[[], Any]:
        """The work that writes the chase(s): run in a worker, it must not touch widgets."""
        raise NotImplementedError

    def saved(self, result: Any) -> None:
        raise NotImplementedError

    def show_chosen(self) -> None:
        """The fields ticked, in words (one line: the form must fit 60x20)."""

    def minutes_refused(self) -> None:
        """A save was refused for its minutes: the verdict line is already shown."""

    # ---- shared behaviour ---------------------------------------------------------------
    def on_mount(self) -> None:
        box = self.query_one("#minutes", Input)
        box.focus()
        self.show_chosen()
        if box.value or self.CHECK_EMPTY:
            self.check(box.value)

    def chosen_fields(self) -> list[str]:
        """The field names the chase records (a field ticked for two objects: once)."""
        return chosen_fields(self.query_one(FieldList).selected)

    @on(SelectionList.SelectedChanged)
    def _fields_changed(self) -> None:
        self.show_chosen()

    @on(Input.Changed, "#minutes")
    def _minutes_changed(self, event: Input.Changed) -> None:
        self.check(event.value)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def _outcome(self) -> str | None:
        """The outcome chosen; None (and the form says so, in words) when none is yet."""
        box = self.query_one("#outcome", Select)
        hint = self.query_one("#save-hint", Label)
        if box.is_blank():
            hint.update("✗ Choose an outcome first, then ctrl+s saves")
            hint.add_class("error")
            box.focus()
            return None
        hint.update(SAVE_HINT)
        hint.remove_class("error")
        return str(box.value)

    def action_save(self) -> None:
        if self.saving:
            return
        box = self.query_one("#minutes", Input)
        minutes = self.check(box.value)
        if minutes is None:
            self.minutes_refused()
            box.focus()
            return
        outcome = self._outcome()
        if outcome is None:
            return
        work = self.write(minutes, str(self.query_one("#channel", Select).value), outcome,
                          self.chosen_fields(), self.query_one("#note", Input).value)
        self.saving = True

        def guarded() -> Any:
            try:
                return work()
            finally:
                self.saving = False  # a failed save may be corrected and retried

        run_blocking(self, guarded, done=self.saved, name="log-chase")
