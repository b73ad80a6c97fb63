"""SVG snapshots of the main screens at 80x24 (reads) and 60x20 (works) on the demo org, with
"now" pinned by conftest (CHASER_NOW), so the pictures are the same on every machine. Update with
`pytest tests/test_snapshots.py --snapshot-update` after checking the change by eye."""

from __future__ import annotations

from pathlib import Path

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


async def _teams(pilot) -> None:  # the overview's roll-ups (screens/overview_rollups.py)
    await loaded(pilot)
    await pilot.press("g")
    await settle(pilot)


async def _fields(pilot) -> None:
    await _teams(pilot)
    await pilot.press("g")
    await settle(pilot)


async def _field_records(pilot) -> None:
    await _fields(pilot)
    await pilot.press("enter")  # the most-missing field: who misses it, on which records
    await settle(pilot)


async def _left_out(pilot) -> None:
    await loaded(pilot)
    await pilot.press("b")
    await settle(pilot)


async def _sync(pilot) -> None:
    await loaded(pilot)
    await pilot.press("s")
    await settle(pilot)


async def _export_folder(pilot) -> None:  # Export in a documents folder not made yet
    await _export(pilot)
    await pilot.press("enter")
    await settle(pilot)


async def _help(pilot) -> None:  # every key of the chase log, wrapped to the width
    await _chase_log(pilot)
    await pilot.press("question_mark")
    await settle(pilot)


async def _draft_log(pilot) -> None:  # e then l: the draft's fields, no outcome yet
    await _person(pilot)
    await pilot.press("slash", *"westfield", "enter", "e")
    await settle(pilot)
    await pilot.press("l")
    await settle(pilot)


SCREENS = {"overview": _overview, "person": _person, "log_modal": _log_modal,
           "costs": _costs, "export_dialog": _export, "chase_log": _chase_log,
           "teams": _teams, "fields": _fields, "field_records": _field_records,
           "left_out": _left_out, "sync": _sync,
           "export_folder": _export_folder, "help": _help, "draft_log": _draft_log}


@SIZES
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen(snap_compare, make_app, size, screen, monkeypatch):
    # The export starts in the documents folder: under the home folder, shown as "~/...", so
    # the picture is the same on every machine (tests point HOME at a temporary folder).
    monkeypatch.setattr("chaser.modals.hr_export.documents_dir", lambda: Path.home() / "Documents")
    assert snap_compare(make_app(), terminal_size=size, run_before=SCREENS[screen])
