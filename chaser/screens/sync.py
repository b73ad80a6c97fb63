"""Sync: take a new snapshot in a worker, one progress bar per object; Escape cancels.

The sync is `Workspace.sync`, as `chaser sync` runs it. It stores the snapshot only when it
has read everything, so a cancelled or failed sync leaves the previous snapshot current; this
screen says so and changes nothing. The connector reports through `Progress` callbacks in the
worker thread; each becomes a message, so the bars are only touched on the UI thread.
"""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.markup import escape
from textual.message import Message
from textual.widgets import Header, Label, ProgressBar, Static

from chaser.progress import Cancel, Cancelled, Progress
from chaser.rollups import left_out
from chaser.safe_text import clean
from chaser.screens.base import ChaserScreen
from chaser.screens.bindings import BACK
from chaser.screens.workers import report_error, run_blocking
from chaser.sync import SyncResult
from chaser.views import ViewData
from chaser.widgets.footer import KeyFooter
from chaser.words import plural


class SyncProgress(Message):
    """A Progress from the worker thread, delivered to the screen."""

    def __init__(self, progress: Progress) -> None:
        super().__init__()
        self.progress = progress


def progress_text(p: Progress) -> str:
    """What one object's line says: records (of total), pages, done, the connector's note."""
    count = f"{p.records:,} of {p.total:,} records" if p.total and not p.done \
        else plural(p.records, "record")
    text = f"{count} · {plural(p.pages, 'page')}" + (" · done" if p.done else "")
    return f"{text} · {p.message}" if p.message else text


def ago(age: timedelta) -> str:
    minutes = int(age.total_seconds() // 60)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} min ago"
    if minutes < 24 * 60:
        return f"{minutes // 60} h {minutes % 60} min ago"
    return f"{minutes // (24 * 60)} d ago"


class ObjectRow(Horizontal):
    """One object's line: name, bar, and the numbers as text (the bar alone is not enough)."""

    DEFAULT_CSS = """
    ObjectRow { height: 1; }
    ObjectRow > .sync-object { width: 16; }
    ObjectRow > ProgressBar { width: auto; margin-right: 1; }
    ObjectRow > ProgressBar > Bar { width: 20; }
    ObjectRow > .sync-count { width: 1fr; }
    """

    def __init__(self, first: Progress) -> None:
        super().__init__(classes="sync-row")
        self.object = first.object
        self.last = first
        self.stopped = ""
        self.ready = False  # True once mounted: its bar and label exist

    def compose(self) -> ComposeResult:
        yield Label(self.object, classes="sync-object", markup=False)
        # total=None: an indeterminate bar until the source says how many records there are.
        yield ProgressBar(total=None, show_eta=False)
        yield Label("starting…", classes="sync-count", markup=False)

    def on_mount(self) -> None:
        self.ready = True
        self.show(self.last)

    def show(self, p: Progress) -> None:
        self.last = p
        if not self.ready:  # on_mount shows it
            return
        bar = self.query_one(ProgressBar)
        if p.done:
            bar.update(total=max(p.records, 1), progress=max(p.records, 1))
        elif p.total:
            bar.update(total=p.total, progress=p.records)
        text = progress_text(p) + (f" · {self.stopped}" if self.stopped else "")
        self.query_one(".sync-count", Label).update(text)

    def stop(self, why: str) -> None:
        if not self.last.done:
            self.stopped = why
            self.show(self.last)


class SyncScreen(ChaserScreen):
    DEFAULT_CSS = """
    SyncScreen #sync-source { height: auto; padding: 0 1; }
    SyncScreen #sync-status { height: auto; padding: 0 1; margin-top: 1; text-style: bold; }
    SyncScreen #sync-objects { height: 1fr; padding: 0 1; }
    SyncScreen #sync-notes { height: auto; max-height: 8; padding: 0 1; color: $text-muted; }
    """
    BINDINGS: ClassVar = [
        Binding("s", "run_sync", "Sync now", id="sync.run",
                tooltip="Take a new snapshot (only what changed, where the source can tell)"),
        Binding("f", "run_sync(True)", "Full sync", id="sync.full",
                tooltip="Re-read every record"),
        Binding("c", "check_connection", "Check login", id="sync.check",
                tooltip="Sign in to the CRM and say as whom"),
        Binding("b", "left_out", "Left out", id="sync.left_out",
                tooltip="The records the people's figures leave out (the overview's list, "
                        "as chaser gaps --by bucket)"),
        # While a sync runs Escape cancels it; otherwise it goes back (the next binding).
        Binding("escape", "cancel_sync", "Cancel sync", id="sync.cancel"),
        BACK,
    ]

    def __init__(self) -> None:
        super().__init__(id="sync")
        self.cancel: Cancel | None = None
        self.rows: dict[str, ObjectRow] = {}
        self.result: SyncResult | None = None

    @property
    def running(self) -> bool:
        return self.cancel is not None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="sync-source")
        yield Static("Press s to take a new snapshot now. A sync can be cancelled with Escape; "
                     "a cancelled or failed sync keeps the current snapshot.", id="sync-status")
        yield VerticalScroll(id="sync-objects")
        yield Static("", id="sync-notes", markup=False)
        yield KeyFooter()  # whole keys only, the screen's first (widgets/footer.py)

    def show_data(self, data: ViewData) -> None:
        """The connection state as far as the stored snapshots know it."""
        snap, ws = data.snapshot, self.app.ws
        taken = snap.taken_at.astimezone(data.tz) if data.tz is not None else snap.taken_at
        org, objects = data.org, len(snap.objects)
        # Two counts, each saying what it counts: every owner's (the sync line's), and the
        # people's (the overview's and `chaser gaps`'), with what the second leaves out.
        self.query_one("#sync-source", Static).update(
            f"Source: [b]{escape(clean(snap.source))}[/] · kind {ws.settings.kind}"
            + (" · built-in demo, no login needed" if ws.is_demo else "") + "\n"
            f"Current snapshot: [b]{taken:%Y-%m-%d %H:%M}[/] ({ago(data.now - snap.taken_at)}) · "
            f"{plural(len(data.history), 'snapshot')} kept\n"
            f"All owners: {plural(snap.records, 'record')} in {plural(objects, 'object')}, "
            f"{len(snap.gaps):,} with gaps · {plural(len(snap.people), 'person')}\n"
            f"The overview's: {plural(len(data.rows), 'person')} · "
            f"{plural(org.records, 'record')}, {org.records_with_gaps:,} with gaps "
            f"(as chaser gaps)"
            + (f"\nNot blamed (b): {escape(note)}" if (note := left_out(snap)) else ""))
        if self.result is None and data.last_sync:  # what the last sync said (API usage)
            self.query_one("#sync-notes", Static).update(clean(
                "\n".join([f"Last sync: {data.last_sync['summary']}",
                           *data.last_sync.get("notes", [])]), keep="\n"))

    # ---- actions -----------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_sync":
            return self.running  # False: hidden, and escape falls through to Back
        if action == "run_sync":
            if parameters and parameters[0]:  # a full re-read only means something to APIs
                return self._api_source() and (None if self.running else True)
            return None if self.running else True  # shown dimmed while one runs
        if action == "check_connection":
            return self._api_source()
        return True

    def _api_source(self) -> bool:
        # sources with incremental reads and a login to check
        return self.app.ws.is_api

    def action_run_sync(self, full: bool = False) -> None:
        if self.running:
            return
        ws = self.app.ws
        cancel = self.cancel = Cancel()
        self.result = None
        self.rows.clear()
        self.query_one("#sync-objects").remove_children()
        self.query_one("#sync-notes", Static).update("")
        self._status(f"Syncing{' (full re-read)' if full else ''}… Escape cancels; the current "
                     "snapshot stays until the new one is complete.")
        self.refresh_bindings()

        def progress(p: Progress) -> None:  # runs in the worker thread
            self.post_message(SyncProgress(p))

        def work():
            # Outcomes come back as values: the screen must leave "syncing" whatever happens.
            try:
                return ws.sync(progress=progress, cancel=cancel, full=full)
            except Exception as e:  # noqa: BLE001 - shown by the one handler in `done`
                return e

        run_blocking(self, work, done=self._finished, name="sync", group="sync")

    def on_sync_progress(self, message: SyncProgress) -> None:
        p = message.progress
        row = self.rows.get(p.object)
        if row is None:
            row = self.rows[p.object] = ObjectRow(p)
            self.query_one("#sync-objects").mount(row)
        else:
            row.show(p)

    def _finished(self, outcome: SyncResult | BaseException) -> None:
        self.cancel = None
        self.refresh_bindings()
        if isinstance(outcome, SyncResult):
            self.result = outcome
            self._status(f"Done: {escape(clean(outcome.summary()))}")
            self.query_one("#sync-notes", Static).update(clean("\n".join(outcome.notes),
                                                               keep="\n"))
            snap = outcome.snapshot
            self.notify(f"{plural(snap.records, 'record')}, {len(snap.gaps):,} with gaps "
                        f"({outcome.seconds:.1f} s)", title="Sync finished")
            self.app.reload("sync")
            return
        for row in self.rows.values():
            row.stop("stopped")
        if isinstance(outcome, Cancelled):
            self._status("Cancelled: nothing was stored; the previous snapshot is still current.")
        else:
            self._status(f"Failed: {escape(str(outcome))}\nNothing was stored; the previous "
                         "snapshot is still current.")
        report_error(self.app, outcome)  # the app's one handler: a notification

    def action_cancel_sync(self) -> None:
        if self.cancel is not None:
            # The connector checks the flag between pages; the worker then ends with Cancelled.
            self.cancel.set()
            self._status("Cancelling… (waits for the page being read)")

    def action_left_out(self) -> None:
        """Back to the overview, on its list of what the figures leave out."""
        from chaser.screens.overview import OverviewScreen

        overview = next((s for s in self.app.screen_stack if isinstance(s, OverviewScreen)),
                        None)
        if overview is None or self.running:  # a sync runs here: leaving would hide it
            return
        while self.app.screen is not overview:
            self.app.pop_screen()
        if overview.view != "buckets":
            overview.action_left_out()

    def action_check_connection(self) -> None:
        """Sign in and say as whom: the same check `chaser connect` runs."""
        ws = self.app.ws

        def work() -> str:
            return ws.whoami()

        def done(line: str) -> None:
            line = clean(line)  # the user name and org come from the CRM
            self.query_one("#sync-notes", Static).update(line)
            self.notify(line, title="Connection", markup=False)

        self.notify("Checking the login…")
        run_blocking(self, work, done=done, name="whoami")

    def on_unmount(self) -> None:
        if self.cancel is not None:  # the app is closing: let the worker stop between pages
            self.cancel.set()

    def _status(self, text: str) -> None:
        self.query_one("#sync-status", Static).update(text)
