"""The ledger's event documents, checked on the way in and out (as store_docs does for the
rest of the store): a document that does not decode exactly is refused, naming the file."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from chaser.model import Channel, Outcome
from chaser.storage import corrupt
from chaser.store_docs import MAX_MINUTES, chase_month, iso, moment

EVENTS = "events"
CHASE_KEYS = frozenset({"kind", "at", "person", "channel", "minutes", "outcome", "fields",
                        "note", "by", "logged_at"})
CHANGE_KEYS = frozenset({"kind", "chase", "reason", "at"})
KNOWN = {"chase": CHASE_KEYS, "void": CHANGE_KEYS, "unvoid": CHANGE_KEYS}


def encode_chase_event(d: Mapping[str, Any], now: datetime) -> tuple[str, dict]:
    """Validate one chase given as keyword values; return (month, event document)."""
    unknown = set(d) - (CHASE_KEYS - {"kind"})
    if unknown:
        raise ValueError(f"unknown chase field(s): {', '.join(sorted(unknown))}")
    person, minutes = d.get("person"), d.get("minutes")
    if not isinstance(person, str) or not person.strip():
        raise ValueError(f"a chase needs a person, not {person!r}")
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= MAX_MINUTES:
        raise ValueError(f"minutes must be a whole number from 1 to {MAX_MINUTES}, not {minutes!r}")
    fields = d.get("fields", ())
    if isinstance(fields, str) or not all(isinstance(f, str) for f in fields):
        raise ValueError(f"fields must be a sequence of field names, not {fields!r}")
    note, by = d.get("note", ""), d.get("by", "")
    if not isinstance(note, str) or not isinstance(by, str):
        raise ValueError("note and by must be text")
    at = d.get("at")
    doc = {"kind": "chase", "at": iso(at, "at"), "person": person,
           "channel": Channel(d.get("channel")).value, "minutes": minutes,
           "outcome": Outcome(d.get("outcome")).value, "fields": list(fields), "note": note,
           "by": by, "logged_at": iso(d.get("logged_at") or now, "logged_at")}
    return chase_month(at), doc


def decode_event(path: Path, month: str, writer: str, key: str, doc: Mapping) -> dict | None:
    """One stored event, checked field by field; None for a kind this chaser does not know
    (a newer chaser's). A chase kept in another month's file than its own is corrupt: no
    listing would find it there."""
    kind = doc.get("kind") if isinstance(doc, Mapping) else None
    if isinstance(kind, str) and kind not in KNOWN:
        return None
    try:
        if kind not in KNOWN:
            raise ValueError(f"no event kind: {kind!r}")
        if set(doc) != KNOWN[kind]:
            raise ValueError(f"fields {sorted(set(doc) ^ KNOWN[kind])} missing or unknown")
        at = moment(doc["at"], "at")
        if kind == "chase":
            if chase_month(at) != month:
                raise ValueError(f"dated {doc['at']} but kept in the file of {month}")
            fields = doc["fields"]
            if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
                raise TypeError(f"fields must be a list of names, not {fields!r}")
            Channel(doc["channel"]), Outcome(doc["outcome"])
            moment(doc["logged_at"], "logged_at")
            minutes = doc["minutes"]
            if not isinstance(minutes, int) or isinstance(minutes, bool) \
                    or not 1 <= minutes <= MAX_MINUTES:
                raise TypeError(f"minutes must be a whole number from 1 to {MAX_MINUTES}, not "
                                f"{minutes!r}")
            for name in ("person", "note", "by"):
                if not isinstance(doc[name], str) or (name == "person" and not doc[name].strip()):
                    raise TypeError(f"{name} must be text, not {doc[name]!r}")
        else:
            target = doc["chase"]
            tag = f"-{month[:4]}{month[5:]}-"
            if not isinstance(target, str) or tag not in target:
                raise ValueError(f"{kind} of {target!r} kept in the file of {month}")
            if not isinstance(doc["reason"], str) or not doc["reason"].strip():
                raise TypeError(f"a {kind} needs a reason, not {doc['reason']!r}")
        return dict(doc, at=at.isoformat())
    except (KeyError, TypeError, ValueError) as e:
        raise corrupt(path, f"event {writer}-{month[:4]}{month[5:]}-{key} is malformed: {e}"
                      ) from None
