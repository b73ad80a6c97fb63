"""Records + rules -> snapshot, and the roll-ups every view reads from a snapshot.

The audit streams: it keeps one Tally per owner and one Gap per record with gaps, so memory
grows with the gaps, not with the records. Records whose owner is unknown, inactive or a queue
are tallied in buckets of their own: shown, never blamed on a person.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from itertools import islice, starmap
from operator import itemgetter

from chaser import access
from chaser.audit_dates import Dated, activity
from chaser.audit_part import Part, pack, unpack
from chaser.model import (
    NO_TEAM,
    Bucket,
    Directory,
    Gap,
    Layout,
    Person,
    RecordBatch,
    Snapshot,
    Tally,
    Team,
    Tier,
    owner_norm,
)
from chaser.rules import Blank, Rule, Scan, compile_scan, unmatched_when
from chaser.tiers import Thresholds, tier_of  # the tiers' one place; re-exported here


class Auditor:
    """Feed it batches; ask it for the snapshot."""

    def __init__(self, directory: Directory, rules: Iterable[Rule], blank: Blank, *,
                 dates_for: Iterable[str] = (), updates_for: Iterable[str] = ()) -> None:
        self._directory = directory
        # Objects whose created/modified dates become Activity and Gap.created
        # (Settings.dates_for); their Dated counts per layout (chaser.audit_dates).
        self._dates_for = frozenset(dates_for)
        self._updates_for = frozenset(updates_for)  # and their modified dates too
        self._dated: dict[Layout, Dated] = {}
        self._rules = list(rules)
        self._blank = blank
        self._people: dict[str, Person] = directory.by_key()
        self._tallies: dict[str, Tally] = {k: Tally() for k in self._people}
        self._buckets: dict[str, Tally] = {}
        self._objects: dict[str, int] = {}
        self._gaps: list[tuple] = []  # Gap fields, in order
        self._scans: dict[Layout, Scan] = {}
        # owner value -> the tally to charge; cached per owner
        self._owners: dict[str | None, Tally] = {}
        # Records per owner value and gap records per (owner value, missing fields), counted
        # by C-level Counter.update across all batches and charged to tallies in _charge():
        # a per-batch Python loop over ~180 owners and ~50 combinations cost ~10% of add().
        self._counts: Counter = Counter()
        self._gap_counts: Counter = Counter()
        self._keys: dict[str | None, str] = {}  # owner value -> person key (or the raw value)
        self._open_keys: dict[str, str] = {}  # normalised owner -> key, without a people file
        self._unknown: list[str | None] = []  # owner values matching no person
        self._counts_by_owner: dict[str | None, int] = {}

    def _tally_for(self, owner: str | None) -> Tally:
        """The tally an owner value is charged to, worked out once per distinct value (so
        resolving may be thorough: Directory.resolve). Also records the value's person key,
        which its gaps carry."""
        tally = self._owners.get(owner)
        if tally is not None:
            return tally
        raw = (owner or "").strip()
        person, queue, deactivated = self._directory.resolve(raw) if raw else (None, False, False)
        key = person.key if person is not None else raw
        if not raw:
            tally = self._bucket(Bucket.UNKNOWN)
        elif queue:
            tally = self._bucket(Bucket.QUEUE)
        elif deactivated or (person is not None and not person.active):
            tally = self._bucket(Bucket.INACTIVE)
        elif person is None and not self._directory.complete:
            # No people file: the first spelling seen names the person; "mark stringer"
            # later in the file is the same one.
            norm = owner_norm(raw)
            key = self._open_keys.setdefault(norm, raw)
            if key not in self._people:
                self._people[key] = Person(key=key, name=key)
                self._tallies[key] = Tally()
            tally = self._tallies[key]
        elif person is None:
            tally = self._bucket(Bucket.UNKNOWN)
            self._unknown.append(owner)
        else:
            tally = self._tallies[key]
        self._owners[owner] = tally
        self._keys[owner] = key
        return tally

    def notes(self) -> list[str]:
        """What the sync should say besides the figures: owners no person matched (with the
        nearest people-file entries), `when` values no record holds."""
        out = []
        if self._unknown:
            self._charge()
            counts = self._counts_by_owner
            ranked = sorted((o for o in self._unknown if counts.get(o)), key=lambda o: -counts[o])
            if ranked:
                choices = {owner_norm(p.key): p.key for p in self._people.values()}
                choices |= {owner_norm(p.name): p.name for p in self._people.values()}
                parts = []
                for o in ranked[:5]:
                    near = difflib.get_close_matches(owner_norm(o), list(choices), n=3,
                                                     cutoff=0.6)
                    hint = ("; nearest in the people file: " + ", ".join(
                        repr(choices[n]) for n in near)) if near else ""
                    parts.append(f"{o.strip()!r} ({self._counts_by_owner[o]:,} records{hint})")
                more = f" and {len(ranked) - 5:,} more" if len(ranked) > 5 else ""
                out.append(f"warning: {len(ranked):,} owner values match no person and are "
                           f"counted as unknown owner: {'; '.join(parts)}{more}")
        out += unmatched_when(self._rules, self._scans)
        for dated in self._dated.values():
            out += dated.notes()
        return out

    def _bucket(self, bucket: Bucket) -> Tally:
        return self._buckets.setdefault(bucket.value, Tally())

    def add(self, batch: RecordBatch) -> None:
        layout = batch.layout
        scan = self._scans.get(layout)
        if scan is None:
            scan = self._scans[layout] = compile_scan(self._rules, layout, self._blank)
        rows = batch.rows
        # A connector offering to count its next rows in another process (csv_split.py): it
        # feeds them to a Part made here, there, and hands the part's state back in a later
        # batch.
        dated = self._dated.get(layout)
        if dated is None and layout.object in self._dates_for:
            dated = self._dated[layout] = Dated(layout, layout.object in self._updates_for)
        delegate = getattr(rows, "delegate", None)
        if delegate is not None:
            delegate(partial(Part, layout, scan, dated is not None,
                             layout.object in self._updates_for))
            return
        part = getattr(rows, "part", None)
        if part is not None:
            self._merge(layout, part)
            return
        counts = self._counts
        seen = len(counts)
        owners = list(map(itemgetter(layout.owner), rows))
        counts.update(owners)
        if len(counts) > seen:  # owners new to this run, in first-seen order
            for owner in list(islice(counts, seen, None)):
                self._tally_for(owner)
        if dated is not None:
            dated.feed(rows, owners)
        hits = scan(rows)
        if hits:
            owners, missing, packed = pack(layout, hits, dated.created_iso() if dated else None)
            self._gap_counts.update(zip(owners, missing, strict=True))
            self._packed.append((layout, [packed]))
        self._objects[layout.object] = self._objects.get(layout.object, 0) + len(rows)

    def _merge(self, layout: Layout, state: tuple) -> None:
        """Take in a Part's counts as if its batches had been added here, after those added
        so far: owners new in it are resolved in the order it first saw them."""
        counts, gap_counts, gaps, records, plan_keys, dates = state
        if dates is not None:
            self._dated[layout].merge(dates)
        seen = len(self._counts)
        self._counts.update(counts)
        for owner in list(islice(self._counts, seen, None)):
            self._tally_for(owner)
        self._gap_counts.update(gap_counts)
        self._packed.append((layout, gaps))
        self._objects[layout.object] = self._objects.get(layout.object, 0) + records
        self._scans[layout].learn(plan_keys)  # type: ignore[attr-defined]

    @property
    def _gaps(self) -> list[tuple]:
        """Gap fields of every record with gaps, in order (what snapshot() reads): add() and
        _merge() keep them packed (chaser/audit_part.py), unpacked here on the first read,
        when every owner has its person key."""
        if self._packed:
            for layout, entries in self._packed:
                self._gap_list += unpack(layout, entries, self._keys)
            self._packed.clear()
        return self._gap_list

    @_gaps.setter
    def _gaps(self, gaps: list[tuple]) -> None:
        self._gap_list, self._packed = gaps, []

    def touch_object(self, obj: str) -> None:
        """Record that `obj` was read even when it had no rows."""
        self._objects.setdefault(obj, 0)

    def _charge(self) -> None:
        """Add the counts kept since the last call to the tallies."""
        owners = self._owners
        by_owner = self._counts_by_owner
        for owner, n in self._counts.items():
            owners[owner].records += n
            by_owner[owner] = by_owner.get(owner, 0) + n
        # Zeros, not clear(): add() tells new owners by the counter's length.
        self._counts = Counter(dict.fromkeys(self._counts, 0))
        for (owner, missing), n in self._gap_counts.items():
            tally = owners[owner]
            tally.records_with_gaps += n
            tally.missing_fields += n * len(missing)
            by_field = tally.by_field
            for f in missing:
                by_field[f] = by_field.get(f, 0) + n
        self._gap_counts.clear()

    def snapshot(self, snapshot_id: str, taken_at: datetime, source: str) -> Snapshot:
        self._charge()
        # Blanks the owner cannot edit are taken out after counting (chaser.access): add()
        # stays as fast as without, and the tallies here are copies, so a second call agrees.
        blocked = access.charged_to_self(self._people, self._keys, self._owners, self._tallies)
        split = access.split(tuple(starmap(Gap, self._gaps)), self._tallies, blocked)
        buckets = dict(self._buckets)
        if split.bucket is not None:
            buckets[Bucket.CANNOT_EDIT.value] = split.bucket
        tallies, keys = self._tallies, self._keys
        # Only records charged to a person count as their activity: not the buckets'.
        acts = activity(self._dated.values(), keys,
                        lambda o: self._owners[o] is tallies.get(keys[o]))
        return Snapshot(
            id=snapshot_id,
            taken_at=taken_at,
            source=source,
            people=tuple(sorted(self._people.values(), key=lambda p: p.name.casefold())),
            tallies=split.tallies,
            buckets=buckets,
            objects=dict(self._objects),
            gaps=split.gaps,
            cannot_edit=split.by_person,
            cannot_edit_gaps=split.unblamed,
            activity=acts,
            person_facts=self._directory.facts,
        )


def audit(directory: Directory, batches: Iterable[RecordBatch], rules: Iterable[Rule],
          blank: Blank, *, snapshot_id: str, taken_at: datetime, source: str,
          dates_for: Iterable[str] = (), updates_for: Iterable[str] = ()) -> Snapshot:
    """The whole audit in one call, for callers that need no progress."""
    auditor = Auditor(directory, rules, blank, dates_for=dates_for, updates_for=updates_for)
    for batch in batches:
        auditor.add(batch)
    return auditor.snapshot(snapshot_id, taken_at, source)


# ---- roll-ups: what every view (CLI table, TUI, report) reads from a snapshot ----------------


@dataclass(frozen=True, slots=True)
class PersonRow:
    person: Person
    tally: Tally
    tier: Tier
    reason: str = ""  # why this tier (chaser.tiers): "moderate: 80.0% complete"
    late_gaps: int = 0  # gap records open longer than [tiers] late_days
    median_days_open: float | None = None  # of the gap records with a known age


@dataclass(frozen=True, slots=True)
class TeamRow:
    team: Team
    people: int
    tally: Tally
    tier: Tier


def person_rows(snapshot: Snapshot, thresholds: Thresholds) -> list[PersonRow]:
    """One row per person who is not in a bucket (inactive people are shown as a bucket)."""
    from chaser.tiers import judge  # the tier and its reason: logins, lateness, completeness

    by_owner: dict[str, list[Gap]] = {}
    for g in snapshot.gaps:  # a summary has none: ages then unknown, no gap is late
        by_owner.setdefault(g.owner, []).append(g)
    rows = []
    cache: dict = {}  # gap dates repeat (one `since` per snapshot): parsed once
    for p in snapshot.people:
        if not p.active:
            continue
        tally = snapshot.tallies.get(p.key) or Tally()
        call = judge(p, tally, by_owner.get(p.key, ()), thresholds, at=snapshot.taken_at,
                     facts=snapshot.person_facts, cache=cache)
        rows.append(PersonRow(p, tally, call.tier, call.reason, call.late_gaps,
                              call.median_days_open))
    return rows


def teams(people: Iterable[Person]) -> dict[str, Team]:
    """Teams by name, each with every manager its people name (sorted, each once): the one
    place a team's managers are decided, for `gaps --by team`, the report and the TUI.

    A team lead who is a member of the team names their own boss as manager; that boss
    manages the lead, not the team, so a member whom others of the team name as their manager
    does not add a manager (unless nobody else names one)."""
    members: dict[str, list[Person]] = {}
    for p in people:
        members.setdefault(p.team or NO_TEAM, []).append(p)
    out = {}
    for name, group in sorted(members.items()):
        named = {p.manager.strip() for p in group if p.manager and p.manager.strip()}
        below = {p.manager.strip() for p in group
                 if p.manager and p.manager.strip() and p.name not in named}
        chosen = below or named
        out[name] = Team(name, tuple(sorted(chosen, key=lambda m: (m.casefold(), m))))
    return out


def team_rows(rows: Iterable[PersonRow], thresholds: Thresholds) -> list[TeamRow]:
    rows = list(rows)
    by_team: dict[str, tuple[int, Tally]] = {}
    for r in rows:
        n, tally = by_team.get(r.person.team, (0, Tally()))
        tally.add(r.tally)
        by_team[r.person.team] = (n + 1, tally)
    known = teams(r.person for r in rows)
    return [TeamRow(known[name], n, tally, tier_of(tally, thresholds))
            for name, (n, tally) in sorted(by_team.items())]


def field_counts(rows: Iterable[PersonRow]) -> dict[str, int]:
    """Missing-field counts over the given people, most missing first."""
    total = Tally()
    for r in rows:
        total.add(r.tally)
    return dict(sorted(total.by_field.items(), key=lambda kv: (-kv[1], kv[0])))


def org_tally(snapshot: Snapshot, include_buckets: bool = False) -> Tally:
    total = Tally()
    for p in snapshot.people:
        if p.active and p.key in snapshot.tallies:
            total.add(snapshot.tallies[p.key])
    if include_buckets:
        for name, t in snapshot.buckets.items():
            if name != Bucket.CANNOT_EDIT.value:  # its records are people's, counted above
                total.add(t)
    return total


def gaps_of(snapshot: Snapshot, person_key: str) -> list[Gap]:
    return [g for g in snapshot.gaps if g.owner == person_key]


def bucket_rows(snapshot: Snapshot) -> Mapping[str, Tally]:
    """The buckets holding records: owner buckets by name, then cannot-edit (whose records
    are people's records with blanks they may not fill, not records of an owner bucket)."""
    last = Bucket.CANNOT_EDIT.value
    return {b: snapshot.buckets[b] for b in sorted(snapshot.buckets, key=lambda b: (b == last, b))
            if snapshot.buckets[b].records}


_BUCKET_PLURALS = {Bucket.UNKNOWN.value: "unknown owners", Bucket.INACTIVE.value: "inactive owners",
                   Bucket.QUEUE.value: "queues"}


def unblamed_note(snapshot: Snapshot) -> str | None:
    """One sentence on the records left out of every person's figures, e.g. "Not blamed: 424
    records of inactive owners, 530 of queues, 12 with blanks their owner cannot edit"; None
    when every record has a person. The CLI prints it under its tables, so they say what the
    people table does not count."""
    parts = []
    for bucket, tally in bucket_rows(snapshot).items():
        n = tally.records
        unit = ("record " if n == 1 else "records ") if not parts else ""
        if bucket == Bucket.CANNOT_EDIT.value:
            parts.append(f"{n:,} {unit}with blanks their owner cannot edit")
        else:
            parts.append(f"{n:,} {unit}of {_BUCKET_PLURALS.get(bucket, bucket)}")
    return "Not blamed: " + ", ".join(parts) if parts else None
