"""BarChart: horizontal bars, one line each, that fit any width.

Every bar prints its value as text, and the part of a bar that is "special" (barrier chases
on the costs screen) is drawn with a different glyph, not only a different colour: the chart
reads the same in a monochrome terminal and to someone who cannot tell the colours apart.
The widget does no arithmetic beyond scaling: callers give it numbers and their labels.
Labels that must be cut are shortened together (chaser.short_names), so two teams never show
alike ("N. America East" / "N. America West", not "North America…" twice).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.widget import Widget

from chaser.short_names import min_distinct_width, shorten_all
from chaser.widgets.table import fit

FULL, PART = "█", "░"
EIGHTHS = " ▏▎▍▌▋▊▉"  # 0/8 .. 7/8 of a cell, for the end of a solid bar


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float  # the bar's length, in any unit; negative counts as 0
    text: str  # the value as people read it, printed after the bar
    part: float = 0.0  # how much of `value` is drawn with the PART glyph (at the end)


def bar_cells(value: float, part: float, scale: float, room: int) -> tuple[str, str]:
    """(solid, hatched) glyph runs for one bar; `scale` is the largest value, `room` the cells
    the largest bar may take. Exposed for tests: the geometry is the chart."""
    if scale <= 0 or room <= 0 or value <= 0:
        return "", ""
    part = max(0.0, min(part, value))
    total = value / scale * room
    hatched = round(part / scale * room)
    solid = max(0.0, total - hatched)
    whole = int(solid)
    eighth = int(round((solid - whole) * 8))
    if eighth == 8:
        whole, eighth = whole + 1, 0
    text = FULL * whole + (EIGHTHS[eighth] if eighth else "")
    if not text and not hatched:
        text = EIGHTHS[1]  # a non-zero value never draws as nothing
    return text, PART * hatched


class BarChart(Widget):
    """Set `bars` with `set_bars`; the chart is as tall as it has bars (scroll its parent)."""

    DEFAULT_CSS = """
    BarChart { height: auto; width: 1fr; }
    BarChart > .bar-chart--bar { color: $primary; }  /* not $accent: it is $warning in some themes */
    BarChart > .bar-chart--part { color: $warning; }
    BarChart > .bar-chart--muted { color: $text-muted; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"bar-chart--bar", "bar-chart--part",
                                             "bar-chart--muted"}

    def __init__(self, *, empty: str = "Nothing to chart", name: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.bars: list[Bar] = []
        self.empty = empty

    def set_bars(self, bars: Sequence[Bar]) -> None:
        self.bars = list(bars)
        self.refresh(layout=True)

    def get_content_height(self, container, viewport, width: int) -> int:
        return max(1, len(self.bars))

    def render(self) -> Text:
        width = self.content_region.width or self.size.width or 80
        if not self.bars:
            return Text(self.empty, style=self.get_component_rich_style("bar-chart--muted"))
        labels = [b.label for b in self.bars]
        longest = max(map(len, labels))
        label_w = min(longest, max(8, width // 4), 24)
        if label_w < longest:  # wider if that is what keeps two labels apart
            label_w = min_distinct_width(labels, label_w, min(longest, 24))
        shown = shorten_all(labels, label_w)
        value_w = max(len(b.text) for b in self.bars)
        room = max(1, width - label_w - value_w - 2)
        scale = max((b.value for b in self.bars), default=0.0)
        solid_style = self.get_component_rich_style("bar-chart--bar")
        part_style = self.get_component_rich_style("bar-chart--part")
        out = Text(no_wrap=True, overflow="crop")
        for i, b in enumerate(self.bars):
            if i:
                out.append("\n")
            solid, hatched = bar_cells(b.value, b.part, scale, room)
            out.append(fit(shown[b.label], label_w) + " ")
            out.append(solid, solid_style)
            out.append(hatched, part_style)
            out.append(" " * (room - len(solid) - len(hatched)) + " ")
            out.append(fit(b.text, value_w, "right"))
        return out
