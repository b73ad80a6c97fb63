"""A yes/no confirmation every screen can reuse, and the dialogs' shared fallback look.

It only asks: what happens with the answer (voiding a chase, writing a file) is the caller's
business, run in the caller's worker. It dismisses with a value, so callers use
``push_screen(modal, callback)`` and never block the UI thread.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, Static

from chaser.screens.base import ChaserModal

# Shared look with the lead's Picker ("dialog", "dialog--title"); this CSS is the fallback
# layout so the modals read well at 80x24 even before the app stylesheet styles them.
DIALOG_CSS = """
ConfirmModal, PromptModal { align: center middle; }
ConfirmModal > .dialog, PromptModal > .dialog {
    width: 72; max-width: 100%; height: auto; max-height: 100%;
    border: thick $primary; background: $surface; padding: 1 2;
}
ConfirmModal .dialog--title, PromptModal .dialog--title { text-style: bold; width: 100%; }
ConfirmModal .dialog--body, PromptModal .dialog--body { margin-bottom: 1; width: 100%; }
PromptModal .dialog--error { color: $text-error; width: 100%; height: auto; }
PromptModal .dialog--error.empty { display: none; }
ConfirmModal .dialog--buttons, PromptModal .dialog--buttons {
    height: auto; width: 100%; align-horizontal: right; margin-top: 1;
}
ConfirmModal Button, PromptModal Button { margin-left: 2; }
"""


class ConfirmModal(ChaserModal[bool]):
    """Dismisses with True (confirmed) or False. Escape is always "no"."""

    DEFAULT_CSS = DIALOG_CSS
    BINDINGS: ClassVar = [
        Binding("escape", "answer(False)", "Cancel", id="confirm.cancel"),
    ]

    def __init__(self, title: str, body: str, *, confirm: str = "OK", cancel: str = "Cancel",
                 danger: bool = False) -> None:
        super().__init__()
        self.title_text, self.body, self.danger = title, body, danger
        self.confirm_label, self.cancel_label = confirm, cancel

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog--title", markup=False)
            yield Static(self.body, classes="dialog--body", markup=False)
            with Horizontal(classes="dialog--buttons"):
                yield Button(self.cancel_label, id="confirm-no")
                yield Button(self.confirm_label, id="confirm-yes",
                             variant="error" if self.danger else "primary")

    def on_mount(self) -> None:
        # A destructive default would turn a stray Enter into data loss: focus "no" then.
        self.query_one("#confirm-no" if self.danger else "#confirm-yes").focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm-yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)
