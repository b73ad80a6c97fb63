"""Helpers of the TUI tests: waiting for loads and workers, a fake clock.

The fixtures live in tui_fixtures: prefer `pytest_plugins = ["tui_fixtures"]` in a test
module; importing them from here by name still works (kept for the tests that do).
"""

from __future__ import annotations

import pytest

from chaser.workspace import Workspace

pytest.register_assert_rewrite("tui_fixtures")  # it may be imported from here, before pytest


def __getattr__(name: str):
    """`from tui_support import demo_ws` still works; imported lazily so that a module that
    only wants the helpers does not import tui_fixtures before pytest can rewrite it."""
    if name in ("demo_ws", "make_app", "seeded_demo"):
        import tui_fixtures

        return getattr(tui_fixtures, name)
    raise AttributeError(name)


async def loaded(pilot, *, timeout: float = 10.0) -> None:
    """Wait until the first load has landed and been painted."""
    app = pilot.app
    waited = 0.0
    while app.data is None:
        await pilot.pause(0.02)
        waited += 0.02
        assert waited < timeout, "the data never loaded"
    await app.workers.wait_for_complete()
    await pilot.pause()


async def settle(pilot) -> None:
    """Let workers finish and their messages be handled."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


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
