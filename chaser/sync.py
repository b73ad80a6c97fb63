"""connector -> audit -> store, with progress callbacks and cancellation.

A sync either stores a whole new snapshot or nothing: the audit runs in memory and the store
writes the snapshot only at the end, so a failed or cancelled sync leaves the previous one
current. Also seeds the demo org's history on first use.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from chaser.audit import Auditor, org_tally
from chaser.config import Settings
from chaser.connectors.base import Cancel, Connector, Progress, ProgressFn, no_progress
from chaser.model import Snapshot
from chaser.rules import Blank
from chaser.store import Store

# Connectors register a factory here by kind (salesforce/hubspot add theirs in their modules).
FACTORIES: dict[str, Callable[[Settings, Store, bool], Connector]] = {}


def make_connector(settings: Settings, store: Store, *, now: datetime, full: bool = False
                   ) -> Connector:
    if settings.kind == "demo":
        from chaser.connectors.demo import DemoConnector

        return DemoConnector(now=now)
    if settings.kind == "csv":
        from chaser.connectors.csv import CsvConnector

        assert settings.csv is not None
        return CsvConnector(settings.csv)
    if settings.kind not in FACTORIES:
        # Importing the module registers its factory; kept lazy so a CSV user never pays for
        # the HTTP stack at start-up.
        __import__(f"chaser.connectors.{settings.kind}")
    return FACTORIES[settings.kind](settings, store, full)


def snapshot_id(at: datetime) -> str:
    return at.strftime("%Y%m%dT%H%M%S%fZ")


@dataclass(frozen=True, slots=True)
class SyncResult:
    snapshot: Snapshot
    seconds: float
    notes: tuple[str, ...] = ()  # e.g. API usage, warnings the connector wants shown

    def summary(self) -> str:
        """The one-line report of a sync, the same in the CLI and the TUI."""
        snap = self.snapshot
        org = org_tally(snap)
        pct = f"{org.completeness_pct:.1f}%" if org.completeness_pct is not None else "n/a"
        return (f"synced {snap.source}: {snap.records:,} records in {len(snap.objects)} "
                f"objects, {len(snap.people)} people, {len(snap.gaps):,} records with gaps, "
                f"completeness {pct} ({self.seconds:.1f} s, snapshot {snap.id})")


def take_snapshot(connector: Connector, settings: Settings, *, now: datetime,
                  progress: ProgressFn = no_progress, cancel: Cancel | None = None) -> Snapshot:
    """Run one audit over everything the connector yields. Stores nothing."""
    cancel = cancel or Cancel()
    directory = connector.directory(cancel)
    rules = [*settings.rules, *connector.source_rules()]
    auditor = Auditor(directory, rules, Blank(settings.placeholders))
    with _gc_paused():
        for obj in connector.objects():
            cancel.check()
            auditor.touch_object(obj)
            records = pages = 0
            for batch in connector.batches(obj, progress, cancel):
                auditor.add(batch)
                records += len(batch.rows)
                pages += batch.pages
            progress(Progress(obj, records, pages, total=records, done=True))
        return auditor.snapshot(snapshot_id(now), now, connector.label())


@contextmanager
def _gc_paused():
    """An audit allocates millions of short-lived rows and makes no reference cycles, so the
    cyclic collector only re-walks the growing gap list; pausing it saves ~10% of a sync."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def sync(settings: Settings, store: Store, *, now: datetime, progress: ProgressFn = no_progress,
         cancel: Cancel | None = None, full: bool = False) -> SyncResult:
    """Take a snapshot and store it. Raises ConnectorError / Cancelled with nothing stored."""
    started = time.perf_counter()
    connector = make_connector(settings, store, now=now, full=full)
    try:
        snapshot = take_snapshot(connector, settings, now=now, progress=progress, cancel=cancel)
        notes = tuple(getattr(connector, "notes", lambda: ())())
        if cancel is not None:
            cancel.check()  # a cancel that came during the last page still wins
        store.save_snapshot(snapshot)
        commit = getattr(connector, "commit", None)
        if commit is not None:  # incremental connectors move their bookmark only now
            commit()
    finally:
        connector.close()
    return SyncResult(snapshot, time.perf_counter() - started, notes)


def seed_demo(settings: Settings, store: Store, now: datetime) -> bool:
    """On first use of the demo store: weekly snapshots of the past and 90 days of chases, so
    trends and costs have content at first launch. Returns True when it seeded."""
    if store.get_meta("demo_seeded"):
        return False
    from chaser.connectors.demo import DemoConnector, demo_chases, weekly_history

    for at in weekly_history(now):
        connector = DemoConnector(now=now, as_of=at)
        store.save_snapshot(take_snapshot(connector, settings, now=at))
    store.add_chases(demo_chases(now))
    store.save_snapshot(take_snapshot(DemoConnector(now=now), settings, now=now))
    store.set_meta("demo_seeded", now.isoformat())
    return True
