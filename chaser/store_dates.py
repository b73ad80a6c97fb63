"""Issue 13's additions to a snapshot's own file (snapshots/<id>.json), beside its gap rows:
the Activity per person and object, and each gap's created date and `since`. Added keys, so
that a chaser from before them reads the file and ignores them, and a file without them
reads as none (empty activity, None dates)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from chaser.model import Activity, Gap
from chaser.storage import corrupt
from chaser.store_docs import moment


def activity_out(activity: Mapping[str, Mapping[str, Activity]]) -> dict:
    """Compact: person key -> object -> [created, modified], each a flat list of quarter,
    count, quarter, count ... (one JSON list, not one per pair: a third of the parse)."""
    return {key: {obj: [[x for pair in a.created.items() for x in pair],
                        [x for pair in a.modified.items() for x in pair]]
                  for obj, a in objs.items()} for key, objs in activity.items()}


def _counts_in(flat: object) -> dict[int, int]:
    # Whole numbers >= 0, checked at C speed (a Python check per number was a quarter of a
    # TUI load): every element's type is int (not bool), and the least is not negative.
    if not isinstance(flat, list) or len(flat) % 2 or (
            flat and (set(map(type, flat)) != {int} or min(flat) < 0)):
        raise TypeError(f"activity counts must be whole numbers, quarter then count, "
                        f"not {flat!r}")
    return dict(zip(flat[::2], flat[1::2], strict=True))


def activity_in(path: Path, value: object) -> dict[str, dict[str, Activity]]:
    """The activity of a snapshot's file; {} in files written before it."""
    try:
        if value is None:
            return {}
        if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
            raise TypeError("activity must map person keys to objects")
        out = {}
        for key, objs in value.items():
            out[key] = {}
            for obj, pair in objs.items():
                if not isinstance(pair, list) or len(pair) != 2:
                    raise TypeError(f"activity of {key!r} {obj!r} must be [created, modified]")
                out[key][obj] = Activity(_counts_in(pair[0]), _counts_in(pair[1]))
        return out
    except (TypeError, ValueError) as e:
        raise corrupt(path, f"bad activity: {e}") from None


def gap_dates_out(gaps: tuple[Gap, ...]) -> dict:
    """Gap.created and Gap.since beside the rows (whose columns older chasers check):
    created as a list parallel to them, since as indexes into its few distinct values (the
    taken_at of earlier snapshots). {} when no gap has either."""
    out: dict = {}
    if any(g.created is not None for g in gaps):
        out["created"] = [g.created for g in gaps]
    if any(g.since is not None for g in gaps):
        values: dict[str | None, int] = {}
        out["since"] = {"rows": [values.setdefault(g.since, len(values)) for g in gaps]}
        out["since"]["values"] = list(values)
    return out


def gap_dates_in(path: Path, n: int, dates: object) -> tuple[list, list]:
    """(created, since) of n gap rows, from gap_dates_out's table (or none: all None),
    checked as every stored time stamp is."""
    try:
        if dates is None:
            return [None] * n, [None] * n
        if not isinstance(dates, dict):
            raise TypeError("gap dates must be a table")
        created = dates.get("created", [None] * n)
        since = dates.get("since")
        if since is None:
            stamps = [None] * n
        else:
            values, picks = since["values"], since["rows"]
            for v in values:
                if v is not None:
                    moment(v, "since")
            stamps = [values[i] for i in picks]
        if not isinstance(created, list) or len(created) != n or len(stamps) != n:
            raise ValueError("gap dates do not match the gap rows")
        for c in created:
            if c is not None:
                moment(c, "created")
        return created, stamps
    except (KeyError, IndexError, TypeError, ValueError) as e:
        raise corrupt(path, f"bad gap dates: {e}") from None


def runs_in(path: Path, body: object, key: str, dates_key: str) -> dict[tuple, str | None]:
    """(object, record id) -> since of one stored snapshot's gap rows: what the next
    snapshot continues from, read without decoding the rest (Store._with_since)."""
    try:
        rows = body.get(key, []) if isinstance(body, dict) else None
        if not isinstance(rows, list):
            raise TypeError(f"{key} must be a list")
        _, stamps = gap_dates_in(path, len(rows), body.get(dates_key))  # type: ignore[union-attr]
        return {(r[0], r[1]): t for r, t in zip(rows, stamps, strict=True)}
    except (KeyError, IndexError, TypeError, ValueError) as e:
        raise corrupt(path, f"bad gap list: {e}") from None
