"""80x24 that reads, 60x20 that works (issue 12, point 5): footers keep whole keys, the
screen's own first, and `?` for the rest; names keep a dozen letters while numbers give way;
two teams or people never show alike."""

from __future__ import annotations

import pytest
from tui_support import loaded, settle

from chaser.screens.bindings import ranked_bindings
from chaser.widgets.footer import KeyFooter
from chaser.widgets.layout import fit

pytest_plugins = ["tui_fixtures"]  # seeded_demo, demo_ws, make_app

SCREENS = {"overview": (), "person": ("5", "enter"), "chase-log": ("l",), "costs": ("k",),
           "sync": ("s",)}
SIZES = pytest.mark.parametrize("size", [(80, 24), (60, 20)], ids=["80x24", "60x20"])


async def open_screen(pilot, name: str):
    await loaded(pilot)
    if SCREENS[name]:
        await pilot.press(*SCREENS[name])
    await settle(pilot)
    await pilot.pause(0.1)
    return pilot.app.screen


def shown_cells(table, key: str) -> list[str]:
    """What a column shows on each row (a names column shortened as painted)."""
    i = next(i for i, c in enumerate(table.columns) if c.key == key)
    col, short = table.columns[i], table._short[i]
    out = []
    for row in table.shown:
        text = col.cell(row)
        out.append((short or {}).get(text, text))
    return out


@SIZES
@pytest.mark.parametrize("name", list(SCREENS))
async def test_footers_show_whole_keys_own_first_and_help(make_app, name, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        screen = await open_screen(pilot, name)
        footer = screen.query_one(KeyFooter)
        keys = list(footer.query("FooterKey"))
        assert keys and keys[-1].key == "question_mark"
        assert max(k.region.right for k in keys) <= size[0]  # none cut at the edge
        own = [b for group, _k, b in ranked_bindings(screen) if group == "This screen" and b.show]
        assert keys[0].key == own[0].key  # the screen's own first action is always there
        shown = {k.description for k in keys}
        assert shown.isdisjoint(footer.left_out)
        assert keys[-1].description == ("More" if footer.left_out else "Help")


async def test_at_60_columns_names_keep_a_dozen_letters_and_teams_stay_apart(make_app):
    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        screen = await open_screen(pilot, "overview")
        table = screen.people_table
        widths = dict(zip((c.key for c in table.columns), table._widths, strict=True))
        assert widths["name"] >= 12 and widths["team"] >= 10
        assert widths["records"] == 0  # a number gave way to the names
        teams = {r.team for r in table.shown}
        assert len(set(shown_cells(table, "team"))) == len(teams)
        assert "N. America East" in shown_cells(table, "team") or \
            "N. A. East" in shown_cells(table, "team")
        names = {r.name for r in table.shown}
        assert len(set(shown_cells(table, "name"))) == len(names)


async def test_at_80_columns_the_overview_shows_every_column_and_whole_names(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(pilot, "overview")
        table = screen.people_table
        assert all(table._widths)
        i = [c.key for c in table.columns].index("name")
        assert table._widths[i] >= max(len(r.name) for r in table.shown)
        assert len(set(shown_cells(table, "team"))) == len({r.team for r in table.shown})


@SIZES
async def test_the_chase_log_keeps_names_and_the_word_void(make_app, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        screen = await open_screen(pilot, "chase-log")
        table = screen.table
        widths = dict(zip((c.key for c in table.columns), table._widths, strict=True))
        assert widths["void"] >= 4 and widths["person"] >= 12 and widths["team"] >= 10
        assert len(set(shown_cells(table, "team"))) == len({r.team for r in table.shown})
        header = table.render_line(0).text
        assert header.rstrip().endswith("Void")


async def test_the_costs_chart_labels_stay_apart(make_app):
    from chaser.widgets.bar_chart import BarChart

    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        screen = await open_screen(pilot, "costs")
        chart = screen.query_one(BarChart)
        lines = str(chart.render()).splitlines()
        labels = [line[:line.index(" █") if " █" in line else 14] for line in lines]
        assert len(set(labels)) == len(chart.bars)
        assert not any(label.startswith(fit("North America", 14)[:13]) for label in labels)
