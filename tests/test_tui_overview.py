"""Overview, navigation, palette, help and the shared plumbing (issue: TUI screens 1, palette,
help, footer). Every number is checked against the core, so the TUI and the CLI agree."""

from __future__ import annotations

import threading

import pytest
from textual.widgets import Footer, Static
from tui_support import loaded, most_gaps, settle

from chaser import costs
from chaser.audit import org_tally
from chaser.errors import ChaserError
from chaser.inputs import period_for, summary_for
from chaser.modals.help import HelpScreen
from chaser.modals.picker import Picker
from chaser.periods import DEFAULT_PERIOD
from chaser.screens.overview import OverviewScreen
from chaser.screens.person import PersonScreen
from chaser.screens.workers import run_blocking
from chaser.widgets.table import VirtualTable

pytest_plugins = ["tui_fixtures"]  # seeded_demo, demo_ws, make_app


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def test_headline_matches_the_core(make_app, demo_ws):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        snap = demo_ws.snapshot()
        org = org_tally(snap)
        shown = summary_for(demo_ws, period_for(demo_ws, DEFAULT_PERIOD))
        headline = text_of(app, "#headline")
        assert f"{len(demo_ws.people())} people" in headline
        assert f"{org.records:,} records" in headline
        assert f"{org.completeness_pct:.1f}% complete" in headline
        # "with gaps", as the sync screen and `chaser gaps` say it (one set of counts)
        assert f"{org.records_with_gaps:,} with gaps" in headline
        assert f"Chase cost {DEFAULT_PERIOD} ({shown.period.span()}): " in headline
        assert costs.money(shown.total.cost, shown.currency) in headline
        assert app.screen.query_one("#org-trend").query_one(".trend--range").render()
        assert len(app.data.trend()) == len(demo_ws.store.snapshot_history())


async def test_people_table_rows_match_the_core(make_app, demo_ws):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        table = app.screen.query_one("#people", VirtualTable)
        month = summary_for(demo_ws, period_for(demo_ws, DEFAULT_PERIOD))
        rows = {r.key: r for r in table.shown}
        assert len(rows) == len(demo_ws.people())
        for pr in demo_ws.people():
            line = rows[pr.person.key]
            assert (line.records, line.with_gaps, line.pct, line.tier) == (
                pr.tally.records, pr.tally.records_with_gaps, pr.tally.completeness_pct, pr.tier)
            assert line.chases == month.by_person[pr.person.key].chases
            assert line.cost == month.by_person[pr.person.key].cost


async def test_loading_state_paints_before_the_data(make_app, demo_ws, monkeypatch):
    gate = threading.Event()
    real = type(demo_ws).snapshot
    monkeypatch.setattr(type(demo_ws), "snapshot", lambda self: (gate.wait(5), real(self))[1])
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.1)
        assert app.data is None
        assert "Opening the demo org" in text_of(app, "#headline")
        assert app.screen.query_one("#people", VirtualTable).loading
        gate.set()
        await loaded(pilot)
        assert not app.screen.query_one("#people", VirtualTable).loading
        assert "people" in text_of(app, "#headline")


async def test_demo_header_names_the_connect_command(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        assert "demo org" in app.sub_title
        assert "chaser connect" in app.sub_title


async def test_sort_by_gaps_from_the_keyboard(make_app, demo_ws):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        table = app.screen.query_one("#people", VirtualTable)
        await pilot.press("5")  # Gaps: biggest first
        assert table.sort_key == "gaps" and table.sort_reverse
        assert table.current.key == most_gaps(demo_ws).key
        gaps = [r.with_gaps for r in table.shown]
        assert gaps == sorted(gaps, reverse=True)
        await pilot.press("5")  # again: reversed
        assert [r.with_gaps for r in table.shown] == sorted(gaps)
        await pilot.press("1")  # Name, A first
        names = [r.name.casefold() for r in table.shown]
        assert names == sorted(names)
        header = table.render_line(0).text
        assert "Name▲" in header


async def test_team_filter_and_search(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        table = app.screen.query_one("#people", VirtualTable)
        team = app.data.teams[1]
        await pilot.press("f")
        assert isinstance(app.screen, Picker)
        await pilot.press("down", "down", "enter")  # "All teams" is first
        await pilot.pause()
        assert isinstance(app.screen, OverviewScreen)
        assert {r.team for r in table.shown} == {team}
        assert f"Team: {team}" in text_of(app, "#filters")
        await pilot.press("escape")  # clears the team
        assert len(table.shown) == len(app.data.rows)

        await pilot.press("slash", *"derek")
        assert [r.name for r in table.shown] == ["Derek Chen"]
        assert "Search: derek" in text_of(app, "#filters")
        await pilot.press("enter")  # keep the search, back to the table
        assert app.focused is table
        await pilot.press("escape")  # clear it
        assert len(table.shown) == len(app.data.rows)


async def test_enter_opens_the_person(make_app, demo_ws):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await pilot.press("5", "enter")
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
        assert app.screen.key == most_gaps(demo_ws).key
        await pilot.press("escape")
        assert isinstance(app.screen, OverviewScreen)


async def test_period_picker_changes_the_columns(make_app, demo_ws):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await pilot.press("p")
        assert isinstance(app.screen, Picker)
        await pilot.press("down", "down", "down", "enter")  # from last-30d to this-month
        await settle(pilot)
        assert app.data.period.label == "this-month"
        summary = summary_for(demo_ws, period_for(demo_ws, "this-month"))
        table = app.screen.query_one("#people", VirtualTable)
        assert sum(r.chases for r in table.shown) == summary.total.chases
        assert "Period: this-month" in text_of(app, "#filters")
        assert costs.money(summary.total.cost, summary.currency) in text_of(app, "#headline")
        assert "Chase cost this-month (2026-11-01 – 2026-11-30)" in text_of(app, "#headline")


async def test_palette_reaches_people_and_actions(make_app, demo_ws):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"Open person: Derek Chen")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
        assert app.screen.key == demo_ws.find_person("Derek Chen").key

        await pilot.press("ctrl+p")
        await pilot.press(*"Log chase")  # a binding of the person screen
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        from chaser.modals.log_chase import LogChaseScreen

        assert isinstance(app.screen, LogChaseScreen)


async def test_palette_filters_a_team(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        team = app.data.teams[0]
        await pilot.press("ctrl+p", *f"Filter team: {team}")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert {r.team for r in app.screen.query_one("#people", VirtualTable).shown} == {team}


async def test_help_lists_the_live_keys(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-text", Static).render())
        for words in ("Log a chase", "chase timer", "Draft a chase email", "Open the selected", "Back"):
            assert words in text
        await pilot.press("escape")
        assert isinstance(app.screen, PersonScreen)


async def test_app_keys_open_the_other_screens(make_app):
    from chaser.screens.chases import ChaseLogScreen
    from chaser.screens.costs import CostsScreen
    from chaser.screens.sync import SyncScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        for key, cls in (("l", ChaseLogScreen), ("k", CostsScreen)):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, cls), key
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, OverviewScreen)
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SyncScreen)


async def test_footer_fits_80_columns(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        footer = app.screen.query_one(Footer)
        for _ in range(20):  # the footer recomposes once the table has the focus
            keys = [k for k in footer.children if hasattr(k, "key")]
            if any(k.key == "1" for k in keys):
                break
            await pilot.pause(0.05)
        assert {k.key for k in keys} >= {"1", "slash", "f", "p", "question_mark"}
        # The screen keys that do not fit whole are left to help: `? More` (widgets/footer.py)
        shown = {k.description for k in keys}
        assert {"Chases", "Costs", "Sync", "Quit"} <= shown | set(footer.left_out)
        assert sum(k.region.width for k in keys) <= 80
        table = app.screen.query_one("#people", VirtualTable)
        assert table.region.height >= 12  # a screenful of people at 80x24


async def test_one_error_handler_for_workers(make_app):
    app = make_app()
    got = []

    def fail_user():
        raise ChaserError("minutes must be a whole number")

    def fail_bug():
        raise KeyError("boom")

    with pytest.raises(KeyError, match="boom"):  # a bug ends the app; run_test re-raises it
        async with app.run_test(size=(80, 24)) as pilot:
            await loaded(pilot)
            run_blocking(app.screen, fail_user, done=got.append)
            run_blocking(app.screen, lambda: 42, done=got.append)
            await settle(pilot)
            notes = [(n.title, n.message) for n in app._notifications]
            assert ("Error", "minutes must be a whole number") in notes
            assert got == [42] and app.return_code is None  # a user's error: the app goes on
            run_blocking(app.screen, fail_bug, done=got.append)
            await settle(pilot)
    assert app.return_code == 1 and isinstance(app.crash, KeyError) and got == [42]


async def test_palette_sorts_by_column_name(make_app, demo_ws):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await pilot.press("ctrl+p", *"Sort by Gaps")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        table = app.screen.query_one("#people", VirtualTable)
        assert table.sort_key == "gaps"
        assert table.shown[0].key == most_gaps(demo_ws).key


async def test_themes_are_respected(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        table = app.screen.query_one("#people", VirtualTable)
        styles = {}
        for theme in ("textual-dark", "textual-light"):
            app.theme = theme
            await pilot.pause()
            line = table.render_line(1)
            styles[theme] = {seg.style for seg in line if seg.text.strip()}
        assert styles["textual-dark"] != styles["textual-light"]


def test_bare_chaser_without_config_opens_the_demo(monkeypatch, seeded_demo):
    from chaser import app as app_module
    from chaser.cli import main

    started = []
    monkeypatch.setattr(app_module.ChaserApp, "run", lambda self: started.append(self))
    assert main([]) == 0
    (app,) = started
    assert app.ws.is_demo and "chaser connect" in app.sub_title


def test_bare_chaser_with_a_bad_config_is_a_one_line_error(tmp_path, capsys):
    from chaser.cli import main

    bad = tmp_path / "chaser.toml"
    bad.write_text("[source]\nkind = 'nope'\n")
    assert main(["--config", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("chaser: error:") and str(bad) in err


async def test_a_chase_logged_during_a_full_reload_is_not_lost(make_app, demo_ws, monkeypatch):
    from chaser import views

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        # The watch would notice the chase below by itself (its own chases-only reload, which
        # would cancel the test's): this test is of the reloads alone.
        app.data_watch.stop()
        gate, real = threading.Event(), views.load

        def slow_load(ws, period, **kwargs):
            data = real(ws, period, **kwargs)  # reads the chase log before the chase below
            gate.wait(5)
            return data

        monkeypatch.setattr(views, "load", slow_load)
        app.reload("sync")  # e.g. a sync finished
        await pilot.pause(0.1)
        who = app.data.rows[0].person
        chase = demo_ws.log_chase(who, minutes=9)
        app.reload("chase logged", chases_only=True)
        await pilot.pause(0.2)
        gate.set()
        await settle(pilot)
        await settle(pilot)
        assert chase.id in {c.id for c in app.data.chases}
