"""Snapshots built by hand for the goals, newcomers and tiers tests, and a way to hand them to
the CLI without a sync: the tests state every date, so every expected figure is known."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

from chaser.model import Activity, Gap, Person, Snapshot, Tally, quarter


def at(text: str) -> datetime:
    """"2026-11-20 09:00" (UTC) -> an aware datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def counts(moments: Iterable[datetime]) -> dict[int, int]:
    """Activity's form: records per UTC quarter-hour."""
    out: dict[int, int] = {}
    for m in moments:
        out[quarter(m)] = out.get(quarter(m), 0) + 1
    return out


def snapshot(taken: datetime, people: Sequence[Person], *, activity=None, gaps=(),
             cannot_edit_gaps=(), facts: Iterable[str] = (), tallies=None,
             fingerprint=None) -> Snapshot:
    return Snapshot(
        id=taken.strftime("%Y%m%dT%H%M%S000000Z"), taken_at=taken, source="test org",
        people=tuple(people),
        tallies=tallies if tallies is not None else {p.key: Tally() for p in people},
        buckets={}, objects={}, gaps=tuple(gaps), cannot_edit_gaps=tuple(cannot_edit_gaps),
        fingerprint=fingerprint if fingerprint is not None else {"rules": "r1",
                                                                 "placeholders": "p1"},
        activity=activity or {}, person_facts=frozenset(facts))


def activity_at(records: Sequence[dict], taken: datetime, obj: str) -> dict:
    """What a source would report at `taken` for records given as dicts with owner, created
    and edits (modification times): created counts of records existing then, and each
    record's last modification as of then, once per record."""
    out: dict[str, dict] = {}
    created: dict[str, list] = {}
    modified: dict[str, list] = {}
    for r in records:
        if r["created"] > taken:
            continue
        created.setdefault(r["owner"], []).append(r["created"])
        done = [e for e in r.get("edits", ()) if e <= taken]
        modified.setdefault(r["owner"], []).append(max(done) if done else r["created"])
    for owner in created:
        out[owner] = {obj: Activity(counts(created[owner]), counts(modified[owner]))}
    return out


def gap(record: str, owner: str, *missing: str, obj: str = "Deal", since=None,
        created=None) -> Gap:
    return Gap(obj, record, f"rec {record}", owner, tuple(missing), since=since,
               created=created)


def daily(first: datetime, days: int, hour: int = 18) -> list[datetime]:
    start = first.replace(hour=hour, minute=0, second=0, microsecond=0)
    return [start + timedelta(days=d) for d in range(days)]


def serve(monkeypatch, latest: Snapshot, history: Sequence[Snapshot]) -> None:
    """Make every Workspace read these snapshots instead of syncing its source."""
    from chaser.store import Store
    from chaser.workspace import Workspace

    by_id = {s.id: s for s in [*history, latest]}
    monkeypatch.setattr(Workspace, "snapshot", lambda self: latest)
    monkeypatch.setattr(Workspace, "summary", lambda self: latest)
    monkeypatch.setattr(Store, "snapshot_history",
                        lambda self: sorted(by_id.values(), key=lambda s: s.taken_at))
    monkeypatch.setattr(Store, "load_snapshot", lambda self, sid: by_id[sid])
