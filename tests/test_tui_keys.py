"""Keys, footers, help and palette order, and themes, on every screen of the demo org:

- keys typed in a burst mean what they mean typed slowly (chaser.screens.keys);
- every screen's footer fits 80 columns, its own keys first;
- help (?) and the palette list the screen's own actions before the table's and the app's;
- a light theme colours every tone from the theme, legibly, and the tier is always a word.
"""

from __future__ import annotations

import pytest
from textual.color import Color
from textual.widgets import Footer, Input, SelectionList, Static
from tui_support import burst, loaded, most_gaps, settle

from chaser.modals.help import HelpScreen
from chaser.modals.log_chase import LogChaseScreen
from chaser.model import Tier
from chaser.screens.bindings import ranked_bindings
from chaser.screens.overview import TIER_TONE
from chaser.screens.palette import ChaserCommands
from chaser.screens.person import PersonScreen
from chaser.widgets.table import VirtualTable

pytest_plugins = ["tui_fixtures"]  # seeded_demo, demo_ws, make_app

SCREENS = {  # how to reach each screen from the overview, and the key its footer starts with
    "overview": ((), "slash"),
    "person": (("5", "enter"), "c"),
    "chase-log": (("l",), "v"),
    "costs": (("k",), "p"),
    "sync": (("s",), "s"),
}


async def open_screen(pilot, name: str):
    await loaded(pilot)
    keys, _ = SCREENS[name]
    if keys:
        await pilot.press(*keys)
    await settle(pilot)
    await pilot.pause(0.1)
    assert pilot.app.screen.id == name
    return pilot.app.screen


# ---- keys in a burst ---------------------------------------------------------------------

async def test_a_burst_after_c_fills_the_log_modal(make_app, demo_ws):
    """`tmux send-keys c 1 2 Tab Space Down Space Enter` logged the chase without its fields:
    keys were routed before `c` had opened the modal and before Tab had moved the focus."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_screen(pilot, "person")
        who = most_gaps(demo_ws)
        before = len(demo_ws.store.chases())
        await burst(pilot, "c", "1", "2", "tab", "space", "down", "space", "enter")
        assert isinstance(app.screen, PersonScreen)
        chases = demo_ws.store.chases()
        assert len(chases) == before + 1
        chase = chases[-1]
        assert (chase.person, chase.minutes, len(chase.fields)) == (who.key, 12, 2)


async def test_a_burst_inside_the_open_modal_follows_the_focus(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_screen(pilot, "person")
        await pilot.press("c")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, LogChaseScreen)
        await burst(pilot, "7", "tab", "space", "down", "space")
        assert modal.query_one("#minutes", Input).value == "7"  # no stray spaces
        assert len(modal.query_one(SelectionList).selected) == 2
        await burst(pilot, "shift+tab", "end", "8")
        assert modal.query_one("#minutes", Input).value == "78"


async def test_a_burst_of_screen_keys(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        await burst(pilot, "l", "escape", "k", "t")  # chase log, back, costs, by person
        assert app.screen.id == "costs" and app.screen.by == "person"
        assert len(app.screen_stack) == 2


# ---- footers -----------------------------------------------------------------------------

@pytest.mark.parametrize("name", list(SCREENS))
async def test_every_footer_fits_80_columns_own_keys_first(make_app, name):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(pilot, name)
        footer = screen.query_one(Footer)
        keys = [k for k in footer.query("FooterKey")]
        # The screen's own first action leads (the overview's order is its own business).
        first = SCREENS[name][1] if name != "overview" else next(
            b.key for group, _k, b in ranked_bindings(screen) if group == "This screen" and b.show)
        assert keys and keys[0].key == first, [k.key for k in keys]
        assert "question_mark" in {k.key for k in keys}
        assert max(k.region.right for k in keys) <= 80
        assert sum(k.region.width for k in keys) <= 80


# ---- help and palette order ---------------------------------------------------------------

async def test_help_lists_the_screens_actions_before_the_tables(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_screen(pilot, "chase-log")
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-text", Static).render())
        order = [text.index(words) for words in (
            "This screen", "Void the selected chase", "Clear filters", "Table", "Sort by column",
            "move the cursor", "Everywhere", "Chase log", "Palette")]
        assert order == sorted(order)
        assert text.count("Up") == 0  # the cursor keys share one line


async def test_palette_lists_the_screens_actions_first(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(pilot, "person")
        hits = [hit.text async for hit in ChaserCommands(screen).discover()]
        assert hits[:5] == ["Log chase", "Timer", "Draft", "Open", "Find"]
        assert hits.index("Open") < hits.index("Back") < hits.index("Quit")
        assert "Up" not in hits and "Page down" not in hits  # cursor keys are not commands


# ---- themes -------------------------------------------------------------------------------

def luminance(c: Color) -> float:
    def channel(v: int) -> float:
        v = v / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b)


def contrast(a: Color, b: Color) -> float:
    """WCAG contrast ratio (1 to 21)."""
    la, lb = sorted((luminance(a), luminance(b)))
    return (lb + 0.05) / (la + 0.05)


@pytest.mark.parametrize("theme", ["textual-light", "textual-dark", "solarized-light"])
async def test_tones_come_from_the_theme_and_stay_legible(make_app, theme):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await loaded(pilot)
        app.theme = theme
        await pilot.pause()
        table = app.screen.query_one("#people", VirtualTable)
        background = table.background_colors[1]
        await pilot.press("home")
        cursor = Color.from_rich_color(table.get_component_rich_style(
            "virtual-table--cursor").bgcolor)
        seen = {}
        for tone in ("success", "warning", "error", "muted", None):
            if tone is None:
                colour = Color.from_rich_color(table.rich_style.color)
            else:
                colour = Color.from_rich_color(table.get_component_rich_style(
                    f"virtual-table--{tone}").color)
            seen[tone] = colour.hex
            assert contrast(colour, background) >= 3.0, (theme, tone)
        # the four tiers in four different colours (moderate: the plain text colour)
        assert len({seen[TIER_TONE[t]] for t in Tier}) == 4, seen
        for y in range(1, 4):  # on the cursor row, every cell in the cursor's colours
            table.cursor = y - 1
            for seg in table.render_line(y):
                if seg.text.strip():
                    fg = Color.from_rich_color(seg.style.color)
                    bg = Color.from_rich_color(seg.style.bgcolor)
                    assert bg == cursor and contrast(fg, bg) >= 3.0, (theme, seg)
        tiers = {r.tier.value for r in table.shown}
        painted = "\n".join(table.render_line(y).text for y in range(1, table.size.height))
        for tier in tiers:  # the word is always there; colour only repeats it
            assert tier in painted or tier == Tier.NONE.value
