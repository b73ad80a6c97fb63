"""CheckList: a SelectionList whose boxes read `[x]` and `[ ]`.

Textual's SelectionList draws the same "X" for a checked and an unchecked option and tells
them apart by colour only: in a monochrome terminal, or to someone who cannot tell the
colours apart, every field looks chosen. Here the mark is the text; the colour only repeats
it. Everything else (keys, messages, `selected`) is SelectionList's.
"""

from __future__ import annotations

from typing import TypeVar

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widgets import OptionList, SelectionList
from textual.widgets.option_list import OptionDoesNotExist

T = TypeVar("T")
CHECKED, UNCHECKED = "[x] ", "[ ] "  # as wide as SelectionList's gutter (▐X▌ and a space)


class CheckList(SelectionList[T]):
    DEFAULT_CSS = """
    CheckList > .selection-list--button-selected { color: $text-success; text-style: bold; }
    """

    def render_line(self, y: int) -> Strip:
        line = OptionList.render_line(self, y)  # the prompt, without SelectionList's button
        index = self.scroll_offset.y + y
        try:
            option = self.get_option_at_index(index)
        except OptionDoesNotExist:
            return line
        checked = option.value in self._selected
        base = next(iter(line)).style or self.rich_style
        mark = base
        if checked:
            picked = self.get_component_rich_style("selection-list--button-selected")
            mark = base + Style(color=picked.color, bold=True)
        meta = Style(meta={"option": index})  # a click on the box toggles it, as before
        return Strip([Segment(CHECKED if checked else UNCHECKED, mark + meta), *line])
