"""Log chase (modal): channel, minutes, fields chased, outcome, note (the keys and the parts
shared with the many-people form are chaser/modals/chase_form.py).

Minutes are checked as they are typed with chaser.workspace.validate_minutes, the one rule the
CLI uses too; the chase is written by Workspace.log_chase in a worker, then every view reloads.
The fields are grouped by object, the person's most-missing first (chaser.field_choices), and
read `[x]` / `[ ]` (widgets/checklist.py), never by colour alone. After a draft
(`LogChaseScreen.after_draft`) the fields are the draft's and no outcome is chosen: an email
only just sent has none yet.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.markup import escape
from textual.validation import ValidationResult, Validator
from textual.widgets import Input, Label

from chaser.errors import ChaserError
from chaser.field_choices import FieldChoice, field_choices
from chaser.modals.chase_form import OUTCOME_LABELS, SAVE_HINT, ChaseForm, FieldList
from chaser.model import Channel, Chase, Gap, Outcome, Person
from chaser.workspace import MAX_MINUTES, MIN_MINUTES, validate_minutes

__all__ = ["DRAFT_NOTE", "OUTCOME_LABELS", "SAVE_HINT", "FieldList", "LogChaseScreen"]
MINUTES_HINT = f"{MIN_MINUTES}-{MAX_MINUTES} minutes"
DRAFT_NOTE = "chase email drafted in chaser"


class Minutes(Validator):
    def validate(self, value: str) -> ValidationResult:
        try:
            validate_minutes(value)
        except ChaserError as e:
            return self.failure(str(e))
        return self.success()


class LogChaseScreen(ChaseForm[Chase | None]):
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

    @classmethod
    def after_draft(cls, person: Person, gaps: Sequence[Gap], *, minutes: int | None = None,
                    note: str = DRAFT_NOTE) -> LogChaseScreen:
        """The form for the email just drafted: an email chase of the draft's records, its
        fields ticked, no outcome yet (the admin says what it is, when they know)."""
        fields = list(dict.fromkeys(f for g in gaps for f in g.missing))
        return cls(person, fields, minutes=minutes, channel=Channel.EMAIL.value, chosen=fields,
                   outcome=None, note=note, gaps=gaps)

    def compose(self) -> ComposeResult:
        self.choices = self._choices()
        with Vertical(classes="dialog"):
            yield Label(f"Log a chase of [b]{escape(self.person.name)}[/]", classes="dialog--title")
            yield from self.channel_row("minutes")
            # The verdict quotes what was typed: shown as written.
            yield Label(MINUTES_HINT, id="minutes-error", classes="hint", markup=False)
            yield Label("", id="chosen", classes="hint", markup=False)
            yield self.field_list()
            yield from self.outcome_row("note (optional)")

    def minutes_input(self, value: str, placeholder: str) -> Input:
        return Input(value, placeholder=placeholder, id="minutes", validators=[Minutes()],
                     validate_on=["changed", "submitted"])

    def _choices(self) -> list[FieldChoice]:
        """The fields offered, grouped by object, most-missing first. The records come from
        `gaps`, else the person's in app.data (already loaded)."""
        gaps = self.gaps
        if gaps is None:
            data = self.app.data
            gaps = data.gaps_for(self.person.key) if data is not None else ()
        offered = set(self.fields)
        if offered:  # only the fields asked for (a draft's): not every gap of the person
            gaps = [g for g in gaps if offered.intersection(g.missing)]
            gaps = [g._replace(missing=tuple(f for f in g.missing if f in offered)) for g in gaps]
        return field_choices(gaps, self.fields)

    def check(self, text: str) -> int | None:
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

    def show_chosen(self) -> None:
        """The chosen fields in words, on one line (the form must fit 60x20)."""
        if not self.choices:
            text = "No missing fields to choose"
        else:
            ticked = set(self.query_one(FieldList).selected)
            names = [c.name for c in self.choices if c.key in ticked]
            text = (f"{len(names)} of {len(self.choices)} fields chased (space toggles)"
                    + (": " + ", ".join(names) if names else ""))
        self.query_one("#chosen", Label).update(text)

    def write(self, minutes: int, channel: str, outcome: str, fields: list[str],
              note: str) -> Callable[[], Chase]:
        ws, person = self.app.ws, self.person
        return lambda: ws.log_chase(person, minutes=minutes, channel=channel, outcome=outcome,
                                    fields=fields, note=note)

    def saved(self, chase: Chase) -> None:
        from chaser.screens.undo import remember

        self.app.notify(f"Logged {chase.minutes} min {chase.channel.value} with "
                        f"{self.person.name}: {chase.outcome.value} (u undoes)",
                        title="Chase logged", markup=False)
        remember(self.app, "log", chase, self.person.name)
        self.app.reload("chase logged", chases_only=True)
        self.dismiss(chase)
