"""Live figures: the app looks every POLL_SECONDS at the ledger folder and at the snapshot
index, and reloads only when another process changed one of them, so another admin's chase
(the CLI, a second TUI, a synced shared folder) or another process's sync shows without a key
press, on every screen at once.

A look is a listing and a stat per ledger month file (chaser.ledger_status.stamp) plus one
stat of the snapshot index (views.snapshot_stamp), in a worker: a synced folder (OneDrive, a
network share) can be slow to list, and the UI thread only paints. It is compared with the
stamps the shown data was read at (ViewData.ledger_stamp / snapshot_stamp): a new snapshot
means a full reload, a changed ledger a chases-only one. The reload's DataChanged reaches every
screen on the stack (screens/messages.broadcast), so the overview, the person and costs screens
and the chase log each repaint from the new data. While this app's own reload or sync runs
nothing is asked: that reload brings the change (and reads the stamps again).

A screen may ask for looks more often while it is shown (WatchesLedger: the chase log).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.timer import Timer
from textual.worker import Worker

from chaser.screens.base import ChaserScreen
from chaser.screens.workers import run_blocking

if TYPE_CHECKING:
    from chaser.app import ChaserApp

# Worker groups whose end reloads anyway: this app's own reloads and syncs.
OWN_WORK = frozenset({"reload", "reload-chases", "sync"})


class DataWatch:
    """One per app, started once the app runs (ChaserApp.on_mount)."""

    POLL_SECONDS = 1.0  # another process's write shows within about 1-1.5 s (look + reload)

    def __init__(self, app: ChaserApp) -> None:
        self.app = app
        self.seconds = self.POLL_SECONDS
        self._timer: Timer | None = None
        self._look: Worker | None = None
        self._asked: tuple | None = None  # the stamps a reload was last asked for
        self.looks = 0  # looks finished (for tests and the benchmark)

    def start(self, seconds: float | None = None) -> None:
        """Look every `seconds` (default POLL_SECONDS) from now on."""
        seconds = seconds or self.POLL_SECONDS
        if self._timer is not None:
            if seconds == self.seconds:
                return
            self._timer.stop()
        self.seconds = seconds
        self._timer = self.app.set_interval(seconds, self.look, name="data-watch")

    def stop(self) -> None:
        """No more looks (until start): for a test of reloads that must not race it."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _own_work(self) -> bool:
        return any(w.group in OWN_WORK and not w.is_finished for w in self.app.workers)

    def look(self) -> None:
        data = self.app.data
        if data is None or self._own_work():
            return
        if self._look is not None and not self._look.is_finished:
            return  # a slow folder: the last look is still listing it
        from chaser import views

        ws = self.app.ws
        self._look = run_blocking(self.app, lambda: (views.ledger_stamp(ws),
                                                     views.snapshot_stamp(ws)),
                                  done=self._looked, name="data-watch", group="data-watch")

    def _looked(self, stamps: tuple) -> None:
        self.looks += 1
        data = self.app.data
        # Asked once per change, so a slow re-read is not asked for again by every look.
        if data is None or stamps == self._asked or self._own_work():
            return
        ledger, snapshot = stamps
        if snapshot != data.snapshot_stamp:
            self._asked = stamps
            self.app.reload("snapshot changed")
        elif ledger != data.ledger_stamp:
            self._asked = stamps
            self.app.reload("ledger changed", chases_only=True)


class WatchesLedger(ChaserScreen):
    """Mixed into a screen that wants the app's watch to look every POLL_SECONDS while the
    screen is shown (the app's pace again once it is covered or closed)."""

    POLL_SECONDS = DataWatch.POLL_SECONDS

    def _pace(self, seconds: float | None) -> None:
        self.app.data_watch.start(seconds)

    def on_mount(self) -> None:
        self._pace(self.POLL_SECONDS)

    def on_screen_resume(self) -> None:
        self._pace(self.POLL_SECONDS)

    def on_screen_suspend(self) -> None:
        self._pace(None)

    def on_unmount(self) -> None:
        self._pace(None)
