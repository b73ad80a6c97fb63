"""Two small modals every screen can reuse: a yes/no confirmation and a one-line prompt.

They only ask: what happens with the answer (voiding a chase, writing a file) is the caller's
business, run in the caller's worker. Both dismiss with a value, so callers use
``push_screen(modal, callback)`` and never block the UI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

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


class ConfirmModal(ModalScreen[bool]):
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


class PromptModal(ModalScreen[str | None]):
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


# ---- the period picker every screen uses (overview, costs, chase log) --------------------

CUSTOM = "custom"
RANGE_HINT = ("YYYY-MM-DD..YYYY-MM-DD (both days included); also 2026-11, 2026-Q4, 2026, "
              "last-14d; not one that starts after today")


def period_choice(app, text: str):
    """`text` as a Period, cut in the configured zone at the app's "now" (chaser.periods
    decides what a period means; this only supplies the zone and the clock)."""
    from chaser.periods import parse_period

    data = getattr(app, "data", None)
    tz = data.tz if data is not None and data.tz is not None else app.ws.tz
    return parse_period(text, app.ws.now(), tz)


def describe(period) -> str:
    """"this-month (2026-11-01 – 2026-11-30)"; a custom range is its days only."""
    if ".." in period.label:
        return f"{period.span()} (custom)"
    return f"{period.label} ({period.span()})"


def pick_period(app, title: str, current: str, done: Callable[[str], None]) -> None:
    """A Picker of chaser.periods.PRESETS (the one list) plus "Custom range…", which asks
    for a period and checks it before closing (a future one is refused there, with the
    reason). Calls ``done(text)`` with the chosen period text."""
    from chaser.errors import ChaserError
    from chaser.periods import PRESETS
    from chaser.screens.picker import Picker

    keys = {k for k, _ in PRESETS}
    options = [*PRESETS, (CUSTOM, "Custom range…" if current in keys
                          else f"Custom range… ({current})")]

    def check(text: str) -> str | None:
        try:
            period_choice(app, text)
        except ChaserError as e:
            return str(e)
        return None

    def custom(text: str | None) -> None:
        if text:
            done(text.strip())

    def picked(key: str | None) -> None:
        if key == CUSTOM:
            value = "" if current in keys else current
            app.push_screen(PromptModal("Custom period", RANGE_HINT, label="Period",
                                        value=value, placeholder="2026-10-01..2026-10-31",
                                        confirm="Use period", check=check), custom)
        elif key is not None:
            done(key)

    app.push_screen(Picker(title, options, current if current in keys else CUSTOM), picked)


class OwnPeriod:
    """Mixed into a screen whose period follows the app's (``app.period_text``, repainted on
    DataChanged "period") until the user picks another there, which then sticks for that
    screen (``app.screen_periods``, so also when it is opened again) and only there. Picking
    the app's period again follows the app again."""

    @property
    def own_period(self) -> str | None:
        return getattr(self.app, "screen_periods", {}).get(self.id)

    @own_period.setter
    def own_period(self, text: str | None) -> None:
        periods = getattr(self.app, "screen_periods", None)
        if periods is None:
            return
        if text is None or text == getattr(self.app, "period_text", None):
            periods.pop(self.id, None)
        else:
            periods[self.id] = text

    @property
    def period_text(self) -> str:
        from chaser.periods import DEFAULT_PERIOD

        return self.own_period or getattr(self.app, "period_text", DEFAULT_PERIOD)

    def cut_period(self):
        """This screen's period as a Period. A text that no longer parses (a custom range
        that now starts after today: the clock moved) falls back to the app's, then to the
        default: a repaint never fails."""
        from chaser.errors import ChaserError
        from chaser.periods import DEFAULT_PERIOD

        for text in (self.period_text, getattr(self.app, "period_text", ""), DEFAULT_PERIOD):
            try:
                period = period_choice(self.app, text)
            except ChaserError:
                self.own_period = None
                continue
            return period
        raise AssertionError("unreachable: DEFAULT_PERIOD always parses")

    def period_status(self, period) -> str:
        """"last-month (2026-10-01 – 2026-10-31) (this screen)" when it is not the app's."""
        return describe(period) + (" (this screen)" if self.own_period else "")
