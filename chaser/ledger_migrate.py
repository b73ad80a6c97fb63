"""From the single-writer chase log (chases/YYYY-MM.json, before the ledger) to the ledger.

On first use, every old chase becomes a chase event in this installation's own writer folder
under the same number, so its old id "202611-17" names "<writer>-202611-17" and `void` and
`show` still accept it; a voided chase gets its void event. Each month is merged under the
file's lock and skips what an earlier, interrupted run already moved, so a kill at any moment
only means the next run finishes the job. Only then is the old folder renamed
(chases.migrated/), kept as it was, never read again.
"""

from __future__ import annotations

import os
from pathlib import Path

from tinydb.table import Document

from chaser.errors import ChaserError
from chaser.ledger import Ledger
from chaser.ledger_docs import EVENTS
from chaser.ledger_files import month_path
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
        data = read_locked(path, "chases") or {}
        chases = [decode_chase(path, part, n, doc) for n, doc in data.get("chases", {}).items()]
        moved += _merge(ledger, part, chases)
    target = legacy.with_name(DONE)
    if target.exists():
        raise ChaserError(f"cannot finish moving {legacy} into the ledger: {target} is in the "
                          "way (move it elsewhere; every chase is already in the ledger)")
    os.replace(legacy, target)
    return moved


def _merge(ledger: Ledger, month: str, chases) -> int:
    wid = ledger.writer.id
    path = month_path(ledger.root, wid, month)
    tag = f"{month[:4]}{month[5:]}"
    with locked(path, "ledger", lock=ledger.local / "locks" / f"{wid}-{month}.lock") as db:
        table = db.table(EVENTS)
        present = {int(k) for k in (db.storage.read() or {}).get(EVENTS, {})}
        voided = {d["chase"] for d in table.all() if d.get("kind") == "void"}
        moved = 0
        for c in chases:
            n = int(c.id.rsplit("-", 1)[1])
            if n not in present:
                table.insert(Document({
                    "kind": "chase", "at": iso(c.at, "at"), "person": c.person,
                    "channel": c.channel.value, "minutes": c.minutes,
                    "outcome": c.outcome.value, "fields": list(c.fields), "note": c.note,
                    "by": c.by, "logged_at": iso(c.logged_at or c.at, "logged_at")}, doc_id=n))
                present.add(n)
                moved += 1
        top = max(present, default=0)
        for c in chases:
            cid = f"{wid}-{tag}-{int(c.id.rsplit('-', 1)[1])}"
            if c.voided and cid not in voided:
                top += 1
                table.insert(Document({"kind": "void", "chase": cid, "reason": c.void_reason,
                                       "at": iso(c.voided_at, "voided_at")}, doc_id=top))
    return moved
