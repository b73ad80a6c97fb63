"""SVG snapshots of the main screens at 100x30 on the demo org, with "now" pinned by conftest
(CHASER_NOW), so the pictures are the same on every machine. Update with
`pytest tests/test_snapshots.py --snapshot-update` after checking the change by eye."""

from __future__ import annotations

from tui_support import loaded, settle

SIZE = (100, 30)

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


def test_overview(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_overview)


def test_person(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_person)


def test_log_modal(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_log_modal)


def test_costs(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=_costs)
