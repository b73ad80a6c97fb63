"""Pilot tests of the sync screen: a sync with per-object progress, cancel with Escape, a
failure, and in both last cases the previous snapshot stays current with nothing stored."""

from __future__ import annotations

import threading

import pytest
from textual.widgets import ProgressBar, Static
from tui_support import settle_fully as settle

from chaser import sync as sync_module
from chaser.connectors.base import Capabilities, ConnectorError, Progress
from chaser.model import Directory, Layout, Person, RecordBatch
from chaser.screens.sync import ObjectRow, SyncScreen, progress_text

pytest_plugins = ["tui_fixtures"]  # seeded_demo, demo_ws, make_app
SIZE = (80, 24)



class FakeConnector:
    """A controllable source: reads one page of "Deal", then waits on `gate` (and the
    cancel flag) before the next; `fail` makes the second page an error."""

    kind = "fake"
    capabilities = Capabilities()

    def __init__(self, *, fail: bool = False, block: bool = True) -> None:
        self.fail, self.block = fail, block
        self.gate = threading.Event()
        self.reading = threading.Event()  # set once the first page is out
        self.closed = False

    def label(self) -> str:
        return "fake CRM"

    def objects(self) -> list[str]:
        return ["Deal"]

    def directory(self, cancel):
        return Directory((Person("u1", "Una One", "Fake team"),))

    def source_rules(self):
        return []

    def batches(self, obj, progress, cancel):
        layout = Layout(obj, ("Id", "OwnerId", "Amount"), id=0, owner=1)
        yield RecordBatch(layout, [("d1", "u1", "")])
        progress(Progress(obj, 1, 1, total=2, message="page 1 of 2"))
        self.reading.set()
        while self.block and not cancel.is_set and not self.gate.wait(0.01):
            pass
        cancel.check()
        if self.fail:
            raise ConnectorError("Deal page 2: HTTP 500 from the fake CRM")
        yield RecordBatch(layout, [("d2", "u1", "5")])
        progress(Progress(obj, 2, 2, total=2))

    def notes(self):
        return ["API usage: 12 / 15,000 (0%)"]

    def commit(self) -> None:
        """Nothing to keep (the Connector protocol's commit-after-store)."""

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def fake(monkeypatch):
    """Installs a FakeConnector as the source of every sync; returns a factory to tune it."""
    made: list[FakeConnector] = []
    options: dict = {}

    def make_connector(settings, store, *, now, full=False):
        made.append(FakeConnector(**options))
        return made[-1]

    monkeypatch.setattr(sync_module, "make_connector", make_connector)

    def configure(**kw) -> list[FakeConnector]:
        options.update(kw)
        return made

    return configure


async def open_sync(pilot) -> SyncScreen:
    await settle(pilot)
    await pilot.press("s")  # the app's key opens the screen...
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, SyncScreen)
    return screen


async def wait_for(pilot, condition, what: str) -> None:
    for _ in range(500):
        if condition():
            return
        await pilot.pause(0.01)
    raise AssertionError(f"timed out waiting for {what}")


def status(screen) -> str:
    return str(screen.query_one("#sync-status", Static).visual)


def stored(app) -> tuple[list[str], str]:
    """The stored snapshot ids and the source of the current one."""
    store = app.ws.store
    return [s.id for s in store.snapshot_history()], store.latest_snapshot().source


async def test_screen_shows_the_current_snapshot(app):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sync(pilot)
        text = str(screen.query_one("#sync-source", Static).visual)
        assert "demo org" in text and "2026-11-20 09:00" in text
        assert f"{app.data.snapshot.records:,} records" in text


async def test_s_runs_a_demo_sync_with_a_bar_per_object(app):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sync(pilot)
        await pilot.press("s")  # ...and on it, runs a sync
        await settle(pilot)
        assert status(screen).startswith("Done: synced demo org")
        rows = list(screen.query(ObjectRow))
        assert [r.object for r in rows] == list(app.data.snapshot.objects)
        for row in rows:
            bar = row.query_one(ProgressBar)
            assert row.last.done and bar.percentage == 1
        assert any(n.title == "Sync finished" for n in app._notifications)


async def test_escape_cancels_and_keeps_the_previous_snapshot(app, fake):
    made = fake()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sync(pilot)
        before = stored(app)
        await pilot.press("s")
        await wait_for(pilot, lambda: made and made[0].reading.is_set(), "the first page")
        await wait_for(pilot, lambda: screen.rows, "a progress row")
        row = screen.rows["Deal"]
        await wait_for(pilot, lambda: "1 of 2 records" in str(row.query_one(".sync-count")
                                                                  .visual), "progress text")
        assert screen.running
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen  # escape cancelled; it did not leave the screen
        assert not screen.running
        assert status(screen).startswith("Cancelled")
        assert stored(app) == before and before[1].startswith("demo org")
        assert made[0].closed
        assert any(n.title == "Cancelled" for n in app._notifications)
        assert "stopped" in str(row.query_one(".sync-count").visual)
        await pilot.press("escape")  # idle: escape goes back
        assert app.screen is not screen


async def test_failed_sync_notifies_and_keeps_the_previous_snapshot(app, fake):
    made = fake(fail=True, block=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sync(pilot)
        before = stored(app)
        data_before = app.data
        await pilot.press("s")
        await settle(pilot)
        assert made and made[0].closed
        assert stored(app) == before
        assert app.data is data_before  # nothing reloaded: the views keep what they showed
        assert status(screen).startswith("Failed: Deal page 2: HTTP 500")
        errors = [n for n in app._notifications if n.severity == "error"]
        assert errors and "HTTP 500" in errors[-1].message
        assert not screen.running


async def test_a_finished_sync_shows_the_connector_notes(app, fake):
    fake(block=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sync(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert "API usage: 12 / 15,000" in str(screen.query_one("#sync-notes", Static).visual)
        assert app.ws.store.latest_snapshot().source == "fake CRM"
        assert app.data.snapshot.source == "fake CRM"  # every view sees the new snapshot


async def test_the_last_syncs_notes_show_when_the_screen_opens(app, fake):
    fake(block=False)
    app.ws.sync()  # e.g. an earlier `chaser sync`: its notes (API usage) are kept in the store
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sync(pilot)
        notes = str(screen.query_one("#sync-notes", Static).visual)
        assert "Last sync: synced fake CRM" in notes and "API usage: 12 / 15,000" in notes
        source = str(screen.query_one("#sync-source", Static).visual)
        assert "Not blamed" not in source  # the fake org has no queue or inactive owner


def test_progress_text_says_it_in_words():
    assert progress_text(Progress("Deal", 1200, 1, total=3000)) == \
        "1,200 of 3,000 records · 1 page"
    assert progress_text(Progress("Deal", 3000, 2, total=3000, done=True)) == \
        "3,000 records · 2 pages · done"
    assert progress_text(Progress("Lead", 5, 1, message="incremental")) == \
        "5 records · 1 page · incremental"


def test_bindings_have_ids_and_descriptions():
    for b in SyncScreen.BINDINGS:
        assert b.id and b.description
