"""The ledger's event documents, checked on the way in and out (as store_docs does for the
rest of the store): a document that does not decode exactly is refused, naming the file.

Kinds: "chase" (with an optional "batch": the id of the first chase of chases logged together,
chaser.bulk; a chase logged alone has none, so files without batches read as before), "void"
and "unvoid" (of a chase), and "note" (a dated note about a person: {"kind": "note", "at",
"person", "text", "by"}, kept in the file of the month it was written), and "resolve" (a
barrier removed: {"kind": "resolve", "at", "barrier", "person", "note", "by"}, where
"barrier" is the id of the chase that opened it, chaser.barrier_register; kept, like a note,
in the file of the month it was written, as a barrier may be of any month). A chaser older
than a kind skips it and says so (Issue "unknown-kinds"), so new kinds never make a file
unreadable."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from chaser.model import Channel, Chase, Note, Outcome
from chaser.storage import corrupt
from chaser.store_docs import MAX_MINUTES, chase_month, iso, moment

EVENTS = "events"
# A chase id names its writer, its month and its number in that writer's file of the month.
LEDGER_ID = re.compile(r"([a-z0-9][a-z0-9_-]{0,31})-(\d{4})(0[1-9]|1[0-2])-([1-9]\d{0,9})")
CHASE_KEYS = frozenset({"kind", "at", "person", "channel", "minutes", "outcome", "fields",
                        "note", "by", "logged_at"})
BATCH_KEYS = CHASE_KEYS | {"batch"}  # a chase of a batch: the one optional field
CHANGE_KEYS = frozenset({"kind", "chase", "reason", "at"})
NOTE_KEYS = frozenset({"kind", "at", "person", "text", "by"})
RESOLVE_KEYS = frozenset({"kind", "at", "barrier", "person", "note", "by"})
KNOWN = {"chase": CHASE_KEYS, "void": CHANGE_KEYS, "unvoid": CHANGE_KEYS, "note": NOTE_KEYS,
         "resolve": RESOLVE_KEYS}
MAX_NOTE = 2000  # characters: a note is a line or two, never a document
CHANNELS = {c.value: c for c in Channel}  # a dict look-up, not Channel(...): read per event
OUTCOMES = {o.value: o for o in Outcome}


def encode_chase_event(d: Mapping[str, Any], now: datetime) -> tuple[str, dict]:
    """Validate one chase given as keyword values; return (month, event document)."""
    unknown = set(d) - (BATCH_KEYS - {"kind"})
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
    note, by = d.get("note", ""), d.get("by", "")
    if not isinstance(note, str) or not isinstance(by, str):
        raise ValueError("note and by must be text")
    at = d.get("at")
    doc = {"kind": "chase", "at": iso(at, "at"), "person": person,
           "channel": Channel(d.get("channel")).value, "minutes": minutes,
           "outcome": Outcome(d.get("outcome")).value, "fields": list(fields), "note": note,
           "by": by, "logged_at": iso(d.get("logged_at") or now, "logged_at")}
    batch = d.get("batch") or ""
    if batch:  # only on chases logged together: a chase alone is written as before
        if not isinstance(batch, str) or not LEDGER_ID.fullmatch(batch):
            raise ValueError(f"a batch is named by its first chase's id, not {batch!r}")
        doc["batch"] = batch
    return chase_month(at), doc


def encode_note_event(d: Mapping[str, Any], now: datetime) -> tuple[str, dict]:
    """Validate one note (person, text, by; at defaults to now); (month, event document)."""
    unknown = set(d) - (NOTE_KEYS - {"kind"})
    if unknown:
        raise ValueError(f"unknown note field(s): {', '.join(sorted(unknown))}")
    person, text, by = d.get("person"), d.get("text"), d.get("by", "")
    if not isinstance(person, str) or not person.strip():
        raise ValueError(f"a note needs a person, not {person!r}")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("a note needs some text")
    if len(text.strip()) > MAX_NOTE:
        raise ValueError(f"a note is at most {MAX_NOTE:,} characters, not {len(text.strip()):,}")
    if not isinstance(by, str):
        raise ValueError("by must be text")
    at = d.get("at") or now
    return chase_month(at), {"kind": "note", "at": iso(at, "at"), "person": person,
                             "text": text.strip(), "by": by}


def encode_resolve_event(d: Mapping[str, Any], now: datetime) -> tuple[str, dict]:
    """Validate one barrier resolution (barrier, person, note, by; at defaults to now)."""
    unknown = set(d) - (RESOLVE_KEYS - {"kind"})
    if unknown:
        raise ValueError(f"unknown resolution field(s): {', '.join(sorted(unknown))}")
    barrier, person, note, by = d.get("barrier"), d.get("person"), d.get("note"), d.get("by", "")
    if not isinstance(barrier, str) or not LEDGER_ID.fullmatch(barrier):
        raise ValueError(f"a barrier is named by its opening chase's id, not {barrier!r}")
    if not isinstance(person, str) or not person.strip():
        raise ValueError(f"a resolution needs a person, not {person!r}")
    if not isinstance(note, str) or not note.strip():
        raise ValueError("a resolution needs a note saying what removed the barrier")
    if len(note.strip()) > MAX_NOTE:
        raise ValueError(f"a note is at most {MAX_NOTE:,} characters, not {len(note.strip()):,}")
    if not isinstance(by, str):
        raise ValueError("by must be text")
    at = d.get("at") or now
    return chase_month(at), {"kind": "resolve", "at": iso(at, "at"), "barrier": barrier,
                             "person": person, "note": note.strip(), "by": by}


def decode_event(path: Path, month: str, writer: str, key: str, doc: Mapping) -> dict | None:
    """One stored event, checked field by field; None for a kind this chaser does not know
    (a newer chaser's). A chase kept in another month's file than its own is corrupt: no
    listing would find it there."""
    read = read_event(path, month, writer, key, doc)
    return None if read is None else read[0]


def read_event(path: Path, month: str, writer: str, key: str, doc: Mapping
               ) -> tuple[dict, Chase | None] | None:
    """decode_event's event, and for a chase event its Chase: a big ledger is read once, so
    each event is parsed once, and the checks are written for speed (a report of a year of a
    team's chases reads 100,000 events; this is most of the time it spends reading)."""
    kind = doc.get("kind") if isinstance(doc, Mapping) else None
    if isinstance(kind, str) and kind and kind not in KNOWN:
        return None
    try:
        # "01" and "1" would be two events of one number, i.e. two chases of one id.
        if not (key.isascii() and key.isdigit()) or key[0] == "0":
            raise ValueError(f"event number {key!r} is not a whole number from 1")
        if kind not in KNOWN:
            raise ValueError(f"no event kind: {kind!r}")
        keys = doc.keys()
        if keys != KNOWN[kind] and not (kind == "chase" and keys == BATCH_KEYS):
            raise ValueError(f"fields {sorted(set(doc) ^ KNOWN[kind])} missing or unknown")
        at = moment(doc["at"], "at")
        if kind == "note":
            return _note_event(doc, at, month), None
        if kind == "resolve":
            return _resolve_event(doc, at, month), None
        if kind != "chase":
            # Kept in the file of the chase's month (so a period reads only its months).
            target = doc["chase"]
            m = LEDGER_ID.fullmatch(target) if isinstance(target, str) else None
            if m is None or f"{m[2]}-{m[3]}" != month:
                raise ValueError(f"{kind} of {target!r} kept in the file of {month}")
            if not isinstance(doc["reason"], str) or not doc["reason"].strip():
                raise TypeError(f"a {kind} needs a reason, not {doc['reason']!r}")
            return dict(doc, at=at.isoformat()), None
        if f"{at.year:04d}-{at.month:02d}" != month:
            raise ValueError(f"dated {doc['at']} but kept in the file of {month}")
        fields, minutes = doc["fields"], doc["minutes"]
        if type(fields) is not list:
            raise TypeError(f"fields must be a list of names, not {fields!r}")
        for f in fields:
            if type(f) is not str:
                raise TypeError(f"fields must be a list of names, not {fields!r}")
        if type(minutes) is not int or not 1 <= minutes <= MAX_MINUTES:
            raise TypeError(f"minutes must be a whole number from 1 to {MAX_MINUTES}, not "
                            f"{minutes!r}")
        person, note, by = doc["person"], doc["note"], doc["by"]
        if type(person) is not str or not person.strip():
            raise TypeError(f"person must be text, not {person!r}")
        if type(note) is not str or type(by) is not str:
            raise TypeError(f"note and by must be text, not {note!r}, {by!r}")
        if "batch" in doc and (type(doc["batch"]) is not str
                               or not LEDGER_ID.fullmatch(doc["batch"])):
            raise TypeError(f"batch must be a chase id, not {doc['batch']!r}")
        channel, outcome = CHANNELS.get(doc["channel"]), OUTCOMES.get(doc["outcome"])
        if channel is None or outcome is None:
            raise ValueError(f"no such channel or outcome: {doc['channel']!r}, "
                             f"{doc['outcome']!r}")
        moment(doc["logged_at"], "logged_at")
        return doc, chase_of(doc, writer, month, key, at)
    except (KeyError, TypeError, ValueError) as e:
        raise corrupt(path, f"event {writer}-{month[:4]}{month[5:]}-{key} is malformed: {e}"
                      ) from None


def chase_of(doc: Mapping, writer: str, month: str, key: str | int,
             at: datetime | None = None) -> Chase:
    """The Chase of a chase event already checked (read_event, or a decoded copy of it)."""
    return Chase(id=f"{writer}-{month[:4]}{month[5:]}-{key}",
                 at=at or datetime.fromisoformat(doc["at"]).astimezone(UTC),
                 person=doc["person"], channel=CHANNELS[doc["channel"]], minutes=doc["minutes"],
                 outcome=OUTCOMES[doc["outcome"]], fields=tuple(doc["fields"]), note=doc["note"],
                 by=doc["by"] or writer,
                 logged_at=datetime.fromisoformat(doc["logged_at"]).astimezone(UTC),
                 writer=writer, batch=doc.get("batch", ""))


def _note_event(doc: Mapping, at: datetime, month: str) -> dict:
    """A note event checked: kept in the file of the month it was written in."""
    if f"{at.year:04d}-{at.month:02d}" != month:
        raise ValueError(f"note dated {doc['at']} but kept in the file of {month}")
    person, text, by = doc["person"], doc["text"], doc["by"]
    if type(person) is not str or not person.strip():
        raise TypeError(f"person must be text, not {person!r}")
    if type(text) is not str or not text.strip() or type(by) is not str:
        raise TypeError(f"a note needs text, and by must be text, not {text!r}, {by!r}")
    return dict(doc, at=at.isoformat())


def _resolve_event(doc: Mapping, at: datetime, month: str) -> dict:
    """A resolution checked: kept in the file of the month it was written in."""
    if f"{at.year:04d}-{at.month:02d}" != month:
        raise ValueError(f"resolution dated {doc['at']} but kept in the file of {month}")
    barrier, person, note, by = doc["barrier"], doc["person"], doc["note"], doc["by"]
    if type(barrier) is not str or not LEDGER_ID.fullmatch(barrier):
        raise TypeError(f"barrier must be a chase id, not {barrier!r}")
    if type(person) is not str or not person.strip():
        raise TypeError(f"person must be text, not {person!r}")
    if type(note) is not str or not note.strip() or type(by) is not str:
        raise TypeError(f"a resolution needs a note, and by must be text, not {note!r}, {by!r}")
    return dict(doc, at=at.isoformat())


@dataclass(frozen=True, slots=True)
class Resolution:
    """A barrier removed (`chaser barriers resolve`): a ledger event in its writer's file."""

    id: str  # as a chase id: writer, month, number
    barrier: str  # the id of the chase that opened the barrier
    person: str  # person key
    note: str  # what removed it
    at: datetime  # aware, UTC
    by: str
    writer: str


def resolution_of(doc: Mapping, writer: str, month: str, key: str | int) -> Resolution:
    """The Resolution of a resolve event already checked."""
    return Resolution(id=f"{writer}-{month[:4]}{month[5:]}-{key}", barrier=doc["barrier"],
                      person=doc["person"], note=doc["note"], at=at_of(doc["at"]),
                      by=doc["by"] or writer, writer=writer)


def note_of(doc: Mapping, writer: str, month: str, key: str | int) -> Note:
    """The Note of a note event already checked."""
    return Note(id=f"{writer}-{month[:4]}{month[5:]}-{key}", at=at_of(doc["at"]),
                person=doc["person"], text=doc["text"], by=doc["by"] or writer, writer=writer)


@dataclass(slots=True)
class MonthFile:
    """One version of a writer's month file, read: what a Ledger keeps while the file's
    stat (the stamp) stays the same."""

    stamp: tuple
    events: list[tuple[str, int, dict]]  # (writer, number, document), by number
    chases: list[Chase]  # its chase events, by number, made once per version of the file
    changes: list[tuple[datetime, str, int, dict]]  # its voids and withdrawals: (at, ...)
    unknown: int = 0  # events of kinds this chaser does not know
    top: int = 0  # the highest event number
    notes: list[Note] = field(default_factory=list)  # its notes about people, by number
    resolutions: list[Resolution] = field(default_factory=list)  # barriers removed, by number


def read_file(path: Path, writer: str, data: dict, stamp: tuple) -> MonthFile:
    events, chases, changes, unknown, top, month = [], [], [], 0, 0, path.stem
    notes, resolutions = [], []
    for key, doc in data.get(EVENTS, {}).items():
        read = read_event(path, month, writer, key, doc)
        n = int(key)
        top = max(top, n)
        if read is None:
            unknown += 1
            continue
        events.append((writer, n, read[0]))
        if read[1] is not None:
            chases.append((n, read[1]))
        elif read[0]["kind"] == "note":  # about a person, not a chase: kept out of the fold
            notes.append((n, note_of(read[0], writer, month, n)))
        elif read[0]["kind"] == "resolve":  # about a barrier: chaser.barrier_register folds it
            resolutions.append((n, resolution_of(read[0], writer, month, n)))
        else:
            changes.append((at_of(read[0]["at"]), writer, n, read[0]))
    events.sort(key=lambda e: e[1])  # as written, i.e. by number: a no-op but by hand
    chases.sort(key=lambda c: c[0])
    notes.sort(key=lambda c: c[0])
    resolutions.sort(key=lambda c: c[0])
    return MonthFile(stamp, events, [c for _, c in chases], changes, unknown, top,
                     [c for _, c in notes], [r for _, r in resolutions])


def checker(path: Path, writer: str) -> Callable[[dict], None]:
    """Before a write: every event of the file must decode (storage.locked refuses else)."""
    def check(data: dict) -> None:
        for key, doc in data.get(EVENTS, {}).items():
            decode_event(path, path.stem, writer, key, doc)
    return check


def at_of(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)
