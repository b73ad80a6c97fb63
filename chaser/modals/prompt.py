"""A one-line prompt every screen can reuse: it only asks; what happens with the answer is the
caller's business, run in the caller's worker (``push_screen(modal, callback)``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static

from chaser.modals.confirm import DIALOG_CSS
from chaser.screens.base import ChaserModal


class PromptModal(ChaserModal[str | None]):
    """Asks for one line of text. Dismisses with the stripped text, or None when cancelled.

    ``check(text)`` returns an error message to show (the modal stays open) or None; empty
    text is refused unless ``allow_empty``. The check must be cheap: it runs on the UI thread.
    """

    DEFAULT_CSS = DIALOG_CSS
    BINDINGS: ClassVar = [
        Binding("escape", "cancel", "Cancel", id="prompt.cancel"),
    ]

    def __init__(self, title: str, body: str, *, label: str = "", value: str = "",
                 placeholder: str = "", confirm: str = "OK", danger: bool = False,
                 check: Callable[[str], str | None] | None = None,
                 allow_empty: bool = False) -> None:
        super().__init__()
        self.title_text, self.body, self.label = title, body, label
        self.value, self.placeholder = value, placeholder
        self.confirm_label, self.danger = confirm, danger
        self.check, self.allow_empty = check, allow_empty

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog--title", markup=False)
            if self.body:
                yield Static(self.body, classes="dialog--body", markup=False)
            if self.label:
                yield Label(self.label, markup=False)
            yield Input(self.value, placeholder=self.placeholder, id="prompt-input")
            yield Static("", classes="dialog--error empty", id="prompt-error", markup=False)
            with Horizontal(classes="dialog--buttons"):
                yield Button("Cancel", id="prompt-no")
                yield Button(self.confirm_label, id="prompt-yes",
                             variant="error" if self.danger else "primary")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "prompt-yes":
            self.submit()
        else:
            self.dismiss(None)

    def submit(self) -> None:
        text = self.query_one(Input).value.strip()
        error = None
        if not text and not self.allow_empty:
            error = f"{self.label or 'A value'} is required."
        elif self.check is not None:
            error = self.check(text)
        if error:
            # Shown as text next to the field, so the reason does not depend on colour.
            box = self.query_one("#prompt-error", Static)
            box.update(f"✗ {error}")
            box.remove_class("empty")
            self.query_one(Input).focus()
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)
