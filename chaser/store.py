"""The domain store of one source: the chase log, snapshots and a little key/value state.

Layout under the source's data folder (every folder 0700, every file 0600):

    ledger/<writer>/YYYY-MM.json   the chase log (chaser.ledger), unless [ledger] path puts
                                   it in a shared folder: precious
    ledger-local/                  this machine's locks and seen-marks of that ledger
    snapshots/index.json           one summary per snapshot (everything but the gaps): trends
    snapshots/<id>.json            the gaps of one snapshot, as compact rows: re-syncable
    meta.json                      sync bookmarks, flags
    chases.migrated/               the chase log before the ledger, kept as it was

Why months: a durable write rewrites a whole file, so the file must stay small however many
years of chases there are. A chase id names its writer and month ("ann-202611-17"), so
voiding or fetching a chase opens one month's files only.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import time
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from tinydb import Query

from chaser import clock, store_runs
from chaser.errors import ChaserError
from chaser.ledger import Ledger, Writer, installation_id
from chaser.ledger_migrate import migrate
from chaser.model import Channel, Chase, Gap, Outcome, Snapshot
from chaser.storage import corrupt, ensure_dir, locked, read_locked, sweep_stale_temps, write_locked
from chaser.store_dates import activity_in, activity_out, gap_dates_in, gap_dates_out, runs_in
from chaser.store_docs import (
    GAP_COLUMNS,
    SNAPSHOT_ID,
    chase_month,
    check_summary,
    check_summary_doc,
    decode_gaps,
    iso,
    moment,
    summary_in,
    summary_out,
)

__all__ = ["GAP_COLUMNS", "Store", "chase_month"]

CHASES, SNAPSHOTS, META = "chases", "snapshots", "meta"  # table names inside the files
HOUSEKEEP_AGE = 600.0  # seconds: older temp and unreferenced gaps files are leftovers


class Store:
    """Persistence for one source's data folder. Cheap to make (it only creates the folder);
    every call opens, locks and re-reads the files it needs, so any number of Store instances
    and processes may share a folder."""

    def __init__(self, root: Path, ledger: Ledger | None = None) -> None:
        self.root = Path(root)
        ensure_dir(self.root)
        self._ledger = ledger  # made on first use: most commands never read the chase log
        self._migrated = False

    def housekeep(self, min_age: float = HOUSEKEEP_AGE) -> int:
        """Remove what killed processes left: temp files, and gaps files no index entry names
        (a sync killed between writing its gaps and its index entry, a dropped snapshot whose
        file could not be removed). Only files older than `min_age` seconds: a sync writes its
        gaps a moment before its index entry, and that moment must not be taken for a crash."""
        now = time.time()
        removed = sweep_stale_temps(self.root, min_age, now)
        ledger = self._ledger
        if ledger is not None and not ledger.root.is_relative_to(self.root):
            # A shared ledger: only this writer's own folder. Another writer's leftovers are
            # theirs to clear (a sync tool may be copying them right now).
            removed += sweep_stale_temps(ledger.root / ledger.writer.id, min_age, now)
        folder = self.root / "snapshots"
        if not folder.is_dir():
            return removed
        try:
            named = {doc["id"] for doc in self._summaries()}
        except ChaserError:  # a corrupt index is reported where it is read, not here
            return removed
        for entry in os.scandir(folder):
            sid = entry.name.removesuffix(".json").removesuffix(store_runs.SUFFIX)
            if entry.name.endswith((".json", store_runs.SUFFIX)) and sid != "index" \
                    and sid not in named \
                    and SNAPSHOT_ID.fullmatch(sid):
                with contextlib.suppress(OSError):
                    if now - entry.stat().st_mtime >= min_age:
                        os.unlink(entry.path)
                        removed += 1
        return removed

    # -- paths -------------------------------------------------------------------------------

    @property
    def _index_path(self) -> Path:
        return self.root / "snapshots" / "index.json"

    def _gaps_path(self, snapshot_id: str) -> Path:
        if not isinstance(snapshot_id, str) or not SNAPSHOT_ID.fullmatch(snapshot_id) \
                or snapshot_id == "index":
            raise ValueError(f"snapshot id {snapshot_id!r} is not a safe file name")
        return self.root / "snapshots" / f"{snapshot_id}.json"

    def chase_months(self) -> list[str]:
        """The months ("2026-11") that hold chase events of any writer, oldest first."""
        return self.ledger.months()

    # -- chase log: the ledger (chaser.ledger) -------------------------------------------------

    @property
    def ledger(self) -> Ledger:
        if self._ledger is None:
            self._ledger = Ledger(self.root / "ledger", Writer.from_os(),
                                  installation_id(self.root.parent), self.root / "ledger-local")
        if not self._migrated:
            # Marked done only once it is: a chase logged into a month whose old chases are
            # not moved yet would take the number of one of them.
            migrate(self.root / "chases", self._ledger)
            self._migrated = True
        return self._ledger

    def add_chase(self, *, at: datetime, person: str, channel: Channel, minutes: int,
                  outcome: Outcome, fields: tuple[str, ...] = (), note: str = "", by: str = "",
                  logged_at: datetime | None = None) -> Chase:
        """Log one chase; it is on disk (fsynced) when this returns."""
        return self.ledger.add_chase(at=at, person=person, channel=channel, minutes=minutes,
                                     outcome=outcome, fields=fields, note=note, by=by,
                                     logged_at=logged_at)

    def add_chases(self, chases: Iterable[Mapping[str, Any]], writer: str | None = None) -> int:
        """Bulk insert (demo history, imports): validated first, each month written once. Keys
        as add_chase's arguments, plus voided_at/void_reason."""
        return self.ledger.add_chases(chases, writer=writer)

    def chases(self, since: datetime | None = None, until: datetime | None = None, *,
               include_voided: bool = True) -> list[Chase]:
        """Chases with since <= at < until (both aware), every writer's, sorted by (time,
        writer, number); reads only the months needed. What a read left out or found but did
        not count: `self.ledger.issues`."""
        return self.ledger.chases(since, until, include_voided=include_voided)

    def get_chase(self, chase_id: str) -> Chase:
        return self.ledger.get(chase_id)

    def void_chase(self, chase_id: str, reason: str, at: datetime | None = None) -> Chase:
        """Mark a chase void; the chase stays, so the log can always be audited."""
        return self.ledger.change(chase_id, "void", reason, at or clock.now())

    def unvoid_chase(self, chase_id: str, reason: str, at: datetime | None = None) -> Chase:
        """Withdraw a void: the chase counts again, and both events stay in the ledger."""
        return self.ledger.change(chase_id, "unvoid", reason, at or clock.now())

    def add_batch(self, chases: Iterable[Mapping[str, Any]]) -> list[Chase]:
        """Chases logged together at one time (chaser.bulk): one durable write, each naming
        the batch (its first chase's id). Keys as add_chase's arguments."""
        from chaser.ledger_events import add_batch

        return add_batch(self.ledger, chases)

    def change_chases(self, chase_ids: Iterable[str], kind: str, reason: str,
                      at: datetime | None = None) -> tuple[list[Chase], list[Chase]]:
        """Void ("void") or un-void ("unvoid") many chases: (changed, already so)."""
        from chaser.ledger_events import change_many

        return change_many(self.ledger, chase_ids, kind, reason, at or clock.now())

    # -- notes about people: ledger events too ---------------------------------------------

    def add_note(self, *, person: str, text: str, by: str = "", at: datetime | None = None):
        """A dated note about a person (chaser.model.Note), on disk when this returns."""
        from chaser.ledger_events import add_note

        return add_note(self.ledger, person=person, text=text, by=by, at=at)

    def notes(self, person: str | None = None) -> list:
        """Every writer's notes, of one person key or all, oldest first."""
        from chaser.ledger_events import read_notes

        return read_notes(self.ledger, person)

    def add_resolution(self, *, barrier: str, person: str, note: str, by: str = "",
                       at: datetime | None = None):
        """A barrier resolved (chaser.ledger_docs.Resolution), on disk when this returns."""
        from chaser.ledger_events import add_resolution

        return add_resolution(self.ledger, barrier=barrier, person=person, note=note, by=by,
                              at=at)

    def resolutions(self) -> list:
        """Every writer's barrier resolutions, oldest first."""
        from chaser.ledger_events import read_resolutions

        return read_resolutions(self.ledger)

    def _index_check(self, data: dict) -> None:
        for doc in data.get(SNAPSHOTS, {}).values():
            check_summary_doc(self._index_path, doc)

    # -- snapshots ---------------------------------------------------------------------------

    def save_snapshot(self, snapshot: Snapshot) -> Snapshot:
        """Gaps first, index last: a crash in between leaves the previous snapshot current and
        only an unreferenced gaps file behind. Returns the snapshot as stored: each gap with
        its `since` (see _with_since)."""
        gaps_path = self._gaps_path(snapshot.id)
        summary = summary_out(snapshot)  # validates taken_at before anything is written
        snapshot = self._with_since(snapshot)
        rows, unblamed = ([[g.object, g.record_id, g.record_name, g.owner, list(g.missing),
                            g.modified, g.url] for g in gaps]
                          for gaps in (snapshot.gaps, snapshot.cannot_edit_gaps))
        body: dict = {"id": snapshot.id, "columns": list(GAP_COLUMNS), "rows": rows}
        if unblamed:  # blanks their owner cannot edit (chaser.access); older chasers skip it
            body["cannot_edit_rows"] = unblamed
        # Issue 13, added keys (chaser.store_dates): older chasers read the file and skip them.
        for key, gaps in (("dates", snapshot.gaps), ("cannot_edit_dates",
                                                     snapshot.cannot_edit_gaps)):
            if dates := gap_dates_out(gaps):
                body[key] = dates
        if snapshot.activity:
            body["activity"] = activity_out(snapshot.activity)
        write_locked(gaps_path, "snapshot-gaps", {SNAPSHOTS: {"1": body}})
        store_runs.save(gaps_path, snapshot.gaps, snapshot.cannot_edit_gaps)  # next sync's
        with locked(self._index_path, "snapshot-index", self._index_check) as db:
            db.table(SNAPSHOTS).upsert(summary, Query().id == snapshot.id)
        return snapshot

    def _with_since(self, snapshot: Snapshot) -> Snapshot:
        """Each gap's `since`: the first snapshot of the unbroken run that showed the record
        with gaps. A record with gaps in the previous stored snapshot (the latest by time
        stamp before this one) keeps that one's since (or its taken_at, for snapshots stored
        before since was kept); any other starts its run now. Only that one snapshot's gaps
        are read: its since values carry the whole run."""
        now = iso(snapshot.taken_at, "taken_at")
        before = [s for s in self._summaries() if s["id"] != snapshot.id
                  and moment(s["taken_at"]) < snapshot.taken_at]
        runs: tuple[dict, dict] = ({}, {})
        taken = now
        if before:
            # the latest by time; ties: the one stored last (max keeps the first of equals)
            prev = max(reversed(before), key=lambda s: moment(s["taken_at"]))
            taken = iso(moment(prev["taken_at"]), "taken_at")
            path = self._gaps_path(prev["id"])
            copy = store_runs.load(path)  # its decoded runs: a twentieth of the file's parse
            if copy is not None:
                runs = copy
            else:
                data = read_locked(path, "snapshot-gaps")  # missing: no run to continue
                body = None if data is None else data.get(SNAPSHOTS, {}).get("1")
                if body is not None:
                    runs = (runs_in(path, body, "rows", "dates"),
                            runs_in(path, body, "cannot_edit_rows", "cannot_edit_dates"))

        def carry(gaps: tuple[Gap, ...], earlier: dict) -> tuple[Gap, ...]:
            # A record is (object, record id); a run found keeps its start. Built as plain
            # tuples (Gap's own __new__ is a Python call per gap: half of this, at 120,000).
            new, get, none = tuple.__new__, earlier.get, object()
            out = []
            for g in gaps:
                was = get((g[0], g[1]), none)
                out.append(new(Gap, (*g[:8], now if was is none else was or taken)))
            return tuple(out)

        return dataclasses.replace(snapshot, gaps=carry(snapshot.gaps, runs[0]),
                                   cannot_edit_gaps=carry(snapshot.cannot_edit_gaps, runs[1]))

    @staticmethod
    def _decoded(path: Path, summary: dict, body: Any) -> tuple[tuple[Gap, ...], tuple[Gap, ...]]:
        out = []
        for key, dates in (("rows", "dates"), ("cannot_edit_rows", "cannot_edit_dates")):
            rows = body.get(key, []) if isinstance(body, dict) else []
            n = len(rows) if isinstance(rows, list) else 0
            out.append(decode_gaps(path, summary, body, key,
                                   gap_dates_in(path, n, body.get(dates)
                                                if isinstance(body, dict) else None)))
        return out[0], out[1]

    def _summaries(self) -> list[dict]:
        """Index documents in the order they were stored: the last one is the latest, whatever
        its time stamp (a sync taken while the clock was behind is still the newest one)."""
        data = read_locked(self._index_path, "snapshot-index") or {}
        docs = sorted(data.get(SNAPSHOTS, {}).items(), key=lambda kv: int(kv[0]))
        try:
            for _, doc in docs:
                check_summary(doc)
        except (KeyError, TypeError, ValueError) as e:
            raise corrupt(self._index_path, f"snapshot summary is malformed: {e}") from None
        return [doc for _, doc in docs]

    def _with_gaps(self, summary: dict) -> Snapshot:
        path = self._gaps_path(summary["id"])
        data = read_locked(path, "snapshot-gaps")
        if data is None:
            raise ChaserError(f"{path}: the gaps of snapshot {summary['id']} are missing; "
                              "sync again to take a new snapshot")
        body = data.get(SNAPSHOTS, {}).get("1")
        gaps, unblamed = self._decoded(path, summary, body)
        return summary_in(self._index_path, summary, gaps, unblamed,
                          activity_in(path, body.get("activity")))

    def latest_snapshot(self) -> Snapshot | None:
        """The snapshot stored last, with its gaps."""
        summaries = self._summaries()
        return self._with_gaps(summaries[-1]) if summaries else None

    def latest_summary(self) -> Snapshot | None:
        """The snapshot stored last, without its gaps: cheap."""
        summaries = self._summaries()
        return summary_in(self._index_path, summaries[-1]) if summaries else None

    def load_snapshot(self, snapshot_id: str) -> Snapshot:
        for summary in self._summaries():
            if summary["id"] == snapshot_id:
                return self._with_gaps(summary)
        raise ChaserError(f"no snapshot with id {snapshot_id!r}")

    def with_activity(self, summary: Snapshot) -> Snapshot:
        """A snapshot of the history (a summary) with its Activity but not its gaps: what an
        "updated" goal reads of each snapshot (decoding the gaps was 60% of it)."""
        path = self._gaps_path(summary.id)
        data = read_locked(path, "snapshot-gaps")
        body = (data or {}).get(SNAPSHOTS, {}).get("1")
        found = activity_in(path, body.get("activity")) if isinstance(body, dict) else {}
        return dataclasses.replace(summary, activity=found)

    def snapshot_history(self) -> list[Snapshot]:
        """Every snapshot without its gaps (gaps=()), oldest first by time stamp (ties: in the
        order stored): what trends and "as of a date" read."""
        summaries = [summary_in(self._index_path, s) for s in self._summaries()]
        return sorted(summaries, key=lambda s: s.taken_at)  # stable: ties keep storage order

    def stored_snapshots(self) -> list[Snapshot]:
        """Every snapshot without its gaps, in the order stored (the last is the latest)."""
        return [summary_in(self._index_path, s) for s in self._summaries()]

    def drop_snapshot(self, snapshot_id: str) -> Snapshot:
        """Remove one snapshot from history and trends: its index entry first, then its gaps
        file, so a crash in between leaves only an unreferenced gaps file behind."""
        with locked(self._index_path, "snapshot-index", self._index_check) as db:
            table = db.table(SNAPSHOTS)
            doc = next((d for d in table.all() if d.get("id") == snapshot_id), None)
            if doc is None:
                raise ChaserError(f"no snapshot with id {snapshot_id!r} (see `chaser snapshots`)")
            dropped = summary_in(self._index_path, dict(doc))
            table.remove(doc_ids=[doc.doc_id])
        self._gaps_path(snapshot_id).unlink(missing_ok=True)
        store_runs.remove(self._gaps_path(snapshot_id))
        return dropped

    # -- key/value state ---------------------------------------------------------------------

    def get_meta(self, key: str, default: Any = None) -> Any:
        data = read_locked(self.root / "meta.json", "meta") or {}
        for doc in data.get(META, {}).values():
            if doc.get("key") == key:
                return doc.get("value")
        return default

    def set_meta(self, key: str, value: Any) -> None:
        """Store a JSON-able value (datetimes come back as ISO strings)."""
        if not isinstance(key, str):
            raise ValueError(f"meta keys are text, not {key!r}")
        try:
            orjson.dumps(value)  # refuse before taking the lock, not halfway through a write
        except TypeError as e:
            raise ValueError(f"meta {key!r}: value is not JSON-able: {e}") from None
        with locked(self.root / "meta.json", "meta") as db:
            db.table(META).upsert({"key": key, "value": value}, Query().key == key)

