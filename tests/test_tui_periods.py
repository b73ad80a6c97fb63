"""Pilot tests of the one period model in the TUI: the overview's period (the app's) is what the
costs screen and the chase log show, until one of them picks its own, which sticks there only;
every picker offers chaser.periods.PRESETS and a custom range, checked before it closes."""

from __future__ import annotations

import pytest
from textual.widgets import Input, OptionList, Static
from tui_support import settle_fully as settle

from chaser.inputs import period_for, summary_for
from chaser.modals.picker import Picker
from chaser.modals.prompt import PromptModal
from chaser.periods import DEFAULT_PERIOD, PRESETS
from chaser.screens.chases import ChaseLogScreen
from chaser.screens.costs import CostsScreen
from chaser.screens.overview import OverviewScreen

pytest_plugins = ["tui_fixtures"]  # seeded_demo, demo_ws, make_app
SIZE = (80, 24)
OPTIONS = [*(text for text, _ in PRESETS), "custom"]


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).visual)


async def pick(pilot, option_id: str) -> None:
    """Press p, then choose an option as a user would: highlight it, press Enter."""
    await pilot.press("p")
    picker = pilot.app.screen
    assert isinstance(picker, Picker)
    assert [k for k, _ in picker.options] == OPTIONS  # the one list, everywhere
    picker.query_one(OptionList).highlighted = OPTIONS.index(option_id)
    await pilot.press("enter")
    await settle(pilot)


async def open_screen(pilot, key: str):
    await pilot.press(key)
    await settle(pilot)
    return pilot.app.screen


def log_ids(screen: ChaseLogScreen) -> list[str]:
    return [r.chase.id for r in screen.table.shown]


def ids_in(app, text: str) -> list[str]:
    period = period_for(app.ws, text)
    return [c.id for c in reversed(app.data.chases) if period.contains(c.at)]


async def test_the_overviews_period_is_what_costs_and_the_chase_log_show(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.period_text == DEFAULT_PERIOD == app.data.period.label
        await pick(pilot, "this-quarter")
        assert app.period_text == "this-quarter"
        expected = summary_for(app.ws, period_for(app.ws, "this-quarter"))
        assert expected.total.chases > summary_for(app.ws, period_for(app.ws, DEFAULT_PERIOD)
                                                   ).total.chases
        costs = await open_screen(pilot, "k")
        assert isinstance(costs, CostsScreen)
        assert costs.summary.period == expected.period and costs.summary.total == expected.total
        status = text_of(costs, "#costs-period")
        assert "Period: this-quarter (2026-10-01 – 2026-12-31)" in status
        assert "this screen" not in status
        log = await open_screen(pilot, "l")
        assert isinstance(log, ChaseLogScreen)
        assert log_ids(log) == ids_in(app, "this-quarter")


async def test_open_screens_repaint_when_the_apps_period_changes(app):
    from chaser.screens.palette import ChaserCommands

    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        costs = await open_screen(pilot, "k")
        log = await open_screen(pilot, "l")  # both on the stack now
        assert log_ids(log) == ids_in(app, DEFAULT_PERIOD)
        provider = ChaserCommands(app.screen)
        hits = [hit async for hit in provider.search("Period: last-90d")]
        hit = next(h for h in hits if h.text == "Period: last-90d")
        hit.command()  # the palette's entry: the app's period
        await settle(pilot)
        assert app.period_text == "last-90d"
        assert log_ids(log) == ids_in(app, "last-90d") and len(log_ids(log)) > 0
        assert "Period: last-90d (" in text_of(log, "#chase-filters")
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is costs
        assert costs.summary.total == summary_for(app.ws, period_for(app.ws, "last-90d")).total


async def test_the_palette_offers_the_one_list(app):
    from chaser.screens.palette import ChaserCommands

    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        texts = [hit.text async for hit in ChaserCommands(app.screen).search("Period:")]
        periods = [t for t in texts if t.startswith("Period: ")]
        assert sorted(periods) == sorted([*(f"Period: {text}" for text, _ in PRESETS),
                                          "Period: pick one or a custom range…"])


async def test_a_period_picked_on_costs_sticks_there_and_not_on_the_overview(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        costs = await open_screen(pilot, "k")
        await pick(pilot, "last-month")
        assert costs.summary.period == period_for(app.ws, "last-month")
        assert "Period: last-month (2026-10-01 – 2026-10-31) (this screen)" in text_of(
            costs, "#costs-period")
        assert app.period_text == DEFAULT_PERIOD  # the app's period did not move
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)
        assert f"Period: {DEFAULT_PERIOD}" in text_of(app.screen, "#filters")
        assert app.data.period == period_for(app.ws, DEFAULT_PERIOD)

        await pick(pilot, "this-week")  # the overview moves the app's period...
        costs = await open_screen(pilot, "k")  # ...the costs screen keeps its own
        assert costs.summary.period == period_for(app.ws, "last-month")
        assert "(this screen)" in text_of(costs, "#costs-period")
        log = await open_screen(pilot, "l")  # while the chase log follows the app
        assert log_ids(log) == ids_in(app, "this-week")
        await pilot.press("escape")
        await settle(pilot)

        await pick(pilot, "this-week")  # the app's period again: costs follows the app again
        assert "(this screen)" not in text_of(costs, "#costs-period")
        app.set_period("last-7d")
        await settle(pilot)
        assert costs.summary.period == period_for(app.ws, "last-7d")


async def test_a_custom_range_on_the_overview_is_every_screens(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pick(pilot, "custom")
        prompt = app.screen
        assert isinstance(prompt, PromptModal)
        prompt.query_one(Input).value = "2026-11-02..2026-11-08"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen)
        assert app.period_text == "2026-11-02..2026-11-08"
        expected = summary_for(app.ws, period_for(app.ws, "2026-11-02..2026-11-08"))
        assert expected.total.chases > 0
        headline = text_of(app.screen, "#headline")
        assert "Chase cost 2026-11-02 – 2026-11-08 (custom): " in headline
        assert f"({expected.total.chases:,} chases)" in headline
        costs = await open_screen(pilot, "k")
        assert costs.summary.total == expected.total
        log = await open_screen(pilot, "l")
        assert log_ids(log) == ids_in(app, "2026-11-02..2026-11-08")
        await pick(pilot, "custom")  # the prompt offers the current custom range to edit
        assert app.screen.query_one(Input).value == "2026-11-02..2026-11-08"


@pytest.mark.parametrize("key", ["", "k", "l"])
async def test_a_future_range_is_refused_in_the_prompt(app, key):
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_screen(pilot, key) if key else app.screen
        before = getattr(screen, "period", None)
        await pick(pilot, "custom")
        prompt = app.screen
        assert isinstance(prompt, PromptModal)
        await pilot.press(*"2026-12-01..2026-12-05", "enter")
        assert app.screen is prompt  # refused: the prompt stays open, saying why
        error = str(prompt.query_one("#prompt-error", Static).visual)
        assert "'2026-12-01..2026-12-05' starts on 2026-12-01, after today (2026-11-20)" in error
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        assert app.period_text == DEFAULT_PERIOD and getattr(screen, "period", None) == before
