"""Blocking work off the UI thread, and the TUI's one error handler (see screens/base.py,
"Work")."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.worker import Worker, get_current_worker

from chaser.errors import ChaserError
from chaser.safe_text import clean

if TYPE_CHECKING:
    from textual.app import App
    from textual.dom import DOMNode


def report_error(app: App, error: BaseException) -> None:
    """The one error handler of the TUI: a user's problem is one notification, a bug ends the
    app; never a traceback on screen."""
    from chaser.progress import Cancelled

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
