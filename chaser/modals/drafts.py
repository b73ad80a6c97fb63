"""Chase emails to many people (modal): one draft per person of a selection, one at a time.

Each draft is views.draft_message over the gap records that were shown for that person (the
search and filter of the screen it came from). The draft shown is on the clipboard; n and p
step through them; l logs them all as one email chase of everyone (the bulk log form).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, NamedTuple

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, Label, TextArea

from chaser.model import Person
from chaser.screens.base import ChaserModal


class Draft(NamedTuple):
    person: Person
    text: str
    records: int


class DraftsScreen(ChaserModal[bool]):
    """Dismisses with True when l asks to log the emails as one chase, else False."""

    BINDINGS: ClassVar = [
        Binding("escape", "dismiss(False)", "Close", id="drafts.close"),
        Binding("n", "step(1)", "Next", id="drafts.next", tooltip="The next person's draft "
                "(copied to the clipboard)"),
        Binding("p", "step(-1)", "Previous", id="drafts.previous"),
        Binding("l", "dismiss(True)", "Log as one email chase", id="drafts.log"),
        Binding("y", "copy", "Copy again", id="drafts.copy"),
    ]

    def __init__(self, drafts: Sequence[Draft]) -> None:
        super().__init__(classes="draft")
        self.drafts = list(drafts)
        self.at = 0

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("", id="drafts-title", classes="dialog--title", markup=False)
            yield TextArea("", read_only=True, soft_wrap=True, id="draft-text")
            yield Label("n/p next/previous · l logs them as one email chase · y copies again "
                        "· Escape closes", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        self._show()

    def _show(self) -> None:
        d = self.drafts[self.at]
        self.query_one("#drafts-title", Label).update(
            f"Chase email {self.at + 1} of {len(self.drafts)}: {d.person.name} "
            f"({d.records:,} record{'s' if d.records != 1 else ''}) — copied to the clipboard")
        self.query_one(TextArea).load_text(d.text)
        self.app.copy_to_clipboard(d.text)

    def action_step(self, delta: int) -> None:
        self.at = (self.at + delta) % len(self.drafts)
        self._show()

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.drafts[self.at].text)
        self.notify(f"Copied the chase email to {self.drafts[self.at].person.name}.",
                    markup=False)
