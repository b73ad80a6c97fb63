"""VirtualTable: a line-API table that paints only the rows on screen.

Textual's DataTable measures every cell on the UI thread (seconds at 10k rows); this table
keeps the rows as plain Python objects, formats a cell only when its line is painted, and
sorts/filters index lists, so 50,000 rows sort in tens of milliseconds.

API (the contract other screens use):
    VirtualTable(columns, row_key=..., search_text=..., empty="...")
    table.set_rows(rows, hay=None)  any objects; the cursor stays on the same row_key
    table.sort_by(column_key)       again on the same key reverses; None: source order
    table.set_filter(predicate)     e.g. a team filter; None removes it
    table.search(text)              case-insensitive substring over the searchable columns
    table.current / table.cursor    the row under the cursor / its index in table.shown
    table.shown                     the rows as displayed (filtered, sorted)
    messages: VirtualTable.Highlighted(table, row), VirtualTable.Selected(table, row) (Enter)
Keys: arrows, page up/down, home/end, enter; 1-9 sort by that column (again: reverse).

Column widths come from the data and the width (widgets/layout.py): names before numbers,
and names cut so that two different ones never look alike (chaser/short_names.py).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from chaser.widgets.layout import (
    MAX_FLEX,
    Column,
    Measure,
    fit,
    header_label,
    measure,
    plan,
    short_label,
    shortened,
    with_arrow,
)

__all__ = ["MAX_FLEX", "TONES", "Column", "VirtualTable", "fit"]

TONES = ("success", "warning", "error", "muted", "accent")


class VirtualTable(ScrollView, can_focus=True):
    DEFAULT_CSS = """
    VirtualTable { height: 1fr; overflow-x: hidden; overflow-y: auto; }
    VirtualTable > .virtual-table--header { text-style: bold; background: $panel; color: $text; }
    VirtualTable > .virtual-table--cursor { background: $block-cursor-blurred-background; }
    VirtualTable:focus > .virtual-table--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    VirtualTable > .virtual-table--success { color: $text-success; }
    VirtualTable > .virtual-table--warning { color: $text-warning; }
    VirtualTable > .virtual-table--error { color: $text-error; }
    VirtualTable > .virtual-table--accent { color: $text-accent; }
    VirtualTable > .virtual-table--muted { color: $text-muted; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "virtual-table--header", "virtual-table--cursor",
        *(f"virtual-table--{t}" for t in TONES),
    }
    BINDINGS: ClassVar = [
        Binding("up", "cursor(-1)", "Up", show=False, id="table.up"),
        Binding("down", "cursor(1)", "Down", show=False, id="table.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="table.page_up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="table.page_down"),
        Binding("home", "cursor_to(0)", "First row", show=False, id="table.first"),
        Binding("end", "cursor_to(-1)", "Last row", show=False, id="table.last"),
        Binding("enter", "select", "Open", show=False, id="table.select"),
        Binding("1", "sort(0)", "Sort", key_display="1-9", id="table.sort",
                tooltip="Sort by column 1-9 (the same key again reverses)"),
        *(Binding(str(i + 1), f"sort({i})", f"Sort by column {i + 1}", show=False,
                  id=f"table.sort_{i + 1}") for i in range(1, 9)),
    ]

    cursor: reactive[int] = reactive(0, init=False)

    class Highlighted(Message):
        def __init__(self, table: VirtualTable, row: Any) -> None:
            super().__init__()
            self.table, self.row = table, row

        @property
        def control(self) -> VirtualTable:
            return self.table

    class Selected(Highlighted):
        """Enter (or a double click) on a row."""

    def __init__(self, columns: Sequence[Column], *, row_key: Callable[[Any], Hashable] | None = None,
                 search_text: Callable[[Any], str] | None = None, empty: str = "No rows",
                 name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.columns = list(columns)
        self.row_key = row_key
        self.search_text = search_text
        self.empty = empty
        self.rows: list[Any] = []
        self.sort_key: str | None = None
        self.sort_reverse = False
        self._order: list[int] = []  # indexes into rows, sorted
        self._shown: list[int] = []  # indexes into rows, sorted and filtered
        self._hay: list[str] | None = None  # search text per row, built on first search
        self._predicate: Callable[[Any], bool] | None = None
        self._needle = ""
        self._widths: list[int] = []  # per column, 0 when it gave way (widgets/layout.py)
        self._compact = False  # compact texts (layout.py)
        self._sizes: list[Measure] | None = None  # what each column's data asks for
        self._short: list[dict[str, str] | None] = []  # names columns: name -> shown form
        self._laid_out_for = -1  # the content width the column widths were computed for

    # ---- data --------------------------------------------------------------------------
    @property
    def shown(self) -> list[Any]:
        rows = self.rows
        return [rows[i] for i in self._shown]

    @property
    def row_count(self) -> int:
        return len(self._shown)

    @property
    def current(self) -> Any | None:
        if 0 <= self.cursor < len(self._shown):
            return self.rows[self._shown[self.cursor]]
        return None

    def set_rows(self, rows: Sequence[Any], hay: Sequence[str] | None = None, *,
                 predicate: Callable[[Any], bool] | None | bool = True) -> None:
        """`hay`: the casefolded search text of each row, when a worker has built it already
        (otherwise it is built on the first search). `predicate`: a new filter to show the
        rows through (None: none), so a big list is filtered once, not once per call; True
        keeps the current one."""
        keep = self._key_of(self.current)
        self.rows = list(rows)
        self._remeasure()
        self._hay = list(hay) if hay is not None else None
        if predicate is not True:
            self._predicate = predicate
        self._resort()
        self._refilter(keep)

    def set_hay(self, rows: Sequence[Any], hay: Sequence[str]) -> None:
        """Hand over search texts built in a worker, if the rows are still the ones shown."""
        if len(hay) == len(self.rows) and (not rows or rows[0] is self.rows[0]):
            self._hay = list(hay)

    def set_columns(self, columns: Sequence[Column]) -> None:
        self.columns = list(columns)
        self._remeasure()
        self.refresh()

    def _remeasure(self) -> None:
        """New rows or columns: measure again, lazily, when the next line is painted (sorting
        and filtering keep the widths, so the columns do not jump under the cursor)."""
        self._sizes = None
        self._laid_out_for = -1

    def sort_by(self, key: str | None, reverse: bool | None = None) -> None:
        if reverse is None:
            col = next((c for c in self.columns if c.key == key), None)
            first = col.desc_first if col is not None else False
            reverse = (not self.sort_reverse) if key == self.sort_key else first
        self.sort_key, self.sort_reverse = key, reverse
        self._laid_out_for = -1  # the sorted column's arrow may need a cell (no re-measure)
        self._resort()
        self._refilter()  # the cursor goes to the top: that is what a sort is for

    def set_filter(self, predicate: Callable[[Any], bool] | None) -> None:
        """The cursor stays on its row if the row is still shown (else: the top)."""
        self._predicate = predicate
        self._refilter(self._key_of(self.current))

    def search(self, text: str) -> None:
        """The cursor goes to the first match."""
        self._needle = text.strip().casefold()
        self._refilter()

    def move_to(self, predicate: Callable[[Any], bool]) -> bool:
        """Put the cursor on the first shown row that matches; False when none does."""
        for pos, i in enumerate(self._shown):
            if predicate(self.rows[i]):
                self.cursor = pos
                return True
        return False

    def _key_of(self, row: Any) -> Hashable | None:
        if row is None:
            return None
        return self.row_key(row) if self.row_key is not None else id(row)

    def _resort(self) -> None:
        n = len(self.rows)
        col = next((c for c in self.columns if c.key == self.sort_key), None)
        if col is None:
            self._order = list(range(n))
            return
        values = [col.value(r) for r in self.rows]
        present = [i for i in range(n) if values[i] is not None]
        present.sort(key=values.__getitem__, reverse=self.sort_reverse)
        self._order = present + [i for i in range(n) if values[i] is None]

    def _haystack(self) -> list[str]:
        if self._hay is None:
            if self.search_text is not None:
                self._hay = [self.search_text(r).casefold() for r in self.rows]
            else:
                cols = [c for c in self.columns if c.searchable]
                self._hay = ["\t".join(c.cell(r) for c in cols).casefold() for r in self.rows]
        return self._hay

    def _refilter(self, keep: Hashable | None = None) -> None:
        order, rows, pred, needle = self._order, self.rows, self._predicate, self._needle
        if needle:
            hay = self._haystack()
            order = [i for i in order if needle in hay[i]]
        if pred is not None:
            order = [i for i in order if pred(rows[i])]
        self._shown = order
        cursor = 0
        if keep is not None:
            key = self.row_key or id
            cursor = next((p for p, i in enumerate(order) if key(rows[i]) == keep), 0)
        self.virtual_size = Size(self.scrollable_content_region.width, len(order) + 1)
        self.set_reactive(VirtualTable.cursor, -1)  # so the next line always fires watchers
        self.cursor = cursor
        self.refresh()

    # ---- cursor ------------------------------------------------------------------------
    def validate_cursor(self, value: int) -> int:
        if value == -1 and not self._shown:
            return -1
        return max(0, min(value, len(self._shown) - 1))

    def watch_cursor(self, old: int, new: int) -> None:
        body = max(1, self.scrollable_content_region.height - 1)
        top = round(self.scroll_y)
        if new < top:
            self.scroll_to(y=new, animate=False, immediate=True)
        elif new >= top + body:
            self.scroll_to(y=new - body + 1, animate=False, immediate=True)
        self.refresh()
        if new >= 0 and self.current is not None:
            self.post_message(self.Highlighted(self, self.current))

    def action_cursor(self, delta: int) -> None:
        self.cursor += delta

    def action_page(self, direction: int) -> None:
        self.cursor += direction * max(1, self.scrollable_content_region.height - 2)

    def action_cursor_to(self, pos: int) -> None:
        self.cursor = pos if pos >= 0 else len(self._shown) - 1

    def action_select(self) -> None:
        if self.current is not None:
            self.post_message(self.Selected(self, self.current))

    def action_sort(self, index: int) -> None:
        if index < len(self.columns):
            self.sort_by(self.columns[index].key)

    def on_click(self, event: events.Click) -> None:
        y = event.y
        if y == 0:  # the header: sort by the clicked column
            x = 0
            for col, w in zip(self.columns, self._widths, strict=False):
                if not w:  # gave way to the names
                    continue
                if x <= event.x < x + w + 1:
                    self.sort_by(col.key)
                    return
                x += w + 1
            return
        pos = round(self.scroll_y) + y - 1
        if 0 <= pos < len(self._shown):
            self.cursor = pos
            if event.chain >= 2:
                self.action_select()

    # ---- painting ----------------------------------------------------------------------
    def on_resize(self, event: events.Resize) -> None:
        self._layout()
        self.virtual_size = Size(self.scrollable_content_region.width, len(self._shown) + 1)

    def _layout(self) -> None:
        width = self._laid_out_for = self.scrollable_content_region.width
        cols = self.columns
        if self._sizes is None or len(self._sizes) != len(cols):
            self._sizes = [measure(c, self.rows) for c in cols]
        sizes = list(self._sizes)
        for i, c in enumerate(cols):  # the sorted column's header needs a cell for its arrow
            if c.key == self.sort_key:
                sizes[i] = with_arrow(c, sizes[i])
        laid = plan(cols, sizes, width)
        self._widths, self._compact = laid.widths, laid.compact
        self._short = [shortened(c, m, w) if w else None
                       for c, m, w in zip(cols, self._sizes, self._widths, strict=True)]

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        # The content width changes without a Resize when the vertical scrollbar comes or
        # goes (rows added, filtered away): lay the columns out again for the width painted.
        if width != self._laid_out_for:
            self._layout()
        if y == 0:
            return self._header(width)
        pos = round(self.scroll_y) + y - 1
        if pos >= len(self._shown):
            if pos == 0:  # nothing to show: say so on the first line
                muted = self.get_component_rich_style("virtual-table--muted")
                return Strip([Segment(fit(f" {self.empty}", width), muted)], width)
            return Strip.blank(width, self.rich_style)
        row = self.rows[self._shown[pos]]
        base = self.rich_style
        if pos == self.cursor:
            base = base + self.get_component_rich_style("virtual-table--cursor")
        segments = []
        compact = self._compact
        for col, w, short in zip(self.columns, self._widths, self._short, strict=False):
            if not w:  # gave way to the names
                continue
            style = base
            if col.tone is not None:
                tone = col.tone(row)
                if tone:
                    style = base + self._tone_style(tone, pos == self.cursor)
            text = col.compact_cell(row) if compact else col.cell(row)
            if short is not None:  # a name cut so that it still differs from the others
                text = short.get(text, text)
            segments.append(Segment(fit(text, w, col.align), style))
            segments.append(Segment(" ", base))
        return Strip(segments[:-1]).adjust_cell_length(width, base)

    def _tone_style(self, tone: str, on_cursor: bool) -> Style:
        if on_cursor and self.has_focus:
            # The cursor's own colours: a tone's colour on the cursor's background can vanish
            # (dark red on dark blue in textual-light). The word still says it all.
            return Style()
        style = self.get_component_rich_style(f"virtual-table--{tone}")
        # On the blurred cursor keep the tone's colour, not a background that hides the cursor.
        return Style(color=style.color, bold=style.bold) if on_cursor else style

    def _header(self, width: int) -> Strip:
        style = self.get_component_rich_style("virtual-table--header")
        segments = []
        for col, w in zip(self.columns, self._widths, strict=False):
            if not w:
                continue
            label = header_label(col, w)
            if col.key == self.sort_key:  # the arrow must show: the label gives way to it
                if cell_len(label) + 1 > w:
                    label = short_label(col, w - 1)[:max(0, w - 1)]
                label = f"{label}{'▼' if self.sort_reverse else '▲'}"
            segments.append(Segment(fit(label, w, col.align), style))
            segments.append(Segment(" ", style))
        return Strip(segments[:-1]).adjust_cell_length(width, style)
