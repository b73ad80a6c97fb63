"""A small modal list to pick one value (a team, a period): Enter picks, Escape cancels."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from chaser.screens.base import ChaserModal


class Picker(ChaserModal[str | None]):
    """Dismisses with the chosen option's id, or None."""

    BINDINGS: ClassVar = [Binding("escape", "dismiss(None)", "Cancel", id="picker.cancel")]

    def __init__(self, title: str, options: Sequence[tuple[str, str]], current: str | None = None
                 ) -> None:
        super().__init__(classes="picker")
        self.title_text = title
        self.options = list(options)  # (id, label)
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog--title", markup=False)
            # Labels are people's and teams' names: shown as written, never parsed as markup.
            yield OptionList(*(Option(label, id=key) for key, label in self.options),
                             markup=False)

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        for i, (key, _) in enumerate(self.options):
            if key == self.current:
                options.highlighted = i
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
