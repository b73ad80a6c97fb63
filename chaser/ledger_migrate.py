"""From the single-writer chase log (chases/YYYY-MM.json, before the ledger) to the ledger.

On first use, every old chase becomes a chase event in this installation's own writer folder
under the same number, so its old id "202611-17" names "<writer>-202611-17" and `void` and
`show` still accept it; a voided chase gets its void event. Each month is merged in one
locked write that skips what an earlier, interrupted run already moved, so a kill or an error
at any moment only means the next run finishes the job. Only then is the old folder renamed
(chases.migrated/), kept as it was, never read again.
"""

from __future__ import annotations

import os
from pathlib import Path

from chaser.errors import ChaserError
from chaser.ledger import Ledger
from chaser.ledger_docs import EVENTS, checker
from chaser.ledger_files import month_path, raise_marks, read_marks
from chaser.model import Chase
from chaser.storage import locked, read_locked
from chaser.store_docs import PARTITION, decode_chase, iso

DONE = "chases.migrated"


def migrate(legacy: Path, ledger: Ledger) -> int:
    """Move every chase of `legacy` into the ledger; the number moved (0: nothing to do)."""
    try:
        names = sorted(n for n in os.listdir(legacy) if PARTITION.fullmatch(n))
    except (FileNotFoundError, NotADirectoryError):
        return 0
    if names:
        ledger.claim()
    moved = 0
    for name in names:
        part = name[:7]
        path = legacy / name
        # None: another chaser moved it meanwhile. The lock is on this machine's side, so
        # nothing is added to the old folder, which is kept exactly as it was.
        data = read_locked(path, "chases", lock=ledger.local / "locks" / f"old-{name}.lock") or {}
        chases = [decode_chase(path, part, n, doc) for n, doc in data.get("chases", {}).items()]
        moved += _merge(ledger, path, part, chases)
    target = legacy.with_name(DONE)
    if legacy.exists() and target.exists():
        raise ChaserError(f"cannot finish moving {legacy} into the ledger: {target} is in the "
                          "way (move it elsewhere; every chase is already in the ledger)")
    try:
        os.replace(legacy, target)
    except FileNotFoundError:
        pass  # another chaser process finished the same move first
    except OSError as e:
        raise ChaserError(f"cannot rename {legacy} to {target}: {e.strerror or e}") from e
    return moved


def _merge(ledger: Ledger, legacy: Path, month: str, chases: list[Chase]) -> int:
    wid = ledger.writer.id
    path = month_path(ledger.root, wid, month)
    tag = f"{month[:4]}{month[5:]}"
    marks = ledger.local / "seen.json"
    with locked(path, "ledger", checker(path, wid), lock=ledger._lock(wid, month)) as db:
        data = db.storage.read() or {}
        events = dict(data.get(EVENTS, {}))
        voided = {d.get("chase") for d in events.values() if d.get("kind") == "void"}
        moved = 0
        for c in sorted(chases, key=lambda c: int(c.id.rsplit("-", 1)[1])):
            n = c.id.rsplit("-", 1)[1]
            doc = {"kind": "chase", "at": iso(c.at, "at"), "person": c.person,
                   "channel": c.channel.value, "minutes": c.minutes, "outcome": c.outcome.value,
                   "fields": list(c.fields), "note": c.note, "by": c.by,
                   "logged_at": iso(c.logged_at or c.at, "logged_at")}
            if n not in events:
                events[n] = doc
                moved += 1
            elif events[n] != doc:  # never drop an old chase for an event of its number
                raise ChaserError(f"cannot move chase {c.id} of {legacy} into the ledger: "
                                  f"{path} holds another event numbered {n}; move one of the "
                                  "two files away and run chaser again")
        top = max([int(k) for k in events] + [read_marks(marks).get(f"{wid}/{month}", 0)])
        for c in chases:
            cid = f"{wid}-{tag}-{c.id.rsplit('-', 1)[1]}"
            if c.voided and cid not in voided:
                top += 1
                events[str(top)] = {"kind": "void", "chase": cid, "reason": c.void_reason,
                                    "at": iso(c.voided_at, "voided_at")}
        if events != data.get(EVENTS, {}):
            db.storage.write({**data, EVENTS: events})
    if top:
        raise_marks(marks, {f"{wid}/{month}": top})
    return moved
