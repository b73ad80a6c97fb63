"""This machine's decoded copies of ledger month files, so a report of a year of a team's
chases does not parse and check 100,000 events again on every run.

A month file that has not changed since it was last read (same size, times and inode) is
taken from its decoded copy: the events that passed the checks of chaser.ledger_docs, in
marshal form (plain dicts, lists, strings and ints: nothing in it is ever executed). The
copies live in the ledger's local folder, which is never shared. They are derived data, so a
copy is written without fsync; a copy that is unreadable, of another version, or of another
stamp is simply ignored and the file is read and checked again.
"""

from __future__ import annotations

import marshal
from pathlib import Path

from chaser.ledger_docs import MonthFile, at_of, chase_of, note_of, resolution_of
from chaser.storage import write_copy

# 2: "note" events are known (a copy made before counted them as unknown and left them out).
# 3: "resolve" events are known (barrier resolutions, chaser.barrier_register).
VERSION = 3


def _path(folder: Path, writer: str, month: str) -> Path:
    return folder / writer / f"{month}.bin"


def load(folder: Path, writer: str, month: str, stamp: tuple) -> MonthFile | None:
    try:
        raw = _path(folder, writer, month).read_bytes()
        version, seen, unknown, top, events = marshal.loads(raw)
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if version != VERSION or tuple(seen) != tuple(stamp) or type(events) is not list:
        return None
    out, chases, changes, notes, resolutions = [], [], [], [], []
    try:
        for n, doc in events:
            out.append((writer, n, doc))
            if doc["kind"] == "chase":
                chases.append(chase_of(doc, writer, month, n))
            elif doc["kind"] == "note":  # about a person: never folded with the voids
                notes.append(note_of(doc, writer, month, n))
            elif doc["kind"] == "resolve":  # about a barrier: never folded with the voids
                resolutions.append(resolution_of(doc, writer, month, n))
            else:
                changes.append((at_of(doc["at"]), writer, n, doc))
    except (KeyError, TypeError, ValueError):
        return None  # not what this module wrote: read the file itself
    return MonthFile(stamp, out, chases, changes, unknown, top, notes, resolutions)


def save(folder: Path, writer: str, month: str, f: MonthFile) -> None:
    """Best effort: a copy that cannot be written only means the next read checks again."""
    path = _path(folder, writer, month)
    data = marshal.dumps((VERSION, tuple(f.stamp), f.unknown, f.top,
                          [(n, doc) for _, n, doc in f.events]))
    write_copy(path, data)  # 0700 folder, 0600 file like every data folder: HR data too
