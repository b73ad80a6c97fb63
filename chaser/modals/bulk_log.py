"""Log one chase of many people (modal): one email to a team, one meeting with five reps.

The minutes are the whole act's; the form previews how chaser.bulk splits them (whole
minutes that add up, the larger shares first) and refuses fewer minutes than people. The
chases are written by Workspace.log_chases in a worker, in one durable write; the notice
says who got what, and `u` undoes the whole batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, SelectionList

from chaser.bulk import Batch, shares, too_few, who_got_what
from chaser.errors import ChaserError
from chaser.field_choices import chosen_fields, field_choices
from chaser.model import Channel, Gap, Outcome, Person
from chaser.screens.common import run_blocking
from chaser.screens.log_chase import OUTCOME_LABELS, FieldList
from chaser.workspace import MAX_MINUTES, MIN_MINUTES, validate_minutes


def names_text(people: Sequence[Person], limit: int = 4) -> str:
    """"Kevin Patel, Ann Lee, Bo Chen +4 more"."""
    names = [p.name for p in people[:limit]]
    more = len(people) - len(names)
    return ", ".join(names) + (f" +{more} more" if more else "")


class BulkLogScreen(ModalScreen[Batch | None]):
    """Dismisses with the Batch written, or None when cancelled."""

    BINDINGS: ClassVar = [
        Binding("escape", "cancel", "Cancel", id="bulk.cancel"),
        Binding("ctrl+s", "save", "Save", id="bulk.save"),
    ]

    def __init__(self, people: Sequence[Person], gaps: Sequence[Gap] = (), *,
                 minutes: int | None = None, channel: str = Channel.EMAIL.value,
                 chosen: Sequence[str] = (), outcome: str | None = Outcome.PROMISED.value,
                 note: str = "") -> None:
        """`gaps`: the records the chase is about (the fields offered, grouped by object as
        the one-person form does: chaser.field_choices); `chosen`: field names ticked;
        `outcome` None: none chosen, the form asks for one (after a draft)."""
        super().__init__(classes="log-chase bulk-log")
        self.people = list({p.key: p for p in people}.values())  # each person once, in order
        self.choices = field_choices(gaps, chosen)
        self.initial = (minutes, channel, set(chosen), outcome, note)
        self.saving = False

    def compose(self) -> ComposeResult:
        minutes, channel, chosen, outcome, note = self.initial
        n = len(self.people)
        with Vertical(classes="dialog"):
            # Names are CRM text: shown as written (markup=False).
            yield Label(f"One chase of {n} people: {names_text(self.people)}",
                        classes="dialog--title", markup=False)
            with Horizontal(classes="row"):
                yield Select([(c.value, c.value) for c in Channel], value=channel,
                             allow_blank=False, id="channel", prompt="Channel")
                yield Input("" if minutes is None else str(minutes),
                            placeholder="total minutes", id="minutes")
            yield Label("", id="split", classes="hint split", markup=False)
            yield Label("", id="chosen", classes="hint", markup=False)
            yield FieldList(*((Content(c.label), c.key, c.field in chosen) for c in self.choices),
                            id="fields")
            with Horizontal(classes="row"):
                yield Select([(label, o.value) for o, label in OUTCOME_LABELS.items()],
                             value=outcome if outcome is not None else Select.NULL,
                             allow_blank=outcome is None, id="outcome", prompt="Outcome")
                yield Input(note, placeholder="note (the same on every chase)", id="note")
            yield Label("Enter or ctrl+s saves · Escape cancels", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#minutes", Input).focus()
        self._show_chosen()
        self._check(self.query_one("#minutes", Input).value)

    def _check(self, text: str) -> int | None:
        """The split of the total as it is typed (or why it cannot be); the total if valid."""
        label = self.query_one("#split", Label)
        n = len(self.people)
        try:
            if not text.strip():
                raise ChaserError(f"the minutes all {n} took together, {MIN_MINUTES}-"
                                  f"{MAX_MINUTES}: split in whole minutes that add up")
            total = validate_minutes(text)
            if (why := too_few(total, n)) is not None:
                raise ChaserError(why)
        except ChaserError as e:
            label.update(str(e))
            label.set_class(bool(text.strip()), "error")
            return None
        label.update("Split: " + who_got_what(shares([p.name for p in self.people], total)))
        label.remove_class("error")
        return total

    @on(SelectionList.SelectedChanged)
    def _show_chosen(self) -> None:
        if not self.choices:
            text = "No missing fields to choose"
        else:
            text = "Fields chased (space toggles): " + (", ".join(self.chosen_fields()) or
                                                        "none yet")
        self.query_one("#chosen", Label).update(text)

    def chosen_fields(self) -> list[str]:
        """The field names every chase records (one ticked for two objects: once)."""
        return chosen_fields(self.query_one(FieldList).selected)

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
        total = self._check(box.value)
        if total is None:
            self.query_one("#split", Label).add_class("error")
            box.focus()
            return
        outcome = self.query_one("#outcome", Select).value
        if outcome is Select.NULL:
            self.notify("Choose an outcome first.", severity="warning")
            self.query_one("#outcome", Select).focus()
            return
        channel = str(self.query_one("#channel", Select).value)
        fields = self.chosen_fields()
        note = self.query_one("#note", Input).value
        ws, people = self.app.ws, self.people  # type: ignore[attr-defined]
        self.saving = True

        def work() -> Batch:
            try:
                return ws.log_chases(people, minutes=total, channel=channel,
                                     outcome=str(outcome), fields=fields, note=note)
            finally:
                self.saving = False  # a failed save may be corrected and retried

        run_blocking(self, work, done=self._saved, name="bulk-log")

    def _saved(self, batch: Batch) -> None:
        from chaser.screens.undo import remember

        self.app.notify(f"Logged {batch.summary()} (u undoes)", title="Chases logged",
                        markup=False, timeout=10)
        remember(self.app, "bulk", batch)
        self.app.reload("chases logged", chases_only=True)  # type: ignore[attr-defined]
        self.dismiss(batch)
