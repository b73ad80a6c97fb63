"""Helpers of the TUI tests: waiting for loads and workers, a burst of keys, a fake clock.

The fixtures (seeded_demo, demo_ws, make_app) live in tui_fixtures: a test module loads them
with `pytest_plugins = ["tui_fixtures"]`.
"""

from __future__ import annotations

from textual import events
from textual.worker import WorkerCancelled

from chaser.workspace import Workspace

CHARS = {"space": " ", "tab": "\t", "enter": "\r", "escape": "\x1b"}


async def burst(pilot, *keys: str) -> None:
    """Send keys the way a terminal delivers a fast burst (``tmux send-keys c 1 2 Tab``): all
    queued at once. ``pilot.press`` would wait for the app to go idle after each key."""
    app = pilot.app
    for key in keys:
        app.post_message(events.Key(key, CHARS.get(key, key if len(key) == 1 else None)))
    for _ in range(3):
        await pilot.pause(0.05)
        await settle(pilot)


async def loaded(pilot, *, timeout: float = 10.0) -> None:
    """Wait until the first load has landed and been painted."""
    app = pilot.app
    waited = 0.0
    while app.data is None:
        await pilot.pause(0.02)
        waited += 0.02
        assert waited < timeout, "the data never loaded"
    await workers_done(app)
    await pilot.pause()


async def workers_done(app) -> None:
    """Every worker finished. A worker cancelled meanwhile (a newer exclusive one replaced it:
    a key typed ahead, a reload superseded) is done too: Textual's wait raises for it."""
    for _ in range(20):
        try:
            await app.workers.wait_for_complete()
            return
        except WorkerCancelled:
            continue


async def settle(pilot) -> None:
    """Let workers finish and their messages be handled."""
    await workers_done(pilot.app)
    await pilot.pause()
    await workers_done(pilot.app)
    await pilot.pause()


async def settle_fully(pilot) -> None:
    """Wait until the data is loaded and no worker is left: for screens that reload in the
    background after an action (void, period, sync)."""
    for _ in range(300):  # a sync over loopback HTTP can take a few hundred turns
        await workers_done(pilot.app)
        await pilot.pause()
        if pilot.app.data is not None and not pilot.app.workers:
            return
    raise AssertionError("the app did not settle")


def most_gaps(ws: Workspace):
    rows = ws.people()
    return max(rows, key=lambda r: (r.tally.records_with_gaps, r.person.name)).person


class FakeClock:
    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
