"""`m` on the overview: a "By me" column, the chases I logged of each person in the period.

"Mine" is this installation's writer (Workspace.writer: the [admin] id, else the login name),
the same as `m` in the chase log and `chaser chases --by ID`; a chase counts as
chaser.costs.counted counts it (not voided, inside the app's period). The column is sorted
on, biggest first, so whom I chased this week is at the top; `m` again takes it away.
Mixed into OverviewScreen: it only adds a column to the people table and keeps it current.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding

from chaser.costs import counted
from chaser.screens.base import ChaserScreen
from chaser.views import ViewData
from chaser.widgets.table import Column, VirtualTable

KEY = "mine"


def chased_by(data: ViewData, writer: str) -> dict[str, int]:
    """Person key -> the chases `writer` logged of them that count in the period."""
    out: dict[str, int] = {}
    for c in counted(data.chases, data.period):
        if c.writer == writer:
            out[c.person] = out.get(c.person, 0) + 1
    return out


class ChasedByMe(ChaserScreen):
    """Host: a screen with `people_table`. A ChaserScreen so that Textual merges its
    BINDINGS (it only reads them from DOM classes)."""

    BINDINGS: ClassVar = [
        Binding("m", "toggle_mine", "By me", show=False, id="overview.mine",
                tooltip="A column of the chases I logged of each person in the period "
                        "(sorted on it); m again hides it"),
    ]
    mine: dict[str, int] | None = None  # None: the column is not shown

    if TYPE_CHECKING:  # the host screen's (OverviewScreen)
        @property
        def people_table(self) -> VirtualTable: ...

    def _mine_column(self) -> Column:
        counts = self.mine if self.mine is not None else {}
        return Column(KEY, "By me", lambda r: counts.get(r.key, 0),
                      lambda r: f"{counts[r.key]:,}" if r.key in counts else "", width=5,
                      align="right", desc_first=True, short="Me")

    def action_toggle_mine(self) -> None:
        table = self.people_table
        data = self.data
        if data is None:
            return
        cols = [c for c in table.columns if c.key != KEY]
        if self.mine is not None:
            self.mine = None
            table.set_columns(cols)
            if table.sort_key == KEY:
                table.sort_by(None)
            return
        me = self.app.ws.writer.id
        self.mine = chased_by(data, me)
        at = next((i + 1 for i, c in enumerate(cols) if c.key == "chases"), len(cols))
        table.set_columns([*cols[:at], self._mine_column(), *cols[at:]])
        table.sort_by(KEY, reverse=True)
        n = len(self.mine)
        self.notify(f"By me ({me}): {n} {'person' if n == 1 else 'people'} chased in "
                    f"{data.period.label}. m again hides the column.", markup=False)

    def on_data_changed(self, _message) -> None:
        """A chase logged or voided, a new period: count again. Textual calls this before
        ChaserScreen's (the MRO's order), which then sorts and paints the fresh rows."""
        data = self.data
        if self.mine is None or data is None:
            return
        self.mine.clear()
        self.mine.update(chased_by(data, self.app.ws.writer.id))
