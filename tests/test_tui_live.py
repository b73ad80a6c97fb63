"""Live figures (issue 12, point 9): another process's chase or snapshot shows in the TUI
without a key press, on the overview (people and team rows), the person screen and the costs
screen, and the app only re-reads when a file changed (screens/ledger_watch.DataWatch)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from tui_support import loaded, settle

from chaser.screens.costs import CostsScreen
from chaser.screens.ledger_watch import DataWatch
from chaser.screens.person import PersonScreen
from chaser.widgets.table import VirtualTable

pytest_plugins = ["tui_fixtures"]  # seeded_demo, demo_ws, make_app
SIZE = (80, 24)
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def fast_watch(monkeypatch):
    monkeypatch.setattr(DataWatch, "POLL_SECONDS", 0.1)


async def other_process(*args: str, now: str | None = None) -> str:
    """`chaser --demo ARGS` in a process of its own (the CLI next to the TUI)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if now:
        env["CHASER_NOW"] = now
    done = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "chaser", "--demo",
                                                    *args], env=env, cwd=ROOT,
                                   capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


async def until(pilot, done, seconds: float = 8.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if done():
            return
        await pilot.pause(0.05)
    raise AssertionError("it never happened")


def person_line(app, key: str):
    return next(r for r in app.screen.query_one("#people", VirtualTable).rows if r.key == key)


async def test_another_processs_chase_shows_on_the_overview(make_app, fast_watch):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        who = app.data.rows[0].person
        before = person_line(app, who.key).chases
        team = next(t for t in app.data.team_lines() if who.key in t.keys)
        reloads = []
        real = app.reload
        app.reload = lambda *a, **k: (reloads.append((a, k)), real(*a, **k))
        await other_process("log", who.key, "--minutes", "7", "--note", "from the CLI")
        await until(pilot, lambda: person_line(app, who.key).chases == before + 1)
        assert reloads == [(("ledger changed",), {"chases_only": True})]  # once, chases only
        await pilot.press("g")  # the team row counts it too
        row = next(r for r in app.screen.query_one("#teams", VirtualTable).rows
                   if r.name == team.name)
        assert row.chases == team.chases + 1
        await settle(pilot)
        await pilot.pause(0.5)  # five more looks at an unchanged folder: no re-read
        assert len(reloads) == 1


async def test_the_person_and_costs_screens_follow(make_app, fast_watch):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        who = app.data.rows[1].person
        app.open_person(who.key)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PersonScreen)
        history = screen.query_one("#chases", VirtualTable)
        before = len(history.rows)
        await other_process("log", who.key, "--minutes", "5")
        await until(pilot, lambda: len(history.rows) == before + 1)
        assert any(c.note == "" and c.minutes == 5 for c in history.rows)
        await pilot.press("escape", "k")
        await settle(pilot)
        costs = app.screen
        assert isinstance(costs, CostsScreen)
        total = costs.summary.total.chases
        await other_process("log", who.key, "--minutes", "6")
        await until(pilot, lambda: costs.summary is not None
                    and costs.summary.total.chases == total + 1)


async def test_another_processs_snapshot_reloads_everything(make_app, fast_watch):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        old = app.data.snapshot.id
        history = len(app.data.history)
        await other_process("sync", now="2026-11-20T10:00:00+00:00")  # an hour later
        await until(pilot, lambda: app.data.snapshot.id != old)
        assert len(app.data.history) == history + 1
        assert app.data.snapshot.taken_at.hour == 10


async def test_the_watch_looks_off_the_ui_thread_and_only_asks_once(make_app, fast_watch):
    import threading

    app = make_app()
    threads = set()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        from chaser import views

        real = views.ledger_stamp
        views.ledger_stamp = lambda ws: (threads.add(threading.get_ident()), real(ws))[1]
        try:
            looks = app.data_watch.looks
            await until(pilot, lambda: app.data_watch.looks >= looks + 3)
        finally:
            views.ledger_stamp = real
        assert threads and app._thread_id not in threads
