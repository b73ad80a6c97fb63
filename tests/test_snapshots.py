"""SVG snapshots of the main screens at 80x24 (reads) and 60x20 (works) on the demo org, with
"now" pinned by conftest (CHASER_NOW), so the pictures are the same on every machine. Update with
`pytest tests/test_snapshots.py --snapshot-update` after checking the change by eye."""

from __future__ import annotations

import pytest
from tui_support import loaded, settle

SIZES = pytest.mark.parametrize("size", [(80, 24), (60, 20)], ids=["80x24", "60x20"])

pytest_plugins = ["tui_fixtures"]  # seeded_demo, demo_ws, make_app


async def _overview(pilot) -> None:
    await loaded(pilot)


async def _person(pilot) -> None:
    await loaded(pilot)
    await pilot.press("5", "enter")  # the person with the most gaps
    await settle(pilot)


async def _log_modal(pilot) -> None:
    await _person(pilot)
    await pilot.press("c", *"12", "tab", "space", "down", "space")
    await pilot.pause()


async def _costs(pilot) -> None:
    await loaded(pilot)
    await pilot.press("k")
    await settle(pilot)


async def _chase_log(pilot) -> None:
    await loaded(pilot)
    await pilot.press("l")
    await settle(pilot)


async def _export(pilot) -> None:
    await _costs(pilot)
    await pilot.press("e")
    await settle(pilot)


SCREENS = {"overview": _overview, "person": _person, "log_modal": _log_modal,
           "costs": _costs, "export_dialog": _export, "chase_log": _chase_log}


@SIZES
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen(snap_compare, make_app, size, screen, monkeypatch):
    monkeypatch.chdir("/")  # the export's default path is in the working folder: the same everywhere
    assert snap_compare(make_app(), terminal_size=size, run_before=SCREENS[screen])
