"""What the ledger folder holds, as `chaser ledger status` and the faces' warnings say it.

Plain data from a Ledger (chaser.ledger): who writes in it (each writer folder's writer.json
claim), how many files, events and chases each writer has, when each last wrote, which writer
has gone quiet, and what a file-sync tool left behind (unreadable files, conflicted copies,
stray folders, files that went backwards, event kinds of a newer chaser). Also the one-line
texts every figure face shows when a read left something out, and a cheap fingerprint of the
folder that the TUI polls to notice another writer's new events. No textual, no Workspace.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from chaser.errors import ChaserError
from chaser.ledger import Issue, Ledger
from chaser.ledger_files import CLAIM, Scan, scan
from chaser.storage import parse

# A writer with no event for two weeks: an admin logs chases most working days, so a fortnight
# of silence means their sync client stopped (laptop off, paused, signed out) or they left:
# either way the manager's figures lack their chases, and someone should look.
STALE_DAYS = 14
SHOWN = 3  # issues named in full in a one-line warning; the rest are counted


@dataclass(frozen=True, slots=True)
class WriterStatus:
    id: str
    name: str  # from the writer.json claim ("" when there is none)
    email: str
    host: str
    claimed: bool  # the folder has a readable writer.json
    this: bool  # this installation's writer
    files: int  # month files (conflicted copies are not counted)
    first_month: str | None
    last_month: str | None
    events: int  # events read (skipped files add none)
    chases: int
    voids: int
    unvoids: int
    last_event: datetime | None  # when its newest event was written (a chase's logged_at)
    stale: bool  # its newest event is more than `stale_days` old (no event yet: not stale)
    left_out: tuple[str, ...]  # months whose file was skipped ("2026-11")


@dataclass(frozen=True, slots=True)
class LedgerStatus:
    root: Path
    shared: bool  # [ledger] path: a folder other installations may write to
    writer: str  # this installation's writer id
    writer_name: str
    installation: str
    stale_days: int
    now: datetime
    writers: tuple[WriterStatus, ...]
    issues: tuple[Issue, ...]

    @property
    def incomplete(self) -> bool:
        return any(i.incomplete for i in self.issues)


def status(ledger: Ledger, now: datetime, *, shared: bool = False,
           stale_days: int = STALE_DAYS) -> LedgerStatus:
    """Read the whole ledger (every writer, every month) and say what is there."""
    found, events = all_events(ledger)
    issues = list(ledger.issues)
    ids = sorted(set(found.writers) | {ledger.writer.id})
    writers = []
    for wid in ids:
        folder = found.writers.get(wid)
        claim = None
        if folder is not None:
            try:
                claim = read_claim(folder.path)
            except ChaserError as e:
                issues.append(Issue("unreadable-claim", wid, "", f"{wid}/writer.json cannot be "
                                    f"read ({_why(e)}): who this writer is stays unknown"))
        if wid == ledger.writer.id and claim is not None \
                and claim.get("installation") != ledger.installation:
            issues.append(Issue("claimed", wid, "", f"writer id {wid!r} belongs to another "
                                f"installation (on {claim.get('host') or 'another machine'}): "
                                "this one cannot log chases; set another [admin] id"))
        months = sorted(folder.months) if folder is not None else []
        docs = [d for m in months for d in events.get((wid, m), ())]
        kinds = [d["kind"] for d in docs]
        last = max((_written(d) for d in docs), default=None)
        claim = claim or {}
        own = wid == ledger.writer.id
        # No claim (a folder synced before its writer.json, the demo's): the name its newest
        # chase was logged under.
        logged = next((d["by"] for d in reversed(docs) if d["kind"] == "chase" and d["by"]), "")
        writers.append(WriterStatus(
            id=wid, name=str(claim.get("name") or (ledger.writer.name if own else logged)),
            email=str(claim.get("email") or (ledger.writer.email if own else "")),
            host=str(claim.get("host") or ""), claimed=bool(claim), this=own,
            files=len(months), first_month=months[0] if months else None,
            last_month=months[-1] if months else None, events=len(docs),
            chases=kinds.count("chase"), voids=kinds.count("void"),
            unvoids=kinds.count("unvoid"), last_event=last,
            stale=last is not None and now - last > timedelta(days=stale_days),
            left_out=tuple(sorted({i.month for i in issues
                                   if i.incomplete and i.writer == wid and i.month}))))
    return LedgerStatus(ledger.root, shared, ledger.writer.id, ledger.writer.name,
                        ledger.installation, stale_days, now, tuple(writers), tuple(issues))


def _written(doc: dict) -> datetime:
    return datetime.fromisoformat(doc["logged_at"] if doc["kind"] == "chase" else doc["at"])


def _why(e: Exception) -> str:
    text = str(e)
    return text.split(": ", 1)[-1] if ": " in text else text


# ---- the faces' one-line warnings -----------------------------------------------------------


def incomplete_text(issues: Iterable[Issue]) -> str | None:
    """"figures are incomplete: tom's chases of 2026-11 are left out: ...": the warning every
    cost and chase figure carries when a read skipped a file; None when nothing was."""
    left = list(dict.fromkeys(i.text for i in issues if i.incomplete))
    if not left:
        return None
    more = f"; and {len(left) - SHOWN} more" if len(left) > SHOWN else ""
    return (f"figures are incomplete: {'; '.join(left[:SHOWN])}{more} "
            "(`chaser ledger status` lists them)")


def left_out_short(issues: Iterable[Issue]) -> str | None:
    """"tom 2026-11, ann 2026-10": whose months are missing, short enough for a TUI header."""
    left = list(dict.fromkeys(f"{i.writer} {i.month}".strip() for i in issues if i.incomplete))
    if not left:
        return None
    return ", ".join(left[:SHOWN]) + (f" +{len(left) - SHOWN}" if len(left) > SHOWN else "")


def notes_text(issues: Sequence[Issue]) -> str | None:
    """What a sync tool left that the figures do not count but someone should clear up
    (conflicted copies, stray folders, a newer chaser's events): counted in one line."""
    counts: dict[str, int] = {}
    for i in issues:
        if not i.incomplete:
            counts[i.kind] = counts.get(i.kind, 0) + 1
    if not counts:
        return None
    names = {"conflict": "conflicted cop{y}", "stray": "stray folder{s}",
             "unknown-kinds": "file{s} with events of a newer chaser",
             "claimed": "writer id claimed by another installation",
             "unreadable-claim": "unreadable writer.json{s}"}
    parts = []
    for kind, n in sorted(counts.items()):
        noun = names.get(kind, kind)
        noun = noun.replace("{y}", "y" if n == 1 else "ies").replace("{s}", "" if n == 1 else "s")
        parts.append(f"{n} {noun}")
    return (f"the ledger folder holds {', '.join(parts)}, not counted "
            "(`chaser ledger status` lists them)")


# ---- noticing another writer's change -------------------------------------------------------


def stamp(root: Path) -> frozenset[tuple]:
    """(path, mtime, size, inode) of every month file and conflicted copy in the ledger: it
    changes when any writer's file is replaced (an atomic write makes a new inode) or a sync
    tool drops a copy. Only directory listings and stats, no file is opened: cheap enough to
    poll every few seconds, off the UI thread (a synced folder can be slow to list)."""
    out = set()
    for w in scan(root).writers.values():
        for path in (*w.months.values(), *w.copies):
            try:
                st = os.stat(path)
            except OSError:
                continue  # replaced or removed between the listing and the stat
            out.add((str(path), st.st_mtime_ns, st.st_size, st.st_ino))
    return frozenset(out)


# ---- what a report read -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LedgerRead:
    """Whose ledgers the chases of a report come from, and which months of whose were left
    out by the read (writer, month, kind): the report's "Ledgers" line."""

    writers: tuple[str, ...] = ()
    left_out: tuple[tuple[str, str, str], ...] = ()

    @property
    def incomplete(self) -> bool:
        return bool(self.left_out)

    def text(self) -> str:
        n = len(self.writers)
        read = (f"{n} admin's ledger read" if n == 1 else f"{n} admins' ledgers read") + (
            f" ({', '.join(self.writers)})" if self.writers else "")
        if not self.left_out:
            return f"{read}; complete"
        why = {"unreadable": "unreadable or half-synced file", "backwards": "file went back"}
        left = ", ".join(f"{w}'s {m} ({why.get(k, k)})" for w, m, k in self.left_out)
        return f"{read}; INCOMPLETE, left out: {left}"


# ---- naming a writer ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WriterName:
    id: str
    name: str = ""
    email: str = ""

    def __str__(self) -> str:
        return f"{self.id} ({self.name})" if self.name and self.name != self.id else self.id


def writer_names(ledger: Ledger, also: Mapping[str, str] | None = None) -> list[WriterName]:
    """Every writer of the ledger (its folders, this installation's, and those of `also`:
    writer -> the name its chases were logged under, the name of a writer with no claim),
    with the name and email of its claim: what `--by` accepts."""
    found = scan(ledger.root).writers
    also = also or {}
    out = []
    for wid in sorted(set(found) | {ledger.writer.id} | set(also)):
        claim = None
        if wid in found:
            try:
                claim = read_claim(found[wid].path)
            except ChaserError:
                claim = None  # `chaser ledger status` reports it; a name is not worth failing
        if wid == ledger.writer.id:
            claim = claim or {"name": ledger.writer.name, "email": ledger.writer.email}
        claim = claim or {}
        out.append(WriterName(wid, str(claim.get("name") or also.get(wid) or ""),
                              str(claim.get("email") or "")))
    return out


def find_writer(text: str, writers: Sequence[WriterName]) -> WriterName:
    """A writer by id, name or email (any case); unknown: a ChaserError listing them all."""
    folded = text.strip().casefold()
    for pick in (lambda w: w.id == text.strip(),
                 lambda w: bool(folded) and folded in (w.id.casefold(), w.name.casefold(),
                                                       w.email.casefold())):
        hits = [w for w in writers if pick(w)]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            raise ChaserError(f"writer {text!r} is ambiguous: {', '.join(map(str, hits))}; "
                              "use the id")
    raise ChaserError(f"unknown writer {text!r} (writers: "
                      f"{', '.join(map(str, writers)) or 'none'})")


# ---- the diagnostic read behind `chaser ledger status` -------------------------------

def read_claim(folder: Path) -> dict | None:
    """A writer folder's writer.json as stored (writer, installation, host, name, email,
    created), or None when it has none (yet: a sync may not have copied it). Unreadable: a
    ChaserError naming the file, which status reports as a warning."""
    path = folder / CLAIM
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as e:
        raise ChaserError(f"cannot read {path}: {e.strerror or e}") from None
    doc = parse(path, raw, "ledger-writer").get("writer", {}).get("1")
    return dict(doc) if isinstance(doc, dict) else None


def all_events(ledger: Ledger) -> tuple[Scan, dict[tuple[str, str], list[dict]]]:
    """Every writer's events of every month, read as the figures read them (the same checks
    and skips; `ledger.issues` holds what was left out): (scan, (writer, month) -> events).
    Reads the whole ledger: for status, never for a figure of one period."""
    found = ledger._read()
    out: dict[tuple[str, str], list[dict]] = {}
    for w in found.writers.values():
        for month, path in sorted(w.months.items()):
            out[(w.id, month)] = [doc for _, _, doc in ledger._events(w.id, month, path)]
    return found, out
