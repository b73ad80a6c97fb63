"""The skeleton both API connectors share: last-known rows, bookmarks, deletions by counting,
the replay of merged rows, and commit after the snapshot is stored.

A sync of one object is either

- full: every record is read (first sync, `--full`, rules that need other fields, another
  org or URL than last time, or a source-specific reason such as Salesforce's recycle-bin
  horizon), or
- incremental: only records changed since the bookmark are read and merged into the rows the
  last sync kept. Changes cannot tell a record that was deleted outright (a Salesforce hard
  delete or a purged recycle bin, a HubSpot GDPR delete), so after the merge one count of the
  object's records is compared with the merged rows; only on a mismatch are the ids read
  (ids only, the cheapest listing) and the rows the source no longer has dropped. When nothing
  was deleted this costs one request per object.

Nothing moves until `commit()`, which sync calls after the snapshot is stored: a failed or
cancelled sync leaves the rows and the bookmark where they were, so the next one reads the
same changes again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from chaser.connectors.cache import RecordCache
from chaser.model import Layout, RecordBatch

CHUNK = 5_000  # rows per batch when the audit replays the merged rows
BOOKMARK_VERSION = 2


@dataclass(frozen=True, slots=True)
class Bookmark:
    """Where the next incremental read of one object starts; kept (as JSON) with its rows."""

    since: str  # the source's own cursor (Salesforce: a SOQL datetime; HubSpot: epoch ms)
    synced_at: str  # ISO start time of the last successful sync: horizons are measured from it
    full_at: str  # ISO start time of the last full read
    origin: str  # which org / portal / URL the rows came from

    def dump(self) -> str:
        return json.dumps({"v": BOOKMARK_VERSION, "since": self.since, "synced_at": self.synced_at,
                           "full_at": self.full_at, "origin": self.origin})

    @classmethod
    def load(cls, text: str | None) -> Bookmark | None:
        """None for no bookmark or an unreadable one (an older chaser's): a full read puts it
        right, and says so."""
        try:
            d = json.loads(text or "")
            if not isinstance(d, dict) or d.get("v") != BOOKMARK_VERSION:
                return None
            b = cls(d["since"], d["synced_at"], d["full_at"], d["origin"])
            datetime.fromisoformat(b.synced_at)
            datetime.fromisoformat(b.full_at)
        except (ValueError, TypeError, KeyError):
            return None
        if not all(isinstance(v, str) for v in (b.since, b.origin)):
            return None
        return b

    def age(self, now: datetime) -> float:
        """Days since the last successful sync."""
        return (now - datetime.fromisoformat(self.synced_at)).total_seconds() / 86_400


@dataclass(slots=True)
class Start:
    """What the last sync left for one object, and whether this one must read it in full."""

    obj: str
    origin: str
    cache: RecordCache
    rows: dict[str, list]
    bookmark: Bookmark | None
    full_reason: str | None  # None: read incrementally from `bookmark`

    @property
    def incremental(self) -> bool:
        return self.full_reason is None


@dataclass(slots=True)
class _Stats:
    changed: int = 0
    deleted: int = 0  # dropped because the source marked them deleted or archived
    swept: int = 0  # dropped because a count showed them gone and the ids sweep confirmed it
    counted: bool = False
    mode: str = "full"


@dataclass(slots=True)
class Incremental:
    """Per-sync state of one API connector: one Start per object, pending saves, notes."""

    cache_root: Path
    source: str  # "salesforce" / "hubspot": the cache files' prefix
    now: datetime
    full: bool = False
    notes: list[str] = field(default_factory=list)
    _pending: dict[str, tuple[RecordCache, dict[str, list], str | None]] = field(
        default_factory=dict)
    _stats: dict[str, _Stats] = field(default_factory=dict)

    def start(self, obj: str, columns: tuple[str, ...], origin: str,
              horizon: Callable[[Bookmark], str | None] | None = None) -> Start:
        """Load the object's rows and bookmark and decide full or incremental. `horizon` is the
        source's own reason to read in full (e.g. "last sync over 14 days ago"), or None."""
        cache = RecordCache(self.cache_root, self.source, obj, columns)
        rows, text = ({}, None) if self.full else cache.load()
        bookmark = Bookmark.load(text)
        if self.full:
            why = "full read (--full)"
        elif bookmark is None:
            why = ("full read (first sync, rules that need other fields, or a cache from an "
                   "older chaser)")
        elif bookmark.origin != origin:
            why = "full read (another org, portal or URL than last time)"
        else:
            why = horizon(bookmark) if horizon is not None else None
        self._stats[obj] = _Stats(mode="full" if why else "incremental")
        return Start(obj, origin, cache, rows if why is None else {}, bookmark, why)

    def merge(self, start: Start, changed: Iterable[list]) -> None:
        """Fold changed rows (id first) into the last-known ones; a row read again unchanged
        (the sources' bookmarks overlap on purpose) is no change."""
        rows, stats = start.rows, self._stats[start.obj]
        for row in changed:
            if rows.get(row[0]) != row:
                stats.changed += 1
                rows[row[0]] = row

    def drop(self, start: Start, record_id: str) -> None:
        """A record the source reported deleted or archived."""
        self._stats[start.obj].deleted += start.rows.pop(record_id, None) is not None

    def reconcile(self, start: Start, count: Callable[[], int],
                  ids: Callable[[], Iterable[str]]) -> None:
        """One count; on a mismatch, the ids sweep drops the rows the source no longer has.
        Records the source has and we lack were created after the changes were read: the next
        sync reads them, so they are no reason to sweep."""
        stats = self._stats[start.obj]
        stats.counted = True
        if count() == len(start.rows):
            return
        present = set(ids())
        gone = [rid for rid in start.rows if rid not in present]
        for rid in gone:
            del start.rows[rid]
        stats.swept = len(gone)

    def replay(self, start: Start, layout: Layout, pages: int) -> Iterator[RecordBatch]:
        """The merged rows as batches, so the audit sees every record, not just the changes."""
        values = list(start.rows.values())
        for i in range(0, max(len(values), 1), CHUNK):
            yield RecordBatch(layout, values[i:i + CHUNK], pages=pages if i == 0 else 0)

    def stage(self, start: Start, since: str | None, rows: dict[str, list] | None = None) -> None:
        """What commit() will save for the object. `since` None after a full read that found
        nothing: no bookmark, so the next sync reads in full again (one request) rather than
        trust the local clock against the server's."""
        rows = start.rows if rows is None else rows
        now = self.now.isoformat()
        if since is None:
            mark = None
        else:
            full_at = now if not start.incremental or start.bookmark is None \
                else start.bookmark.full_at
            mark = Bookmark(since, now, full_at, start.origin).dump()
        self._pending[start.obj] = (start.cache, rows, mark)
        if not start.incremental:
            self.notes.append(f"{start.obj}: {start.full_reason}, {len(rows):,} records")

    def commit(self) -> None:
        """After the snapshot is stored: only now do rows and bookmarks move. Should this fail,
        the next sync merely starts from the older bookmark."""
        for cache, rows, mark in self._pending.values():
            cache.save(rows, mark)
        self._pending.clear()

    def change_notes(self) -> list[str]:
        """One line for the incremental objects: what changed, what was dropped and why."""
        parts = []
        for obj, st in self._stats.items():
            if st.mode != "incremental":
                continue
            bits = [f"{st.changed:,} changed"]
            if st.deleted:
                bits.append(f"{st.deleted:,} deleted")
            if st.swept:
                bits.append(f"{st.swept:,} gone (found by counting)")
            parts.append(f"{obj} " + ", ".join(bits))
        return ["changes since the last sync: " + "; ".join(parts)] if parts else []
