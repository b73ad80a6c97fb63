"""The TUI says who cannot edit what (issue 10, point 6): the person screen tells that a field
is not theirs to fill ("cannot edit Industry: fix access first") and lists only the gaps they
are blamed for; the overview names the cannot-edit bucket with its fields and counts."""

from __future__ import annotations

import pytest
from conftest import csv_org
from textual.widgets import Static
from tui_support import settle

from chaser.app import ChaserApp
from chaser.screens.person import PersonScreen
from chaser.widgets.table import VirtualTable
from chaser.workspace import Workspace


@pytest.fixture
def ws(tmp_path) -> Workspace:
    config = csv_org(
        tmp_path, "name,team\nAnn Lee,EMEA\nBob Ray,EMEA\n",
        "id,owner,stage,Amount,Industry\nD1,Ann Lee,Won,,\nD2,Ann Lee,Won,5,\nD3,Bob Ray,Won,,\n"
        "D4,Ann Lee,Won,,Tech\n", require=("Amount", "Industry"), when=None,
        extra='[[source.csv.cannot_edit]]\nperson = "Ann Lee"\nobject = "Deal"\n'
              'fields = ["Industry"]\n')
    return Workspace.open(str(config))


async def test_person_screen_says_fix_access_first(ws):
    app = ChaserApp(ws)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        headline = str(app.screen.query_one("#headline", Static).render())
        assert "Cannot edit: 2 records not blamed (Deal.Industry 2): fix access first" in headline
        app.open_person("Ann Lee")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PersonScreen)
        info = str(screen.query_one("#person-info", Static).render())
        assert ("Ann Lee cannot edit Industry: fix access first (2 blanks on 2 records not "
                "blamed)") in info
        assert "2 of 3 records with gaps" in info  # D2 (only Industry blank) is not hers
        gaps = screen.query_one("#gaps", VirtualTable)
        assert {(g.record_id, g.missing) for g in gaps.rows} == {("D1", "Amount"),
                                                                ("D4", "Amount")}
        # Bob may edit Industry: no such line, and his blank Industry is his gap
        await pilot.press("escape")
        await settle(pilot)
        app.open_person("Bob Ray")
        await settle(pilot)
        info = str(app.screen.query_one("#person-info", Static).render())
        assert "cannot edit" not in info
        assert [g.missing for g in app.screen.query_one("#gaps", VirtualTable).rows] == [
            "Amount, Industry"]
