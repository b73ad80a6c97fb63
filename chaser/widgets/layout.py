"""Columns of the virtual table, and how wide each one is drawn: sized from the data and the
width, names before numbers.

Every column is measured from its cells (a sample of a big table: a screen must be ready in a
blink however many rows it holds), then `plan` decides, in this order, until the columns fit:

1. every column as wide as its widest cell (or its label), names whole;
2. short headers ("Recs" for "Records");
3. names (the flexible columns) down to their floor, the widest first: at least 12 cells, or
   more when fewer would show two names alike (chaser.short_names);
4. columns marked `drop` give way, the highest first (the detail line or another screen has
   them), and 1-3 are tried again: numbers give way before names shrink further;
5. compact texts (a date without its year);
6. names down to 4 cells; what still does not fit is cropped at the right edge.

So at 60 columns a name keeps a dozen letters while a number column goes, instead of names of
3 letters beside numbers at full width. Names (people, teams) that must be cut are shortened
together by chaser.short_names, so "North America East" and "... West" never look alike.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len

from chaser.safe_text import clean
from chaser.short_names import min_distinct_width, shorten_all

MAX_FLEX = 40  # cells: on a wide terminal, numbers stay near the names they belong to
NAME_FLOOR = 12  # cells a flexible column keeps before number columns give way
HARD_MIN = 4  # cells a flexible column keeps whatever happens
SAMPLE = 2000  # rows measured in a big table (every row of a smaller one)
NAME_KEYS = frozenset({"name", "person", "team", "admin"})  # columns that hold names
# The short headers of chaser's usual labels, so every table abbreviates them alike (a
# column's own `short` wins); others are cut (see short_label).
SHORT_LABELS = {"Records": "Recs", "People": "Ppl", "Chases": "Chs", "Minutes": "Min",
                "Compl%": "Cpl%", "Barrier": "Barr%", "Channel": "Chan", "Modified": "Mod.",
                "Records missing": "Missing"}


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    value: Callable[[Any], Any]  # what the column sorts by; None sorts last
    text: Callable[[Any], str] | None = None  # what it shows; default str(value), "" for None
    width: int = 10  # cells when there are no rows yet; 0 = flexible (a name: takes the room)
    align: str = "left"  # "left" or "right"
    tone: Callable[[Any], str | None] | None = None  # one of TONES, for colour (with text)
    searchable: bool = True
    desc_first: bool = False  # first sort is descending (counts: the biggest first)
    short: str = ""  # the header when room is short ("Recs"); default: the label cut to fit
    compact: Callable[[Any], str] | None = None  # a narrower text when room is short
    drop: int = 0  # 0: always shown; else gives way when names would shrink, highest first
    names: bool | None = None  # people or team names: shortened apart; None: by the key
    min_width: int = 0  # a flexible column's floor (0: NAME_FLOOR)

    @property
    def flexible(self) -> bool:
        return not self.width

    @property
    def holds_names(self) -> bool:
        return self.key in NAME_KEYS if self.names is None else self.names

    def cell(self, row: Any) -> str:
        """What the cell shows, with control characters made visible: rows carry CRM text,
        and this is the one place every table's text passes (only visible rows are drawn)."""
        if self.text is not None:
            return clean(self.text(row))
        v = self.value(row)
        return "" if v is None else clean(str(v))

    def compact_cell(self, row: Any) -> str:
        return clean(self.compact(row)) if self.compact is not None else self.cell(row)


def fit(text: str, width: int, align: str = "left") -> str:
    """Truncate with an ellipsis or pad, to exactly `width` cells."""
    n = cell_len(text)
    if n > width:
        if width <= 1:
            return "…"[:width]
        out, used = [], 0
        for ch in text:
            w = cell_len(ch)
            if used + w > width - 1:
                break
            out.append(ch)
            used += w
        return "".join(out) + "…" + " " * (width - 1 - used)
    pad = " " * (width - n)
    return pad + text if align == "right" else text + pad


def short_label(col: Column, width: int) -> str:
    """The header in `width` cells when room is short: the column's own short label (whole:
    the column is measured to hold it), else the label cut without an ellipsis to 4 cells or
    more, keeping a trailing sign ("Compl%" -> "Com%"): 3 letters save too little to be worth
    the reading."""
    if col.short or col.label in SHORT_LABELS:
        return (col.short or SHORT_LABELS[col.label])[:max(1, width)]
    label = col.label
    if cell_len(label) <= width:
        return label
    width = max(width, 4)
    if not label[-1].isalnum():
        return label[:width - 1] + label[-1]
    return label[:width]


def header_label(col: Column, width: int) -> str:
    """The header drawn in `width` cells: the label, else the short label, else (a number
    column) the label abbreviated; a name column's long label is cut with an ellipsis."""
    if cell_len(col.label) <= width:
        return col.label
    own = col.short or SHORT_LABELS.get(col.label, "")
    if own and cell_len(own) <= width:
        return own
    return col.label if col.flexible else short_label(col, width)


@dataclass(frozen=True, slots=True)
class Measure:
    """What one column's data asks for."""

    full: int  # the widest cell, or the label when wider
    short: int  # the same with the short label
    tight: int  # the same with the short label and the compact text
    floor: int  # flexible: the least width before other columns give way
    values: tuple[str, ...] = ()  # a names column: every name it shows, to keep them apart


def sample(rows: Sequence[Any]) -> Sequence[Any]:
    if len(rows) <= SAMPLE:
        return rows
    step = len(rows) / SAMPLE
    return [rows[int(i * step)] for i in range(SAMPLE)] + [rows[-1]]


def distinct_cells(col: Column, rows: Sequence[Any]) -> tuple[str, ...]:
    """Every text the column shows, once: the raw values first (a chase log of 100,000
    lines names a few hundred people), then cleaned as `Column.cell` cleans them."""
    if col.text is not None:
        raw = dict.fromkeys(map(col.text, rows))
        return tuple(dict.fromkeys(clean(t) for t in raw))
    raw = dict.fromkeys(map(col.value, rows))
    return tuple(dict.fromkeys("" if v is None else clean(str(v)) for v in raw))


def measure(col: Column, rows: Sequence[Any]) -> Measure:
    names: tuple[str, ...] = ()
    if not rows:
        data = compact = 0 if col.flexible else col.width
    elif col.holds_names:  # every row: two names shown alike must be told apart
        names = distinct_cells(col, rows)
        data = compact = max(map(cell_len, names), default=0)
    else:
        some = sample(rows)
        data = max((cell_len(col.cell(r)) for r in some), default=0)
        compact = data if col.compact is None else \
            max((cell_len(col.compact_cell(r)) for r in some), default=0)
    full = max(data, cell_len(col.label))
    own = col.short or SHORT_LABELS.get(col.label, "")
    short = max(data, cell_len(own) if own else cell_len(short_label(col, data)))
    tight = max(compact, cell_len(own) if own else cell_len(short_label(col, compact)))
    if not col.flexible:
        return Measure(full, short, tight, tight, names)
    full, short, tight = min(full, MAX_FLEX), min(short, MAX_FLEX), min(tight, MAX_FLEX)
    floor = min(tight, col.min_width or NAME_FLOOR)
    if names and floor < data:
        floor = min_distinct_width(names, floor, min(data, MAX_FLEX))
    return Measure(full, short, tight, floor, names)


@dataclass(frozen=True, slots=True)
class Plan:
    widths: list[int]  # per column; 0: not shown
    short: bool  # short headers
    compact: bool  # compact texts


STEPS = (("full", "full"), ("short", "full"), ("short", "floor"))  # (sizes, names' least)


def plan(cols: Sequence[Column], sizes: Sequence[Measure], width: int) -> Plan:
    """See the module docstring for the order in which room is found."""
    shown = [True] * len(cols)
    # Highest `drop` first; among equals the rightmost.
    order = sorted((i for i, c in enumerate(cols) if c.drop), key=lambda i: (-cols[i].drop, -i))
    while True:
        for kind, least in STEPS:
            widths = _fit(cols, sizes, shown, width, kind, least)
            if widths is not None:
                return Plan(widths, kind != "full", False)
        if not order:
            break
        shown[order.pop(0)] = False
    widths = _fit(cols, sizes, shown, width, "tight", "floor") or \
        _fit(cols, sizes, shown, width, "tight", "hard")
    assert widths is not None  # "hard" always answers
    return Plan(widths, True, True)


def _fit(cols: Sequence[Column], sizes: Sequence[Measure], shown: list[bool], width: int,
         kind: str, least: str) -> list[int] | None:
    """Widths with the sizes of `kind` ("full", "short" or "tight") when the flexible columns
    get at least `least` ("full", "floor" or "hard"); None when that does not fit."""
    idx = [i for i in range(len(cols)) if shown[i]]
    flex = [i for i in idx if cols[i].flexible]
    want = {i: getattr(sizes[i], kind) for i in idx}
    fixed = sum(want[i] for i in idx if i not in flex)
    room = width - fixed - max(0, len(idx) - 1)
    low = {i: {"full": want[i], "floor": sizes[i].floor,
               "hard": min(HARD_MIN, want[i])}[least] for i in flex}
    if sum(low.values()) > room and least != "hard":
        return None
    out = [0] * len(cols)
    for i in idx:
        out[i] = low[i] if i in flex else want[i]
    spare = room - sum(low.values())
    # The room left goes one cell at a time to the narrowest name: first up to its widest
    # cell, then up to MAX_FLEX (the table fills the width, yet on a wide terminal numbers
    # stay near the names), then a flexible last column takes the rest.
    for cap in (want, dict.fromkeys(flex, MAX_FLEX)):
        while spare > 0:
            short = [i for i in flex if out[i] < cap[i]]
            if not short:
                break
            out[min(short, key=lambda i: out[i])] += 1
            spare -= 1
    if spare > 0 and idx and idx[-1] in flex:
        out[idx[-1]] += spare
    return out


def shortened(col: Column, size: Measure, width: int) -> dict[str, str] | None:
    """A names column's shown form of each name at `width`; None when all fit as they are."""
    if not size.values or width >= max(map(cell_len, size.values), default=0):
        return None
    return shorten_all(size.values, width)


def with_arrow(col: Column, size: Measure) -> Measure:
    """`size` with room for the sort arrow after the header (▲/▼)."""
    full = max(size.full, cell_len(col.label) + 1)
    short = max(size.short, cell_len(short_label(col, size.short)) + 1)
    tight = max(size.tight, cell_len(short_label(col, size.tight)) + 1)
    if not col.flexible:
        return Measure(full, short, tight, tight, size.values)
    return Measure(min(full, MAX_FLEX), min(short, MAX_FLEX), min(tight, MAX_FLEX), size.floor,
                   size.values)
