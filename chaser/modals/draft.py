"""The drafted chase email of one person, already on the clipboard; `l` logs it."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.markup import escape
from textual.widgets import Label

from chaser.screens.base import ChaserModal


class DraftScreen(ChaserModal[bool]):
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
