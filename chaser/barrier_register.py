"""The barrier register: barriers opened by barrier chases, removed by an admin, with dates.
"Before you can hold people accountable ... make sure that you have identified and removed all
barriers": accountability (chaser.status) starts only once none is open.

Plain data in (chases, resolutions, snapshot summaries), barriers out; no store, no Workspace.

How a barrier comes and goes, per person and kind (access, training, time, dependency):
- A barrier chase (Outcome.is_barrier) opens one, or joins the one of that kind already open.
  Its id is the id of the chase that opened it ("ann-202611-17").
- A resolution (ledger event "resolve", chaser.ledger_docs) removes it. Chases and resolutions
  are taken in time order of when they happened (a chase's `at`): a chase dated after the
  resolution opens a new barrier; one dated before it (logged late) belongs to the removed one.
  A second resolution of a removed barrier (two admins at once) is kept and not counted.
- Voids: a voided chase still decides which barrier its neighbours join, so a barrier keeps its
  id (and its resolutions still name it) when its opening chase is voided; it is then dated
  from its first counted chase, and it disappears when every chase of it is void.
- Field permissions found in the CRM (Person.cannot_edit: rule fields the person may not edit)
  are an "access" barrier with source "crm": opened by the first snapshot of an unbroken run
  that shows them, removed by the first later snapshot that does not. No admin resolves it:
  fixing the permissions and syncing does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from chaser.errors import ChaserError
from chaser.ledger_docs import Resolution
from chaser.model import Chase, Outcome, Snapshot

KINDS = {Outcome.BARRIER_ACCESS: "access", Outcome.BARRIER_TRAINING: "training",
         Outcome.BARRIER_TIME: "time", Outcome.BARRIER_DEPENDENCY: "dependency"}
CHASE, CRM = "chase", "crm"  # where a barrier was found


@dataclass(frozen=True, slots=True)
class RegisteredBarrier:
    id: str  # the opening chase's id; "crm:<person key>@<snapshot id>" for a CRM one
    person: str  # person key
    kind: str  # access | training | time | dependency
    source: str  # CHASE or CRM
    opened_at: datetime  # aware, UTC: its first counted chase, or the snapshot that showed it
    opened_by: str  # who logged that chase; the source for a CRM one
    fields: tuple[str, ...]  # the fields chased (or may not be edited), first seen first
    chases: tuple[Chase, ...] = ()  # its counted chases, oldest first
    removed_at: datetime | None = None
    removed_by: str = ""  # the resolving admin; "sync" for a CRM one
    note: str = ""  # what removed it
    resolution: str = ""  # the id of the resolve event
    records: int = 0  # CRM: records whose blanks are not blamed, in the last snapshot showing it

    @property
    def open(self) -> bool:
        return self.removed_at is None

    def open_at(self, at: datetime) -> bool:
        """Open at `at`: opened by then and not removed by then."""
        return self.opened_at <= at and (self.removed_at is None or self.removed_at > at)

    def age_days(self, now: datetime) -> int:
        """Whole days it was (or has been) open: to its removal, else to `now`."""
        return max(((self.removed_at or now) - self.opened_at).days, 0)

    def state(self, tz: tzinfo) -> str:
        """"open" or "removed 2026-11-20": what a table shows."""
        return "open" if self.open else f"removed {self.removed_at.astimezone(tz):%Y-%m-%d}"


def register(chases: Iterable[Chase], resolutions: Iterable[Resolution] = (),
             history: Sequence[Snapshot] = ()) -> list[RegisteredBarrier]:
    """Every barrier ever opened, oldest first. `chases`: every chase of every month, voided
    ones too (they keep barrier ids stable); `history`: snapshot summaries, oldest first."""
    lines: dict[tuple[str, str], list[Chase]] = {}
    for c in chases:
        if c.outcome.is_barrier:
            lines.setdefault((c.person, KINDS[c.outcome]), []).append(c)
    by_barrier: dict[str, list[Resolution]] = {}
    for r in resolutions:
        by_barrier.setdefault(r.barrier, []).append(r)
    out = []
    for (person, kind), line in lines.items():
        out += _fold(person, kind, line, by_barrier)
    out += crm_barriers(history)
    return sorted(out, key=lambda b: (b.opened_at, b.person, b.id))


def _fold(person: str, kind: str, line: list[Chase],
          by_barrier: dict[str, list[Resolution]]) -> list[RegisteredBarrier]:
    ids = {c.id for c in line}
    # At equal times a chase goes first: it was seen before the barrier was called removed.
    events = [(c.at, 0, c.writer, c.id, c) for c in line]
    events += [(r.at, 1, r.writer, r.id, r) for rid in ids for r in by_barrier.get(rid, ())
               if r.person == person]
    groups: list[tuple[str, list[Chase], Resolution | None]] = []
    current: tuple[str, list[Chase]] | None = None
    for *_, e in sorted(events, key=lambda e: e[:4]):
        if isinstance(e, Chase):
            if current is None:
                current = (e.id, [])
            current[1].append(e)
        elif current is not None and e.barrier == current[0]:
            groups.append((*current, e))
            current = None
    if current is not None:
        groups.append((*current, None))
    out = []
    for bid, members, res in groups:
        counted = [c for c in members if not c.voided]
        if not counted:
            continue  # every chase of it voided: there is no barrier
        fields = tuple(dict.fromkeys(f for c in counted for f in c.fields))
        first = counted[0]
        out.append(RegisteredBarrier(
            bid, person, kind, CHASE, first.at, first.by or first.writer, fields,
            tuple(counted), res.at if res else None, res.by if res else "",
            res.note if res else "", res.id if res else ""))
    return out


def crm_barriers(history: Sequence[Snapshot]) -> list[RegisteredBarrier]:
    """One "access" barrier per unbroken run of snapshots in which a person may not edit some
    rule field; open while the latest snapshot still shows it."""
    runs: dict[str, tuple[Snapshot, Snapshot]] = {}  # person key -> (first, last) of the run
    out = []
    for snap in history:
        showing = {p.key for p in snap.people if p.cannot_edit}
        for key in [k for k in runs if k not in showing]:
            first, last = runs.pop(key)
            out.append(_crm(key, first, last, snap))
        for key in showing:
            runs[key] = (runs[key][0] if key in runs else snap, snap)
    out += [_crm(key, first, last, None) for key, (first, last) in runs.items()]
    return out


def _crm(key: str, first: Snapshot, last: Snapshot, gone: Snapshot | None) -> RegisteredBarrier:
    person = last.person(key)
    tally = last.cannot_edit.get(key)
    return RegisteredBarrier(
        f"crm:{key}@{first.taken_at:%Y%m%dT%H%M}", key, "access", CRM, first.taken_at, first.source,
        person.cannot_edit if person else (), (), gone.taken_at if gone else None,
        "sync" if gone else "",
        "a snapshot no longer shows fields the person may not edit" if gone else "",
        "", tally.records if tally else 0)


# ---- questions the faces ask ----------------------------------------------------------------


def of_person(barriers: Iterable[RegisteredBarrier], key: str, *, open_only: bool = False
              ) -> list[RegisteredBarrier]:
    return [b for b in barriers if b.person == key and (b.open or not open_only)]


def open_at(barriers: Iterable[RegisteredBarrier], key: str, at: datetime
            ) -> list[RegisteredBarrier]:
    """The person's barriers open at `at`, oldest first."""
    return [b for b in barriers if b.person == key and b.open_at(at)]


def resolvable(barriers: Iterable[RegisteredBarrier], barrier_id: str, tz: tzinfo
               ) -> RegisteredBarrier:
    """The open chase barrier of that id, or a ChaserError saying why it cannot be resolved."""
    text = barrier_id.strip() if isinstance(barrier_id, str) else ""
    found = next((b for b in barriers if b.id == text), None)
    if found is None:
        raise ChaserError(f"no barrier with id {barrier_id!r} (`chaser barriers` lists them; "
                          "a barrier's id is that of the chase that opened it)")
    if found.source == CRM:
        raise ChaserError(f"barrier {found.id} is found in the CRM (field permissions): it is "
                          "removed when a sync no longer shows it, not by hand")
    if not found.open:
        raise ChaserError(f"barrier {found.id} is already resolved "
                          f"({found.removed_at.astimezone(tz):%Y-%m-%d %H:%M} by "
                          f"{found.removed_by}: {found.note})")
    return found


def rows(barriers: Iterable[RegisteredBarrier], names: dict[str, str], now: datetime,
         tz: tzinfo) -> list[dict]:
    """`chaser barriers` rows (COLUMNS), as the CLI prints them."""
    out = []
    for b in barriers:
        out.append({
            "id": b.id, "person": names.get(b.person, b.person), "kind": b.kind,
            "source": b.source, "opened": b.opened_at.astimezone(tz).isoformat(timespec="minutes"),
            "opened_by": b.opened_by, "fields": ", ".join(b.fields), "chases": len(b.chases),
            "state": "open" if b.open else "removed",
            "removed": b.removed_at.astimezone(tz).isoformat(timespec="minutes")
            if b.removed_at else "", "removed_by": b.removed_by, "age_days": b.age_days(now),
            "note": b.note, "person_key": b.person})
    return out


COLUMNS = ["id", "person", "kind", "source", "opened", "opened_by", "fields", "chases",
           "state", "removed", "removed_by", "age_days", "note", "person_key"]
