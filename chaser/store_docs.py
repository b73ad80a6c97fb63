"""The documents of the domain store: chases and snapshot summaries, encoded for TinyDB and
decoded back, with every type and range checked on the way in *and* out.

Store files are plain JSON a person (or a sync tool, or a bug) can edit. A document that does
not decode exactly is refused as corrupt, naming the file: "minutes": "abc", a person of 5, a
negative minute count priced as a refund, a snapshot id that walks out of its folder
("../../etc/passwd") must stop chaser with a message, never reach arithmetic or a path.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from chaser import clock
from chaser.model import Activity, Channel, Chase, Gap, Outcome, Person, Snapshot, Tally
from chaser.storage import corrupt

MAX_MINUTES = 600
PARTITION = re.compile(r"(\d{4})-(0[1-9]|1[0-2])\.json")  # a month file of the pre-ledger log
SNAPSHOT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
CHASE_KEYS = frozenset({"at", "person", "channel", "minutes", "outcome", "fields", "note", "by",
                        "logged_at", "voided_at", "void_reason"})
GAP_COLUMNS = ("object", "record_id", "record_name", "owner", "missing", "modified", "url")


def iso(at: datetime, what: str) -> str:
    if not isinstance(at, datetime) or at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{what} must be a timezone-aware datetime, not {at!r}")
    if not clock.in_range(at.astimezone(UTC)):
        raise ValueError(f"{what} {at.date().isoformat()} is outside {clock.MIN_YEAR}-"
                         f"{clock.MAX_YEAR}")
    return at.astimezone(UTC).isoformat()


def moment(text: object, what: str = "time") -> datetime:
    """A stored time stamp: ISO text with an offset, inside chaser's years."""
    if not isinstance(text, str):
        raise TypeError(f"{what} must be ISO text, not {text!r}")
    at = datetime.fromisoformat(text)
    if at.tzinfo is None:
        raise ValueError(f"{what} {text!r} has no UTC offset")
    at = at.astimezone(UTC)
    if not clock.in_range(at):
        raise ValueError(f"{what} {text!r} is outside {clock.MIN_YEAR}-{clock.MAX_YEAR}")
    return at


def chase_month(at: datetime) -> str:
    """The month file ("2026-11") a chase at `at` is kept in: its UTC month, zero-padded (a
    strftime("%Y") of year 206 gives "206" on some platforms, a name no listing finds)."""
    utc = at.astimezone(UTC)
    return f"{utc.year:04d}-{utc.month:02d}"


def chase_id(part: str, n: int | str) -> str:
    return f"{part[:4]}{part[5:]}-{n}"


def _text(doc: Mapping, key: str, *, blank: bool = True, none: bool = False) -> Any:
    value = doc[key]
    if value is None and none:
        return None
    if not isinstance(value, str) or (not blank and not value.strip()):
        raise TypeError(f"{key} must be {'text' if blank else 'non-empty text'}, not {value!r}")
    return value


def _count(value: object, what: str, low: int = 0, high: int | None = None) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < low \
            or (high is not None and value > high):
        span = f"from {low} to {high}" if high is not None else f"of at least {low}"
        raise TypeError(f"{what} must be a whole number {span}, not {value!r}")
    return value


def decode_chase(path: Path, part: str, n: str | int, doc: Mapping) -> Chase:
    """One stored chase, checked field by field; a chase kept in another month's file than
    its own is corrupt too (no listing would ever find it there)."""
    try:
        if set(doc) != CHASE_KEYS:
            raise ValueError(f"fields {sorted(set(doc) ^ CHASE_KEYS)} missing or unknown")
        at = moment(doc["at"], "at")
        if chase_month(at) != part:
            raise ValueError(f"dated {doc['at']} but kept in the file of {part}")
        fields = doc["fields"]
        if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
            raise TypeError(f"fields must be a list of names, not {fields!r}")
        voided_at = None if doc["voided_at"] is None else moment(doc["voided_at"], "voided_at")
        reason = _text(doc, "void_reason", none=True)
        if (voided_at is None) != (reason is None):
            raise ValueError("voided_at and void_reason go together")
        return Chase(
            id=chase_id(part, n),
            at=at,
            person=_text(doc, "person", blank=False),
            channel=Channel(doc["channel"]),
            minutes=_count(doc["minutes"], "minutes", 1, MAX_MINUTES),
            outcome=Outcome(doc["outcome"]),
            fields=tuple(fields),
            note=_text(doc, "note"),
            by=_text(doc, "by"),
            logged_at=moment(doc["logged_at"], "logged_at"),
            voided_at=voided_at,
            void_reason=reason,
        )
    except (KeyError, TypeError, ValueError) as e:
        raise corrupt(path, f"chase {chase_id(part, n)} is malformed: {e}") from None


def _tally_out(t: Tally) -> list:
    return [t.records, t.records_with_gaps, t.missing_fields, dict(t.by_field)]


def _tally_in(row: object) -> Tally:
    if not isinstance(row, list) or len(row) != 4 or not isinstance(row[3], dict):
        raise TypeError(f"a tally must be [records, with gaps, missing, by field], not {row!r}")
    records, with_gaps, missing, by_field = row
    by = {}
    for name, n in by_field.items():
        by[name] = _count(n, f"missing count of {name!r}")
    tally = Tally(_count(records, "records"), _count(with_gaps, "records with gaps"),
                  _count(missing, "missing fields"), by)
    if tally.records_with_gaps > tally.records:
        raise ValueError(f"more records with gaps than records in {row!r}")
    return tally


def summary_out(s: Snapshot) -> dict:
    doc = {
        "id": s.id,
        "taken_at": iso(s.taken_at, "taken_at"),
        "source": s.source,
        "people": [[p.key, p.name, p.team, p.manager, p.email, p.active] for p in s.people],
        "tallies": {k: _tally_out(t) for k, t in s.tallies.items()},
        "buckets": {k: _tally_out(t) for k, t in s.buckets.items()},
        "objects": dict(s.objects),
        "gap_count": len(s.gaps),
        "fingerprint": dict(s.fingerprint),
    }
    # Added keys, only when someone may not edit a rule field, not a new person row or schema:
    # an older chaser reads the file and ignores them; a summary without them is "nobody".
    if blocked := {p.key: list(p.cannot_edit) for p in s.people if p.cannot_edit}:
        doc["cannot_edit"] = blocked
    if s.cannot_edit:
        doc["cannot_edit_tallies"] = {k: _tally_out(t) for k, t in s.cannot_edit.items()}
    # Issue 13, added keys in the same way: when people started and last logged in (only
    # people with either), and which of the two the source gives at all.
    if dates := {p.key: [_opt_iso(p.started, "started"), _opt_iso(p.last_login, "last_login")]
                 for p in s.people if p.started is not None or p.last_login is not None}:
        doc["person_dates"] = dates
    if s.person_facts:
        doc["person_facts"] = sorted(s.person_facts)
    return doc


def _opt_iso(at: datetime | None, what: str) -> str | None:
    return None if at is None else iso(at, what)


def _opt_moment(text: object, what: str) -> datetime | None:
    return None if text is None else moment(text, what)


def _person_dates_in(doc: Mapping) -> dict[str, tuple[datetime | None, datetime | None]]:
    value = doc.get("person_dates", {})
    if not isinstance(value, dict):
        raise TypeError(f"person_dates must be a table, not {value!r}")
    out = {}
    for key, pair in value.items():
        if not isinstance(pair, list) or len(pair) != 2:
            raise TypeError(f"person_dates of {key!r} must be [started, last_login]")
        out[key] = (_opt_moment(pair[0], "started"), _opt_moment(pair[1], "last_login"))
    return out


def _facts_in(doc: Mapping) -> frozenset[str]:
    value = doc.get("person_facts", [])
    if not isinstance(value, list) or not set(value) <= {"started", "last_login"}:
        raise TypeError(f"person_facts must list started / last_login, not {value!r}")
    return frozenset(value)


def _person_in(row: object) -> Person:
    if not isinstance(row, list) or len(row) != 6:
        raise TypeError(f"a person must be [key, name, team, manager, email, active], not {row!r}")
    key, name, team, manager, email, active = row
    for what, value, none in (("key", key, False), ("name", name, False), ("team", team, False),
                              ("manager", manager, True), ("email", email, True)):
        if not (isinstance(value, str) or (none and value is None)):
            raise TypeError(f"a person's {what} must be text, not {value!r}")
    if not isinstance(active, bool):
        raise TypeError(f"a person's active flag must be true or false, not {active!r}")
    return Person(key, name, team, manager, email, active)


def _cannot_edit_in(doc: Mapping) -> dict[str, tuple[str, ...]]:
    """Person key -> the rule fields the person may not edit; {} in summaries before it."""
    value = doc.get("cannot_edit", {})
    if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, list) and all(isinstance(f, str) for f in v)
            for k, v in value.items()):
        raise TypeError(f"cannot_edit must map person keys to field lists, not {value!r}")
    return {k: tuple(v) for k, v in value.items()}


def _fingerprint_in(value: object) -> dict[str, str]:
    """Absent in snapshots stored before fingerprints: {} (stale as a whole)."""
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                              for k, v in value.items()):
        raise TypeError(f"fingerprint must map names to digests, not {value!r}")
    return dict(value)


def check_summary(doc: Mapping) -> None:
    """The cheap checks every listing makes: a safe id and a readable time stamp."""
    sid = doc["id"]
    if not isinstance(sid, str) or not SNAPSHOT_ID.fullmatch(sid) or sid == "index":
        raise ValueError(f"snapshot id {sid!r} is not a safe file name")
    moment(doc["taken_at"], "taken_at")


def _int(v: object) -> bool:
    return type(v) is int and v >= 0


def _tally_ok(t: object) -> bool:
    return (type(t) is list and len(t) == 4 and _int(t[0]) and _int(t[1]) and _int(t[2])
            and t[1] <= t[0] and type(t[3]) is dict and all(map(_int, t[3].values())))


def _person_ok(r: object) -> bool:
    return (type(r) is list and len(r) == 6 and type(r[0]) is str and type(r[1]) is str
            and type(r[2]) is str and (r[3] is None or type(r[3]) is str)
            and (r[4] is None or type(r[4]) is str) and type(r[5]) is bool)


def check_summary_doc(path: Path, doc: Mapping) -> None:
    """Before the index is written: every summary must be one `summary_in` reads. The same
    checks without building a Snapshot (a write would otherwise decode thousands of people per
    stored snapshot); on any doubt, `summary_in` runs and names the fault."""
    try:
        check_summary(doc)
        fine = (type(doc["people"]) is list and all(map(_person_ok, doc["people"]))
                and type(doc["source"]) is str
                and all(type(doc[k]) is dict for k in ("tallies", "buckets", "objects"))
                and all(map(_tally_ok, doc["tallies"].values()))
                and all(map(_tally_ok, doc["buckets"].values()))
                and all(map(_int, doc["objects"].values()))
                and type(doc.get("cannot_edit_tallies", {})) is dict
                and all(map(_tally_ok, doc.get("cannot_edit_tallies", {}).values())))
        _fingerprint_in(doc.get("fingerprint", {}))
        _cannot_edit_in(doc)
    except (KeyError, TypeError, ValueError):
        fine = False
    if not fine:
        summary_in(path, doc)


def summary_in(path: Path, doc: Mapping, gaps: tuple[Gap, ...] = (),
               cannot_edit_gaps: tuple[Gap, ...] = (),
               activity: Mapping[str, Mapping[str, Activity]] | None = None) -> Snapshot:
    try:
        check_summary(doc)
        for what in ("tallies", "buckets", "objects"):
            if not isinstance(doc[what], dict):
                raise TypeError(f"{what} must be a table, not {doc[what]!r}")
        if not isinstance(doc["people"], list) or not isinstance(doc["source"], str):
            raise TypeError("people must be a list and source text")
        blocked = _cannot_edit_in(doc)
        unblamed = doc.get("cannot_edit_tallies", {})
        if not isinstance(unblamed, dict):
            raise TypeError(f"cannot_edit_tallies must be a table, not {unblamed!r}")
        people = tuple(_person_in(row) for row in doc["people"])
        dates = _person_dates_in(doc)
        if blocked or dates:
            people = tuple(Person(p.key, p.name, p.team, p.manager, p.email, p.active,
                                  blocked.get(p.key, ()), *dates.get(p.key, (None, None)))
                           for p in people)
        return Snapshot(
            id=doc["id"],
            taken_at=moment(doc["taken_at"], "taken_at"),
            source=doc["source"],
            people=people,
            tallies={k: _tally_in(v) for k, v in doc["tallies"].items()},
            buckets={k: _tally_in(v) for k, v in doc["buckets"].items()},
            objects={k: _count(v, f"records of {k}") for k, v in doc["objects"].items()},
            gaps=gaps,
            fingerprint=_fingerprint_in(doc.get("fingerprint", {})),
            cannot_edit={k: _tally_in(v) for k, v in unblamed.items()},
            cannot_edit_gaps=cannot_edit_gaps,
            activity=activity or {},
            person_facts=_facts_in(doc),
        )
    except (KeyError, TypeError, ValueError) as e:
        raise corrupt(path, f"snapshot summary is malformed: {e}") from None


def decode_gaps(path: Path, summary: Mapping, body: object, key: str = "rows",
                dates: tuple[list, list] | None = None) -> tuple[Gap, ...]:
    """The gap rows of one snapshot's file, checked against the summary that names it. `key`
    "cannot_edit_rows": the records whose blanks their owner cannot edit, with the same
    columns; absent (read as none) in files written before them, so older files still read.
    `dates`: each row's (created, since), lists parallel to the rows (chaser.store_dates)."""
    try:
        if not isinstance(body, dict):
            raise TypeError("no gap table")
        if body["id"] != summary["id"] or tuple(body["columns"]) != GAP_COLUMNS:
            raise ValueError(f"holds snapshot {body['id']!r} with columns {body['columns']}")
        gaps = []
        rows = body.get(key, []) if key != "rows" else body["rows"]
        if not isinstance(rows, list):
            raise TypeError(f"{key} must be a list")
        created, since = dates or ([None] * len(rows), [None] * len(rows))
        if len(created) != len(rows) or len(since) != len(rows):
            raise ValueError("gap dates do not match the gap rows")
        for row, c, t in zip(rows, created, since, strict=True):
            o, r, n, w, m, mod, u = row
            if not all(isinstance(v, str) for v in (o, r, n, w)) or not isinstance(m, list) \
                    or not all(isinstance(v, str | None) for v in (mod, u)):
                raise TypeError(f"bad gap row {row!r}")
            gaps.append(Gap(o, r, n, w, tuple(m), mod, u, c, t))
        return tuple(gaps)
    except (KeyError, TypeError, ValueError) as e:
        raise corrupt(path, f"bad gap list: {e}") from None
