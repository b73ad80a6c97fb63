"""Who I am (issue 12, point 4): chases are tagged with this installation's writer ([admin],
else the login name, said once), `m` in the chase log shows mine only, and `m` on the
overview adds a "By me" column of the period."""

from __future__ import annotations

from datetime import timedelta

from conftest import csv_org
from textual.widgets import Static
from tui_support import settle_fully as settle

from chaser.costs import counted
from chaser.screens.chases import ChaseLogScreen
from chaser.screens.overview_mine import KEY, chased_by
from chaser.workspace import Workspace

pytest_plugins = ["tui_fixtures"]  # seeded_demo, demo_ws, make_app
SIZE = (80, 24)


def log_mine(ws: Workspace, n: int = 2) -> list:
    """`n` chases of different people by this installation's writer, inside last-30d."""
    people = [r.person for r in ws.people()][:n]
    return [ws.log_chase(p, minutes=5 + i, at=ws.now() - timedelta(days=i + 1))
            for i, p in enumerate(people)]


def test_every_chase_carries_the_writer_and_the_default_is_said_once(demo_ws):
    said = []
    demo_ws.notice = said.append
    chases = log_mine(demo_ws, 2)
    me = demo_ws.writer
    assert me.defaulted  # no [admin] id in the demo: the login name
    assert {c.writer for c in chases} == {me.id} and {c.by for c in chases} == {me.name}
    assert len([t for t in said if "[admin] id" in t]) == 1  # once, not per chase


def test_an_admin_name_from_the_config_tags_the_chase(tmp_path):
    config = csv_org(tmp_path, "name,team\nKevin,East\n", "id,owner,amount,stage\nD1,Kevin,,Won\n",
                     extra='[admin]\nid = "ann"\nname = "Ann Lee"\n')
    ws = Workspace.open(str(config))
    said = []
    ws.notice = said.append
    chase = ws.log_chase(ws.find_person("Kevin"), minutes=5)
    assert (chase.writer, chase.by) == ("ann", "Ann Lee")
    assert not [t for t in said if "[admin] id" in t]  # chosen: nothing to say


async def test_m_in_the_chase_log_shows_mine_only(make_app, demo_ws):
    mine = {c.id for c in log_mine(demo_ws, 3)}
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ChaseLogScreen)
        everyone = len(screen.table.shown)
        assert everyone > len(mine)
        await pilot.press("m")
        assert {r.id for r in screen.table.shown} == mine
        me = demo_ws.writer.id
        assert f"Mine ({me})" in str(screen.query_one("#chase-filters", Static).visual)
        await pilot.press("m")  # again: everyone's
        assert len(screen.table.shown) == everyone
        await pilot.press("m", "x")  # x clears every filter, mine too
        assert not screen.mine and len(screen.table.shown) == everyone


async def test_m_on_the_overview_adds_a_by_me_column(make_app, demo_ws):
    chases = log_mine(demo_ws, 2)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.people_table
        await pilot.press("m")
        assert KEY in [c.key for c in table.columns] and table.sort_key == KEY
        top = table.shown[:2]
        assert {r.key for r in top} == {c.person for c in chases}  # whom I chased: on top
        col = next(c for c in table.columns if c.key == KEY)
        assert [col.cell(r) for r in top] == ["1", "1"] and col.cell(table.shown[2]) == ""
        assert chased_by(app.data, demo_ws.writer.id) == {c.person: 1 for c in chases}
        # a chase logged meanwhile is counted at once
        app.ws.log_chase(app.data.person(chases[0].person), minutes=3)
        app.reload("chase logged", chases_only=True)
        await settle(pilot)
        assert col.cell(table.shown[0]) == "2"
        await pilot.press("m")
        assert KEY not in [c.key for c in table.columns]


def test_chased_by_counts_as_the_costs_count(make_app, demo_ws):
    from chaser import views

    data = views.load(demo_ws, "last-30d")
    for writer in {c.writer for c in data.chases}:
        got = chased_by(data, writer)
        assert sum(got.values()) == sum(1 for c in counted(data.chases, data.period)
                                        if c.writer == writer)
