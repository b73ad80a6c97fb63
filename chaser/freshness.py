"""Is the latest snapshot still current? A snapshot records a fingerprint of what it was
computed from; when the config or a CSV file has changed since, its figures are stale.

The fingerprint is a few named parts, each a short digest, so a mismatch can say *what*
changed ("rules", "sales_pipeline.csv"), not just that something did:

- ``rules``: object, required fields and condition of every configured rule (not where in
  the file it is written: moving a rule changes no figure);
- ``placeholders``: the values that count as blank (any case, trimmed, any order);
- ``tiers``: the completeness thresholds;
- ``source``: the source kind and its mapping (CSV columns and paths; the API objects, team
  field, ...), leaving out what only paces a sync (rate limits, page sizes, timeouts, auth);
- ``file <name>``: for CSV sources, each data file's size and modification time (a stat, not
  a read: a re-export with other rows changes both, and checking costs microseconds).

Pure functions over Settings and Snapshot; the Workspace decides what to do about a mismatch
(re-sync a demo or CSV source, warn for an API source).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Mapping
from datetime import datetime, tzinfo
from pathlib import Path

from chaser.config import Settings
from chaser.model import Snapshot

# Connector settings that change how a sync runs, not what it finds.
_PACING = frozenset({"login_url", "api_version", "auth", "client_id", "bulk_threshold",
                     "page_size", "rate_limit", "rate_limit_per_10s", "timeout",
                     "full_sync_days"})


def _digest(value: object) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()[:16]


def _file_part(path: Path) -> str:
    try:
        st = os.stat(path)
    except OSError as e:  # the sync itself reports a missing file clearly
        return _digest(("unreadable", type(e).__name__))
    return _digest((st.st_size, st.st_mtime_ns))


def _mapping(settings: Settings) -> object:
    if settings.csv is not None:
        return ("csv", settings.csv)
    c = settings.connector
    if c is not None and dataclasses.is_dataclass(c):
        kept = {f.name: getattr(c, f.name) for f in dataclasses.fields(c)
                if f.name not in _PACING}
        return (settings.kind, sorted(kept.items()))
    return (settings.kind, c)


def fingerprint(settings: Settings) -> dict[str, str]:
    """The named parts of what a snapshot of `settings` is computed from."""
    parts = {
        "rules": _digest([(r.object, r.require, r.when) for r in settings.rules]),
        "placeholders": _digest(sorted({p.strip().casefold() for p in settings.placeholders})),
        "tiers": _digest((settings.tiers.grade_a, settings.tiers.moderate)),
        "source": _digest(_mapping(settings)),
    }
    if settings.csv is not None:
        files = [o.path for o in settings.csv.objects]
        if settings.csv.people is not None:
            files.append(settings.csv.people.path)
        for path in dict.fromkeys(files):
            parts[f"file {Path(path).name}"] = _file_part(Path(path))
    return parts


def changed(recorded: Mapping[str, str], current: Mapping[str, str]) -> list[str]:
    """The parts that differ, in the words a message uses; [] when the snapshot is current.
    A snapshot stored before fingerprints existed has none: it is stale as a whole."""
    if not recorded:
        return ["the config or data (the snapshot predates fingerprints)"]
    names = dict.fromkeys([*current, *recorded])
    return [name.removeprefix("file ") for name in names if recorded.get(name) != current.get(name)]


def as_of_text(at: datetime) -> str:
    """"as of 2026-12-01 09:12": how every table, report and header names its snapshot."""
    return f"as of {at:%Y-%m-%d %H:%M}"


def as_of_label(snapshot: Snapshot, tz: tzinfo) -> str:
    return as_of_text(snapshot.taken_at.astimezone(tz))


def stale_text(snapshot: Snapshot, parts: list[str], tz: tzinfo) -> str:
    """The warning an API source's figures carry until the next sync."""
    return (f"snapshot of {snapshot.taken_at.astimezone(tz):%Y-%m-%d %H:%M} predates a change "
            f"of {', '.join(parts)}: sync to update")
