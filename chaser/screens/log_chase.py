"""Log chase (modal): channel, minutes, fields chased, outcome, note. ctrl+s saves from
anywhere (Enter too, from a text box or the field list: on a dropdown Enter opens it, as
Textual's Select does, so the form says "ctrl+s saves"); Escape cancels.

Minutes are checked as they are typed with chaser.workspace.validate_minutes, the one rule the
CLI uses too; the chase is written by Workspace.log_chase in a worker, then every view reloads.
The fields are grouped by object, the person's most-missing first (chaser.field_choices), and
read `[x]` / `[ ]` (widgets/checklist.py), never by colour alone. After a draft
(`LogChaseScreen.after_draft`) the fields are the draft's and no outcome is chosen: an email
only just sent has none yet.
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
from chaser.field_choices import FieldChoice, chosen_fields, field_choices
from chaser.model import Channel, Chase, Gap, Outcome, Person
from chaser.screens.common import run_blocking
from chaser.widgets.checklist import CheckList
from chaser.workspace import MAX_MINUTES, MIN_MINUTES, validate_minutes

OUTCOME_LABELS = {
    Outcome.FIXED: "fixed", Outcome.PROMISED: "promised", Outcome.NO_RESPONSE: "no response",
    Outcome.DISPUTED: "disputed",
    Outcome.BARRIER_ACCESS: "barrier: no access", Outcome.BARRIER_TRAINING: "barrier: no training",
    Outcome.BARRIER_TIME: "barrier: no time", Outcome.BARRIER_DEPENDENCY: "barrier: depends on others",
}
MINUTES_HINT = f"{MIN_MINUTES}-{MAX_MINUTES} minutes"
SAVE_HINT = "ctrl+s saves · Enter too, in a text box · Escape cancels"
DRAFT_NOTE = "chase email drafted in chaser"


class Minutes(Validator):
    def validate(self, value: str) -> ValidationResult:
        try:
            validate_minutes(value)
        except ChaserError as e:
            return self.failure(str(e))
        return self.success()


class FieldList(CheckList):
    """Space toggles a field (`[x]` / `[ ]`); Enter saves the chase, as from a text box."""

    BINDINGS: ClassVar = [Binding("enter", "screen.save", "Save", show=False, id="log.save_list")]


class LogChaseScreen(ModalScreen[Chase | None]):
    BINDINGS: ClassVar = [
        Binding("escape", "cancel", "Cancel", id="log.cancel"),
        Binding("ctrl+s", "save", "Save", id="log.save"),
    ]

    def __init__(self, person: Person, fields: Sequence[str] = (), *, minutes: int | None = None,
                 channel: str = Channel.CALL.value, chosen: Sequence[str] = (),
                 outcome: str | None = Outcome.PROMISED.value, note: str = "",
                 gaps: Sequence[Gap] | None = None) -> None:
        """`fields`: the field names to offer (all of `gaps`' when empty); `chosen`: those
        ticked; `gaps`: the records they come from (default: the person's, from app.data);
        `outcome` None: none chosen, the form asks for one."""
        super().__init__(classes="log-chase")
        self.person = person
        self.fields = list(dict.fromkeys([*fields, *chosen]))
        self.gaps = gaps
        self.initial = (minutes, channel, set(chosen), outcome, note)
        self.saving = False
        self.choices: list[FieldChoice] = []

    @classmethod
    def after_draft(cls, person: Person, gaps: Sequence[Gap], *, minutes: int | None = None,
                    note: str = DRAFT_NOTE) -> LogChaseScreen:
        """The form for the email just drafted: an email chase of the draft's records, its
        fields ticked, no outcome yet (the admin says what it is, when they know)."""
        fields = list(dict.fromkeys(f for g in gaps for f in g.missing))
        return cls(person, fields, minutes=minutes, channel=Channel.EMAIL.value, chosen=fields,
                   outcome=None, note=note, gaps=gaps)

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
            yield FieldList(*self._field_options(chosen), id="fields")
            with Horizontal(classes="row"):
                yield Select([(label, o.value) for o, label in OUTCOME_LABELS.items()],
                             value=outcome if outcome is not None else Select.NULL,
                             allow_blank=outcome is None, id="outcome",
                             prompt="Outcome: choose one")
                yield Input(note, placeholder="note (optional)", id="note")
            yield Label(SAVE_HINT, id="save-hint", classes="hint")

    def _field_options(self, chosen: set[str]) -> list[tuple[Content, tuple[str, str], bool]]:
        """(label, (object, field), ticked) per field, grouped by object, most-missing first.
        The records come from `gaps`, else the person's in app.data (already loaded)."""
        gaps = self.gaps
        if gaps is None:
            data = self.app.data  # type: ignore[attr-defined]
            gaps = data.gaps_for(self.person.key) if data is not None else ()
        offered = set(self.fields)
        if offered:  # only the fields asked for (a draft's): not every gap of the person
            gaps = [g for g in gaps if offered.intersection(g.missing)]
            gaps = [g._replace(missing=tuple(f for f in g.missing if f in offered)) for g in gaps]
        self.choices = field_choices(gaps, self.fields)
        return [(Content(c.label), c.key, c.field in chosen) for c in self.choices]

    def chosen_fields(self) -> list[str]:
        """The field names the chase will record (a field ticked for two objects: once)."""
        return chosen_fields(self.query_one(FieldList).selected)

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
        """The chosen fields in words, on one line (the form must fit 60x20)."""
        if not self.choices:
            text = "No missing fields to choose"
        else:
            ticked = set(self.query_one(FieldList).selected)
            names = [c.name for c in self.choices if c.key in ticked]
            text = (f"{len(names)} of {len(self.choices)} fields chased (space toggles)"
                    + (": " + ", ".join(names) if names else ""))
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

    def _outcome(self) -> str | None:
        """The outcome chosen; None (and the form says so) when none is yet."""
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
        minutes = self._check(box.value)
        if minutes is None:
            box.focus()
            return
        channel = str(self.query_one("#channel", Select).value)
        outcome = self._outcome()
        if outcome is None:
            return
        fields = self.chosen_fields()
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
        from chaser.screens.undo import remember

        self.app.notify(f"Logged {chase.minutes} min {chase.channel.value} with "
                        f"{self.person.name}: {chase.outcome.value} (u undoes)",
                        title="Chase logged", markup=False)
        remember(self.app, "log", chase, self.person.name)
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
        from textual.widgets import TextArea

        from chaser.widgets.footer import KeyFooter

        with Vertical(classes="dialog"):
            yield Label(f"Chase email to [b]{escape(self.person_name)}[/] ({self.records:,} records) — "
                        "copied to the clipboard", classes="dialog--title")
            yield TextArea(self.text, read_only=True, soft_wrap=True, id="draft-text")
            yield Label("l logs it as an email chase · y copies again · Escape closes",
                        classes="hint")
        yield KeyFooter()  # whole keys only (widgets/footer.py)

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.text)
        self.notify("Copied the chase email to the clipboard.")
