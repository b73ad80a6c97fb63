"""The domain store of one source: the chase log, snapshots and a little key/value state.

Layout under the source's data folder (every folder 0700, every file 0600):

    chases/YYYY-MM.json    the chase log, one file per UTC month of the chase: precious
    snapshots/index.json   one summary per snapshot (everything but the gaps): for trends
    snapshots/<id>.json    the gaps of one snapshot, as compact rows: derived, re-syncable
    meta.json              sync bookmarks, flags

Why months: a durable write rewrites a whole file, so the file must stay small however many
years of chases there are. A chase id names its month ("202611-17" = November 2026, TinyDB
document 17), so voiding or fetching a chase opens one file only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
from tinydb import Query

from chaser import clock
from chaser.errors import ChaserError
from chaser.model import Channel, Chase, Gap, Outcome, Person, Snapshot, Tally
from chaser.storage import corrupt, ensure_dir, locked, read_locked, write_locked

MAX_MINUTES = 600
CHASES, SNAPSHOTS, META = "chases", "snapshots", "meta"  # table names inside the files
_PARTITION = re.compile(r"(\d{4})-(0[1-9]|1[0-2])\.json")
_CHASE_ID = re.compile(r"(\d{4})(0[1-9]|1[0-2])-([1-9]\d{0,9})")
_SNAPSHOT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
_CHASE_KEYS = frozenset({"at", "person", "channel", "minutes", "outcome", "fields", "note", "by",
                         "logged_at", "voided_at", "void_reason"})
GAP_COLUMNS = ("object", "record_id", "record_name", "owner", "missing", "modified", "url")


def _iso(at: datetime, what: str) -> str:
    if not isinstance(at, datetime) or at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{what} must be a timezone-aware datetime, not {at!r}")
    return at.astimezone(UTC).isoformat()


def _dt(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text).astimezone(UTC)


def chase_month(at: datetime) -> str:
    """The month file ("2026-11") a chase at `at` is kept in: its UTC month."""
    return at.astimezone(UTC).strftime("%Y-%m")


def _encode_chase(d: Mapping[str, Any], now: datetime) -> tuple[str, dict]:
    """Validate one chase given as keyword values; return (partition, TinyDB document)."""
    unknown = set(d) - _CHASE_KEYS
    if unknown:
        raise ValueError(f"unknown chase field(s): {', '.join(sorted(unknown))}")
    person, minutes = d.get("person"), d.get("minutes")
    if not isinstance(person, str) or not person.strip():
        raise ValueError(f"a chase needs a person, not {person!r}")
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= MAX_MINUTES:
        raise ValueError(f"minutes must be a whole number from 1 to {MAX_MINUTES}, not {minutes!r}")
    fields = d.get("fields", ())
    if isinstance(fields, str) or not all(isinstance(f, str) for f in fields):
        raise ValueError(f"fields must be a sequence of field names, not {fields!r}")
    note, by, reason = d.get("note", ""), d.get("by", ""), d.get("void_reason")
    if not isinstance(note, str) or not isinstance(by, str):
        raise ValueError("note and by must be text")
    voided_at = d.get("voided_at")
    if (voided_at is None) != (reason is None) or (reason is not None and not isinstance(reason, str)):
        raise ValueError("voided_at and void_reason go together")
    at = d.get("at")
    logged_at = d.get("logged_at") or now
    doc = {
        "at": _iso(at, "at"),
        "person": person,
        "channel": Channel(d.get("channel")).value,
        "minutes": minutes,
        "outcome": Outcome(d.get("outcome")).value,
        "fields": list(fields),
        "note": note,
        "by": by,
        "logged_at": _iso(logged_at, "logged_at"),
        "voided_at": None if voided_at is None else _iso(voided_at, "voided_at"),
        "void_reason": reason,
    }
    return chase_month(at), doc


def _chase_id(part: str, n: int | str) -> str:
    return f"{part[:4]}{part[5:]}-{n}"


def _decode_chase(path: Path, part: str, n: str | int, doc: Mapping) -> Chase:
    try:
        return Chase(
            id=_chase_id(part, n),
            at=_dt(doc["at"]),
            person=doc["person"],
            channel=Channel(doc["channel"]),
            minutes=doc["minutes"],
            outcome=Outcome(doc["outcome"]),
            fields=tuple(doc["fields"]),
            note=doc["note"],
            by=doc["by"],
            logged_at=_dt(doc["logged_at"]),
            voided_at=_dt(doc["voided_at"]),
            void_reason=doc["void_reason"],
        )
    except (KeyError, TypeError, ValueError) as e:
        raise corrupt(path, f"chase {_chase_id(part, n)} is malformed: {e!r}") from None


def _tally_out(t: Tally) -> list:
    return [t.records, t.records_with_gaps, t.missing_fields, dict(t.by_field)]


def _tally_in(row: list) -> Tally:
    records, with_gaps, missing, by_field = row
    return Tally(records, with_gaps, missing, dict(by_field))


def _summary_out(s: Snapshot) -> dict:
    return {
        "id": s.id,
        "taken_at": _iso(s.taken_at, "taken_at"),
        "source": s.source,
        "people": [[p.key, p.name, p.team, p.manager, p.email, p.active] for p in s.people],
        "tallies": {k: _tally_out(t) for k, t in s.tallies.items()},
        "buckets": {k: _tally_out(t) for k, t in s.buckets.items()},
        "objects": dict(s.objects),
        "gap_count": len(s.gaps),
    }


def _summary_in(path: Path, doc: Mapping, gaps: tuple[Gap, ...] = ()) -> Snapshot:
    try:
        return Snapshot(
            id=doc["id"],
            taken_at=_dt(doc["taken_at"]),
            source=doc["source"],
            people=tuple(Person(k, n, t, m, e, a) for k, n, t, m, e, a in doc["people"]),
            tallies={k: _tally_in(v) for k, v in doc["tallies"].items()},
            buckets={k: _tally_in(v) for k, v in doc["buckets"].items()},
            objects=dict(doc["objects"]),
            gaps=gaps,
        )
    except (KeyError, TypeError, ValueError) as e:
        raise corrupt(path, f"snapshot summary is malformed: {e!r}") from None


class Store:
    """Persistence for one source's data folder. Cheap to make (it only creates the folder);
    every call opens, locks and re-reads the files it needs, so any number of Store instances
    and processes may share a folder."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        ensure_dir(self.root)

    # -- paths -------------------------------------------------------------------------------

    def _partition_path(self, part: str) -> Path:
        return self.root / "chases" / f"{part}.json"

    @property
    def _index_path(self) -> Path:
        return self.root / "snapshots" / "index.json"

    def _gaps_path(self, snapshot_id: str) -> Path:
        if not isinstance(snapshot_id, str) or not _SNAPSHOT_ID.fullmatch(snapshot_id) \
                or snapshot_id == "index":
            raise ValueError(f"snapshot id {snapshot_id!r} is not a safe file name")
        return self.root / "snapshots" / f"{snapshot_id}.json"

    def chase_months(self) -> list[str]:
        """The months ("2026-11") that have a chase file, oldest first."""
        return self._partitions()

    def _partitions(self) -> list[str]:
        folder = self.root / "chases"
        if not folder.is_dir():
            return []
        return sorted(p.name[:7] for p in folder.iterdir() if _PARTITION.fullmatch(p.name))

    # -- chase log ---------------------------------------------------------------------------

    def add_chase(self, *, at: datetime, person: str, channel: Channel, minutes: int,
                  outcome: Outcome, fields: tuple[str, ...] = (), note: str = "", by: str = "",
                  logged_at: datetime | None = None) -> Chase:
        """Log one chase; it is on disk (fsynced) when this returns."""
        part, doc = _encode_chase(
            {"at": at, "person": person, "channel": channel, "minutes": minutes,
             "outcome": outcome, "fields": fields, "note": note, "by": by,
             "logged_at": logged_at}, clock.now())
        path = self._partition_path(part)
        with locked(path, "chases") as db:
            n = db.table(CHASES).insert(doc)
        return _decode_chase(path, part, n, doc)

    def add_chases(self, chases: Iterable[Mapping[str, Any]]) -> int:
        """Bulk insert (demo history, imports): everything is validated first, then each month
        is written once. Keys as add_chase's arguments, plus voided_at/void_reason."""
        now = clock.now()
        by_part: dict[str, list[dict]] = {}
        for i, d in enumerate(chases):
            try:
                part, doc = _encode_chase(d, now)
            except ValueError as e:
                raise ValueError(f"chase #{i + 1}: {e}") from None
            by_part.setdefault(part, []).append(doc)
        for part, docs in sorted(by_part.items()):
            with locked(self._partition_path(part), "chases") as db:
                db.table(CHASES).insert_multiple(docs)
        return sum(len(docs) for docs in by_part.values())

    def _read_partition(self, part: str) -> list[Chase]:
        path = self._partition_path(part)
        data = read_locked(path, "chases") or {}
        return [_decode_chase(path, part, n, doc) for n, doc in data.get(CHASES, {}).items()]

    def chases(self, since: datetime | None = None, until: datetime | None = None, *,
               include_voided: bool = True) -> list[Chase]:
        """Chases with since <= at < until, sorted by (at, id); reads only the months needed."""
        first = None if since is None else chase_month(_require_aware(since, "since"))
        # `until` is exclusive: a chase at exactly 1 Dec 00:00 is not in [.., 1 Dec).
        last = None if until is None else chase_month(_require_aware(until, "until")
                                                      - timedelta(microseconds=1))
        found: list[Chase] = []
        for part in self._partitions():
            if (first is not None and part < first) or (last is not None and part > last):
                continue
            found.extend(c for c in self._read_partition(part)
                         if (since is None or c.at >= since) and (until is None or c.at < until)
                         and (include_voided or not c.voided))
        found.sort(key=lambda c: (c.at, c.id[:6], int(c.id[7:])))
        return found

    def _locate(self, chase_id: str) -> tuple[str, int, Path]:
        m = _CHASE_ID.fullmatch(chase_id) if isinstance(chase_id, str) else None
        if m is None:
            raise ChaserError(f"no chase with id {chase_id!r}")
        part = f"{m[1]}-{m[2]}"
        return part, int(m[3]), self._partition_path(part)

    def get_chase(self, chase_id: str) -> Chase:
        part, n, path = self._locate(chase_id)
        doc = (read_locked(path, "chases") or {}).get(CHASES, {}).get(str(n))
        if doc is None:
            raise ChaserError(f"no chase with id {chase_id!r}")
        return _decode_chase(path, part, n, doc)

    def void_chase(self, chase_id: str, reason: str, at: datetime | None = None) -> Chase:
        """Mark a chase void; the record stays, so the log can always be audited."""
        if not isinstance(reason, str) or not reason.strip():
            raise ValueError("a void needs a reason")
        when = _iso(at or clock.now(), "at")
        part, n, path = self._locate(chase_id)
        if not path.exists():
            raise ChaserError(f"no chase with id {chase_id!r}")
        with locked(path, "chases") as db:
            table = db.table(CHASES)
            doc = table.get(doc_id=n)
            if doc is None:
                raise ChaserError(f"no chase with id {chase_id!r}")
            old = _decode_chase(path, part, n, doc)
            if old.voided:
                raise ChaserError(
                    f"chase {chase_id} is already voided "
                    f"({old.voided_at:%Y-%m-%d %H:%M} UTC: {old.void_reason})")
            table.update({"voided_at": when, "void_reason": reason}, doc_ids=[n])
            return _decode_chase(path, part, n, {**doc, "voided_at": when, "void_reason": reason})

    # -- snapshots ---------------------------------------------------------------------------

    def save_snapshot(self, snapshot: Snapshot) -> None:
        """Gaps first, index last: a crash in between leaves the previous snapshot current and
        only an unreferenced gaps file behind."""
        gaps_path = self._gaps_path(snapshot.id)
        summary = _summary_out(snapshot)  # validates taken_at before anything is written
        rows = [[g.object, g.record_id, g.record_name, g.owner, list(g.missing), g.modified, g.url]
                for g in snapshot.gaps]
        write_locked(gaps_path, "snapshot-gaps", {SNAPSHOTS: {"1": {
            "id": snapshot.id, "columns": list(GAP_COLUMNS), "rows": rows}}})
        with locked(self._index_path, "snapshot-index") as db:
            db.table(SNAPSHOTS).upsert(summary, Query().id == snapshot.id)

    def _summaries(self) -> list[dict]:
        """Index documents, oldest first (ties in taken_at: in the order saved)."""
        data = read_locked(self._index_path, "snapshot-index") or {}
        docs = list(data.get(SNAPSHOTS, {}).items())
        try:
            if not all(isinstance(doc["id"], str) for _, doc in docs):
                raise ValueError("a snapshot id is not text")
            docs.sort(key=lambda kv: (_dt(kv[1]["taken_at"]), int(kv[0])))
        except (KeyError, TypeError, ValueError) as e:
            raise corrupt(self._index_path, f"snapshot summary is malformed: {e!r}") from None
        return [doc for _, doc in docs]

    def _with_gaps(self, summary: dict) -> Snapshot:
        path = self._gaps_path(summary["id"])
        data = read_locked(path, "snapshot-gaps")
        if data is None:
            raise ChaserError(f"{path}: the gaps of snapshot {summary['id']} are missing; "
                              "sync again to take a new snapshot")
        try:
            body = data[SNAPSHOTS]["1"]
            if body["id"] != summary["id"] or tuple(body["columns"]) != GAP_COLUMNS:
                raise ValueError(f"holds snapshot {body['id']!r} with columns {body['columns']}")
            gaps = tuple(Gap(o, r, n, w, tuple(m), mod, u) for o, r, n, w, m, mod, u in body["rows"])
        except (KeyError, TypeError, ValueError) as e:
            raise corrupt(path, f"bad gap list: {e}") from None
        return _summary_in(self._index_path, summary, gaps)

    def latest_snapshot(self) -> Snapshot | None:
        summaries = self._summaries()
        return self._with_gaps(summaries[-1]) if summaries else None

    def load_snapshot(self, snapshot_id: str) -> Snapshot:
        for summary in self._summaries():
            if summary["id"] == snapshot_id:
                return self._with_gaps(summary)
        raise ChaserError(f"no snapshot with id {snapshot_id!r}")

    def snapshot_history(self) -> list[Snapshot]:
        """Every snapshot without its gaps (gaps=()), oldest first: cheap enough for trends."""
        return [_summary_in(self._index_path, s) for s in self._summaries()]

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


def _require_aware(at: datetime, what: str) -> datetime:
    _iso(at, what)
    return at
