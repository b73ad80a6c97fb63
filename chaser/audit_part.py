"""What one batch of rows adds to an audit, for chaser/audit.py: its gap records, packed, and
a Part, the same counts kept apart from any Auditor so that another process can count a share
of a file (connectors/csv_split.py) and hand them back.

Gap records are kept packed until a snapshot reads them: a few NUL-joined strings per batch
instead of a tuple per record. Tuples holding the rows' cells keep those strings alive amid
csv.reader's allocations, which cost ~0.08 s per 500,000 rows read (~15% of the parse); the
joined copies are a handful of allocations. A batch whose cells are not all NUL-free text (an
API's null, a NUL in its text) keeps its records as tuples instead.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from itertools import repeat
from operator import itemgetter

from chaser.audit_dates import Dated
from chaser.model import Layout
from chaser.rules import Scan

# Packed: (ids, names or None, owners, [missing per record], modified: joined, a list when
# converted (None is possible), or None, created: a list of ISO UTC text or None, or None).
# Unpacked alternative: [gap tuple, raw owner].
Packed = tuple | list
ToIso = Callable[[str | None], str | None]


def pack(layout: Layout, hits: list, created: ToIso | None = None
         ) -> tuple[list, list, Packed]:
    """(raw owners, missing fields, packed records) of the rows with gaps. `created` turns
    a created cell into Gap.created (chaser.audit_dates); None: the object's dates are not
    read."""
    id_col, owner_col = layout.id, layout.owner
    owners = [row[owner_col] for row, _ in hits]
    missing = [m for _, m in hits]
    name_col, mod_col, to_iso = layout.name, layout.modified, layout.modified_iso
    try:
        ids = "\0".join([row[id_col] for row, _ in hits])
        names = None if name_col is None else "\0".join([r[name_col] for r, _ in hits])
        who = "\0".join(owners)
        mods = (None if mod_col is None else "\0".join([r[mod_col] for r, _ in hits])
                if to_iso is None else [to_iso(r[mod_col]) for r, _ in hits])
        # n cells joined hold n - 1 NULs, the separators, unless a cell holds one itself.
        seps = len(hits) - 1
        if any(col.count("\0") != seps for col in (ids, who, names, mods)
               if isinstance(col, str)):
            raise TypeError
        made = (None if created is None or layout.created is None else
                [created(r[layout.created]) for r, _ in hits])
        packed: Packed = (ids, names, who, missing, mods, made)
    except TypeError:  # a None or non-text cell, or text holding a NUL
        packed = gap_tuples(layout, hits, created)
    return owners, missing, packed


def unpack(layout: Layout, entries: list[Packed], keys: Mapping) -> list[tuple]:
    """The Gap fields of packed records, each owner as its person key (`keys`)."""
    obj, head, has_url, tail = layout.object, *(layout.url_template or "").partition("{id}")
    out: list[tuple] = []
    for entry in entries:
        if isinstance(entry, list):
            out += [(o, r, n, keys[w], m, d, u, c) for o, r, n, w, m, d, u, c in entry]
            continue
        ids, names, owners, missing, mods, made = entry
        rids = ids.split("\0")
        n = len(rids)
        out += zip(repeat(obj, n), rids,
                   # A blank name (or none) reads as the id, as in gap_tuples.
                   rids if names is None else [a or b for a, b in zip(names.split("\0"), rids,
                                                                      strict=True)],
                   map(keys.__getitem__, owners.split("\0")), missing,
                   repeat(None, n) if mods is None else
                   mods.split("\0") if isinstance(mods, str) else mods,
                   [head + r + tail if has_url and r else None for r in rids],
                   repeat(None, n) if made is None else made, strict=True)
    return out


def gap_tuples(layout: Layout, hits: list, created: ToIso | None = None) -> list[tuple]:
    """Gap fields of the rows with gaps, with the raw owner value: only the Auditor resolves
    owners, in the order it sees them. Plain tuples: tuples of str are untracked by the
    cyclic GC, so a growing gap list does not make every collection slower."""
    obj, id_col, name_col, mod_col = layout.object, layout.id, layout.name, layout.modified
    owner_col, to_iso, made_col = layout.owner, layout.modified_iso, layout.created
    head, has_url, tail = (layout.url_template or "").partition("{id}")
    if created is None:
        made_col = None
    return [
        (obj, rid, (row[name_col] if name_col is not None else None) or rid,
         row[owner_col], missing,
         None if mod_col is None else row[mod_col] if to_iso is None else to_iso(row[mod_col]),
         head + rid + tail if has_url and rid else None,
         None if made_col is None else created(row[made_col]))  # type: ignore[misc]
        for row, missing in hits for rid in (row[id_col] or "",)
    ]


class Part:
    """What Auditor.add counts for batches of one layout, apart from any Auditor: made in one
    process (Auditor.add hands the factory to a connector), fed rows in another, and its
    state() taken back in by Auditor._merge."""

    def __init__(self, layout: Layout, scan: Scan, dates: bool = False,
                 modified: bool = False) -> None:
        self.layout, self.scan = layout, scan
        self.counts: Counter = Counter()
        self.gap_counts: Counter = Counter()
        self.gaps: list[Packed] = []
        self.records = 0
        # Record dates (chaser.audit_dates), when the object's are read: made in the child
        # too, so its counts come back with the rest.
        self.dated = Dated(layout, modified) if dates else None

    def feed(self, rows: list) -> None:
        owners = list(map(itemgetter(self.layout.owner), rows))
        self.counts.update(owners)
        self.records += len(rows)
        dated = self.dated
        if dated is not None:
            dated.feed(rows, owners)
        hits = self.scan(rows)
        if hits:
            owners, missing, packed = pack(self.layout, hits,
                                           dated.created_iso() if dated else None)
            self.gap_counts.update(zip(owners, missing, strict=True))
            self.gaps.append(packed)

    def state(self) -> tuple:
        """Plain data (dicts, not Counters): the connector hands it back with marshal."""
        plans = self.scan.plans  # type: ignore[attr-defined]
        dated = None if self.dated is None else self.dated.state()
        return (dict(self.counts), dict(self.gap_counts), self.gaps, self.records, list(plans),
                dated)
