"""Each stored snapshot's gap runs, (object, record id) -> since, in a decoded copy beside its
gaps file, so the next sync finds where each gap's run began without parsing that whole file.

A sync of a million-row export sets Gap.since from the previous snapshot (Store._with_since):
parsing its 20 MB gaps file to take two columns of it was a third of the sync. The copy
(snapshots/<id>.runs) is marshal of plain tuples and strings, nothing in it ever executed,
written when the gaps file is and stamped with that file's size, mtime and inode: a copy of
another stamp, of another version, unreadable or missing is ignored and the gaps file is read
instead (chaser.store_dates.runs_in). It is derived data: written without fsync, removed with
its snapshot, rebuilt by the next save.
"""

from __future__ import annotations

import marshal
import os
from collections.abc import Sequence
from pathlib import Path

from chaser.model import Gap
from chaser.storage import write_copy

VERSION = 1
SUFFIX = ".runs"

Runs = dict[tuple[str, str], "str | None"]


def path_of(gaps_path: Path) -> Path:
    return gaps_path.with_suffix(SUFFIX)


def stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def save(gaps_path: Path, gaps: Sequence[Gap], unblamed: Sequence[Gap]) -> None:
    """Best effort: a copy that cannot be written only means the next sync reads the file."""
    seen = stamp(gaps_path)
    if seen is None:
        return
    data = marshal.dumps((VERSION, seen, _flat(gaps), _flat(unblamed)))
    write_copy(path_of(gaps_path), data)


def load(gaps_path: Path) -> tuple[Runs, Runs] | None:
    """(runs of the gaps, runs of the cannot-edit gaps), or None: read the gaps file."""
    try:
        raw = path_of(gaps_path).read_bytes()
        version, seen, gaps, unblamed = marshal.loads(raw)
        if version != VERSION or tuple(seen) != stamp(gaps_path):
            return None
        return _runs(gaps), _runs(unblamed)
    except (OSError, ValueError, EOFError, TypeError):
        return None


def remove(gaps_path: Path) -> None:
    path_of(gaps_path).unlink(missing_ok=True)


def _flat(gaps: Sequence[Gap]) -> tuple:
    """(objects, record ids, since values, since index per gap): columns marshal reads fast."""
    values: dict[str | None, int] = {}
    picks = [values.setdefault(g.since, len(values)) for g in gaps]
    return ([g.object for g in gaps], [g.record_id for g in gaps], list(values), picks)


def _runs(flat: tuple) -> Runs:
    objects, ids, values, picks = flat
    if not (len(objects) == len(ids) == len(picks)):
        raise ValueError("columns of different lengths")
    if not all(v is None or isinstance(v, str) for v in values):
        raise TypeError("since values must be text")
    since = [values[i] for i in picks]
    return dict(zip(zip(objects, ids), since))  # noqa: B905 - lengths checked above
