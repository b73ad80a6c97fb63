"""Log one chase of many people (modal): one email to a team, one meeting with five reps.

The minutes are the whole act's; the form previews how chaser.bulk splits them (whole
minutes that add up, the larger shares first) and refuses fewer minutes than people. The
chases are written by Workspace.log_chases in a worker, in one durable write; the notice
says who got what, and `u` undoes the whole batch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label

from chaser.bulk import Batch, shares, too_few, who_got_what
from chaser.errors import ChaserError
from chaser.field_choices import field_choices
from chaser.modals.chase_form import ChaseForm
from chaser.model import Channel, Gap, Outcome, Person
from chaser.workspace import MAX_MINUTES, MIN_MINUTES, validate_minutes


def names_text(people: Sequence[Person], limit: int = 4) -> str:
    """"Kevin Patel, Ann Lee, Bo Chen +4 more"."""
    names = [p.name for p in people[:limit]]
    more = len(people) - len(names)
    return ", ".join(names) + (f" +{more} more" if more else "")


class BulkLogScreen(ChaseForm[Batch | None]):
    """Dismisses with the Batch written, or None when cancelled."""

    BINDINGS: ClassVar = [
        Binding("escape", "cancel", "Cancel", id="bulk.cancel"),
        Binding("ctrl+s", "save", "Save", id="bulk.save"),
    ]
    CHECK_EMPTY = True  # the split line explains the total before one is typed

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

    def compose(self) -> ComposeResult:
        n = len(self.people)
        with Vertical(classes="dialog"):
            # Names are CRM text: shown as written (markup=False).
            yield Label(f"One chase of {n} people: {names_text(self.people)}",
                        classes="dialog--title", markup=False)
            yield from self.channel_row("total minutes")
            yield Label("", id="split", classes="hint split", markup=False)
            yield Label("", id="chosen", classes="hint", markup=False)
            yield self.field_list()
            yield from self.outcome_row("note (the same on every chase)")

    def check(self, text: str) -> int | None:
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

    def minutes_refused(self) -> None:
        self.query_one("#split", Label).add_class("error")  # also before any was typed

    def show_chosen(self) -> None:
        if not self.choices:
            text = "No missing fields to choose"
        else:
            text = "Fields chased (space toggles): " + (", ".join(self.chosen_fields()) or
                                                        "none yet")
        self.query_one("#chosen", Label).update(text)

    def write(self, minutes: int, channel: str, outcome: str, fields: list[str],
              note: str) -> Callable[[], Batch]:
        ws, people = self.app.ws, self.people
        return lambda: ws.log_chases(people, minutes=minutes, channel=channel, outcome=outcome,
                                     fields=fields, note=note)

    def saved(self, batch: Batch) -> None:
        from chaser.screens.undo import remember

        self.app.notify(f"Logged {batch.summary()} (u undoes)", title="Chases logged",
                        markup=False, timeout=10)
        remember(self.app, "bulk", batch)
        self.app.reload("chases logged", chases_only=True)
        self.dismiss(batch)
