"""Pilot tests of the ledger in the TUI: the chase log's Writer column, its live update when
another writer (another installation, another process) adds a chase, and figures marked
INCOMPLETE in words when a foreign writer's file could not be read.

The demo's history is written by two demo admins (priya-shah, tom-becker); this installation
writes as the OS user, so their files are foreign: skipped with a warning when unreadable."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from textual.widgets import Static
from tui_support import settle_fully as settle

from chaser.screens.chases import ChaseLogScreen
from chaser.screens.ledger_watch import DataWatch

pytest_plugins = ["tui_fixtures"]  # seeded_demo, demo_ws, make_app
SIZE = (80, 24)
ROOT = Path(__file__).resolve().parent.parent
OTHER = """
import sys
from datetime import datetime
from pathlib import Path
from chaser.ledger import Ledger, Writer
from chaser.model import Channel, Outcome
root, local, person = sys.argv[1:]
ledger = Ledger(Path(root), Writer("zoe", "Zoe Admin"), "zoes-laptop", Path(local))
ledger.add_chase(at=datetime.fromisoformat("2026-11-20T08:30+00:00"), person=person,
                 channel=Channel.EMAIL, minutes=9, outcome=Outcome.PROMISED, by="Zoe Admin")
"""


@pytest.fixture
def fast_poll(monkeypatch):
    monkeypatch.setattr(ChaseLogScreen, "POLL_SECONDS", 0.1)


async def open_log(pilot) -> ChaseLogScreen:
    await settle(pilot)
    await pilot.press("l")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ChaseLogScreen)
    return pilot.app.screen


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).visual)


async def until(pilot, done, seconds: float = 8.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if done():
            return
        await pilot.pause(0.05)
    raise AssertionError("it never happened")


async def test_the_log_has_a_writer_column(app):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_log(pilot)
        table = screen.table
        col = next(c for c in table.columns if c.key == "writer")
        assert col.label == "Writer"
        shown = table.shown
        assert {r.chase.writer for r in shown} == {"priya-shah", "tom-becker"}
        assert all(col.cell(r) == r.chase.writer for r in shown)
        row = table.current
        assert (f"{row.chase.id} · {row.when} · by {row.chase.writer} ({row.chase.by})"
                in text_of(screen, "#chase-detail"))
        table.search("tom-becker")  # the writer is searchable
        assert table.shown and {r.chase.writer for r in table.shown} == {"tom-becker"}


async def test_another_writers_chase_appears_without_a_key_press(app, fast_poll):
    """Zoe, on another installation, logs a chase into the shared folder from her own
    process: the open log shows it within a poll or two, and the costs follow."""
    ws = app.ws
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_log(pilot)
        before = len(app.data.chases)
        person = screen.table.current.chase.person
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        done = await asyncio.to_thread(
            subprocess.run, [sys.executable, "-c", OTHER, str(ws.store.ledger.root),
                             str(ws.store.ledger.local.parent / "zoe-local"), person],
            env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        await until(pilot, lambda: any(r.chase.writer == "zoe" for r in screen.table.shown))
        assert len(app.data.chases) == before + 1
        zoe = next(r for r in screen.table.shown if r.chase.writer == "zoe")
        assert zoe.chase.id == "zoe-202611-1" and zoe.chase.minutes == 9
        assert app.data.costs.by_admin["zoe"].chases == 1  # the figures follow the log


async def test_the_log_rereads_only_on_a_change(app, fast_poll):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_log(pilot)
        reloads = []
        real = app.reload
        app.reload = lambda *a, **k: (reloads.append(a), real(*a, **k))
        await pilot.pause(0.6)  # six looks at an unchanged folder
        assert reloads == []
        # this installation's own chase (another writer's file, from the log's point of view,
        # changes the same way): one re-read, not one per look
        await asyncio.to_thread(app.ws.store.add_chase, at=app.data.now,
                                person=screen.table.current.chase.person,
                                channel=screen.table.current.chase.channel, minutes=3,
                                outcome=screen.table.current.chase.outcome)
        await until(pilot, lambda: len(reloads) == 1)
        await settle(pilot)
        await pilot.pause(0.5)
        assert len(reloads) == 1
        # The app watches for every screen (screens/ledger_watch.DataWatch); the log only
        # asks for its own pace while it is shown: covered by help, the app's pace is back.
        assert app.data_watch.seconds == 0.1
        await pilot.press("question_mark")
        await settle(pilot)
        assert app.data_watch.seconds == DataWatch.POLL_SECONDS
        await pilot.press("escape")
        await settle(pilot)
        assert app.data_watch.seconds == 0.1


async def test_an_unreadable_foreign_file_marks_the_figures_incomplete(app, fast_poll):
    path = app.ws.store.ledger.root / "priya-shah" / "2026-11.json"
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 3])  # a sync still copying it
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_log(pilot)
        assert "INCOMPLETE: priya-shah 2026-11 left out" in app.title
        assert any(n.title == "Incomplete figures" and "priya-shah's chases of 2026-11 are "
                   "left out" in n.message for n in app._notifications)
        totals = text_of(screen, "#chase-totals")
        assert "INCOMPLETE: left out priya-shah 2026-11" in totals
        assert not any(c.writer == "priya-shah" and c.at.month == 11 for c in app.data.chases)
        await pilot.press("k")
        await settle(pilot)
        assert "INCOMPLETE: left out priya-shah 2026-11" in text_of(app.screen, "#costs-period")
        await pilot.press("escape")
        await settle(pilot)
        path.write_bytes(whole)  # the sync finished: the log notices and the mark goes
        await until(pilot, lambda: app.data.left_out is None)
        await settle(pilot)
        assert "INCOMPLETE" not in app.title and "INCOMPLETE" not in text_of(screen,
                                                                             "#chase-totals")
        assert any(c.writer == "priya-shah" and c.at.month == 11 for c in app.data.chases)
