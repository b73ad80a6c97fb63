"""CRM text is shown as written, never parsed as Textual markup: a person named "[b]Ann", a
team "[red]East", a field "[u]amount", a note "[red]" or an error naming "[x].csv" must show
their brackets on every screen, modal, picker, palette entry and notification."""

from __future__ import annotations

import pytest
from conftest import csv_org
from textual.widgets import Label, OptionList, SelectionList, Static
from tui_support import burst, settle

from chaser.app import ChaserApp
from chaser.errors import ChaserError
from chaser.modals.log_chase import LogChaseScreen
from chaser.modals.picker import Picker
from chaser.screens.palette import ChaserCommands
from chaser.screens.person import PersonScreen
from chaser.screens.workers import report_error
from chaser.workspace import Workspace

NAME, TEAM, FIELD, EMAIL = "[b]Ann[/b] Lee", "[red]East", "[u]amount", "ann[i]@x.test"
NOTE = "[red]call back[/red] [link=x]"


@pytest.fixture
def ws(tmp_path) -> Workspace:
    config = csv_org(
        tmp_path, f'name,team,email\n"{NAME}",{TEAM},{EMAIL}\nBo Ray,West,bo@x.test\n',
        f'id,owner,stage,"{FIELD}"\n1,"{NAME}",Won,\n2,"{NAME}",Won,5\n3,Bo Ray,Won,\n',
        require=(FIELD,), when=None)
    return Workspace.open(str(config))


def plain(widget) -> str:
    """What a Static or Label shows, as text."""
    return str(widget.render())


def lines(widget, n: int = 12) -> str:
    return "\n".join(widget.render_line(y).text for y in range(n))


async def test_names_fields_and_notes_show_literally(ws):
    app = ChaserApp(ws)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.data is not None
        overview = app.screen
        # the team picker and the filter line
        await pilot.press("f")
        picker = app.screen
        assert isinstance(picker, Picker)
        assert TEAM in lines(picker.query_one(OptionList), 3)
        await pilot.press("down", "down", "enter")  # All teams, East?, West: pick by name below
        await settle(pilot)
        overview.set_team(TEAM)
        await pilot.pause()
        assert f"Team: {TEAM}" in plain(overview.query_one("#filters", Static))
        # the person screen
        app.open_person(NAME)
        await settle(pilot)
        person = app.screen
        assert isinstance(person, PersonScreen)
        info = plain(person.query_one("#person-info", Static))
        assert NAME in info and TEAM in info and EMAIL in info
        # the log modal: title, the field list and the words under it; then the notice
        await pilot.press("c")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, LogChaseScreen)
        assert NAME in plain(modal.query_one(".dialog--title", Label))
        assert FIELD in lines(modal.query_one(SelectionList), 3)
        await pilot.press(*"[b]")  # the minutes verdict quotes it as typed
        assert "'[b]'" in plain(modal.query_one("#minutes-error", Label))
        modal.query_one("#minutes").value = ""
        await pilot.press(*"5", "tab", "space")
        assert "none yet" not in plain(modal.query_one("#chosen", Label))
        assert FIELD in plain(modal.query_one("#chosen", Label))
        modal.query_one("#note").value = NOTE
        await pilot.press("enter")
        await settle(pilot)
        chase = ws.store.chases()[-1]
        assert (chase.fields, chase.note) == ((FIELD,), NOTE)
        logged = [n for n in app._notifications if n.title == "Chase logged"]
        assert logged and NAME in logged[-1].message and not logged[-1].markup
        # the chase log's detail line and its person picker
        await pilot.press("l")
        await settle(pilot)
        log = app.screen
        assert NOTE in plain(log.query_one("#chase-detail", Static))
        await pilot.press("w")
        assert NAME in lines(app.screen.query_one(OptionList), 4)
        await pilot.press("escape")


async def test_palette_entries_show_names_literally(ws):
    app = ChaserApp(ws)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        provider = ChaserCommands(app.screen)
        hits = [hit async for hit in provider.search("Open person: Ann")]
        assert hits
        hit = hits[0]
        assert hit.text == f"Open person: {NAME}"
        assert f"Open person: {NAME}" == hit.match_display.plain  # Content, not parsed
        teams = [hit async for hit in provider.search("Filter team: East")]
        assert any(h.text == f"Filter team: {TEAM}" and h.match_display.plain == h.text
                   for h in teams)


async def test_errors_are_shown_as_written(ws):
    app = ChaserApp(ws)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        report_error(app, ChaserError("/data/[x].csv: cannot read [red]"))
        await pilot.pause()  # (a bug is no notification: it ends the app, tests/test_tui_export)
        notes = list(app._notifications)
        assert all(not n.markup for n in notes)
        assert "/data/[x].csv: cannot read [red]" in [n.message for n in notes]


async def test_a_burst_reaches_the_log_modal_in_order(ws):
    """The same keys the tmux check sends in one command (see tests/test_tui_keys.py)."""
    app = ChaserApp(ws)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.open_person(NAME)
        await settle(pilot)
        await burst(pilot, "c", "1", "2", "tab", "space", "enter")
        chase = ws.store.chases()[-1]
        assert (chase.minutes, chase.fields) == (12, (FIELD,))
