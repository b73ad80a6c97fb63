"""The chase ledger: an append-only log of events, partitioned by writer and month, so a team
of admins can share one ledger through any synced folder (OneDrive, SharePoint, Dropbox,
Google Drive, Syncthing, a git repository) without a lock across machines: every file has
exactly one writer. Layout: chaser/ledger_files.py; event documents: chaser/ledger_docs.py.

Events (table "events" of a month file; the key is the event's number in that file):

    {"kind": "chase", "at", "person", "channel", "minutes", "outcome", "fields", "note",
     "by", "logged_at"[, "batch"]}                   a chase logged (id "ann-202611-17");
                                                     "batch": logged with others
    {"kind": "void", "chase": ID, "reason", "at"}     a chase voided
    {"kind": "unvoid", "chase": ID, "reason", "at"}   a void withdrawn
    {"kind": "note", "at", "person", "text", "by"}    a dated note about a person
    {"kind": "resolve", "at", "barrier", "person", "note", "by"}   a barrier removed

An event about a chase is kept in the acting writer's file of the *chase's* month, so the
events of one month, across writers, decide that month's chases: a period reads only its
months. Voiding another admin's chase writes a void into your own file. Kinds this chaser does
not know (a newer chaser's) are skipped, and counted; notes and resolutions are kept in the
file of the month they were written and never folded with the chases. Batches, many
voids at once and notes are written and read by chaser/ledger_events.py. Voids and
withdrawals fold in time order; a new one is always stamped after every change of that chase
its writer has seen, so a clock behind (or CHASER_NOW) never puts a withdrawal before the void
it withdraws.

Reading folds every writer's files. Your own files are held to the store's rules (locked,
checked, a corrupt one refused and kept); another writer's half-copied or unreadable file is
skipped with an issue naming whose chases of which month are left out (figures incomplete).
Each machine remembers (locally, never shared) how many events it has seen per writer and
month: a file that goes backwards (an older copy restored) is reported, and this writer's
numbers are never reused. A Ledger keeps what it read and folded, keyed by each file's stat:
the TUI and reports ask often, and an unchanged folder then costs a listing and some stats.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from operator import attrgetter
from pathlib import Path
from typing import Any

from chaser import clock, ledger_cache
from chaser.errors import ChaserError
from chaser.gctools import gc_paused
from chaser.ledger_docs import (
    EVENTS,
    LEDGER_ID,
    MonthFile,
    at_of,
    checker,
    encode_chase_event,
    read_event,
    read_file,
)
from chaser.ledger_files import (
    Scan,
    Writer,
    ensure_claim,
    installation_id,
    month_path,
    raise_marks,
    read_marks,
    scan,
    writer_id,
)
from chaser.model import Chase
from chaser.storage import locked, parse, read_locked
from chaser.store_docs import chase_month, iso

__all__ = ["LEDGER_ID", "Issue", "Ledger", "Writer", "installation_id", "writer_id"]

OLD_ID = re.compile(r"(\d{4})(0[1-9]|1[0-2])-([1-9]\d{0,9})")  # before the ledger: "202611-17"
INCOMPLETE_KINDS = frozenset({"unreadable", "backwards"})
TICK = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class Issue:
    kind: str  # unreadable | conflict | backwards | stray | claimed | unknown-kinds
    writer: str
    month: str
    text: str

    @property
    def incomplete(self) -> bool:
        return self.kind in INCOMPLETE_KINDS


@dataclass(slots=True)
class _Month:
    key: tuple  # (writer, stamp) of every file folded: the fold is reused while it holds
    chases: dict[str, Chase]
    ordered: list[Chase]  # by (time, writer, number)
    changed: dict[str, datetime]  # chase id -> time of its latest void or withdrawal


@dataclass(slots=True)
class Ledger:
    root: Path  # the (maybe shared) ledger folder
    writer: Writer
    installation: str  # this installation's id (chaser.ledger.installation_id)
    local: Path  # this machine's own folder for this ledger: locks and seen-marks
    issues: list[Issue] = field(default_factory=list)
    _files: dict[Path, MonthFile] = field(default_factory=dict)
    _months: dict[str, _Month] = field(default_factory=dict)
    _seen: dict[str, int] | None = None  # the seen-marks, read once per instance
    _rises: dict[str, int] = field(default_factory=dict)  # marks to raise: written once a call

    # ---- reading --------------------------------------------------------------------------
    def scan(self) -> Scan:
        return scan(self.root)

    def months(self) -> list[str]:
        found = self.scan()
        return sorted({m for w in found.writers.values() for m in w.months})

    @property
    def incomplete(self) -> bool:
        return any(i.incomplete for i in self.issues)

    def chases(self, since: datetime | None = None, until: datetime | None = None, *,
               include_voided: bool = True) -> list[Chase]:
        """Chases with since <= at < until, every writer's, sorted by (at, writer, number)."""
        for what, at in (("since", since), ("until", until)):
            if at is not None and (not isinstance(at, datetime) or at.utcoffset() is None):
                raise ValueError(f"{what} must be a timezone-aware datetime, not {at!r}")
        first = None if since is None else chase_month(since)
        last = None if until is None else chase_month(until - TICK)
        found = self._read()
        months = sorted({m for w in found.writers.values() for m in w.months
                         if (first is None or m >= first) and (last is None or m <= last)})
        out: list[Chase] = []
        # A chase's month is its UTC month, so months in order, each sorted, are in order.
        with gc_paused():
            for month in months:
                ordered = self._fold(found, month).ordered
                if since is None and until is None and include_voided:
                    out.extend(ordered)
                else:
                    out.extend(c for c in ordered if (since is None or c.at >= since)
                               and (until is None or c.at < until)
                               and (include_voided or not c.voided))
        self._flush()
        return out

    def get(self, chase_id: str) -> Chase:
        return self._find(chase_id)[0]

    def _find(self, chase_id: str) -> tuple[Chase, _Month]:
        wid, month, n = self._parse_id(chase_id)
        folded = self._fold(self._read(), month)
        self._flush()
        chase = folded.chases.get(f"{wid}-{month[:4]}{month[5:]}-{n}")
        if chase is None:
            raise ChaserError(f"no chase with id {chase_id!r}")
        return chase, folded

    def _read(self) -> Scan:
        """Scan the folder and note what a sync tool left; each month is folded on demand."""
        self.issues = []
        if self.root.exists() and not self.root.is_dir():
            raise ChaserError(f"cannot read the ledger folder {self.root}: a file of that name "
                              "is in the way (move it away)")
        found = self.scan()
        for stray in found.strays:
            self.issues.append(Issue("stray", "", "", f"{stray.name}/ in the ledger folder "
                                     "names no writer (a conflicted or renamed folder?): "
                                     "not counted"))
        for w in found.writers.values():
            for copy in w.copies:
                what = ("a second claim of the writer id (two installations, or a sync "
                        "conflict)" if copy.name.casefold().startswith("writer") else
                        "a copy a sync tool made of a ledger file")
                self.issues.append(Issue("conflict", w.id, copy.name[:7] if copy.name[:1]
                                         .isdigit() else "", f"{w.id}/{copy.name} looks like "
                                         f"{what}: not counted (the writer's own file is)"))
        return found

    def _fold(self, found: Scan, month: str) -> _Month:
        files = []
        for w in found.writers.values():
            path = w.months.get(month)
            f = None if path is None else self._file(w.id, month, path)
            if f is not None:
                files.append((w.id, f))
        key = tuple((wid, f.stamp) for wid, f in files)
        cached = self._months.get(month)
        if cached is not None and cached.key == key:
            return cached
        chases = {c.id: c for _, f in files for c in f.chases}
        changes = [change for _, f in files for change in f.changes]
        changed: dict[str, datetime] = {}
        for at, *_, doc in sorted(changes, key=lambda c: c[:3]):
            changed[doc["chase"]] = at
            c = chases.get(doc["chase"])
            if c is None:
                continue  # its writer's file is not here (yet): the change waits for it
            if doc["kind"] == "void" and not c.voided:
                chases[c.id] = replace(c, voided_at=at, void_reason=doc["reason"])
            elif doc["kind"] == "unvoid" and c.voided:
                chases[c.id] = replace(c, voided_at=None, void_reason=None)
        # In (time, writer, number) order: the dict holds them by writer (the scan lists the
        # folders by name) and number, and a stable sort by time keeps that among equal times.
        folded = _Month(key, chases, sorted(chases.values(), key=attrgetter("at")), changed)
        self._months[month] = folded
        return folded

    def _events(self, writer: str, month: str, path: Path) -> list[tuple[str, int, dict]]:
        f = self._file(writer, month, path)
        return [] if f is None else f.events

    def _file(self, writer: str, month: str, path: Path) -> MonthFile | None:
        try:
            st = path.stat()
        except OSError:
            return None  # replaced or removed since the listing
        # ctime too: a sync tool that rewrites a file in place and sets its mtime back keeps
        # the inode and maybe the size, but cannot set the ctime.
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino, st.st_ctime_ns)
        cached = self._files.get(path)
        if cached is None or cached.stamp != stamp:
            cached = self._load(writer, month, path, stamp)
            if cached is None:
                self._files.pop(path, None)
                return None
            self._files[path] = cached
        if cached.unknown:
            self.issues.append(Issue("unknown-kinds", writer, month, f"{writer}'s {month}: "
                                     f"{cached.unknown} event(s) of kinds this chaser does not "
                                     "know (written by a newer chaser): skipped"))
        self._check_marks(writer, month, cached)
        return cached

    def _load(self, writer: str, month: str, path: Path, stamp: tuple) -> MonthFile | None:
        decoded = ledger_cache.load(self.local / "decoded", writer, month, stamp)
        if decoded is not None:  # unchanged since this machine last checked it
            return decoded
        if writer == self.writer.id:  # held to the store's rules: a corrupt own file stops
            data = read_locked(path, "ledger", lock=self._lock(writer, month)) or {}
            f = read_file(path, writer, data, stamp)
            ledger_cache.save(self.local / "decoded", writer, month, f)
            return f
        try:
            f = read_file(path, writer, parse(path, path.read_bytes(), "ledger"), stamp)
            ledger_cache.save(self.local / "decoded", writer, month, f)
            return f
        except (ChaserError, OSError, ValueError) as e:
            why = str(e)
            m = re.search(r"corrupt data store \((.*)\); it was left", why)
            why = m[1] if m else why.split(": ", 1)[-1]
            self.issues.append(Issue("unreadable", writer, month,
                                     f"{writer}'s chases of {month} are left out: {path.name} "
                                     f"cannot be read ({why}); a sync may still be copying it"))
            return None

    # ---- seen-marks: going backwards ----------------------------------------------------
    def _check_marks(self, writer: str, month: str, f: MonthFile) -> None:
        key = f"{writer}/{month}"
        if self._seen is None:
            self._seen = read_marks(self._marks_path)
        seen = max(self._seen.get(key, 0), self._rises.get(key, 0))
        if f.top < seen:
            self.issues.append(Issue("backwards", writer, month,
                                     f"{writer}'s file of {month} went back from {seen} to "
                                     f"{f.top} events (an older copy restored?): the events "
                                     f"after {f.top} are missing until the newer copy returns"))
        elif f.top > seen:
            self._rises[key] = f.top

    def _flush(self) -> None:
        """Write the marks that rose during this call: one write, however many files rose (a
        first read of a big shared ledger raises hundreds), none when nothing did."""
        if self._rises:
            rises, self._rises = self._rises, {}
            self._seen = raise_marks(self._marks_path, rises)

    @property
    def _marks_path(self) -> Path:
        return self.local / "seen.json"

    # ---- writing --------------------------------------------------------------------------
    def _lock(self, writer: str, month: str) -> Path:
        return self.local / "locks" / f"{writer}-{month}.lock"

    def claim(self) -> None:
        """Make sure this installation owns its writer folder before writing into it."""
        ensure_claim(self.root, self.writer.id, self.installation, self.writer.name,
                     self.writer.email)

    def append(self, month: str, docs: list[dict], *, writer: str | None = None) -> list[int]:
        """Durably add events to this writer's file of `month` (or to `writer`'s, for the demo
        history, unclaimed); their numbers."""
        return self._append(month, lambda first: docs, writer)

    def _append(self, month: str, build: Callable[[int], list[dict]],
                writer: str | None = None) -> list[int]:
        """One locked read-modify-write of a month file: `build(first)` makes the events,
        numbered first, first + 1, ...; one atomic write, however many."""
        if writer is None:
            self.claim()
        wid = writer or self.writer.id
        path = month_path(self.root, wid, month)
        with locked(path, "ledger", checker(path, wid), lock=self._lock(wid, month)) as db:
            data = db.storage.read() or {}
            events = dict(data.get(EVENTS, {}))
            top = max((int(k) for k in events), default=0)
            # Never reuse a number this machine has seen, even if the file went back: another
            # machine may hold the newer copy, and an id must never name two chases.
            first = max(top, read_marks(self._marks_path).get(f"{wid}/{month}", 0)) + 1
            docs = build(first)
            if not docs:
                return []
            numbers = list(range(first, first + len(docs)))
            events.update((str(n), doc) for n, doc in zip(numbers, docs, strict=True))
            db.storage.write({**data, EVENTS: events})
        key = f"{wid}/{month}"
        self._rises[key] = max(numbers[-1], self._rises.get(key, 0))
        self._flush()
        return numbers

    def add_chase(self, **chase: Any) -> Chase:
        month, doc = encode_chase_event(chase, clock.now())
        (n,) = self._append(month, lambda first: [doc])
        path = month_path(self.root, self.writer.id, month)
        return read_event(path, month, self.writer.id, str(n), doc)[1]

    def add_chases(self, chases: Iterable[Mapping[str, Any]], writer: str | None = None) -> int:
        """Bulk add (demo history, imports): validated first, each month written once. A chase
        given with voided_at/void_reason gets its void event too (after the month's chases)."""
        now = clock.now()
        by_month: dict[str, list[tuple[dict, dict | None]]] = {}
        for i, d in enumerate(chases):
            try:
                month, doc = encode_chase_event(
                    {k: v for k, v in d.items() if k not in ("voided_at", "void_reason")}, now)
                void = None
                if d.get("voided_at") is not None or d.get("void_reason") is not None:
                    reason = d.get("void_reason")
                    if not isinstance(reason, str) or not reason.strip():
                        raise ValueError(f"a void needs a reason, not {reason!r}")
                    void = {"kind": "void", "reason": reason.strip(),
                            "at": iso(d.get("voided_at"), "voided_at")}
            except (ValueError, TypeError) as e:
                raise ValueError(f"chase #{i + 1}: {e}") from None
            by_month.setdefault(month, []).append((doc, void))
        wid = writer or self.writer.id
        for month, items in sorted(by_month.items()):
            tag = f"{month[:4]}{month[5:]}"

            def build(first: int, items=items, tag=tag) -> list[dict]:
                voids = [{**void, "chase": f"{wid}-{tag}-{first + i}"}
                         for i, (_, void) in enumerate(items) if void]
                return [doc for doc, _ in items] + voids
            self._append(month, build, writer)
        return sum(len(items) for items in by_month.values())

    def change(self, chase_id: str, kind: str, reason: str, at: datetime) -> Chase:
        """Void a chase, or withdraw its void: an event in this writer's own file."""
        if not isinstance(reason, str) or not reason.strip():
            raise ValueError(f"{'a void' if kind == 'void' else 'withdrawing a void'} needs a "
                             "reason")
        when = at_of(iso(at, "at"))
        old, folded = self._find(chase_id)
        if kind == "void" and old.voided:
            raise ChaserError(f"chase {old.id} is already voided ({old.voided_at:%Y-%m-%d %H:%M} "
                              f"UTC: {old.void_reason}); `chaser chases unvoid` withdraws it")
        if kind == "unvoid" and not old.voided:
            raise ChaserError(f"chase {old.id} is not voided")
        # After every change of this chase seen here, whatever the clock says: the fold goes
        # by time, and this event is meant to undo what was seen.
        seen = folded.changed.get(old.id)
        if seen is not None and when <= seen:
            when = seen + TICK
        self._append(chase_month(old.at), lambda first: [
            {"kind": kind, "chase": old.id, "reason": reason.strip(), "at": when.isoformat()}])
        if kind == "void":
            return replace(old, voided_at=when, void_reason=reason.strip())
        return replace(old, voided_at=None, void_reason=None)

    def _parse_id(self, chase_id: str) -> tuple[str, str, str]:
        text = chase_id if isinstance(chase_id, str) else ""
        m = LEDGER_ID.fullmatch(text)
        if m is not None:
            return m[1], f"{m[2]}-{m[3]}", m[4]
        m = OLD_ID.fullmatch(text)
        if m is not None:  # migrated ids live on in this installation's own folder
            return self.writer.id, f"{m[1]}-{m[2]}", m[3]
        raise ChaserError(f"no chase with id {chase_id!r} (ids look like "
                          f"{self.writer.id}-202611-17)")
