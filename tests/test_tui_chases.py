"""Pilot tests of the chase log: list, filters (person, team, period), search, voiding."""

from __future__ import annotations

import pytest
from textual.widgets import Input, OptionList, Static
from tui_support import settle_fully as settle

from chaser.costs import counted
from chaser.modals.picker import Picker
from chaser.modals.prompt import PromptModal
from chaser.periods import parse_period
from chaser.screens.chases import ALL, ChaseLogScreen

pytest_plugins = ["tui_fixtures"]  # seeded_demo, demo_ws, make_app
SIZE = (80, 24)




async def open_log(pilot) -> ChaseLogScreen:
    await settle(pilot)
    await pilot.press("l")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ChaseLogScreen)
    return screen


async def pick(pilot, option_id: str) -> None:
    """Choose an option in the Picker on top, as a user would: highlight it, press Enter."""
    picker = pilot.app.screen
    assert isinstance(picker, Picker)
    ids = [k for k, _ in picker.options]
    picker.query_one(OptionList).highlighted = ids.index(option_id)
    await pilot.press("enter")
    await settle(pilot)


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).visual)  # plain text, markup applied


def in_period(data, period=None) -> list:
    """The chases of the log inside `period` (the app's by default), voided included."""
    period = data.period if period is None else period
    return [c for c in data.chases if period.contains(c.at)]


async def test_lists_the_apps_period_newest_first(app):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_log(pilot)
        shown = [r.chase for r in screen.table.shown]
        assert screen.period == app.data.period and app.data.period.label == "last-30d"
        assert len(shown) == len(in_period(app.data)) > 10
        assert len(app.data.chases) > len(shown)  # older chases are a period away
        assert shown[0].at >= shown[-1].at
        assert f"{len(shown):,}/{len(app.data.chases):,} shown" in text_of(screen, "#chase-totals")
        assert "Period: last-30d (" in text_of(screen, "#chase-filters")
        assert "this screen" not in text_of(screen, "#chase-filters")
        assert screen.table.current.chase.id in text_of(screen, "#chase-detail")


async def test_filter_by_person_team_and_period(app):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_log(pilot)
        data = app.data
        key = data.chases[-1].person
        await pilot.press("w")
        await pick(pilot, key)
        assert screen.person == key
        assert {r.chase.person for r in screen.table.shown} == {key}
        assert data.person(key).name in text_of(screen, "#chase-filters")

        await pilot.press("x")  # clear, then by team
        team = data.person(key).team
        await pilot.press("f")
        await pick(pilot, team)
        assert {r.team for r in screen.table.shown} == {team}
        assert len(screen.table.shown) == sum(
            1 for c in in_period(data) if data.person(c.person) and data.person(c.person).team == team)

        await pilot.press("p")
        await pick(pilot, "last-month")
        period = parse_period("last-month", data.now, data.tz)
        assert screen.table.shown
        assert all(period.contains(r.chase.at) and r.team == team for r in screen.table.shown)
        assert "Period: last-month (2026-10-01 – 2026-10-31) (this screen)" in text_of(
            screen, "#chase-filters")

        await pilot.press("x")  # everything back to all, and the period to the app's
        assert (screen.person, screen.team, screen.own_period) == (ALL, ALL, None)
        assert screen.period == data.period
        assert len(screen.table.shown) == len(in_period(data))


async def test_custom_period_is_checked_then_applied(app):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_log(pilot)
        await pilot.press("p")
        await pick(pilot, "custom")
        prompt = app.screen
        assert isinstance(prompt, PromptModal)
        await pilot.press(*"2026-11-31..2026-11-01")  # no such day: refused, modal stays
        await pilot.press("enter")
        assert app.screen is prompt
        assert "✗" in str(prompt.query_one("#prompt-error", Static).content)
        prompt.query_one(Input).value = "2026-11-02..2026-11-08"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        period = screen.period
        assert (str(period.first_day), str(period.last_day)) == ("2026-11-02", "2026-11-08")
        assert screen.table.shown
        assert all(period.contains(r.chase.at) for r in screen.table.shown)


async def test_search_filters_and_escape_closes_it(app):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_log(pilot)
        await pilot.press("slash")
        await pilot.press(*"barrier")
        assert screen.table.shown
        assert all(r.chase.outcome.is_barrier or "barrier" in r.chase.note.lower()
                   for r in screen.table.shown)
        await pilot.press("escape")  # closes the search, stays on the log
        assert app.screen is screen
        assert len(screen.table.shown) == len(in_period(app.data))
        await pilot.press("escape")  # now goes back
        assert app.screen is not screen


async def test_void_asks_for_a_reason_then_voids_everywhere(app):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_log(pilot)
        before = app.data.costs.total
        row = screen.table.current  # newest chase: inside the app's period
        assert app.data.period.contains(row.chase.at) and not row.chase.voided

        await pilot.press("v")
        modal = app.screen
        assert isinstance(modal, PromptModal)
        assert row.chase.id in modal.title_text
        await pilot.press("enter")  # an empty reason is refused
        assert app.screen is modal
        assert "required" in str(modal.query_one("#prompt-error", Static).content)
        await pilot.press(*"logged twice")
        await pilot.press("enter")
        await settle(pilot)

        assert app.screen is screen
        stored = app.ws.store.get_chase(row.chase.id)
        assert stored.voided and stored.void_reason == "logged twice"
        # The log shows it at once, marked with the word, with its reason; totals drop it.
        current = screen.table.current
        assert current.chase.id == row.chase.id and current.chase.voided
        assert "VOID" in text_of(screen, "#chase-detail")
        assert "logged twice" in text_of(screen, "#chase-detail")
        assert "1 VOID not counted" in text_of(screen, "#chase-totals")
        # ...and the app's data (every other view) has it too.
        after = app.data.costs.total
        assert after.chases == before.chases - 1
        assert after.minutes == before.minutes - row.chase.minutes
        assert any(n.title == "Chase voided" for n in app._notifications)

        await pilot.press("v")  # again: refused with a notice, no modal
        assert app.screen is screen
        assert any("already VOID" in n.message for n in app._notifications)


async def test_a_reload_keeps_the_cursor_on_its_chase(app):
    """Voiding a chase further down reloads the log; the cursor stays on that chase."""
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_log(pilot)
        await pilot.press("down", "down", "down")
        row = screen.table.current
        await pilot.press("v", *"wrong person", "enter")
        await settle(pilot)
        assert app.ws.store.get_chase(row.chase.id).voided
        assert screen.table.cursor == 3 and screen.table.current.id == row.id
        assert row.chase.id in text_of(screen, "#chase-detail")


@pytest.mark.parametrize("key", ["l", "k"])
async def test_screens_paint_once_on_mount(app, monkeypatch, key):
    """ChaserScreen.on_mount paints; a subclass's on_mount must not call it again."""
    from chaser.screens.costs import CostsScreen

    calls = []
    for cls in (ChaseLogScreen, CostsScreen):
        real = cls.show_data
        monkeypatch.setattr(cls, "show_data",
                            lambda self, data, real=real: calls.append(self.id) or real(self, data))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(key)
        await settle(pilot)
        assert calls == [app.screen.id]


async def test_void_cancelled_changes_nothing(app):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_log(pilot)
        chase = screen.table.current.chase
        await pilot.press("v")
        await pilot.press(*"oops")
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        assert not app.ws.store.get_chase(chase.id).voided
        assert len(counted(app.ws.store.chases(), parse_period("2026", app.data.now,
                                                                app.data.tz))) > 0


async def test_enter_opens_the_person(app):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_log(pilot)
        key = screen.table.current.chase.person
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is not screen
        assert getattr(app.screen, "key", None) == key


async def test_bindings_have_ids_and_descriptions():
    for b in ChaseLogScreen.BINDINGS:
        assert b.id and b.description


@pytest.mark.parametrize("key, actions", [
    ("l", ["Void", "Person", "Team", "Period", "Clear filters", "Search"]),
    ("k", ["Period", "Team/person/admin", "Export HR CSV"]),
    ("s", ["Sync now"]),
])
async def test_palette_and_help_reach_every_action(app, key, actions):
    """The palette lists the live bindings of the screen underneath (chaser.screens.palette),
    so each action of these screens is one search away, and ? lists it too."""
    from chaser.modals.help import HelpScreen
    from chaser.screens.palette import ChaserCommands

    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(key)
        await settle(pilot)
        provider = ChaserCommands(app.screen)
        for text in actions:
            hits = [hit.text async for hit in provider.search(text)]
            assert text in hits, (text, hits)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        shown = str(app.screen.query_one("VerticalScroll Static").visual)
        assert all(text in shown for text in actions)


async def test_opened_for_one_person(app):
    """Other screens open the log filtered on a person: ChaseLogScreen(person=key)."""
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        key = app.data.chases[-1].person  # chased in the app's period
        app.push_screen(ChaseLogScreen(person=key))
        await settle(pilot)
        screen = app.screen
        assert screen.table.shown
        assert {r.chase.person for r in screen.table.shown} == {key}
