"""Record dates -> Activity (issue 13): what the audit keeps of the created and last-modified
cells of the objects goals count (Settings.dates_for), for chaser/audit.py and its Part.

A sync of a million-row export must stay within its budget (benchmarks/bench_audit.py), so
each distinct cell is parsed once (a cache per column) and the rows are counted by C-level
Counter.update over (owner, quarter) encoded as one int (below); owners become person keys
only when the snapshot is made, as the tallies do. Still ~0.25 s of CPU per 200,000 rows:
most of it is touching each row and a dict of owners x quarters too big for the CPU cache. The cache is bounded: an API source's cells are nearly
all distinct (to the second), and keeping a million of them alive would cost more memory
than parsing them costs time.

Cells are read by chaser.cell_dates (vendor formats, the layout's converter for report
formats, local time in the layout's zone). A cell that is no date is counted as bad, never
guessed: the audit's notes name the file, the column, the first such value and its line.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import tzinfo
from operator import add, itemgetter

from chaser.cell_dates import ToIso, iso_utc, moment
from chaser.model import Activity, Layout, quarter

__all__ = ["Dated", "activity", "iso_utc", "moment"]

# A counted cell is one int: owner index + code * M, where the code is BLANK, BAD or quarter
# + OFFSET, and M a prime above any owner count. Counter.update over ints costs half what
# (owner, quarter) tuples cost (no tuple to make, a cheap hash), and the prime mixes both
# parts into the low bits a dict indexes by: with the owner in high bits and the quarter in
# low ones, every owner's keys of one quarter would share a slot (3x slower).
BLANK, BAD, OFFSET = 0, 1, 2
M = 2_147_483_647
MAX_CACHE = 50_000


class Column:
    """One date column of a layout, its cells read once each (bounded cache)."""

    def __init__(self, col: int, to_iso: ToIso | None, zone: tzinfo | None) -> None:
        self.col, self.to_iso, self.zone = col, to_iso, zone
        self._quarters: dict[str | None, int | None] = {}
        self._isos: dict[str | None, str | None] = {}

    def _code(self, cell: str | None) -> int:
        at = moment(cell, self.to_iso, self.zone)
        if at is None or at is False:
            return (BLANK if at is None else BAD) * M
        return (quarter(at) + OFFSET) * M  # type: ignore[arg-type]

    def codes(self, rows) -> list[int]:
        cache = self._quarters
        try:  # every cell seen before: the common case of an export, one C-level pass
            return list(map(cache.__getitem__, map(itemgetter(self.col), rows)))
        except KeyError:
            pass
        cells = list(map(itemgetter(self.col), rows))
        new = set(cells)
        new.difference_update(cache)
        if new:
            if len(cache) + len(new) > MAX_CACHE:
                cache.clear()
            for cell in new:
                cache[cell] = self._code(cell)
        return list(map(cache.__getitem__, cells))

    def iso(self, cell: str | None) -> str | None:
        out = self._isos.get(cell, self)
        if out is self:
            if len(self._isos) > MAX_CACHE:
                self._isos.clear()
            out = self._isos[cell] = iso_utc(cell, self.to_iso, self.zone)
        return out  # type: ignore[return-value]


def columns(layout: Layout, modified: bool = True) -> dict[str, Column]:
    """The date columns Activity counts: "created", and "modified" (the layout's `changed`
    column, else its `modified` one) when asked for: only an "updated" goal counts those,
    and reading a date per row is a sixth of a big CSV sync (Settings.updates_for)."""
    out = {}
    if layout.created is not None:
        out["created"] = Column(layout.created, layout.created_iso, layout.zone)
    if not modified:
        return out
    if layout.changed is not None:
        out["modified"] = Column(layout.changed, None, layout.zone)
    elif layout.modified is not None:
        out["modified"] = Column(layout.modified, layout.modified_iso, layout.zone)
    return out


class Dated:
    """What one layout's rows add to Activity, by raw owner value: made by the Auditor, or
    by a Part in csv_split's child process, whose state() comes back through marshal."""

    def __init__(self, layout: Layout, modified: bool = True) -> None:
        self.layout = layout
        self.columns = columns(layout, modified)
        self.counts: dict[str, Counter] = {k: Counter() for k in self.columns}
        self.bad: dict[str, dict[str, int]] = {k: {} for k in self.columns}
        self.owners: list = []  # raw owner values, by index
        self._base: dict = {}  # raw owner value -> its index

    def _bases(self, owners: list) -> list[int]:
        base = self._base
        try:  # no owner new to this layout: one C-level pass
            return list(map(base.__getitem__, owners))
        except KeyError:
            pass
        new = set(owners)
        new.difference_update(base)
        for owner in sorted(new, key=lambda o: (o is None, o or "")):  # no hash order
            base[owner] = len(self.owners)
            self.owners.append(owner)
        return list(map(base.__getitem__, owners))

    def feed(self, rows, owners: list) -> None:
        if not self.columns:
            return
        bases = self._bases(owners)
        for kind, column in self.columns.items():
            codes = column.codes(rows)
            self.counts[kind].update(map(add, bases, codes))
            if BAD * M in codes:  # a C-level scan; the slow loop only when one is bad
                bad = self.bad[kind]
                for row, code in zip(rows, codes, strict=True):
                    if code == BAD * M:
                        cell = row[column.col]
                        bad[cell] = bad.get(cell, 0) + 1

    def created_iso(self) -> Callable[[str | None], str | None] | None:
        column = self.columns.get("created")
        return None if column is None else column.iso

    def state(self) -> tuple:
        return ({k: dict(c) for k, c in self.counts.items()}, self.bad, self.owners)

    def merge(self, state: tuple) -> None:
        """Take in a Dated's state from another process: its owner indexes become ours."""
        counts, bad, owners = state
        bases = dict(zip(owners, self._bases(owners), strict=True))
        theirs = [bases[o] for o in owners]
        for kind, c in counts.items():
            self.counts[kind].update({theirs[k % M] + k // M * M: n for k, n in c.items()})
            mine = self.bad[kind]
            for cell, n in bad[kind].items():
                mine[cell] = mine.get(cell, 0) + n

    def notes(self) -> list[str]:
        """One note per column holding cells that are not dates: file, column, count, the
        first such value and its line (found by a rescan, for this message only)."""
        out = []
        layout = self.layout
        for kind, bad in self.bad.items():
            if not bad:
                continue
            column = self.columns[kind]
            label = layout.columns[column.col]
            first = next(iter(bad))
            line = layout.find_line(column.col, first) if layout.find_line else None
            where = f"{layout.source or layout.object}" + (f":{line}" if line else "")
            n = sum(bad.values())
            out.append(f"warning: {where}: {n:,} {label!r} value{'s' if n != 1 else ''} of "
                       f"{layout.object} {'are' if n != 1 else 'is'} not a date chaser reads "
                       f"(e.g. {first!r}); {'their' if n != 1 else 'its'} {kind} date is "
                       "left out of goals")
        return out


def activity(dated: Iterable[Dated], keys: Mapping, charged: Callable[[object], bool]
             ) -> dict[str, dict[str, Activity]]:
    """person key -> object -> Activity, from the Dated counts of every layout, people by
    key and quarters in order. Owner values whose records are not charged to a person (the
    buckets) are left out."""
    out: dict[str, dict[str, dict[str, dict[int, int]]]] = {}
    for part in dated:
        obj = part.layout.object
        who = [keys[o] if charged(o) else None for o in part.owners]  # once per owner
        for kind, counts in part.counts.items():
            for k, n in counts.items():
                code, owner = divmod(k, M)
                key = who[owner]
                if code < OFFSET or not n or key is None:
                    continue
                per = out.setdefault(key, {}).setdefault(
                    obj, {"created": {}, "modified": {}})[kind]
                per[code - OFFSET] = per.get(code - OFFSET, 0) + n
    return {key: {obj: Activity(dict(sorted(d["created"].items())),
                                dict(sorted(d["modified"].items())))
                  for obj, d in out[key].items()} for key in sorted(out)}
