"""connector -> audit -> store, with progress callbacks and cancellation.

A sync either stores a whole new snapshot or nothing: the audit runs in memory and the store
writes the snapshot only at the end, so a failed or cancelled sync leaves the previous one
current. Also seeds the demo org's history on first use.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from chaser.audit import Auditor, org_tally, unblamed_note
from chaser.config import Settings
from chaser.connectors import registry
from chaser.connectors.base import Cancel, Connector, Progress, ProgressFn, no_progress
from chaser.freshness import fingerprint
from chaser.gctools import gc_paused
from chaser.ledger import writer_id
from chaser.model import Snapshot
from chaser.rules import Blank
from chaser.store import Store, chase_month
from chaser.words import plural


def make_connector(settings: Settings, store: Store, *, now: datetime, full: bool = False
                   ) -> Connector:
    """The connector of the settings' kind (chaser.connectors.registry), loaded on first use;
    incremental sources keep their last-known rows under the store's folder."""
    module = registry.get(settings.kind).load()
    return module.connector(settings, cache_root=store.root, now=now, full=full)


LAST_SYNC = "last_sync"  # store meta key: what the last successful sync said


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
        # Records and gaps count every record; completeness only the records people own (as
        # `chaser gaps` does): say what it leaves out, in the words the gaps table uses.
        note = unblamed_note(snap)
        scope = f"; {note[0].lower()}{note[1:]}" if note else ""
        objects = len(snap.objects)
        return (f"synced {snap.source}: {plural(snap.records, 'record')} in "
                f"{plural(objects, 'object')}, {plural(len(snap.people), 'person')}, "
                f"{plural(len(snap.gaps), 'record')} with gaps, completeness {pct}{scope} "
                f"({self.seconds:.1f} s, snapshot {snap.id})")


def take_snapshot(connector: Connector, settings: Settings, *, now: datetime,
                  progress: ProgressFn = no_progress, cancel: Cancel | None = None,
                  notes: list[str] | None = None) -> Snapshot:
    """Run one audit over everything the connector yields. Stores nothing. The audit's own
    notes (owners matching no person, `when` values no record holds) go to `notes`."""
    cancel = cancel or Cancel()
    # Before anything is read: a file that changes while the sync reads it then differs from
    # the recorded fingerprint, and the next command takes the snapshot again.
    recorded = fingerprint(settings)
    directory = connector.directory(cancel)
    rules = [*settings.rules, *connector.source_rules()]
    auditor = Auditor(directory, rules, Blank(settings.placeholders),
                      dates_for=settings.dates_for, updates_for=settings.updates_for)
    with gc_paused():
        for obj in connector.objects():
            cancel.check()
            auditor.touch_object(obj)
            records = pages = 0
            for batch in connector.batches(obj, progress, cancel):
                auditor.add(batch)
                records += len(batch.rows)
                pages += batch.pages
            progress(Progress(obj, records, pages, total=records, done=True))
        snap = auditor.snapshot(snapshot_id(now), now, connector.label())
        if notes is not None:
            notes += auditor.notes()
    return dataclasses.replace(snap, fingerprint=recorded)


def sync(settings: Settings, store: Store, *, now: datetime, progress: ProgressFn = no_progress,
         cancel: Cancel | None = None, full: bool = False) -> SyncResult:
    """Take a snapshot and store it. Raises ConnectorError / Cancelled with nothing stored."""
    started = time.perf_counter()
    connector = make_connector(settings, store, now=now, full=full)
    try:
        audit_notes: list[str] = []
        snapshot = take_snapshot(connector, settings, now=now, progress=progress, cancel=cancel,
                                 notes=audit_notes)
        notes = (*connector.notes(), *audit_notes)
        if cancel is not None:
            cancel.check()  # a cancel that came during the last page still wins
        latest = store.latest_summary()
        if latest is not None and snapshot.taken_at < latest.taken_at:
            # Stored all the same, and it becomes the latest (the one stored last): the data
            # is new even if the clock is not. Said, so nobody wonders why the times go back.
            notes += (f"warning: this snapshot's time {snapshot.taken_at:%Y-%m-%d %H:%M} UTC is "
                      f"before the latest stored one's ({latest.taken_at:%Y-%m-%d %H:%M} UTC): "
                      "is the clock behind? It is stored and is now the latest.",)
        with gc_paused():  # 120,000 gap rows built again for the file: no cycles in them
            snapshot = store.save_snapshot(snapshot)  # as stored: with each gap's since
        connector.commit()  # incremental connectors move their bookmark only now
    finally:
        connector.close()
    result = SyncResult(snapshot, time.perf_counter() - started, notes)
    # Kept so `chaser status` and the TUI can say later what the last sync found (API usage).
    store.set_meta(LAST_SYNC, {"at": now.isoformat(), "source": snapshot.source,
                               "summary": result.summary(), "notes": list(notes)})
    return result


def seed_demo(settings: Settings, store: Store, now: datetime) -> bool:
    """On first use of the demo store: weekly snapshots of the past and 90 days of chases, so
    trends and costs have content at first launch. Returns True when it seeded."""
    if store.get_meta("demo_seeded"):
        return False
    from chaser.connectors.demo import DemoConnector, demo_chases, weekly_history

    # Seeding takes a second: a Ctrl-C may stop it anywhere, and the next run starts again.
    # So it skips what an earlier run stored (each write is whole): weeks that have a
    # snapshot, an admin's months that have a ledger file. Otherwise the history would hold
    # every chase twice and the costs would double. Each demo admin is a writer of its own,
    # as on a real team sharing one ledger.
    taken = [s.taken_at for s in store.snapshot_history()]
    for at in weekly_history(now):
        if any(abs(at - t) < timedelta(days=3) for t in taken):
            continue
        connector = DemoConnector(now=now, as_of=at)
        store.save_snapshot(take_snapshot(connector, settings, now=at))
    written = store.ledger.scan().writers
    by_admin: dict[str, list[dict]] = {}
    for c in demo_chases(now):
        by_admin.setdefault(writer_id(c["by"]), []).append(c)
    for wid, chases in by_admin.items():
        months = set(written[wid].months) if wid in written else set()
        store.add_chases([c for c in chases if chase_month(c["at"]) not in months], writer=wid)
    store.save_snapshot(take_snapshot(DemoConnector(now=now), settings, now=now))
    store.set_meta("demo_seeded", now.isoformat())
    return True
