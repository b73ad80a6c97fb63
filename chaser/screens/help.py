"""? help: what the screen underneath does, its live keys, and what the words mean."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

GLOSSARY = """\
[b]Tier[/]  grade-a ≥ 95% of records complete · moderate ≥ 70% · ineffective below · none: owns no records
[b]Gap[/]  a record with one or more required fields blank (placeholders like N/A count as blank)
[b]Barrier[/]  a chase outcome that blames the system (access, training, time, dependency)
[b]Cost[/]  admin minutes × admin rate (+ rep interruption minutes × rep rate), from the config
Every number here is the same as the CLI's: `chaser gaps`, `chaser chases`, `chaser costs`."""


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar = [
        Binding("escape", "dismiss", "Close", id="help.close"),
        Binding("question_mark", "dismiss", "Close", key_display="?", id="help.close_q"),
    ]

    def __init__(self, under: Screen | None = None) -> None:
        super().__init__(id="help", classes="help")
        self.under = under  # the screen whose keys are listed

    def compose(self) -> ComposeResult:
        under = self.under
        shown, more = [], []
        if under is not None:
            for key, active in under.active_bindings.items():
                b = active.binding
                # Only chaser's own keys (they all have ids); Textual's scrolling keys and
                # the per-column sort keys would bury them.
                if not (b.id and b.description and active.enabled) or b.id.startswith(
                        "table.sort_"):
                    continue
                line = f"  [b]{(b.key_display or key):>9}[/]  {b.tooltip or b.description}"
                (shown if b.show else more).append(line)
        title = under.__class__.__name__.removesuffix("Screen") if under else "chaser"
        text = "\n".join(["[b]Keys[/]", *shown, "", "[b]Also[/]", *more,
                          "  [b]   ctrl+p[/]  command palette: every action, person, team, period",
                          "", GLOSSARY])
        with Vertical(classes="dialog"):
            yield Label(f"Help — {title}", classes="dialog--title")
            with VerticalScroll():
                yield Static(text, id="help-text")
            yield Label("Escape or ? closes", classes="hint")
