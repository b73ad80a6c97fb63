"""The Textual App: small on purpose. It holds the Workspace and the current ViewData, loads
data in workers, and routes app-wide keys to screens. Screens own their behaviour."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from typing import ClassVar

from textual.app import App
from textual.binding import Binding

from chaser.periods import DEFAULT_PERIOD
from chaser.safe_text import clean
from chaser.screens.keys import OrderedKeys
from chaser.screens.ledger_watch import DataWatch
from chaser.screens.messages import broadcast
from chaser.screens.navigation import SCREENS, open_screen
from chaser.screens.overview import OverviewScreen
from chaser.screens.palette import ChaserCommands
from chaser.screens.undo import UNDO, Undoes
from chaser.screens.workers import report_error, run_blocking
from chaser.views import ViewData
from chaser.workspace import Workspace

CONNECT_HINT = "chaser connect salesforce|hubspot"  # the one command that connects a CRM


class ChaserApp(Undoes, OrderedKeys, App):
    """Keys are routed one at a time, each after the last was handled (screens/keys.py); `u`
    undoes this session's last log, bulk log or void (screens/undo.py)."""

    CSS_PATH = "chaser.tcss"
    TITLE = "chaser"
    COMMANDS: ClassVar = App.COMMANDS | {ChaserCommands}
    BINDINGS: ClassVar = [
        Binding("q", "quit", "Quit", id="nav.quit"),
        Binding("question_mark", "help", "Help", key_display="?", id="app.help"),
        Binding("l", "chase_log", "Chases", id="nav.chase_log"),
        Binding("k", "costs", "Costs", id="nav.costs"),
        Binding("s", "sync", "Sync", id="nav.sync"),
        UNDO,
    ]

    def __init__(self, ws: Workspace, *, clock: Callable[[], float] = time.monotonic,
                 period: str = DEFAULT_PERIOD) -> None:
        super().__init__()
        self.ws = ws
        self.data: ViewData | None = None
        self.clock = clock  # monotonic seconds; tests inject a fake to drive the chase timer
        self.period_text = period
        # screen id -> the period picked on that screen ("costs", "chase-log"): it sticks there,
        # across visits, while every other screen follows period_text (screens/periods.OwnPeriod)
        self.screen_periods: dict[str, str] = {}
        self._chase_writes = 0  # chases-only reloads asked for so far (see reload)
        self.crash: Exception | None = None  # the first unhandled exception: run() reports it
        # Another process's chases and syncs show by themselves. Not named `watch`: that is
        # Textual's DOMNode.watch (reactive watchers), which the attribute used to shadow.
        self.data_watch = DataWatch(self)
        ws.notice = self._notice  # "syncing again: rules changed", "stale: ..." go on screen
        if ws.is_demo:
            self.sub_title = f"demo org · connect: {CONNECT_HINT}"
        else:
            self.sub_title = ws.settings.kind

    def get_default_screen(self) -> OverviewScreen:
        return OverviewScreen()

    def on_mount(self) -> None:
        self.reload("start")
        self.data_watch.start()

    # ---- crashes -----------------------------------------------------------------------------
    def _handle_exception(self, error: Exception) -> None:
        """Textual calls this with every unhandled exception (handlers, mounts, timers, and
        report_error's bugs from workers). Keep Textual's part (return code 1, the app closes,
        run_test re-raises) but not its traceback: run() prints the CLI's one line instead."""
        # Even a ChaserError ends the app here: Textual stops the message loop of the node
        # whose handler raised, so carrying on would leave a dead screen. Handlers that can
        # meet a user's problem run it through run_blocking / report_error instead.
        if self.crash is None:
            self.crash = error
        super()._handle_exception(error)
        self._exit_renderables.clear()  # also a panic()'s rich rendering of the error

    def _fatal_error(self) -> None:
        # Textual's version renders a traceback with local variables (tokens, CRM data) to
        # print on exit; chaser's report is run()'s, so only close the app.
        self._close_messages_no_wait()

    # ---- data ------------------------------------------------------------------------------
    def reload(self, reason: str = "reload", chases_only: bool = False) -> None:
        """Re-read in a worker, swap `data`, then tell every screen (see screens/base.py).

        Reloads may overlap (a chase logged while a sync's reload runs); each result is applied
        only on the base it was built from, and a full reload that raced a chase write is
        followed by a chases-only one, so no view is left without the chase."""
        from chaser import views

        ws, period, old = self.ws, self.period_text, self.data
        self._chase_writes += chases_only
        writes = self._chase_writes

        def work() -> ViewData:
            if chases_only and old is not None:
                return views.reload_chases(ws, old, period)
            return views.load(ws, period)

        def done(data: ViewData) -> None:
            if chases_only and self.data is not old:  # built on a stale base: redo on the new
                self.reload(reason, chases_only=True)
                return
            self.data = data
            self._show_snapshot(data)
            broadcast(self, reason)
            if not chases_only and writes != self._chase_writes:
                self.reload(reason, chases_only=True)

        run_blocking(self, work, done=done, name=f"reload:{reason}",
                     group="reload-chases" if chases_only else "reload", exclusive=True)

    def _show_snapshot(self, data: ViewData) -> None:
        """Every screen's header names the snapshot its figures come from, and says when an
        API source's snapshot predates a config change or the chase read left a writer's
        file out (the notices say it in full)."""
        from chaser.freshness import as_of_label

        stale = " · STALE: sync (s)" if data.stale else ""
        # A read that left a writer's file out: every figure on every screen is short.
        left = f" · INCOMPLETE: {data.left_out} left out" if data.left_out else ""
        self.title = f"{self.TITLE} · {as_of_label(data.snapshot, data.tz)}{stale}{left}"

    def _notice(self, text: str) -> None:
        """Workspace notices, from a worker thread or this one: one notification each."""
        warning = text.startswith("warning:")
        title = ("Incomplete figures" if "figures are incomplete" in text else
                 "Stale figures" if warning else "Note")

        def show() -> None:
            self.notify(clean(text), title=title, markup=False,
                        severity="warning" if warning else "information",
                        timeout=30 if warning else 8)

        if threading.get_ident() == self._thread_id:
            show()
            return
        with contextlib.suppress(RuntimeError):  # the app closed while the worker ran
            self.call_from_thread(show)

    def set_period(self, text: str) -> None:
        """The app's period: the overview's, and the costs screen's and the chase log's unless
        one of them picked its own (they repaint on the DataChanged("period") that follows)."""
        from chaser.periods import parse_period

        try:
            parse_period(text, self.ws.now(), self.ws.tz)  # refuse a bad period before loading
        except Exception as e:  # noqa: BLE001 - shown by the one handler
            report_error(self, e)
            return
        self.period_text = text
        self.reload("period")

    # ---- navigation --------------------------------------------------------------------------
    def open_person(self, key: str) -> None:
        open_screen(self, "person", key=key)

    def action_chase_log(self) -> None:
        open_screen(self, "chase_log")

    def action_costs(self) -> None:
        open_screen(self, "costs")

    def action_sync(self) -> None:
        open_screen(self, "sync")

    def action_help(self) -> None:
        if self.screen.id != "help":
            open_screen(self, "help", under=self.screen)

    def action_back(self) -> None:
        if len(self.screen_stack) > 1:
            self.pop_screen()


def run(config: str | None = None, demo: bool = False) -> int:
    """`chaser` with no subcommand. Config errors surface before the screen takes over; a
    crash inside the app is reported once it has closed, as the CLI reports one (exit 1)."""
    ws = Workspace.open(config, demo)
    app = ChaserApp(ws)
    app.run()
    if app.crash is not None:
        from chaser.cli import internal_error

        return internal_error(app.crash)
    return app.return_code or 0


__all__ = ["SCREENS", "ChaserApp", "run"]
