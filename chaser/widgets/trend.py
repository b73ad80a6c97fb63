"""A one-line completeness trend: label, Textual Sparkline, first -> last value."""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, Sparkline


class Trend(Horizontal):
    DEFAULT_CSS = """
    Trend { height: 1; width: 1fr; }
    Trend > .trend--label { width: auto; padding-right: 1; color: $text-muted; }
    Trend > Sparkline { width: 1fr; max-width: 40; height: 1; }
    Trend > .trend--range { width: auto; padding-left: 1; }
    """

    def __init__(self, label: str = "Completeness", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.label = label

    def compose(self) -> ComposeResult:
        yield Label(self.label, classes="trend--label")
        spark = Sparkline([], summary_function=max)
        spark.display = False  # an empty sparkline draws a flat line: show nothing instead
        yield spark
        yield Label("…", classes="trend--range")

    def show(self, values: Sequence[float]) -> None:
        """Completeness % per snapshot, oldest first."""
        spark = self.query_one(Sparkline)
        spark.data = list(values)
        spark.display = bool(values)
        text = "no history yet"
        if values:
            arrow = "↑" if values[-1] > values[0] else "↓" if values[-1] < values[0] else "→"
            n = len(values)
            text = (f"{values[0]:.1f}% {arrow} {values[-1]:.1f}% "
                    f"({n} snapshot{'s' if n != 1 else ''})")
        self.query_one(".trend--range", Label).update(text)
