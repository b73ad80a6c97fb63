"""The virtual table: sort, filter, search, cursor and painting, on plain rows; and the house
rule that every Binding has an id and a description."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from dataclasses import dataclass

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding

import chaser.screens
import chaser.widgets
from chaser.widgets.table import MAX_FLEX, Column, VirtualTable, fit


@dataclass(frozen=True)
class Row:
    key: str
    name: str
    n: int | None


ROWS = [Row("a", "Ana", 3), Row("b", "bo", None), Row("c", "Cy", 10), Row("d", "Dee", 1)]


def columns():
    return [Column("name", "Name", lambda r: r.name.casefold(), lambda r: r.name, width=0),
            Column("n", "N", lambda r: r.n, width=4, align="right", desc_first=True)]


class TableApp(App):
    def __init__(self, rows):
        super().__init__()
        self.rows, self.events = rows, []

    def compose(self) -> ComposeResult:
        yield VirtualTable(columns(), row_key=lambda r: r.key, empty="Nothing here")

    def on_mount(self) -> None:
        self.query_one(VirtualTable).set_rows(self.rows)
        self.query_one(VirtualTable).focus()

    def on_virtual_table_selected(self, event: VirtualTable.Selected) -> None:
        self.events.append(event.row.key)


def test_fit_truncates_and_pads():
    assert fit("abcdef", 4) == "abc…"
    assert fit("ab", 4) == "ab  "
    assert fit("ab", 4, "right") == "  ab"
    assert fit("日本語", 4) == "日…" + " "


async def test_sort_reverse_and_none_last():
    app = TableApp(ROWS)
    async with app.run_test(size=(40, 10)) as pilot:
        t = app.query_one(VirtualTable)
        await pilot.press("2")  # N: biggest first (desc_first)
        assert [r.key for r in t.shown] == ["c", "a", "d", "b"]
        await pilot.press("2")
        assert [r.key for r in t.shown] == ["d", "a", "c", "b"]  # None stays last
        await pilot.press("1")
        assert [r.name for r in t.shown] == ["Ana", "bo", "Cy", "Dee"]
        assert "Name▲" in t.render_line(0).text
        t.sort_by(None)
        assert t.shown == ROWS


async def test_filter_search_cursor_and_select():
    app = TableApp(ROWS)
    async with app.run_test(size=(40, 10)) as pilot:
        t = app.query_one(VirtualTable)
        await pilot.press("down", "down")
        assert t.current.key == "c"
        t.set_rows(list(reversed(ROWS)))  # a reload keeps the cursor on the same row
        assert t.current.key == "c"
        t.search("D")
        assert [r.key for r in t.shown] == ["d"]
        t.search("")
        t.set_filter(lambda r: (r.n or 0) > 2)
        assert {r.key for r in t.shown} == {"a", "c"}
        await pilot.press("end", "enter")
        assert app.events == [t.shown[-1].key]
        t.set_filter(lambda r: False)
        await pilot.pause()
        assert t.current is None
        assert "Nothing here" in t.render_line(1).text
        await pilot.press("enter")  # nothing to select: no message, no error
        assert len(app.events) == 1


def painted(t: VirtualTable, y: int) -> str:
    """Line y as it reaches the screen (cropped to the content width)."""
    width = t.scrollable_content_region.width
    return "".join(seg.text for seg in t.render_line(y))[:width]


async def test_columns_are_laid_out_again_when_the_scrollbar_comes_and_goes():
    """A scrollbar narrows the content without a Resize: the last column must not be cut."""
    app = TableApp(ROWS)
    async with app.run_test(size=(40, 10)) as pilot:
        t = app.query_one(VirtualTable)
        t.columns = [Column("name", "Name", lambda r: r.name, width=0),
                     Column("n", "Void", lambda r: r.n, width=4, align="right")]
        t.set_rows(ROWS)
        await pilot.pause()
        assert painted(t, 0).endswith("Void")
        wide = t.scrollable_content_region.width
        t.set_rows([Row(str(i), f"name {i}", i) for i in range(100)])  # now it scrolls
        await pilot.pause()
        assert t.scrollable_content_region.width < wide
        assert painted(t, 0).endswith("Void")
        assert painted(t, 1).endswith(" 0")
        t.set_rows(ROWS)  # and back
        await pilot.pause()
        assert t.scrollable_content_region.width == wide
        assert painted(t, 0).endswith("Void") and len(painted(t, 0)) == wide


async def test_on_a_wide_terminal_numbers_stay_near_the_names():
    app = TableApp(ROWS)
    async with app.run_test(size=(200, 10)) as pilot:
        t = app.query_one(VirtualTable)
        await pilot.pause()
        assert t._widths == [MAX_FLEX, 2]  # Name, then N right after it, as wide as "10"
        t.set_columns([*columns()[::-1]])  # a flexible last column takes the whole width
        await pilot.pause()
        assert sum(t._widths) + 1 == t.scrollable_content_region.width


async def test_a_filter_keeps_the_cursor_on_its_row():
    app = TableApp(ROWS)
    async with app.run_test(size=(40, 10)) as pilot:
        t = app.query_one(VirtualTable)
        await pilot.press("down", "down")
        assert t.current.key == "c"
        t.set_filter(lambda r: r.key != "a")
        assert t.current.key == "c"
        t.set_filter(lambda r: r.key != "c")  # gone: the top
        assert t.cursor == 0


async def test_big_table_paints_only_what_shows():
    rows = [Row(str(i), f"name {i}", i) for i in range(50_000)]
    app = TableApp(rows)
    async with app.run_test(size=(40, 12)) as pilot:
        t = app.query_one(VirtualTable)
        calls = []
        t.columns[0] = Column("name", "Name", lambda r: r.name,
                              lambda r: calls.append(r) or r.name, width=0)
        t.refresh()
        await pilot.pause()
        assert 0 < len(calls) <= 40  # a screenful, not 50,000
        await pilot.press("end")
        assert t.current.key == "49999"
        assert "name 49999" in " ".join(t.render_line(y).text for y in range(12))
        await pilot.press("pageup")
        assert t.cursor < 49_999


def _binding_classes():
    for pkg in (chaser.screens, chaser.widgets):
        for info in pkgutil.iter_modules(pkg.__path__):
            module = importlib.import_module(f"{pkg.__name__}.{info.name}")
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if cls.__module__ == module.__name__ and "BINDINGS" in cls.__dict__:
                    yield cls
    from chaser.app import ChaserApp

    yield ChaserApp


@pytest.mark.parametrize("cls", list(_binding_classes()), ids=lambda c: c.__name__)
def test_every_binding_has_an_id_and_a_description(cls):
    for b in cls.__dict__["BINDINGS"]:
        assert isinstance(b, Binding), f"{cls.__name__}: use Binding(...), not a tuple: {b!r}"
        assert b.id, f"{cls.__name__}: binding {b.key!r} has no id"
        assert b.description, f"{cls.__name__}: binding {b.key!r} has no description"
