"""The contract every chaser screen and dialog codes against. Read this before writing one.

Where things are: full screens in chaser/screens/, dialogs (ModalScreen) one per file in
chaser/modals/; this module holds the typed bases, and beside it messages.py (DataChanged,
broadcast), workers.py (run_blocking, report_error), navigation.py (SCREENS, open_screen) and
bindings.py (BACK, NAV, QUIET_NAV, the key order of footer, help and palette).

Typing
    ``ChaserScreen`` and ``ChaserModal`` type ``self.app`` as ``chaser.app.ChaserApp`` (Textual's
    own way, ``textual.getters.app``, for the type checker only: at run time the inherited
    property stays, so there is no import cycle). A mixin of a screen subclasses
    ``ChaserScreen`` and declares what it uses of the concrete screen under ``TYPE_CHECKING``.

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
    ``Cancelled`` (chaser.progress) is shown as a notice, not an error.

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

from typing import TYPE_CHECKING, ClassVar, TypeVar

from textual.binding import ActiveBinding
from textual.screen import ModalScreen, Screen

from chaser.screens.bindings import BACK, QUIET_NAV, binding_group
from chaser.screens.messages import DataChanged

if TYPE_CHECKING:
    from textual import getters

    from chaser.app import ChaserApp
    from chaser.views import ViewData

Result = TypeVar("Result")


class ChaserScreen(Screen):
    """Base of the full screens: paints from ``app.data`` on mount and on every change."""

    BINDINGS: ClassVar = [BACK, *QUIET_NAV]

    if TYPE_CHECKING:
        app = getters.app(ChaserApp)

    @property
    def data(self) -> ViewData | None:
        return self.app.data

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


class ChaserModal(ModalScreen[Result]):
    """Base of the dialogs (chaser/modals/): ``self.app`` typed as ChaserApp."""

    if TYPE_CHECKING:
        app = getters.app(ChaserApp)
