"""Issue 13 in the TUI: the overview's goal column and newcomer flag, the person screen's
status, tier reason and goal weeks, and `r` resolving a barrier. Every figure is checked
against what the CLI's own functions compute for the same data (chaser goals, chaser
newcomers, chaser barriers, the report's status)."""

from __future__ import annotations

import json

from textual.widgets import Static
from tui_support import loaded, settle, settle_fully

from chaser.accountability import person_status
from chaser.cli import main
from chaser.modals.picker import Picker
from chaser.modals.prompt import PromptModal
from chaser.screens.person import PersonScreen
from chaser.views_acc import NEWCOMER_MARK
from chaser.widgets.table import VirtualTable

pytest_plugins = ["tui_fixtures"]  # seeded_demo, demo_ws, make_app


def cli_json(capsys, *argv: str):
    capsys.readouterr()
    assert main([*argv, "--demo", "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


async def open_person(pilot, name: str) -> PersonScreen:
    app = pilot.app
    key = next(r.person.key for r in app.data.rows if r.person.name == name)
    app.open_person(key)
    await settle(pilot)
    assert isinstance(app.screen, PersonScreen)
    return app.screen


def info(screen) -> str:
    return str(screen.query_one("#person-info", Static).render())


async def test_overview_goal_column_and_newcomers_agree_with_the_cli(make_app, demo_ws, capsys):
    weeks = cli_json(capsys, "goals")  # this week, as the CLI counts it
    newcomers = cli_json(capsys, "newcomers")
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        table = app.screen.query_one("#people", VirtualTable)
        assert [c.label for c in table.columns if c.key == "goal"] == ["Goals met"]
        lines = {r.name: r for r in table.rows}
        rows = weeks if isinstance(weeks, list) else weeks["weeks"]
        by_person: dict[str, list] = {}
        for w in rows:
            by_person.setdefault(w["person"], []).append(w)
        assert by_person, "the demo has goal weeks"
        for name, ws_rows in by_person.items():
            met = sum(1 for w in ws_rows if w["met"])
            assert lines[name].goal == f"{met}/{len(ws_rows)}", name
        listed = newcomers if isinstance(newcomers, list) else newcomers["newcomers"]
        names = {n["person"] for n in listed}
        assert names and names == {r.name for r in table.rows if r.newcomer}
        shown = {table.columns[0].cell(r) for r in table.rows}
        assert all(NEWCOMER_MARK + n in shown for n in names)
        headline = str(app.screen.query_one("#headline", Static).render())
        assert f"{len(names)} newcomer" in headline and "chaser newcomers" in headline


async def test_person_screen_states_status_reason_and_goal_weeks(make_app, demo_ws):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        row = max(app.data.rows, key=lambda r: r.tally.records_with_gaps)
        screen = await open_person(pilot, row.person.name)
        text = info(screen)
        status = person_status(demo_ws, row.person.key, app.data.period)
        assert f"Status: {status.text}" in text.replace("\n", " ")
        assert row.reason.partition(": ")[2] in text.replace("\n", " ")
        assert "Goal weeks: W" in text and "all weeks:" in text.replace("\n", " ")


async def test_r_resolves_the_open_barrier_and_the_status_changes(make_app, demo_ws):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        acc = app.data.acc
        # someone with exactly one open barrier an admin can resolve
        key = next(k for k, s in acc.statuses.items() if s.state == "barrier"
                   and len([b for b in acc.barriers_of(k, open_only=True)
                            if b.source == "chase"]) == 1
                   and len(acc.barriers_of(k, open_only=True)) == 1)
        name = app.data.person(key).name
        barrier = acc.barriers_of(key, open_only=True)[0]
        screen = await open_person(pilot, name)
        assert "r resolves" in info(screen)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, PromptModal)
        for ch in "granted access":
            await pilot.press(ch if ch != " " else "space")
        await pilot.press("enter")
        await settle_fully(pilot)
        assert isinstance(app.screen, PersonScreen)
        removed = [b for b in demo_ws.barriers() if b.id == barrier.id]
        assert removed and not removed[0].open and removed[0].note == "granted access"
        assert app.data.acc.statuses[key].state != "barrier"
        assert "barrier open" not in info(screen) and "1 removed" in info(screen)


async def test_r_without_an_open_barrier_says_so(make_app, demo_ws):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        acc = app.data.acc
        key = next(k for k in acc.statuses if not acc.barriers_of(k, open_only=True))
        await open_person(pilot, app.data.person(key).name)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)  # no prompt
        assert any("no open barrier" in str(n.message) for n in app._notifications)


async def test_r_with_two_open_barriers_asks_which(make_app, demo_ws):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        acc = app.data.acc
        key = next((k for k in acc.statuses
                    if len([b for b in acc.barriers_of(k, open_only=True)
                            if b.source == "chase"]) >= 2), None)
        if key is None:  # make one: a second barrier of another kind
            key = next(k for k in acc.statuses if acc.barriers_of(k, open_only=True))
            kinds = {b.kind for b in acc.barriers_of(key, open_only=True)}
            other = next(k for k in ("access", "training", "time", "dependency")
                         if k not in kinds)
            demo_ws.log_chase(demo_ws.snapshot().person(key), minutes=5,
                              outcome=f"barrier-{other}")
            app.reload("test", chases_only=True)
            await settle_fully(pilot)
        await open_person(pilot, app.data.person(key).name)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, Picker)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
