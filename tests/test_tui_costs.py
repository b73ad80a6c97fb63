"""Pilot tests of the costs screen: totals as the CLI computes them, team/person, the period
picker, the chart, the HR export to a confirmed path, and a void showing up at once."""

from __future__ import annotations

import csv

from textual.widgets import Input, OptionList, Static
from tui_support import settle_fully as settle

from chaser.costs import money
from chaser.exports import DETAIL_COLUMNS, HR_COLUMNS
from chaser.inputs import hr_export, period_for, summary_for
from chaser.modals.confirm import ConfirmModal
from chaser.modals.hr_export import HrExportModal
from chaser.modals.picker import Picker
from chaser.modals.prompt import PromptModal
from chaser.periods import DEFAULT_PERIOD, PRESETS
from chaser.screens.costs import CostsScreen
from chaser.widgets.bar_chart import PART, Bar, BarChart, bar_cells

pytest_plugins = ["tui_fixtures"]  # seeded_demo, demo_ws, make_app
SIZE = (80, 24)




async def open_costs(pilot) -> CostsScreen:
    await settle(pilot)
    await pilot.press("k")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, CostsScreen) and screen.summary is not None
    return screen


async def pick(pilot, option_id: str) -> None:
    picker = pilot.app.screen
    assert isinstance(picker, Picker)
    picker.query_one(OptionList).highlighted = [k for k, _ in picker.options].index(option_id)
    await pilot.press("enter")
    await settle(pilot)


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).visual)


async def test_totals_match_the_cli_by_team_and_person(app):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_costs(pilot)
        cli = summary_for(app.ws, period_for(app.ws, DEFAULT_PERIOD))
        assert screen.summary.total == cli.total and cli.total.chases > 0
        assert f"Total {money(cli.total.cost, cli.currency)}" in text_of(screen, "#costs-total")
        assert f"Period: {DEFAULT_PERIOD} (" in text_of(screen, "#costs-period")
        assert "(this screen)" not in text_of(screen, "#costs-period")
        assert [line.key for line in screen.table.shown] == list(cli.by_team)
        chart = screen.query_one(BarChart)
        assert [b.label for b in chart.bars] == [x.name for x in cli.by_team.values() if x.cost]

        await pilot.press("t")  # by person
        assert screen.by == "person"
        assert [line.key for line in screen.table.shown] == list(cli.by_person)
        assert screen.table.columns[1].label == "Team"
        assert "by person" in text_of(screen, "#costs-period")
        await pilot.press("t")  # by admin: whose time, at each admin's rate
        assert screen.by == "admin"
        assert [line.key for line in screen.table.shown] == list(cli.by_admin)
        assert [c.label for c in screen.table.columns[:2]] == ["Admin", "Name"]
        assert "by admin" in text_of(screen, "#costs-period")
        await pilot.press("t")
        assert screen.by == "team"


async def test_enter_on_a_team_lists_its_people(app):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_costs(pilot)
        team = screen.table.current.key
        await pilot.press("enter")
        assert screen.by == "person" and screen.team == team
        assert screen.table.shown and all(x.team == team for x in screen.table.shown)


async def test_period_picker_presets_and_custom_range(app):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_costs(pilot)
        await pilot.press("p")
        assert [k for k, _ in app.screen.options] == [*(k for k, _ in PRESETS), "custom"]
        await pilot.press("escape")
        for key in ("this-week", "last-month", "this-quarter", "last-7d", "this-month"):
            await pilot.press("p")
            await pick(pilot, key)
            expected = summary_for(app.ws, period_for(app.ws, key))
            assert screen.summary.period == expected.period
            assert screen.summary.total == expected.total

        await pilot.press("p")
        await pick(pilot, "custom")
        prompt = app.screen
        assert isinstance(prompt, PromptModal)
        await pilot.press(*"next tuesday", "enter")  # not a period: explained, stays open
        assert app.screen is prompt
        assert "not one of" in str(prompt.query_one("#prompt-error", Static).visual)
        prompt.query_one(Input).value = "2026-10-01..2026-10-15"
        await pilot.press("enter")
        await settle(pilot)
        expected = summary_for(app.ws, period_for(app.ws, "2026-10-01..2026-10-15"))
        assert screen.summary.total == expected.total and expected.total.chases > 0
        assert "2026-10-01 – 2026-10-15 (custom)" in text_of(screen, "#costs-period")


def read_csv(path):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw  # Excel-ready
    return list(csv.reader(raw.decode("utf-8-sig").splitlines()))


async def test_export_writes_both_hr_files_to_the_confirmed_paths(app, tmp_path):
    out = tmp_path / "review" / "hr.csv"
    out.parent.mkdir()
    async with app.run_test(size=SIZE) as pilot:
        await open_costs(pilot)
        await pilot.press("e")
        modal = app.screen
        assert isinstance(modal, HrExportModal)
        people, detail = modal.query_one("#export-people", Input), modal.query_one(
            "#export-detail", Input)
        shown = period_for(app.ws, DEFAULT_PERIOD)  # the app's period: the costs screen's
        stem = f"chaser-hr-{shown.first_day}_{shown.last_day}"
        assert people.value.endswith(f"{stem}.csv")
        assert detail.value.endswith(f"{stem}-detail.csv")
        people.value = str(out)  # the detail path follows until it is edited by hand
        await pilot.pause()
        assert detail.value == str(tmp_path / "review" / "hr-detail.csv")
        await pilot.press("enter")
        await settle(pilot)
        assert any(n.title == "HR export written" and str(out) in n.message
                   and "hr-detail.csv" in n.message for n in app._notifications)
    period = period_for(app.ws, DEFAULT_PERIOD)
    export = hr_export(app.ws, period)
    rows = read_csv(out)
    assert tuple(rows[0]) == HR_COLUMNS
    assert len(rows) - 1 == len(summary_for(app.ws, period).by_person) == len(export.rows)
    details = read_csv(out.parent / "hr-detail.csv")
    assert tuple(details[0]) == DETAIL_COLUMNS
    assert len(details) - 1 == len(export.detail) == export.total.chases > 0
    for path in (out, out.parent / "hr-detail.csv"):
        assert oct(path.stat().st_mode & 0o777) == "0o600"


async def test_export_without_the_detail_file(app, tmp_path):
    out = tmp_path / "review" / "hr.csv"
    out.parent.mkdir()
    async with app.run_test(size=SIZE) as pilot:
        await open_costs(pilot)
        await pilot.press("e")
        app.screen.query_one("#export-detail", Input).value = "custom.csv"
        app.screen.query_one("#export-people", Input).value = str(out)
        await pilot.pause()  # edited by hand: it no longer follows
        assert app.screen.query_one("#export-detail", Input).value == "custom.csv"
        app.screen.query_one("#export-detail", Input).value = ""
        await pilot.press("enter")
        await settle(pilot)
    assert sorted(p.name for p in out.parent.iterdir()) == ["hr-about.txt", "hr.csv"]


async def test_export_asks_before_replacing_a_file(app, tmp_path):
    out = tmp_path / "hr.csv"
    out.write_text("keep me\n")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_costs(pilot)
        for answer in ("escape", "replace"):
            await pilot.press("e")
            app.screen.query_one("#export-people", Input).value = str(out)
            await pilot.press("enter")
            await settle(pilot)
            confirm = app.screen
            assert isinstance(confirm, ConfirmModal)
            assert str(out) in confirm.body and "hr-detail.csv" not in confirm.body
            if answer == "escape":
                await pilot.press("escape")
                await settle(pilot)
                # Not replaced: back in the dialog, the path as typed (then Escape closes it)
                assert app.screen.query_one("#export-people", Input).value == str(out)
                await pilot.press("escape")
                await settle(pilot)
                assert app.screen is screen
                assert out.read_text() == "keep me\n"
                assert not (tmp_path / "hr-detail.csv").exists()  # both files, or neither
            else:
                await pilot.click("#confirm-yes")
                await settle(pilot)
        assert out.read_text(encoding="utf-8-sig").startswith("Person,Email,Team")
        assert (tmp_path / "hr-detail.csv").exists()


async def test_a_void_in_the_log_shows_in_costs_at_once(app):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_costs(pilot)
        before = screen.summary.total
        await pilot.press("l")
        await settle(pilot)
        log = app.screen
        chase = log.table.current.chase  # newest: this month
        await pilot.press("v", *"wrong person", "enter")
        await settle(pilot)
        assert app.ws.store.get_chase(chase.id).voided
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        after = screen.summary.total
        assert (after.chases, after.minutes) == (before.chases - 1, before.minutes - chase.minutes)
        assert after.cost < before.cost


def test_bar_geometry_never_hides_a_value():
    assert bar_cells(0, 0, 10, 20) == ("", "")
    solid, hatched = bar_cells(10, 0, 10, 20)
    assert (solid, hatched) == ("█" * 20, "")
    solid, hatched = bar_cells(10, 5, 10, 20)
    assert len(solid) == 10 and hatched == PART * 10
    solid, hatched = bar_cells(0.001, 0, 10, 20)
    assert solid and not hatched  # tiny but not nothing


async def test_chart_prints_every_value_as_text(app):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_costs(pilot)
        chart = screen.query_one(BarChart)
        chart.set_bars([Bar("EMEA", 100.0, "USD 100.00", part=25.0),
                        Bar("APAC", 50.0, "USD 50.00")])
        await pilot.pause()
        lines = str(chart.render()).splitlines()
        assert lines[0].startswith("EMEA") and lines[0].endswith("USD 100.00")
        assert PART in lines[0] and PART not in lines[1]
        assert lines[1].rstrip().endswith("USD 50.00")


def test_bindings_have_ids_and_descriptions():
    for b in CostsScreen.BINDINGS:
        assert b.id and b.description
