"""The chase ledger: an append-only log of events, partitioned by writer and month, so a team
of admins can share one ledger through any synced folder (OneDrive, SharePoint, Dropbox,
Google Drive, Syncthing, a git repository) without a lock across machines: every file has
exactly one writer. Layout: chaser/ledger_files.py.

Events (table "events" of a month file; the TinyDB document id is the event's number):

    {"kind": "chase", "at", "person", "channel", "minutes", "outcome", "fields", "note",
     "by", "logged_at"}                              a chase logged (id "ann-202611-17")
    {"kind": "void", "chase": ID, "reason", "at"}     a chase voided
    {"kind": "unvoid", "chase": ID, "reason", "at"}   a void withdrawn

An event about a chase is kept in the acting writer's file of the *chase's* month, so the
events of one month, across writers, decide that month's chases: a period reads only its
months. Voiding another admin's chase writes a void into your own file. Kinds this chaser does
not know (later versions add notes, barrier resolutions) are skipped, and counted.

Reading folds every writer's files. Your own files are held to the store's rules (locked,
checked, a corrupt one refused and kept); another writer's file that is half-copied or
unreadable is skipped with an issue naming whose chases of which month are left out, and the
figures are marked incomplete. Each machine remembers (in its local folder, never shared) how
many events it has seen per writer and month: a file that goes backwards (an older copy
restored) is reported, and this writer's numbers are never reused.
"""

from __future__ import annotations

import getpass
import platform
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tinydb.table import Document

from chaser import clock
from chaser.errors import ChaserError
from chaser.ledger_docs import EVENTS, decode_event, encode_chase_event
from chaser.ledger_files import CLAIM, WRITER_ID, Scan, month_path, scan
from chaser.model import Chase
from chaser.storage import corrupt, locked, parse, read_locked
from chaser.store_docs import chase_month, iso

LEDGER_ID = re.compile(r"([a-z0-9][a-z0-9_-]{0,31})-(\d{4})(0[1-9]|1[0-2])-([1-9]\d{0,9})")
OLD_ID = re.compile(r"(\d{4})(0[1-9]|1[0-2])-([1-9]\d{0,9})")  # before the ledger: "202611-17"
INCOMPLETE_KINDS = frozenset({"unreadable", "backwards"})


@dataclass(frozen=True, slots=True)
class Writer:
    id: str
    name: str = ""
    email: str = ""
    defaulted: bool = False  # the id was not configured: the OS user's name

    @classmethod
    def from_os(cls, name: str = "", email: str = "") -> Writer:
        try:
            user = getpass.getuser()
        except Exception:  # no login name in some containers
            user = "admin"
        return cls(writer_id(user), name or user, email, defaulted=True)


def writer_id(name: str) -> str:
    """A writer id made from a name ("Priya Shah" -> "priya-shah"): the OS user's, by default."""
    wid = re.sub(r"[^a-z0-9_-]+", "-", name.casefold()).strip("-_")[:32].strip("-_")
    return wid if WRITER_ID.fullmatch(wid) else "admin"


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
class _File:
    stamp: tuple
    events: list[tuple[str, int, dict]]  # (writer, number, document)
    unknown: int = 0


@dataclass(slots=True)
class Ledger:
    root: Path  # the (maybe shared) ledger folder
    writer: Writer
    installation: str  # this installation's id (chaser.ledger.installation_id)
    local: Path  # this machine's own folder for this ledger: locks and seen-marks
    issues: list[Issue] = field(default_factory=list)
    _files: dict[Path, _File] = field(default_factory=dict)
    _seen: dict[str, int] | None = None  # the seen-marks, read once per instance

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
        first = None if since is None else chase_month(since)
        last = None if until is None else chase_month(until - timedelta(microseconds=1))
        found = self._read()
        months = sorted({m for w in found.writers.values() for m in w.months
                         if (first is None or m >= first) and (last is None or m <= last)})
        out: list[Chase] = []
        for month in months:
            out.extend(c for c in self._fold(found, month).values()
                       if (since is None or c.at >= since) and (until is None or c.at < until)
                       and (include_voided or not c.voided))
        out.sort(key=_order)
        return out

    def get(self, chase_id: str) -> Chase:
        wid, month, _ = self._parse_id(chase_id)
        chase = self._fold(self._read(), month).get(f"{wid}-{month[:4]}{month[5:]}-{_}")
        if chase is None:
            raise ChaserError(f"no chase with id {chase_id!r}")
        return chase

    def _read(self) -> Scan:
        """Scan the folder and note what a sync tool left; each month is folded on demand."""
        self.issues = []
        found = self.scan()
        for stray in found.strays:
            self.issues.append(Issue("stray", "", "", f"{stray.name}/ in the ledger folder "
                                     "names no writer (a conflicted or renamed folder?): "
                                     "not counted"))
        for w in found.writers.values():
            for copy in w.copies:
                self.issues.append(Issue("conflict", w.id, "", f"{w.id}/{copy.name} looks like "
                                         "a copy a sync tool made of a ledger file: not "
                                         "counted (the writer's own file is)"))
        return found

    def _fold(self, found: Scan, month: str) -> dict[str, Chase]:
        chases: dict[str, Chase] = {}
        changes: list[tuple[str, str, int, dict]] = []  # (at, writer, n, doc)
        tag = f"{month[:4]}{month[5:]}"
        for w in found.writers.values():
            path = w.months.get(month)
            if path is None:
                continue
            for writer, n, doc in self._events(w.id, month, path):
                if doc["kind"] == "chase":
                    cid = f"{writer}-{tag}-{n}"
                    chases[cid] = _chase(cid, writer, doc)
                elif doc["kind"] in ("void", "unvoid"):
                    changes.append((doc["at"], writer, n, doc))
        for *_, doc in sorted(changes, key=lambda c: (c[0], c[1], c[2])):
            c = chases.get(doc["chase"])
            if c is None:
                continue  # its writer's file is not here (yet): the void waits for it
            if doc["kind"] == "void" and not c.voided:
                chases[c.id] = _replace(c, voided_at=_at(doc["at"]), void_reason=doc["reason"])
            elif doc["kind"] == "unvoid" and c.voided:
                chases[c.id] = _replace(c, voided_at=None, void_reason=None)
        return chases

    def _events(self, writer: str, month: str, path: Path) -> list[tuple[str, int, dict]]:
        own = writer == self.writer.id
        try:
            st = path.stat()
        except OSError:
            return []
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        cached = self._files.get(path)
        if cached is None or cached.stamp != stamp:
            cached = self._load(writer, month, path, stamp, own)
            if cached is None:
                return []
            self._files[path] = cached
        if cached.unknown:
            self.issues.append(Issue("unknown-kinds", writer, month, f"{writer}'s {month}: "
                                     f"{cached.unknown} event(s) of kinds this chaser does not "
                                     "know (written by a newer chaser): skipped"))
        self._check_marks(writer, month, cached)
        return cached.events

    def _load(self, writer, month, path, stamp, own) -> _File | None:
        if own:  # held to the store's rules: a corrupt own file stops chaser, untouched
            data = read_locked(path, "ledger", lock=self._lock(month)) or {}
            return _decoded(path, writer, data, strict=True, stamp=stamp)
        try:
            data = parse(path, path.read_bytes(), "ledger")
            return _decoded(path, writer, data, strict=False, stamp=stamp)
        except (ChaserError, OSError, ValueError) as e:
            why = str(e)
            m = re.search(r"corrupt data store \((.*)\); it was left", why)
            why = m[1] if m else why.split(": ", 1)[-1]
            self.issues.append(Issue("unreadable", writer, month,
                                     f"{writer}'s chases of {month} are left out: {path.name} "
                                     f"cannot be read ({why}); a sync may still be copying it"))
            return None

    # ---- seen-marks: going backwards ----------------------------------------------------
    def _marks(self) -> dict[str, int]:
        data = read_locked(self.local / "seen.json", "meta") or {}
        doc = data.get("marks", {}).get("1", {})
        return {k: v for k, v in doc.items() if isinstance(v, int)}

    def _check_marks(self, writer: str, month: str, f: _File) -> None:
        top = max((n for _, n, _ in f.events), default=0)
        seen = self._seen_cache().get(f"{writer}/{month}", 0)
        if top < seen:
            self.issues.append(Issue("backwards", writer, month,
                                     f"{writer}'s file of {month} went back from {seen} to {top} "
                                     "events (an older copy restored?): the events after "
                                     f"{top} are missing until the newer copy returns"))
        elif top > seen:
            self._raise_mark(writer, month, top)

    def _seen_cache(self) -> dict[str, int]:
        if self._seen is None:
            self._seen = self._marks()
        return self._seen

    def _raise_mark(self, writer: str, month: str, n: int) -> None:
        key = f"{writer}/{month}"
        with locked(self.local / "seen.json", "meta") as db:
            table = db.table("marks")
            doc = dict(table.get(doc_id=1) or {})
            if doc.get(key, 0) < n:
                doc[key] = n
                table.upsert(Document(doc, doc_id=1))
        self._seen_cache()[key] = max(n, self._seen_cache().get(key, 0))

    # ---- writing --------------------------------------------------------------------------
    def _lock(self, month: str) -> Path:
        return self.local / "locks" / f"{self.writer.id}-{month}.lock"

    def claim(self) -> None:
        """Make sure this installation owns its writer folder before writing into it."""
        folder = self.root / self.writer.id
        path = folder / CLAIM
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raw = None
        except OSError as e:
            raise ChaserError(f"cannot read {path}: {e.strerror or e}") from None
        if raw is not None:
            data = parse(path, raw, "ledger-writer")
            doc = data.get("writer", {}).get("1", {})
            if doc.get("installation") != self.installation:
                host = doc.get("host") or "another machine"
                raise ChaserError(
                    f"writer id {self.writer.id!r} in {self.root} belongs to another chaser "
                    f"installation (on {host}, since {str(doc.get('created', '?'))[:10]}); two "
                    "installations never share a writer: set another [admin] id in chaser.toml")
            return
        with locked(path, "ledger-writer", lock=self.local / "locks" / "writer.lock") as db:
            table = db.table("writer")
            if table.get(doc_id=1) is None:
                table.insert(Document({
                    "writer": self.writer.id, "installation": self.installation,
                    "host": platform.node(), "name": self.writer.name,
                    "email": self.writer.email, "created": clock.now().isoformat()}, doc_id=1))
            elif table.get(doc_id=1).get("installation") != self.installation:
                raise ChaserError(f"writer id {self.writer.id!r} was just claimed by another "
                                  "installation: set another [admin] id in chaser.toml")

    def append(self, month: str, docs: list[dict], *, writer: str | None = None,
               installation: str | None = None) -> list[int]:
        """Durably add events to this writer's file of `month`; their numbers."""
        if writer is None:
            self.claim()
        wid = writer or self.writer.id
        path = month_path(self.root, wid, month)
        lock = self.local / "locks" / f"{wid}-{month}.lock"
        with locked(path, "ledger", check=_checker(path, wid), lock=lock) as db:
            table = db.table(EVENTS)
            top = max((int(k) for k in (db.storage.read() or {}).get(EVENTS, {})), default=0)
            # Never reuse a number this machine has seen, even if the file went back.
            n = max(top, self._marks().get(f"{wid}/{month}", 0))
            numbers = []
            for doc in docs:
                n += 1
                table.insert(Document(doc, doc_id=n))
                numbers.append(n)
        self._raise_mark(wid, month, n)
        return numbers

    def add_chase(self, **chase: Any) -> Chase:
        month, doc = encode_chase_event(chase, clock.now())
        (n,) = self.append(month, [doc])
        cid = f"{self.writer.id}-{month[:4]}{month[5:]}-{n}"
        return _chase(cid, self.writer.id, doc)

    def add_chases(self, chases: Iterable[Mapping[str, Any]], writer: str | None = None) -> int:
        """Bulk add (demo history): validated first, each month written once. A chase given
        with voided_at/void_reason gets its void event too."""
        now = clock.now()
        by_month: dict[str, list[tuple[dict, dict | None]]] = {}
        for i, d in enumerate(chases):
            try:
                month, doc = encode_chase_event(
                    {k: v for k, v in d.items() if k not in ("voided_at", "void_reason")}, now)
                void = None if d.get("voided_at") is None else {
                    "kind": "void", "reason": str(d["void_reason"]),
                    "at": iso(d["voided_at"], "voided_at")}
            except (ValueError, TypeError) as e:
                raise ValueError(f"chase #{i + 1}: {e}") from None
            by_month.setdefault(month, []).append((doc, void))
        wid = writer or self.writer.id
        total = 0
        for month, items in sorted(by_month.items()):
            numbers = self.append(month, [doc for doc, _ in items], writer=writer)
            tag = f"{month[:4]}{month[5:]}"
            voids = [{**void, "chase": f"{wid}-{tag}-{n}"}
                     for (_, void), n in zip(items, numbers, strict=True) if void]
            if voids:
                self.append(month, voids, writer=writer)
            total += len(items)
        return total

    def change(self, chase_id: str, kind: str, reason: str, at: datetime) -> Chase:
        """Void a chase, or withdraw its void: an event in this writer's own file."""
        if not isinstance(reason, str) or not reason.strip():
            raise ValueError(f"{'a void' if kind == 'void' else 'withdrawing a void'} needs a "
                             "reason")
        old = self.get(chase_id)
        if kind == "void" and old.voided:
            raise ChaserError(f"chase {old.id} is already voided ({old.voided_at:%Y-%m-%d %H:%M} "
                              f"UTC: {old.void_reason}); `chaser chases unvoid` withdraws it")
        if kind == "unvoid" and not old.voided:
            raise ChaserError(f"chase {old.id} is not voided")
        when = iso(at, "at")
        self.append(chase_month(old.at), [{"kind": kind, "chase": old.id,
                                           "reason": reason.strip(), "at": when}])
        if kind == "void":
            return _replace(old, voided_at=_at(when), void_reason=reason.strip())
        return _replace(old, voided_at=None, void_reason=None)

    def _parse_id(self, chase_id: str) -> tuple[str, str, str]:
        text = chase_id.strip() if isinstance(chase_id, str) else ""
        m = LEDGER_ID.fullmatch(text)
        if m is not None:
            return m[1], f"{m[2]}-{m[3]}", m[4]
        m = OLD_ID.fullmatch(text)
        if m is not None:  # migrated ids live on in this installation's own folder
            return self.writer.id, f"{m[1]}-{m[2]}", m[3]
        raise ChaserError(f"no chase with id {chase_id!r} (ids look like "
                          f"{self.writer.id}-202611-17)")


def _decoded(path: Path, writer: str, data: dict, *, strict: bool, stamp: tuple) -> _File:
    events, unknown = [], 0
    month = path.stem
    for key, doc in data.get(EVENTS, {}).items():
        event = decode_event(path, month, writer, key, doc)
        if event is None:
            unknown += 1
            continue
        events.append((writer, int(key), event))
    events.sort(key=lambda e: e[1])
    return _File(stamp, events, unknown)


def _checker(path: Path, writer: str):
    """Before a write: every event of the file must decode (storage.locked refuses else)."""
    def check(data: dict) -> None:
        for key, doc in data.get(EVENTS, {}).items():
            decode_event(path, path.stem, writer, key, doc)
    return check


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def _chase(cid: str, writer: str, doc: dict) -> Chase:
    from chaser.model import Channel, Outcome

    return Chase(id=cid, at=_at(doc["at"]), person=doc["person"], channel=Channel(doc["channel"]),
                 minutes=doc["minutes"], outcome=Outcome(doc["outcome"]),
                 fields=tuple(doc["fields"]), note=doc["note"], by=doc["by"] or writer,
                 logged_at=_at(doc["logged_at"]), writer=writer)


def _replace(c: Chase, **changes) -> Chase:
    from dataclasses import replace

    return replace(c, **changes)


def _order(c: Chase) -> tuple:
    m = LEDGER_ID.fullmatch(c.id)
    return (c.at, c.writer, m[2] + m[3] if m else "", int(m[4]) if m else 0)


def installation_id(folder: Path) -> str:
    """This installation's id, made once (under a lock, so two first runs agree)."""
    path = folder / "installation.json"
    data = read_locked(path, "meta")
    doc = (data or {}).get("installation", {}).get("1")
    if isinstance(doc, dict) and isinstance(doc.get("id"), str):
        return doc["id"]
    with locked(path, "meta") as db:
        table = db.table("installation")
        doc = table.get(doc_id=1)
        if doc is None:
            doc = {"id": secrets.token_hex(6), "host": platform.node(),
                   "created": clock.now().isoformat()}
            table.insert(Document(doc, doc_id=1))
        if not isinstance(doc.get("id"), str):
            raise corrupt(path, "no installation id")
        return doc["id"]
