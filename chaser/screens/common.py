"""The contract every chaser screen codes against. Read this before writing a screen.

Data
    ``self.app.ws``    the Workspace (chaser.workspace): the same object the CLI uses. Call it
                       only from a worker: every method may touch files or the network.
    ``self.app.data``  the current ``chaser.views.ViewData`` (snapshot, person rows, history,
                       the whole chase log, period, cost summaries), or None while the first
                       load runs. Immutable: read it freely on the UI thread.
    ``self.app.reload(reason, chases_only=False)``
                       re-reads in a thread worker, swaps ``app.data``, then posts
                       ``DataChanged(reason)`` to the app and to every screen on the stack.
                       ``chases_only=True`` keeps the snapshot and re-reads chases and costs
                       (cheap: use it after logging or voiding a chase).
    ``self.app.set_period(text)``  changes ``data.period`` (e.g. "last-30d") and reloads.
    ``self.app.clock``  a monotonic clock (seconds); tests replace it to drive the timer.

    Textual calls ``on_mount`` of every class in the MRO, so a subclass's ``on_mount`` need
    not (and should not) call ``super().on_mount()``: that would paint twice.

    When data changes (chase logged or voided, sync finished) call ``self.app.reload(...)``;
    never patch ``app.data`` yourself. A ``ChaserScreen`` gets ``show_data(data)`` on mount
    (when data is loaded) and after every DataChanged: paint from ``data`` there.

Keys
    The app routes a key only once the one before it has been handled, and only once a newly
    pushed screen has mounted (screens/keys.py): so keys typed ahead reach a screen's widgets
    in order. Set the focus in ``on_mount`` (no ``await`` or worker before it), and build a
    modal's content in ``compose`` from data already in ``app.data``.

Work
    ``run_blocking(self, work, done=..., name=...)`` runs ``work()`` in a thread worker and
    calls ``done(result)`` on the UI thread. Errors go to ONE handler, ``report_error``: a
    ChaserError is shown as its message; anything else is a bug and ends the app, exit 1,
    with the CLI's one-line ``chaser: internal error: ...`` (ChaserApp._handle_exception).
    ``Cancelled`` (chaser.connectors.base) is shown as a notice, not an error.

Bindings
    Every Binding has ``id="<screen>.<action>"`` (e.g. "person.log_chase", "nav.costs") and a
    ``description`` (what the footer and the palette show). Keys used app-wide (do not rebind):
    ``q`` quit, ``?`` help, ``ctrl+p`` palette, ``l`` chase log, ``k`` costs, ``s`` sync,
    ``escape`` back (on every pushed screen). Pushed screens inherit ``QUIET_NAV`` (the same
    keys, hidden in the footer: an 80-column footer has room only for the screen's own keys);
    the overview shows ``NAV``. A ``tooltip=`` is the longer text help (?) shows. The footer,
    help and the palette list the screen's own keys first, then the table's, then the app-wide
    ones (``ranked_bindings``); no footer shows ctrl+p (80 columns are few; help lists it).
    tests/test_tui_table.py::test_every_binding_has_an_id_and_a_description checks them.

Text
    Names, teams, fields, notes, paths and error messages are data: show them with
    ``markup=False`` (Static, Label, notify, OptionList), as ``Content(text)``, or through
    ``textual.markup.escape`` inside markup. A person named "[b]x" shows as written.

Navigation
    ``open_screen(app, "chase_log" | "costs" | "sync" | "help", **kwargs)`` imports the screen
    lazily by name (see SCREENS) and pushes it; when that screen is already on top it does
    nothing. Pushed screens are built with keyword arguments only; ChaseLogScreen may take
    ``person: str | None`` (a person key to filter on). ``app.open_person(key)`` pushes the
    person screen. ``escape`` pops (``Back`` binding below).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from textual.binding import ActiveBinding, Binding
from textual.message import Message
from textual.screen import Screen
from textual.worker import Worker, get_current_worker

from chaser.errors import ChaserError
from chaser.safe_text import clean

if TYPE_CHECKING:
    from textual.app import App
    from textual.dom import DOMNode

    from chaser.views import ViewData

# name -> (module, class): imported on first use so start-up pays only for the overview.
SCREENS: dict[str, tuple[str, str]] = {
    "chase_log": ("chaser.screens.chases", "ChaseLogScreen"),
    "costs": ("chaser.screens.costs", "CostsScreen"),
    "sync": ("chaser.screens.sync", "SyncScreen"),
    "help": ("chaser.screens.help", "HelpScreen"),
    "person": ("chaser.screens.person", "PersonScreen"),
}

BACK = Binding("escape", "app.back", "Back", id="common.back")
NAV = [
    Binding("l", "app.chase_log", "Chases", id="nav.chase_log", tooltip="Chase log"),
    Binding("k", "app.costs", "Costs", id="nav.costs", tooltip="Costs by team and person"),
    Binding("s", "app.sync", "Sync", id="nav.sync", tooltip="Sync: take a new snapshot"),
    Binding("q", "app.quit", "Quit", id="nav.quit"),
]
# The app's screen keys, repeated hidden on pushed screens: they still work there, but an 80
# column footer has room only for the keys of the screen itself (help and palette list all).
QUIET_NAV = [Binding(b.key, b.action, b.description, show=False, id=b.id, tooltip=b.tooltip)
             for b in NAV]


MOVES = frozenset({"table.up", "table.down", "table.page_up", "table.page_down", "table.first",
                   "table.last"})  # cursor keys: one line in help, never in the palette
GROUPS = ("This screen", "Table", "Everywhere")


def binding_group(screen: Screen, active: ActiveBinding) -> int:
    """0: the screen's own actions; 1: the focused widget's (the table); 2: keys that work
    everywhere (screen keys, help, quit, back)."""
    b = active.binding
    if (b.id or "").startswith(("nav.", "app.", "common.")) or (b.id or "").endswith(".back") \
            or active.node is screen.app:
        return 2
    return 0 if active.node is screen else 1


def ranked_bindings(screen: Screen) -> list[tuple[str, str, Binding]]:
    """(group, key, binding) of chaser's live bindings (those with an id) on ``screen``, in
    the order of the footer, help (?) and the palette: see ``binding_group``."""
    ranked = []
    for key, active in screen.active_bindings.items():
        b = active.binding
        if b.id and b.description and active.enabled:
            ranked.append((binding_group(screen, active), key, b))
    # Stable: within a group, the footer's keys in their declared order, then the hidden ones.
    ranked.sort(key=lambda r: (r[0], not r[2].show))
    return [(GROUPS[g], key, b) for g, key, b in ranked]


class DataChanged(Message):
    """``app.data`` was replaced: a chase was logged or voided, a sync finished, the period
    changed. ``reason`` is for logs and notices ("chase logged", "sync", "period")."""

    def __init__(self, reason: str = "") -> None:
        super().__init__()
        self.reason = reason


def broadcast(app: App, reason: str) -> None:
    """Post DataChanged to the app and every screen on the stack (a fresh message each)."""
    app.post_message(DataChanged(reason))
    for screen in list(app.screen_stack):
        screen.post_message(DataChanged(reason))


def report_error(app: App, error: BaseException) -> None:
    """The one error handler of the TUI: a user's problem is one notification, a bug ends the
    app; never a traceback on screen."""
    from chaser.connectors.base import Cancelled

    # markup=False: messages carry CRM text, paths and server replies, where "[" is literal.
    if isinstance(error, Cancelled):
        app.notify("Cancelled: nothing was changed.", title="Cancelled", markup=False)
    elif isinstance(error, ChaserError):
        app.notify(clean(str(error)), title="Error", severity="error", timeout=8, markup=False)
    else:  # a bug: the core turns every fault a user can fix into a ChaserError. The app's
        # state is unknown now (a reload that never lands, half a write), so end it as for any
        # unhandled exception: exit 1 and the CLI's one line (ChaserApp._handle_exception).
        # No logging here: with no handler configured, logging prints the traceback to stderr.
        app._handle_exception(error)  # type: ignore[arg-type]


def run_blocking(node: DOMNode, work: Callable[[], Any], *, done: Callable[[Any], Any] | None = None,
                 name: str = "", group: str = "default", exclusive: bool = False) -> Worker:
    """Run ``work()`` in a thread worker owned by ``node``; ``done(result)`` on the UI thread.

    A worker cancelled before it finishes (its screen closed, a newer exclusive one started)
    calls neither ``done`` nor the error handler.
    """
    app = node.app

    def body() -> Any:
        worker = get_current_worker()
        try:
            result = work()
        except BaseException as e:  # noqa: BLE001 - routed to the one handler
            if not worker.is_cancelled:
                _call(app, report_error, app, e)
            return None
        if done is not None and not worker.is_cancelled:
            _call(app, done, result)
        return result

    return node.run_worker(body, name=name or getattr(work, "__name__", "work"), group=group,
                           thread=True, exclusive=exclusive, exit_on_error=False)


def _call(app: App, fn: Callable, *args: Any) -> None:
    try:
        app.call_from_thread(fn, *args)
    except RuntimeError:  # the app closed while the worker ran: nobody left to tell
        pass


def open_screen(app: App, name: str, **kwargs: Any) -> Screen | None:
    module, cls_name = SCREENS[name]
    try:
        cls = getattr(importlib.import_module(module), cls_name)
    except ModuleNotFoundError as e:
        if e.name != module:
            raise
        app.notify(f"The {name.replace('_', ' ')} screen is not available in this build.",
                   severity="warning")
        return None
    if type(app.screen) is cls and not kwargs:
        return None
    screen = cls(**kwargs)
    app.push_screen(screen)
    return screen


class ChaserScreen(Screen):
    """Base of the full screens: paints from ``app.data`` on mount and on every change."""

    BINDINGS: ClassVar = [BACK, *QUIET_NAV]

    @property
    def data(self) -> ViewData | None:
        return self.app.data  # type: ignore[attr-defined]

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """Textual's, reordered (not changed) so that the footer shows this screen's own keys
        first, then the table's, then the keys that work everywhere."""
        bindings = super().active_bindings
        return dict(sorted(bindings.items(), key=lambda kv: binding_group(self, kv[1])))

    def on_mount(self) -> None:
        if self.data is not None:
            self.show_data(self.data)

    def on_data_changed(self, message: DataChanged) -> None:
        if self.data is not None:
            self.show_data(self.data)

    def show_data(self, data: ViewData) -> None:
        """Paint from ``data``. Override; keep it fast (it runs on the UI thread)."""
