"""The figures of the morning digest: who gets one, which period it covers, and what each of
its sections says. Glue between a Workspace and the core, as chaser.inputs is: the report
figures of every section are `chaser report --format json` of the same period and team
(chaser.inputs.report_for + chaser.report_json.to_dict), so a manager's email and the CLI can
never disagree; the digest only adds what a report has no place for (the completeness trend,
gaps opened and closed since the previous digest, the people with most open gaps, and the
blocks of chaser.digest_content).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from email.headerregistry import Address
from typing import TYPE_CHECKING, Any

from chaser.audit import teams as team_managers
from chaser.costs import as_of, scope_tally
from chaser.digest_content import Block, Scope, blocks
from chaser.digest_sent import SENT, SentLog
from chaser.digest_settings import DEFAULT_PERIOD, SINCE_LAST, DigestSettings, address
from chaser.errors import ChaserError
from chaser.model import Person, Snapshot
from chaser.periods import Period, parse_period

if TYPE_CHECKING:
    from chaser.workspace import Workspace

TREND_WEEKS = 8  # completeness at the end of each of the last 8 weeks: fading shows in 6-8


@dataclass(frozen=True, slots=True)
class Recipient:
    name: str  # the manager, or the address's display name
    address: Address | None  # None: no address known (reported, never skipped silently)
    teams: tuple[str, ...] | None  # None: the whole org

    @property
    def key(self) -> str:
        return self.address.addr_spec.lower() if self.address else ""


@dataclass(frozen=True, slots=True)
class Section:
    team: str | None  # None: the whole org
    figures: dict[str, Any]  # exactly `chaser report --format json [--team T]`
    trend: tuple[tuple[date, float | None], ...]  # oldest first
    opened: int | None  # gap records new since `since`; None: nothing to compare with
    closed: int | None
    since: str | None  # "2026-11-18 07:30": the snapshot compared with
    most_gaps: tuple[tuple[str, int, int], ...]  # (name, records with gaps, records)
    blocks: tuple[Block, ...] = ()


@dataclass(frozen=True, slots=True)
class Digest:
    recipient: Recipient
    period_text: str  # as chaser.periods reads it: the sent-record's key
    period: Period
    sections: tuple[Section, ...]
    snapshot: str  # id of the snapshot drawn from
    snapshot_at: str  # "2026-11-20 09:00 UTC"
    notes: tuple[str, ...] = field(default=())


def period_text(text: str, ws: Workspace, log: SentLog) -> str:
    """The digest's period as chaser.periods reads it: "yesterday" is that one day,
    "since-last" the days after the last digest sent up to yesterday (yesterday when none was
    sent; the last one again when it already reached yesterday, so nothing is sent twice)."""
    today = ws.now().astimezone(ws.tz).date()
    yesterday = today - timedelta(days=1)
    if text == DEFAULT_PERIOD:
        return f"{yesterday}..{yesterday}"
    if text == SINCE_LAST:
        last = log.last_sent()
        if last is None:
            return f"{yesterday}..{yesterday}"
        end = parse_period(last.period, ws.now(), ws.tz).last_day
        return last.period if end >= yesterday else f"{end + timedelta(days=1)}..{yesterday}"
    return text


def recipients(settings: DigestSettings, people: Sequence[Person]) -> list[Recipient]:
    """One per manager of a team (their teams, sorted) when per_manager, then one per `to`
    address (the whole org). An address that gets the org-wide digest gets no manager one
    too: the org-wide digest covers each team."""
    out: list[Recipient] = []
    org = {a.addr_spec.lower() for a in settings.to}
    if settings.per_manager:
        managed: dict[str, list[str]] = {}
        for name, team in team_managers(people).items():
            for m in team.managers:
                managed.setdefault(m, []).append(name)
        for manager, names in sorted(managed.items(), key=lambda kv: kv[0].casefold()):
            r = Recipient(manager, manager_address(manager, people), tuple(sorted(names)))
            if r.key not in org or not r.key:
                out.append(r)
    out += [Recipient(a.display_name or a.addr_spec, a, None) for a in settings.to]
    return out


def manager_address(manager: str, people: Sequence[Person]) -> Address | None:
    """The email of the manager's own person row (Person.email of the directory person of that
    name, or whose email the manager value is); None when no such row has one, or several
    people of that name disagree (the digest would go to the wrong one)."""
    folded = manager.strip().casefold()
    if "@" in folded:
        try:
            return address(manager, "manager")
        except ChaserError:
            return None
    emails = {p.email.strip() for p in people
              if p.name.strip().casefold() == folded and p.email and p.email.strip()}
    if len(emails) != 1:
        return None
    try:
        found = address(emails.pop(), "email")
    except ChaserError:
        return None
    return Address(display_name=manager.strip(), addr_spec=found.addr_spec)


def build(ws: Workspace, recipient: Recipient, text: str, log: SentLog,
          top: int = 5) -> Digest:
    """The digest of `recipient` for the period `text` (as `period_text` gave it)."""
    from chaser.accountability import gather
    from chaser.inputs import report_for
    from chaser.report_json import to_dict

    period = parse_period(text, ws.now(), ws.tz)
    latest = ws.snapshot()
    history = ws.store.snapshot_history()
    base = _base(ws, recipient, text, log, history, period)
    acc = gather(ws)  # goal weeks, barriers, newcomers: once, for every team's figures
    sections = []
    for team in recipient.teams or (None,):
        figures = to_dict(report_for(ws, period, team, top=top, acc=acc))
        people = [p for p in latest.people if team is None or p.team == team]
        keys = [p.key for p in people if p.active]
        opened, closed = _changes(base, latest, set(keys))
        sections.append(Section(
            team, figures, _trend(history, keys, period), opened, closed,
            None if base is None else f"{base.taken_at.astimezone(ws.tz):%Y-%m-%d %H:%M}",
            _most_gaps(latest, people, top),
            blocks(Scope(ws, period, team, people, figures, latest, history, acc))))
    return Digest(recipient, text, period, tuple(sections), latest.id,
                  f"{latest.taken_at.astimezone(ws.tz):%Y-%m-%d %H:%M %Z}")


def _base(ws: Workspace, recipient: Recipient, text: str, log: SentLog,
          history: Sequence[Snapshot], period: Period) -> Snapshot | None:
    """What "opened and closed" is counted against: the snapshot this recipient's previous
    digest was drawn from, else the last one before the period began. With its gaps."""
    previous = [e for e in log.entries() if e.status == SENT and e.recipient == recipient.key
                and e.period != text and e.snapshot]
    wanted = previous[-1].snapshot if previous else None
    if wanted is None:
        found = as_of(history, period.start)
        wanted = found.id if found is not None else None
    if wanted is None:
        return None
    try:
        return ws.store.load_snapshot(wanted)
    except ChaserError:  # dropped since (`chaser snapshots drop`): say nothing rather than guess
        print(f"chaser: note: snapshot {wanted} is gone; gaps opened and closed are left out",
              file=sys.stderr)
        return None


def _changes(base: Snapshot | None, latest: Snapshot, keys: set[str]
             ) -> tuple[int | None, int | None]:
    if base is None:
        return None, None
    before = {(g.object, g.record_id) for g in base.gaps if g.owner in keys}
    now = {(g.object, g.record_id) for g in latest.gaps if g.owner in keys}
    return len(now - before), len(before - now)


def _trend(history: Sequence[Snapshot], keys: Sequence[str], period: Period
           ) -> tuple[tuple[date, float | None], ...]:
    """Completeness of the scope at the end of each of the last TREND_WEEKS weeks up to the
    period's end, one point per distinct snapshot."""
    points: dict[str, tuple[date, float | None]] = {}
    for weeks in range(TREND_WEEKS - 1, -1, -1):
        snap = as_of(history, period.end - timedelta(weeks=weeks))
        if snap is not None and snap.id not in points:
            points[snap.id] = (snap.taken_at.date(), scope_tally(snap, keys).completeness_pct)
    return tuple(points.values())


def _most_gaps(latest: Snapshot, people: Sequence[Person], top: int
               ) -> tuple[tuple[str, int, int], ...]:
    rows = [(p.name, t.records_with_gaps, t.records) for p in people
            if p.active and (t := latest.tallies.get(p.key)) is not None and t.records_with_gaps]
    rows.sort(key=lambda r: (-r[1], r[0].casefold()))
    return tuple(rows[:top])
