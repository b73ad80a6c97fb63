"""What the TUI shows, computed from the core without textual: one immutable `ViewData` per
load, built in a worker thread and swapped in whole on the UI thread.

Nothing here decides a business rule: tallies and tiers come from chaser.audit, costs from
chaser.costs, minutes from chaser.workspace. This module only gathers and indexes them so a
screen can paint without touching a file.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from chaser.audit import PersonRow, org_tally, person_rows
from chaser.gctools import gc_paused
from chaser.model import Chase, Gap, Person, Snapshot, Tally
from chaser.periods import DEFAULT_PERIOD, Period, parse_period
from chaser.safe_text import clean
from chaser.sync import LAST_SYNC


@dataclass(frozen=True, slots=True)
class ViewData:
    """One consistent picture of a source: never mutated; a reload builds a new one."""

    snapshot: Snapshot  # latest, with its gaps
    history: tuple[Snapshot, ...]  # every snapshot without gaps, oldest first (trends)
    rows: tuple[PersonRow, ...]  # active people, as `chaser gaps` lists them
    chases: tuple[Chase, ...]  # the whole chase log, voided included, oldest first
    period: Period  # the app's period: the overview's headline and columns, and the costs
    # screen and chase log unless one of them picked its own
    costs: Any | None  # chaser.costs.CostSummary for `period`; None if costs is unavailable
    now: datetime
    is_demo: bool = False
    source: str = ""
    tz: Any = None  # the configured zone, for showing times (read once, off the UI thread)
    seconds: float = 0.0  # how long the load took (shown in the log, used by benchmarks)
    last_sync: dict | None = None  # what the last sync said (store meta LAST_SYNC): API usage
    stale: str | None = None  # Workspace.stale: the snapshot predates a config change (API)
    # Workspace.incomplete: the chase read left a writer's file out (the warning in full), and
    # whose months, short enough for a header ("tom 2026-11"); None when complete
    incomplete: str | None = None
    left_out: str | None = None
    # chaser.ledger_status.stamp of the ledger folder, taken just before the chases were read:
    # the chase log polls it to notice another writer's change (and re-reads only then)
    ledger_stamp: frozenset = frozenset()
    # snapshot_stamp(ws) just before the snapshot was read: a new snapshot (another process's
    # sync) changes it, and the TUI's watch then reloads in full (screens/ledger_watch.py)
    snapshot_stamp: tuple = ()
    thresholds: Any = None  # audit.Thresholds of the tiers: a team's tier (team_lines)
    notes: tuple = ()  # chaser.model.Note of every writer, oldest first (the person screen)
    acc: Any = None  # chaser.views_acc.AccView: goals, newcomers, barriers, statuses (issue 13)
    _index: dict = field(default_factory=dict, compare=False, repr=False)

    # ---- lookups (indexes are built once per ViewData, on first use) ---------------------
    @property
    def people(self) -> dict[str, Person]:
        if "people" not in self._index:
            self._index["people"] = {p.key: p for p in self.snapshot.people}
        return self._index["people"]

    def person(self, key: str) -> Person | None:
        return self.people.get(key)

    def row(self, key: str) -> PersonRow | None:
        if "rows" not in self._index:
            self._index["rows"] = {r.person.key: r for r in self.rows}
        return self._index["rows"].get(key)

    def gaps_for(self, key: str) -> list[Gap]:
        if "gaps" not in self._index:
            by: dict[str, list[Gap]] = {}
            for g in self.snapshot.gaps:
                by.setdefault(g.owner, []).append(g)
            self._index["gaps"] = by
        return self._index["gaps"].get(key, [])

    def notes_for(self, key: str) -> list:
        """A person's notes, newest first (`chaser notes PERSON` lists the same)."""
        return [n for n in reversed(self.notes) if n.person == key]

    def chases_for(self, key: str) -> list[Chase]:
        """A person's chases, newest first (voided included: the log is never rewritten)."""
        return [c for c in reversed(self.chases) if c.person == key]

    @property
    def org(self) -> Tally:
        return org_tally(self.snapshot)

    @property
    def teams(self) -> list[str]:
        return sorted({r.person.team for r in self.rows})

    # ---- roll-ups (chaser.rollups; built in the load's worker, cached per ViewData) --------
    def team_lines(self) -> list:
        """rollups.TeamLine per team: `chaser gaps --by team` + `costs --by team` of the period."""
        if "teams" not in self._index:
            from chaser.audit import Thresholds
            from chaser.rollups import team_lines

            self._index["teams"] = team_lines(self.rows, self.thresholds or Thresholds(),
                                              self.costs)
        return self._index["teams"]

    def field_lines(self, keys=None) -> list:
        """rollups.FieldLine per object field, over everyone (or only `keys`' records)."""
        from chaser.rollups import field_index, field_lines

        index = self._index
        if "fields" not in index:
            index["fields"] = field_index(self.snapshot.gaps, (r.person.key for r in self.rows))
            index["field_lines"] = field_lines(index["fields"])
        return index["field_lines"] if keys is None else field_lines(index["fields"], keys)

    # ---- trends and costs ------------------------------------------------------------------
    def trend(self, key: str | None = None) -> list[float]:
        """Completeness % per stored snapshot, oldest first (org, or one person)."""
        out = []
        for snap in self.history:
            tally = org_tally(snap) if key is None else snap.tallies.get(key)
            pct = tally.completeness_pct if tally is not None else None
            if pct is not None:
                out.append(pct)
        return out

    def cost_line(self, key: str, summary: Any | None = None) -> Any | None:
        """The CostLine of one person in the period (None when they have no chases)."""
        summary = self.costs if summary is None else summary
        if summary is None:
            return None
        return summary.by_person.get(key)

    def money(self, value: Any) -> str:
        if value is None:
            return "—"
        try:
            from chaser.costs import money
        except ImportError:
            return f"{value:,.2f}"
        return money(value, self.currency)

    @property
    def currency(self) -> str:
        return getattr(self.costs, "currency", None) or "USD"



def summarise(ws, period: Period, chases: Sequence[Chase], snapshot: Snapshot) -> Any | None:
    """Cost summary from chaser.costs (the one place cost arithmetic lives), if it exists.

    Calls `costs.summarise` with the snapshot already read rather than `summary_for`, which
    would read the snapshot (gaps and all) from disk again for each period. Same inputs,
    same numbers: summarise counts only non-voided chases inside the period."""
    try:
        from chaser import costs
    except ImportError:
        return None
    return costs.summarise(chases, list(snapshot.people), ws.settings.costs, period)


@contextmanager
def long_lived():
    """Build long-lived data without the cyclic GC, then freeze it out of the GC's sight.

    Tens of thousands of gaps are tens of thousands of objects; every later allocation burst
    (building a 50,000-line gap list, say) would trigger full collections that walk them all
    again, making list building 5-10x slower. The data has no reference cycles, so freezing
    loses nothing: replaced ViewData is still freed by reference counting.
    """
    with gc_paused(freeze=True):
        yield


def load(ws, period_text: str = DEFAULT_PERIOD) -> ViewData:
    """Read everything the views need. Blocking (files, maybe a first sync): run in a worker."""
    with long_lived():
        data = _load(ws, period_text)
        data.gaps_for("")  # build the per-person gap index here, not on the UI thread
        data.team_lines()  # and the roll-ups, so `g` on the overview only paints
        data.field_lines()
    return data


def _shown(snapshot: Snapshot) -> Snapshot:
    """The snapshot with the people's names, teams, managers and emails safe for a terminal
    (chaser.safe_text.clean: a name "\x1b]0;PWNED\x07" shows as "␛]0;PWNED␇"). Keys stay
    exact: chases are logged by key. Gap cells are cleaned where the table paints them."""
    def person(p: Person) -> Person:
        texts = (p.name, p.team, p.manager or "", p.email or "")
        if all(t.isprintable() for t in texts):
            return p
        return replace(p, name=clean(p.name), team=clean(p.team),
                       manager=None if p.manager is None else clean(p.manager),
                       email=None if p.email is None else clean(p.email))

    people = tuple(map(person, snapshot.people))
    return snapshot if people == snapshot.people else replace(snapshot, people=people)


def _shown_chases(chases) -> tuple[Chase, ...]:
    """Chases with their notes, fields, loggers and void reasons safe for a terminal."""
    def chase(c: Chase) -> Chase:
        texts = (c.note, c.by, c.void_reason or "", *c.fields)
        if all(t.isprintable() for t in texts):
            return c
        return replace(c, note=clean(c.note), by=clean(c.by),
                       fields=tuple(map(clean, c.fields)),
                       void_reason=None if c.void_reason is None else clean(c.void_reason))

    return tuple(map(chase, chases))


def _shown_notes(ws) -> tuple:
    """Every writer's notes about people, their text safe for a terminal. Read after the
    chases: the ledger's files are then read already, so this costs a stat per file."""
    return tuple(n if n.text.isprintable() and n.by.isprintable() else
                 replace(n, text=clean(n.text), by=clean(n.by)) for n in ws.notes())


def _load(ws, period_text: str) -> ViewData:
    started = time.perf_counter()
    seen, syncs = snapshot_stamp(ws), ws.syncs  # before the read: a sync landing during it
    snapshot = _shown(ws.snapshot())  # is read again; seeds the demo store on first use
    if ws.syncs != syncs:  # this read took the snapshot itself (the first, or a config
        seen = snapshot_stamp(ws)  # change): it is what is shown, not another process's news
    now = ws.now()
    period = parse_period(period_text, now, ws.tz)
    stamp = ledger_stamp(ws)
    chases = _shown_chases(ws.chases())
    costs = summarise(ws, period, chases, snapshot)
    history = tuple(ws.store.snapshot_history())
    from chaser import views_acc

    return ViewData(
        snapshot=snapshot,
        history=history,
        rows=tuple(person_rows(snapshot, ws.settings.tiers)),
        chases=chases,
        notes=_shown_notes(ws),
        period=period,
        costs=costs,
        now=now,
        is_demo=ws.is_demo,
        source=snapshot.source,
        tz=ws.tz,
        seconds=time.perf_counter() - started,
        last_sync=ws.store.get_meta(LAST_SYNC),
        stale=ws.stale,
        **_completeness(ws),
        ledger_stamp=stamp,
        snapshot_stamp=seen,
        thresholds=ws.settings.tiers,
        acc=views_acc.build(ws, period, chases, snapshot, history),
    )


def ledger_stamp(ws) -> frozenset:
    """The stamp of the ledger folder the chases are read from (stats only: cheap)."""
    from chaser.ledger_status import stamp

    return stamp(ws.store.ledger.root)


def snapshot_stamp(ws) -> tuple:
    """(mtime, size, inode) of the snapshot index, which every stored snapshot rewrites (an
    atomic replace: a new inode); () when there is none yet. One stat: cheap to poll."""
    try:
        st = os.stat(ws.store.root / "snapshots" / "index.json")
    except OSError:
        return ()
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def _completeness(ws) -> dict[str, str | None]:
    from chaser.ledger_status import left_out_short

    return {"incomplete": ws.incomplete, "left_out": left_out_short(ws.ledger_issues)}


def reload_chases(ws, old: ViewData, period_text: str = DEFAULT_PERIOD) -> ViewData:
    """After a chase is logged or voided: same snapshot, fresh chase log and costs."""
    started = time.perf_counter()
    now = ws.now()
    period = parse_period(period_text, now, ws.tz)
    stamp = ledger_stamp(ws)
    chases = _shown_chases(ws.chases())
    costs = summarise(ws, period, chases, old.snapshot)
    index = dict(old._index)
    index.pop("teams", None)  # a team line carries the period's chases and cost
    from chaser import views_acc

    acc = old.acc and views_acc.with_chases(old.acc, ws, period, chases, old.history,
                                            old.snapshot.people)
    fresh = replace(old, chases=chases, notes=_shown_notes(ws), period=period, costs=costs,
                    acc=acc, **_completeness(ws),
                    ledger_stamp=stamp,
                    now=now, seconds=time.perf_counter() - started, _index=index)
    fresh.team_lines()  # here, in the worker
    return fresh
