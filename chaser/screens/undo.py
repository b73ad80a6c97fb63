"""`u` everywhere: undo the last chase logged, bulk log or void made since the app opened.

The app holds one chaser.undo.UndoLog (``app.undo_log``); the screens that log or void tell
it with ``remember(app, ...)``. The withdrawal itself is chaser.undo.undo (a void or an
unvoid with the reason "undone", never a deletion), run in a worker, then every view reloads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import App
from textual.binding import Binding

from chaser.screens.workers import run_blocking
from chaser.undo import UndoLog, undo

if TYPE_CHECKING:
    from chaser.app import ChaserApp
    from chaser.views import ViewData
    from chaser.workspace import Workspace

# Not in the footers (80 columns are few): help, the palette and each log's notice say it.
UNDO = Binding("u", "undo", "Undo", show=False, id="app.undo",
               tooltip="Undo the last chase logged, bulk log or void since the app opened "
                       "(a recorded withdrawal: a log is voided \"undone\", a void withdrawn)")


def remember(app: ChaserApp, kind: str, *args) -> None:
    """Tell the app's undo log what was just done: ("log", chase, name), ("bulk", batch),
    ("void", chase, name)."""
    log = app.undo_log
    {"log": log.logged, "bulk": log.logged_batch, "void": log.voided}[kind](*args)


class Undoes(App):
    """Base of ChaserApp (``class ChaserApp(Undoes, OrderedKeys, App)``), with UNDO in its
    BINDINGS."""

    if TYPE_CHECKING:  # ChaserApp's
        ws: Workspace
        data: ViewData | None
        def reload(self, reason: str = "reload", chases_only: bool = False) -> None: ...

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.undo_log = UndoLog()

    def action_undo(self) -> None:
        app = self
        action = self.undo_log.take()
        if action is None:
            app.notify("Nothing to undo: no chase logged, bulk log or void since the app "
                       "opened.", title="Undo", markup=False)
            return
        ws, log = app.ws, self.undo_log

        def work() -> str:
            try:
                return undo(ws, action)
            except BaseException:
                log.put_back(action)  # nothing was written: `u` may try again
                raise

        def done(text: str) -> None:
            app.notify(text, title="Undone", markup=False)
            app.reload("undo", chases_only=True)

        run_blocking(app, work, done=done, name="undo")
