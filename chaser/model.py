"""The nouns of chaser (see the glossary in DESIGN.md): plain frozen dataclasses, no I/O.

Records travel through the audit as rows of a `RecordBatch` rather than as one object each:
an audit of a million-row export must cost little more than reading it, so a row stays the
list the connector produced and a `Layout` says which column holds what.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import NamedTuple

NO_TEAM = "(no team)"
_TENTH = Decimal("0.1")


class Tier(StrEnum):
    """Adoption tier of a person, worst first."""

    NONE = "none"
    INEFFECTIVE = "ineffective"
    MODERATE = "moderate"
    GRADE_A = "grade-a"


class Bucket(StrEnum):
    """Owners that are not blamed: their records are counted apart and shown, never charged."""

    UNKNOWN = "unknown owner"  # owner missing, or not in the people directory
    INACTIVE = "inactive owner"
    QUEUE = "queue"
    # Not an owner bucket: blanks in fields the owner may not edit (chaser.access). The records
    # stay the owner's; only those fields' blanks are counted here instead of against them.
    CANNOT_EDIT = "cannot-edit"


class Channel(StrEnum):
    CALL = "call"
    EMAIL = "email"
    CHAT = "chat"
    MEETING = "meeting"


class Outcome(StrEnum):
    FIXED = "fixed"
    PROMISED = "promised"
    NO_RESPONSE = "no-response"
    DISPUTED = "disputed"
    BARRIER_ACCESS = "barrier-access"
    BARRIER_TRAINING = "barrier-training"
    BARRIER_TIME = "barrier-time"
    BARRIER_DEPENDENCY = "barrier-dependency"

    @property
    def is_barrier(self) -> bool:
        """A barrier blames the system (access, training, time, dependency), not the person."""
        return self.value.startswith("barrier-")


@dataclass(frozen=True, slots=True)
class Person:
    key: str  # CRM user id, or the owner column's value for CSV
    name: str
    team: str = NO_TEAM
    manager: str | None = None
    email: str | None = None
    active: bool = True
    # Rule fields ("Account.Industry") the person may not edit (field-level security, or a CSV
    # source's [[source.csv.cannot_edit]]): their blanks are not blamed on the person.
    cannot_edit: tuple[str, ...] = ()
    # Issue 13 facts from the source (None: the source does not give it, or the person has
    # none): when the person started (Salesforce User.CreatedDate, HubSpot owner createdAt, a
    # CSV people `started` column) and last logged in (Salesforce User.LastLoginDate, a CSV
    # `last_login` column; HubSpot gives none). Aware, UTC. Snapshot.person_facts says which
    # of the two the source supplies at all, so "never logged in" differs from "not known".
    started: datetime | None = None
    last_login: datetime | None = None

    def matches(self, text: str) -> bool:
        """True when `text` names this person by key, name (any case) or email (any case)."""
        folded = text.strip().casefold()
        return (
            text.strip() == self.key
            or folded == self.name.casefold()
            or (self.email is not None and folded == self.email.casefold())
        )


@dataclass(frozen=True, slots=True)
class Team:
    name: str
    managers: tuple[str, ...] = ()  # every manager its people name, sorted, no repeats

    @property
    def manager(self) -> str | None:
        """The managers as every output shows them: "Dustin Brinkmann, Melvin Marxen". A team
        with two managers (every Maven office) must not show only one of them."""
        return ", ".join(self.managers) or None


# HubSpot names a removed owner "x@y.com (Deactivated User)": the person, but inactive.
_DEACTIVATED = " (deactivated user)"


def owner_norm(value: str) -> str:
    """An owner value as people mean it: any case, surrounding and doubled inner spaces
    ignored ("mark  Stringer " is "Mark Stringer")."""
    return " ".join(value.split()).casefold()


def _sf_id15(value: str) -> str | None:
    """The 15-character form of a Salesforce id (15 or 18 alphanumerics, a digit among them):
    an 18-character id is its 15-character id plus a case-checksum suffix. Case-sensitive."""
    if len(value) in (15, 18) and value.isascii() and value.isalnum() and not value.isalpha():
        return value[:15]
    return None


@dataclass(frozen=True, slots=True)
class Directory:
    """Who owns records. `complete=False` means "no directory given": every owner value seen
    in the records becomes a person (CSV exports without a people file). `queues` holds
    owner values that are not people (queues, and people-file rows the config excludes)."""

    people: tuple[Person, ...] = ()
    queues: frozenset[str] = frozenset()
    complete: bool = True
    # Which Person facts ("started", "last_login") the source supplies at all: the
    # snapshot's person_facts (Salesforce both, HubSpot "started", CSV its people columns).
    facts: frozenset[str] = frozenset()
    # Lookups for resolve(), built once: exact key, normalised key, 15-char Salesforce id.
    _index: tuple = field(default=(), init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        exact = {p.key: p for p in self.people}
        norm: dict[str, Person | None] = {}
        ids: dict[str, Person | None] = {}
        for p in self.people:
            for table, k in ((norm, owner_norm(p.key)), (ids, _sf_id15(p.key))):
                if k is not None:  # two people on one form: that form names neither
                    table[k] = None if k in table and table[k] is not p else p
        queues = {owner_norm(q) for q in self.queues}
        object.__setattr__(self, "_index", (exact, norm, ids, queues))

    def by_key(self) -> dict[str, Person]:
        return {p.key: p for p in self.people}

    def resolve(self, owner: str) -> tuple[Person | None, bool, bool]:
        """(person, is_queue, deactivated) for an owner value of a record. Exact key first,
        then a 15/18-character Salesforce id by its first 15 characters (case-sensitive), or
        else ignoring case and spacing; a "(Deactivated User)" suffix is cut off and marks the owner inactive.
        The audit calls this once per distinct owner value, so it may be thorough."""
        exact, norm, ids, queues = self._index
        text = owner.strip()
        deactivated = text.casefold().endswith(_DEACTIVATED)
        if deactivated:
            text = text[:-len(_DEACTIVATED)].strip()
        if text in self.queues or owner_norm(text) in queues:
            return None, True, deactivated
        person = exact.get(text)
        if person is None:
            # A Salesforce id is case-sensitive ("005...abcD" and "005...abcd" are two users):
            # only its first 15 characters are compared, never its case-folded form.
            id15 = _sf_id15(text)
            person = ids.get(id15) if id15 is not None else norm.get(owner_norm(text))
        return person, False, deactivated


@dataclass(frozen=True, slots=True)
class Layout:
    """Where the standard columns are in the rows of one object's batches."""

    object: str
    columns: tuple[str, ...]  # field name of each column, in row order
    id: int
    owner: int
    name: int | None = None
    modified: int | None = None
    url_template: str | None = None  # e.g. "https://acme.my.salesforce.com/{id}"
    source: str | None = None  # what the rows come from, for messages (e.g. the CSV file)
    # Turns a modified cell into ISO 8601 (or None); None when the cells already are ISO.
    # Called for gap rows only, so a connector can read report formats at no per-row cost.
    modified_iso: Callable[[str | None], str | None] | None = None
    # Issue 13 record dates (chaser.audit_dates reads them, each distinct cell once): the
    # created column, and the last-modified column for Activity when it is not `modified`
    # (Salesforce: `modified` is SystemModstamp, which system jobs move too; `changed` is
    # LastModifiedDate). `created_iso` is to `created` what `modified_iso` is to `modified`.
    created: int | None = None
    changed: int | None = None
    created_iso: Callable[[str | None], str | None] | None = None
    zone: tzinfo | None = None  # of date cells without an offset (CSV: [costs] timezone)
    # (column, cell) -> the first source line holding it, for messages about bad dates only.
    find_line: Callable[[int, str], int | None] | None = None

    def index(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.columns)}


@dataclass(frozen=True, slots=True)
class RecordBatch:
    """A run of records of one object, as rows; `pages` is how many source pages it took."""

    layout: Layout
    rows: Sequence[Sequence[str | None]]
    pages: int = 1
    line: int | None = None  # first source line of the batch (CSV), for messages


class Gap(NamedTuple):
    """One record with one or more required fields missing. A NamedTuple rather than a frozen
    dataclass: an audit makes one per gap record, and this is ~4x cheaper to build."""

    object: str
    record_id: str
    record_name: str
    owner: str  # person key, or the raw owner value when the owner is in a bucket
    missing: tuple[str, ...]
    modified: str | None = None
    url: str | None = None
    created: str | None = None  # ISO 8601 UTC when the source gives it (goals, late gaps)
    # ISO 8601 UTC: the first snapshot of the unbroken run of snapshots that showed this
    # record with gaps (set when the snapshot is stored; None in snapshots from before it).
    since: str | None = None


QUARTER_SECONDS = 900


def quarter(at: datetime) -> int:
    """The quarter-hour (UTC, since the epoch) a moment falls in: the unit of Activity. Every
    time zone's offset is a whole number of quarter hours, so a goal week that ends at a local
    hh:00/15/30/45 is a whole number of them, in any zone and across DST."""
    return int(at.timestamp()) // QUARTER_SECONDS


@dataclass(frozen=True, slots=True)
class Activity:
    """When one person's records of one object were created and last modified, as counts per
    UTC quarter-hour (see `quarter`): what weekly goals count (chaser.goals). Kept only for
    objects whose dates the source was asked for. `modified` counts each record once, at its
    last modification as of the snapshot."""

    created: Mapping[int, int] = field(default_factory=dict)
    modified: Mapping[int, int] = field(default_factory=dict)


@dataclass(slots=True)
class Tally:
    """Counts for one person, team or bucket. Mutable while an audit adds to it."""

    records: int = 0
    records_with_gaps: int = 0
    missing_fields: int = 0
    by_field: dict[str, int] = field(default_factory=dict)

    @property
    def completeness_pct(self) -> float | None:
        """Share of records without gaps, one decimal; None when there are no records."""
        if not self.records:
            return None
        # Exact, and half up as a hand calculation or Excel's ROUND does: float round() would
        # give 90.2 for 361 of 400 records (90.25 rounds half to even).
        pct = Decimal(100 * (self.records - self.records_with_gaps)) / Decimal(self.records)
        return float(pct.quantize(_TENTH, rounding=ROUND_HALF_UP))

    def add(self, other: Tally) -> None:
        self.records += other.records
        self.records_with_gaps += other.records_with_gaps
        self.missing_fields += other.missing_fields
        for name, n in other.by_field.items():
            self.by_field[name] = self.by_field.get(name, 0) + n

    def to_dict(self) -> dict:
        return {
            "records": self.records,
            "records_with_gaps": self.records_with_gaps,
            "missing_fields": self.missing_fields,
            "by_field": dict(self.by_field),
        }

    @classmethod
    def from_dict(cls, d: Mapping) -> Tally:
        return cls(d["records"], d["records_with_gaps"], d["missing_fields"], dict(d["by_field"]))


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The result of one sync: per-person totals, owner buckets, and the gap list."""

    id: str
    taken_at: datetime  # aware, UTC
    source: str
    people: tuple[Person, ...]
    tallies: Mapping[str, Tally]  # person key -> tally (every person, even with no records)
    buckets: Mapping[str, Tally]  # Bucket value -> tally
    objects: Mapping[str, int]  # object -> records audited
    gaps: tuple[Gap, ...] = ()
    # What the figures were computed from (chaser.freshness): a mismatch means they are stale.
    fingerprint: Mapping[str, str] = field(default_factory=dict)
    # Blanks in fields their owner cannot edit (chaser.access), kept apart from `gaps` and the
    # tallies: per person key, a tally of those records and fields (summed, the cannot-edit
    # bucket), and the records themselves with only those fields in `missing`.
    cannot_edit: Mapping[str, Tally] = field(default_factory=dict)
    cannot_edit_gaps: tuple[Gap, ...] = ()
    # Issue 13: person key -> object -> Activity (only objects whose dates were read), and
    # which Person facts ("started", "last_login") the source supplies at all.
    activity: Mapping[str, Mapping[str, Activity]] = field(default_factory=dict)
    person_facts: frozenset[str] = frozenset()

    def person(self, key: str) -> Person | None:
        for p in self.people:
            if p.key == key:
                return p
        return None

    @property
    def records(self) -> int:
        return sum(self.objects.values())


@dataclass(frozen=True, slots=True)
class Chase:
    """One logged attempt to get data from a person. Never deleted: voiding keeps it."""

    id: str
    at: datetime  # when the chase happened, aware
    person: str  # person key
    channel: Channel
    minutes: int
    outcome: Outcome
    fields: tuple[str, ...] = ()
    note: str = ""
    by: str = ""
    logged_at: datetime | None = None
    voided_at: datetime | None = None
    void_reason: str | None = None
    writer: str = ""  # the admin whose ledger holds it (chaser.ledger)
    # Chases logged together (one email to a team): the id of the batch's first chase, the
    # same on each of them; "" for a chase logged on its own (chaser.bulk).
    batch: str = ""

    @property
    def voided(self) -> bool:
        return self.voided_at is not None


@dataclass(frozen=True, slots=True)
class Note:
    """A dated note about a person ("on leave until the 15th"): a ledger event like a chase,
    in its writer's own file, never rewritten."""

    id: str  # as a chase id: writer, month, number ("ann-202611-18")
    at: datetime  # when it was written, aware
    person: str  # person key
    text: str
    by: str  # the name it was written under (the writer's, from [admin])
    writer: str  # the admin whose ledger holds it
