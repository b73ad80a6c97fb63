"""? help: what the screen underneath does, its live keys, and what the words mean."""

from __future__ import annotations

import textwrap
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import Label, Static

from chaser.screens.base import ChaserModal
from chaser.screens.bindings import MOVES, ranked_bindings

GLOSSARY = (
    ("Tier", "grade-a ≥ 95% of records complete · moderate ≥ 70% · ineffective below · "
             "none: owns no records"),
    ("Gap", "a record with one or more required fields blank (placeholders like N/A count "
            "as blank)"),
    ("Barrier", "a chase outcome that blames the system (access, training, time, "
                "dependency)"),
    ("Cost", "admin minutes × admin rate (+ rep interruption minutes × rep rate), from the "
             "config"),
)
CLI = "Every number here is the same as the CLI's: chaser gaps, chaser chases, chaser costs."


def glossary(width: int = 0) -> str:
    width = width or WIDTH
    lines = []
    for term, text in GLOSSARY:
        wrapped = textwrap.wrap(text, width - 11)
        lines.append(f"[b]{term:<9}[/]  {escape(wrapped[0])}")
        lines += [" " * 11 + escape(line) for line in wrapped[1:]]
    return "\n".join([*lines, "", CLI])


# What each screen is for, in one or two lines, by screen id.
ABOUT = {
    "overview": ("Overview", "Who leaves required CRM fields blank: one line per person, with "
                 "their tier, gaps and what chasing them cost. Enter opens a person."),
    "person": ("Person", "One person's gap records and chase history. Log each chase (c) with "
               "the minutes it took: that is the hidden cost the costs screen adds up."),
    "chase-log": ("Chase log", "Every logged chase, newest first. Filter by person, team or "
                  "period, or m for mine only; void (v) a chase logged by mistake: it stays "
                  "listed, marked VOID."),
    "costs": ("Costs", "What chasing cost in a period, per team or person; barrier chases "
              "(the system's fault) are counted apart. e exports the CSV files for HR."),
    "sync": ("Sync", "Take a new snapshot of the CRM. A cancelled or failed sync keeps the "
             "current snapshot."),
}


INDENT = 28  # "  " + key (9) + "  " + description (14) + " "
WIDTH = 70  # inside the dialog: 76 less its border, padding and scrollbar
NARROW_INDENT = 6  # under 70 cells the tooltip goes on the lines under the key


def key_line(key: str, description: str, tooltip: str = "", width: int = 0) -> str:
    """"      c  Log chase      Log a chase of this person" (the tooltip only if it adds),
    the tooltip wrapped under itself rather than under the keys. Narrower than WIDTH (a 60
    column terminal), the tooltip goes under the key, indented, so no line wraps twice."""
    width = width or WIDTH
    more = tooltip if tooltip and tooltip != description else ""
    head = f"  [b]{escape(key):>9}[/]  {escape(description):<14} "
    if len(key) > 9 or len(description) > 14:
        return f"{head}{escape(more)}".rstrip()
    if width < WIDTH and more and INDENT + len(more) > width:
        wrapped = textwrap.wrap(more, width - NARROW_INDENT)
        return "\n".join([head.rstrip(), *(" " * NARROW_INDENT + escape(line)
                                            for line in wrapped)])
    wrapped = textwrap.wrap(more, width - INDENT) or [""]
    return "\n".join([f"{head}{escape(wrapped[0])}".rstrip(),
                      *(" " * INDENT + escape(line) for line in wrapped[1:])])


class HelpScreen(ChaserModal[None]):
    BINDINGS: ClassVar = [
        Binding("escape", "dismiss", "Close", id="help.close"),
        Binding("question_mark", "dismiss", "Close", key_display="?", id="help.close_q"),
    ]

    def __init__(self, under: Screen | None = None) -> None:
        super().__init__(id="help", classes="help")
        self.under = under  # the screen whose keys are listed
        self.width = WIDTH  # the text's width, set in compose from the terminal's

    def _width(self) -> int:
        """Inside the dialog: 76 cells or the terminal, less border, padding, scrollbar."""
        return max(30, min(WIDTH, self.app.size.width - 6))

    def keys_text(self) -> str:
        """The live keys of the screen underneath: its own actions first, then the table's,
        then the keys that work everywhere. Cursor keys share a line, as do the 1-9 sorts."""
        lines: list[str] = []
        group = None
        moves: list[str] = []
        if self.under is not None:
            for name, _key, b in ranked_bindings(self.under):
                if b.id.startswith("table.sort_"):
                    continue
                if name != group:
                    lines += ["", f"[b]{name}[/]"] if lines else [f"[b]{name}[/]"]
                    group = name
                shown = b.key_display or self.app.get_key_display(b)
                if b.id in MOVES:
                    if not moves:
                        lines.append("")  # filled in below, where the first cursor key was
                        at = len(lines) - 1
                    moves.append(shown)
                    continue
                lines.append(key_line(shown, b.description, b.tooltip, self.width))
        if moves:
            lines[at] = f"  [b]{escape(' '.join(moves))}[/]  move the cursor"
        if group != "Everywhere":
            lines += ["", "[b]Everywhere[/]"]
        lines.append(key_line("ctrl+p", "Palette", "every action, person, team and period",
                              self.width))
        return "\n".join(lines)

    def compose(self) -> ComposeResult:
        under = self.under
        title, about = ABOUT.get(under.id if under is not None else "", ("chaser", ""))
        self.width = self._width()
        with Vertical(classes="dialog"):
            yield Label(f"Help — {title}", classes="dialog--title", markup=False)
            with VerticalScroll():
                text = f"{self.keys_text()}\n\n{glossary(self.width)}"
                yield Static(f"{escape(about)}\n\n{text}" if about else text, id="help-text")
            yield Label("Escape or ? closes", classes="hint")
