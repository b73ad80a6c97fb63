"""The person screen's accountability lines and `r`: resolve a barrier (issue 13).

What the lines say comes from chaser.views_acc, read with the data: the status over the app's
period (the report's and the HR export's "Status"), the last goal weeks met or missed
(`chaser goals`), the barriers open and removed (`chaser barriers --person`). `r` marks an
open barrier removed, with a note saying how (Workspace.resolve_barrier: a ledger event like a
chase, `chaser barriers resolve ID --note`); barriers the CRM's field permissions show are
removed by a sync once the permission is granted, so `r` says that instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.binding import Binding

from chaser.barrier_register import CRM, RegisteredBarrier
from chaser.screens.base import ChaserScreen
from chaser.screens.workers import run_blocking

if TYPE_CHECKING:
    from chaser.model import Person
    from chaser.views import ViewData

BARRIER_KEYS = [
    Binding("r", "resolve_barrier", "Resolve", id="person.resolve", show=False,
            tooltip="Mark an open barrier of this person removed, with a note saying how "
                    "(chaser barriers resolve ID --note)"),
]


def barrier_text(b: RegisteredBarrier, tz: Any) -> str:
    since = f"{b.opened_at.astimezone(tz):%Y-%m-%d}"
    fields = f" on {', '.join(b.fields[:3])}{'…' if len(b.fields) > 3 else ''}" if b.fields else ""
    where = " (CRM field permissions)" if b.source == CRM else ""
    return f"{b.kind}{where} since {since}{fields}"


def accountability_lines(data: ViewData, key: str, weeks: int = 6) -> list[str]:
    """Plain text (the caller escapes it): the status (and `r` when a barrier is open that
    an admin can resolve), a newcomer's first week, the last goal weeks."""
    acc = data.acc
    if acc is None:
        return []
    lines = []
    if (status := acc.statuses.get(key)) is not None:
        barriers = acc.barriers_of(key)
        hints = [*(["r resolves"] if any(b.open and b.source != CRM for b in barriers) else []),
                 *([f"{n} removed"] if (n := sum(not b.open for b in barriers)) else [])]
        lines.append(f"Status: {status.text}" + "".join(f" · {h}" for h in hints))
    if new := acc.newcomers.get(key):
        lines.append(f"Newcomer: started {new.start.at.astimezone(data.tz):%Y-%m-%d}, "
                     f"nothing entered in {new.days_since_start} days")
    if text := acc.weeks_text(key, weeks):
        lines.append(f"Goal weeks: {text}")
    return lines


class PersonBarriers(ChaserScreen):
    """Mixin of PersonScreen; the binding is BARRIER_KEYS, in its BINDINGS."""

    if TYPE_CHECKING:
        key: str

        @property
        def person(self) -> Person | None: ...

    def action_resolve_barrier(self) -> None:
        from chaser.modals.picker import Picker

        data, person = self.data, self.person
        if data is None or data.acc is None or person is None:
            return
        open_ = data.acc.barriers_of(self.key, open_only=True)
        mine = [b for b in open_ if b.source != CRM]
        if not mine:
            crm = " Those the CRM's field permissions show close by themselves: grant the " \
                  "permission, then sync." if open_ else ""
            self.app.notify(f"{person.name} has no open barrier to resolve.{crm}",
                            title="Barriers", markup=False)
            return
        if len(mine) == 1:
            self._ask_note(mine[0])
            return
        by_id = {b.id: b for b in mine}

        def picked(bid: str | None) -> None:
            if bid is not None:
                self._ask_note(by_id[bid])

        self.app.push_screen(Picker("Resolve which barrier?",
                                    [(b.id, barrier_text(b, data.tz)) for b in mine]), picked)

    def _ask_note(self, barrier: RegisteredBarrier) -> None:
        from chaser.modals.prompt import PromptModal

        app = self.app
        ws = app.ws
        tz = self.data.tz if self.data is not None else None

        def written(note: str | None) -> None:
            if not note:
                return

            def done(removed: RegisteredBarrier) -> None:
                app.notify(f"Barrier {removed.id} ({removed.kind}) resolved: {note}",
                           title="Barrier resolved", markup=False)
                app.reload("barrier resolved", chases_only=True)

            run_blocking(self, lambda: ws.resolve_barrier(barrier.id, note), done=done,
                         name="resolve-barrier")

        app.push_screen(PromptModal(
            f"Resolve barrier {barrier.id}?",
            f"{barrier_text(barrier, tz)}, {len(barrier.chases)} chase(s). The resolution is "
            "kept in the ledger like a chase; the person's status changes with it.",
            label="What removed it", placeholder="e.g. granted edit access to Industry",
            confirm="Resolve"), written)
