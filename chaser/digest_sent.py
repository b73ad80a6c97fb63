"""The sent-record of the digest: one entry per (period, recipient), so a schedule that fires
twice sends nothing new, a failed send is tried again on the next run, and `chaser status`
can say when the last digest went and what failed.

Its own small file, `digests.json` in the source's data folder (0600, written atomically under
a lock by chaser.storage), apart from meta.json: it grows by one entry per recipient and day
and is pruned after KEEP_DAYS. It is derived bookkeeping, not precious like the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from chaser.storage import locked, read_locked

FILE = "digests.json"
KIND = "digest-sent"
TABLE = "sent"
KEEP_DAYS = 400  # a year of history for `chaser status` and since-last, then pruned
RETRY_DAYS = 7  # a failed digest older than this is not sent any more: its news is stale
SENT, FAILED, NO_ADDRESS = "sent", "failed", "no-address"


@dataclass(frozen=True, slots=True)
class Entry:
    period: str  # the period as chaser.periods reads it, e.g. "2026-11-19..2026-11-19"
    recipient: str  # the address, lower-cased ("" for a manager with none known)
    name: str  # the manager's name, or the address's display name
    teams: tuple[str, ...] | None  # None: the org-wide digest
    status: str  # SENT | FAILED | NO_ADDRESS
    at: str  # ISO time of the attempt (UTC)
    message_id: str = ""
    snapshot: str = ""  # the snapshot the figures were drawn from
    error: str = ""  # one line, already redacted
    first_failed: str = ""  # ISO time of the first failure of a run of them (for RETRY_DAYS)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.period, self.recipient, self.name if not self.recipient else "")

    def to_doc(self) -> dict[str, Any]:
        return {"period": self.period, "recipient": self.recipient, "name": self.name,
                "teams": None if self.teams is None else list(self.teams),
                "status": self.status, "at": self.at, "message_id": self.message_id,
                "snapshot": self.snapshot, "error": self.error,
                "first_failed": self.first_failed}

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Entry:
        teams = doc.get("teams")
        return cls(str(doc.get("period", "")), str(doc.get("recipient", "")),
                   str(doc.get("name", "")), None if teams is None else tuple(teams),
                   str(doc.get("status", "")), str(doc.get("at", "")),
                   str(doc.get("message_id", "")), str(doc.get("snapshot", "")),
                   str(doc.get("error", "")), str(doc.get("first_failed", "")))


class SentLog:
    def __init__(self, root: Path) -> None:
        self.path = Path(root) / FILE

    def entries(self) -> list[Entry]:
        data = read_locked(self.path, KIND) or {}
        out = [Entry.from_doc(d) for d in data.get(TABLE, {}).values()]
        return sorted(out, key=lambda e: e.at)

    def find(self, period: str, recipient: str) -> Entry | None:
        for e in self.entries():
            if e.period == period and e.recipient == recipient.lower():
                return e
        return None

    def record(self, entry: Entry, now: datetime) -> None:
        """Keep `entry`, replacing the one of its period and recipient; prune old ones. A
        failure after a failure keeps the first one's time: retries stop RETRY_DAYS after it."""
        cut = (now - timedelta(days=KEEP_DAYS)).isoformat()
        with locked(self.path, KIND) as db:
            table = db.table(TABLE)
            if entry.status == FAILED:
                before = [Entry.from_doc(d) for d in table.all()
                          if Entry.from_doc(d).key == entry.key]
                first = [e.first_failed or e.at for e in before if e.status == FAILED]
                entry = replace(entry, first_failed=min([*first, entry.at]))
            drop = [d.doc_id for d in table.all()
                    if Entry.from_doc(d).key == entry.key or str(d.get("at", "")) < cut]
            if drop:
                table.remove(doc_ids=drop)
            table.insert(entry.to_doc())

    def to_retry(self, now: datetime, current: str) -> list[Entry]:
        """Failed digests of earlier periods, recent enough to be worth sending still."""
        cut = (now - timedelta(days=RETRY_DAYS)).isoformat()
        return [e for e in self.entries() if e.status == FAILED and e.period != current
                and (e.first_failed or e.at) >= cut]

    def last_sent(self) -> Entry | None:
        sent = [e for e in self.entries() if e.status == SENT]
        return sent[-1] if sent else None

    def open_failures(self) -> list[Entry]:
        """Digests not delivered (failed, or no address known) of the last run's periods."""
        entries = self.entries()
        if not entries:
            return []
        last = entries[-1].at[:10]  # the day of the last attempt
        return [e for e in entries if e.status != SENT and e.at[:10] >= last]
