"""Ledger events beyond one chase at a time: chases logged together (chaser.bulk), voids and
withdrawals of many chases at once (chaser.undo), notes about people (`chaser notes`) and
barrier resolutions (`chaser barriers resolve`).

Kept apart from chaser/ledger.py's read path: these only add events, through
Ledger._append (one locked, durable write per month file, however many events) and read
through the same fold and file cache the figures use. Event shapes: chaser/ledger_docs.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from chaser import clock
from chaser.errors import ChaserError
from chaser.ledger import TICK, Ledger
from chaser.ledger_docs import (
    Resolution,
    at_of,
    encode_chase_event,
    encode_note_event,
    encode_resolve_event,
    note_of,
    read_event,
    resolution_of,
)
from chaser.ledger_files import month_path
from chaser.model import Chase, Note
from chaser.store_docs import chase_month, iso


def add_batch(ledger: Ledger, chases: Iterable[Mapping[str, Any]]) -> list[Chase]:
    """Chases logged together (one email to a team), all at one time: validated first, then
    one durable write of this writer's month file. Each chase names the batch: the id of its
    first chase, so the reference is short, unique and known only once the lock is held."""
    now = clock.now()
    encoded = []
    for i, d in enumerate(chases):
        try:
            encoded.append(encode_chase_event({k: v for k, v in d.items() if k != "batch"},
                                              now))
        except (ValueError, TypeError) as e:
            raise ValueError(f"chase #{i + 1}: {e}") from None
    months = {month for month, _ in encoded}
    if not encoded:
        return []
    if len(months) != 1:  # one time for all: a batch is one act, so one month file
        raise ValueError(f"the chases of a batch share one time, not {len(months)} months")
    month = months.pop()
    wid, tag = ledger.writer.id, f"{month[:4]}{month[5:]}"
    written: list[dict] = []

    def build(first: int) -> list[dict]:
        written[:] = [{**doc, "batch": f"{wid}-{tag}-{first}"} for _, doc in encoded]
        return written

    numbers = ledger._append(month, build)
    path = month_path(ledger.root, wid, month)
    return [read_event(path, month, wid, str(n), doc)[1]
            for n, doc in zip(numbers, written, strict=True)]


def change_many(ledger: Ledger, chase_ids: Iterable[str], kind: str, reason: str,
                at: datetime) -> tuple[list[Chase], list[Chase]]:
    """Void many chases, or withdraw their voids, as Ledger.change does one: (changed, left)
    where `left` were already in that state (someone else voided one meanwhile) and get no
    event. One write per month file of the chases."""
    if not isinstance(reason, str) or not reason.strip():
        raise ValueError(f"{'a void' if kind == 'void' else 'withdrawing a void'} needs a "
                         "reason")
    if kind not in ("void", "unvoid"):
        raise ValueError(f"a change is a void or an unvoid, not {kind!r}")
    when = at_of(iso(at, "at"))
    by_month: dict[str, list[tuple[Chase, datetime]]] = {}
    left: list[Chase] = []
    found, folds = ledger._read(), {}  # one look at the folder, one fold per month
    for chase_id in dict.fromkeys(chase_ids):
        wid, month, n = ledger._parse_id(chase_id)
        if month not in folds:
            folds[month] = ledger._fold(found, month)
        folded = folds[month]
        old = folded.chases.get(f"{wid}-{month[:4]}{month[5:]}-{n}")
        if old is None:
            raise ChaserError(f"no chase with id {chase_id!r}")
        if old.voided == (kind == "void"):
            left.append(old)
            continue
        seen = folded.changed.get(old.id)  # after every change seen here (Ledger.change)
        by_month.setdefault(chase_month(old.at), []).append(
            (old, seen + TICK if seen is not None and when <= seen else when))
    ledger._flush()
    changed: list[Chase] = []
    for month, items in sorted(by_month.items()):
        ledger._append(month, lambda first, items=items: [
            {"kind": kind, "chase": c.id, "reason": reason.strip(), "at": t.isoformat()}
            for c, t in items])
        changed += [replace(c, voided_at=t, void_reason=reason.strip()) if kind == "void"
                    else replace(c, voided_at=None, void_reason=None) for c, t in items]
    return changed, left


def add_note(ledger: Ledger, *, person: str, text: str, by: str = "",
             at: datetime | None = None) -> Note:
    """One dated note about a person, durably in this writer's file of its month."""
    month, doc = encode_note_event({"person": person, "text": text, "by": by,
                                    "at": at or clock.now()}, clock.now())
    (n,) = ledger.append(month, [doc])
    return note_of(doc, ledger.writer.id, month, n)


def read_notes(ledger: Ledger, person: str | None = None) -> list[Note]:
    """Every writer's notes (of one person key, or all), oldest first.
    Notes are few and of any month, so every month file is looked at; an unchanged one costs
    a stat (the Ledger keeps what it read). `ledger.issues` holds what was left out."""
    found = ledger._read()
    out = []
    for w in found.writers.values():
        for month, path in sorted(w.months.items()):
            f = ledger._file(w.id, month, path)
            if f is not None:
                out += [n for n in f.notes if person is None or n.person == person]
    ledger._flush()
    return sorted(out, key=lambda n: (n.at, n.writer, n.id))


def add_resolution(ledger: Ledger, *, barrier: str, person: str, note: str, by: str = "",
                   at: datetime | None = None) -> Resolution:
    """One barrier resolution, durably in this writer's file of the month it is written."""
    month, doc = encode_resolve_event({"barrier": barrier, "person": person, "note": note,
                                       "by": by, "at": at or clock.now()}, clock.now())
    (n,) = ledger.append(month, [doc])
    return resolution_of(doc, ledger.writer.id, month, n)


def read_resolutions(ledger: Ledger) -> list[Resolution]:
    """Every writer's barrier resolutions, oldest first (read as read_notes reads notes)."""
    found = ledger._read()
    out: list[Resolution] = []
    for w in found.writers.values():
        for month, path in sorted(w.months.items()):
            f = ledger._file(w.id, month, path)
            if f is not None:
                out += f.resolutions
    ledger._flush()
    return sorted(out, key=lambda r: (r.at, r.writer, r.id))
