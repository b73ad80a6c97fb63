"""Mixed into a ChaserScreen that shows chases: while it is shown, look at the ledger folder
every POLL_SECONDS and re-read the chases (a chases-only reload) only when a file changed, so
another admin's chase, synced into a shared folder, appears without a key press.

A look is a listing and a stat per month file (chaser.ledger_status.stamp), in a worker: a
synced folder (OneDrive, a network share) can be slow to list, and the UI thread only paints.
It is compared with the stamp the shown chases were read at (ViewData.ledger_stamp), so this
screen's own void, which reloads anyway, is not read twice. Covered by another screen, the
timer pauses: nobody is looking.
"""

from __future__ import annotations

from textual.timer import Timer

from chaser.ledger_status import stamp
from chaser.screens.common import run_blocking


class WatchesLedger:
    POLL_SECONDS = 2.0  # how often the ledger folder is looked at while the screen is shown
    _poll: Timer | None = None
    _asked: frozenset | None = None  # the stamp a reload was last asked for

    def on_mount(self) -> None:
        self._poll = self.set_interval(self.POLL_SECONDS, self._look,  # type: ignore[attr-defined]
                                       name="ledger-poll")

    def on_screen_suspend(self) -> None:
        if self._poll is not None:
            self._poll.pause()

    def on_screen_resume(self) -> None:
        if self._poll is not None:
            self._poll.resume()

    def _look(self) -> None:
        root = self.app.ws.store.ledger.root  # type: ignore[attr-defined]
        run_blocking(self, lambda: stamp(root), done=self._looked,  # type: ignore[arg-type]
                     name="ledger-poll", group="ledger-poll", exclusive=True)

    def _looked(self, now: frozenset) -> None:
        data = self.app.data  # type: ignore[attr-defined]
        # Asked once per change, so a slow re-read is not asked for again by every look.
        if data is None or now == data.ledger_stamp or now == self._asked:
            return
        self._asked = now
        self.app.reload("ledger changed", chases_only=True)  # type: ignore[attr-defined]
