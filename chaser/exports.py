"""Excel-ready, injection-safe CSV files for HR (DESIGN section 7), written atomically.

Every cell that leaves chaser for a spreadsheet passes `safe_cell`, the one place cells are
sanitised: text from the CRM or an admin's note that starts with = + - @ tab CR or LF is
prefixed with ' so Excel shows it as text instead of running it as a formula (OWASP CSV
injection); numbers stay numbers. Files are UTF-8 with a BOM (so Excel detects the encoding)
and CRLF line ends, mode 0600 (HR data), and appear only complete: rows go to a temp file in the
target's folder, which is fsynced and then renamed over the target. An existing file is never
replaced unless `force` is given.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chaser.audit import tier_of
from chaser.costs import CostLine, as_of, cents, counted, priced, scoped_chases, summarise
from chaser.effectiveness import judge
from chaser.errors import ChaserError
from chaser.model import NO_TEAM
from chaser.periods import Period

if TYPE_CHECKING:
    from chaser.workspace import Workspace

INJECTION_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
FILE_MODE = 0o600

HR_COLUMNS = (
    "person", "email", "team", "manager", "period_start", "period_end", "records",
    "records_with_gaps", "completeness_pct", "tier", "chases", "minutes", "cost",
    "barrier_chases", "gaps_fixed_after_chase", "currency",
    # beyond the agreed minimum: the key to join on, barrier money kept apart so a review can
    # discount it, and which snapshot the record counts come from
    "person_key", "barrier_minutes", "barrier_cost", "cost_excl_barriers", "snapshot_at",
)
DETAIL_COLUMNS = ("chase_id", "date", "person", "team", "channel", "minutes", "fields", "outcome",
                  "note", "cost", "by", "barrier", "person_key")


class FileExists(ChaserError):  # noqa: N818 - reads as the condition it reports
    """The target exists and `force` was not given; a UI may ask and retry with force."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path} already exists; not overwritten (use --force to replace it)")
        self.path = path


def safe_cell(value: Any) -> str:
    """One value as a CSV cell that Excel shows as written and never evaluates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):  # Decimals here are money: cents, never scientific notation
        return f"{cents(value):.2f}"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")  # a form Excel reads as a date and time
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        value = "; ".join(str(v) for v in value)
    text = str(value)
    return "'" + text if text.startswith(INJECTION_PREFIXES) else text


# ---- atomic, no-clobber writing -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CsvFile:
    path: Path
    columns: Sequence[str]
    rows: Iterable[Sequence[Any]]


def check_target(path: Path | str, force: bool = False) -> Path:
    """Fail early, before any work, when `path` cannot or may not be written."""
    path = Path(path).expanduser()
    if not path.name:
        raise ChaserError(f"{path}: not a file name")
    if not path.parent.is_dir():
        raise ChaserError(f"{path}: the folder {path.parent} does not exist")
    if path.is_dir():
        raise ChaserError(f"{path}: is a folder, not a file")
    if path.exists() and not force:
        raise FileExists(path)
    return path


def write_csvs(files: Sequence[CsvFile], *, force: bool = False) -> list[Path]:
    """Write several CSV files as one: all are staged to temp files first, then renamed into
    place, so a failure while writing rows leaves none of them behind."""
    targets = [check_target(f.path, force) for f in files]
    if len(set(map(os.path.abspath, targets))) != len(targets):
        raise ChaserError("the export files must be different files")
    staged: list[Path] = []
    committed: list[Path] = []
    try:
        for f, target in zip(files, targets, strict=True):
            staged.append(_stage(target, f.columns, f.rows))
        for tmp, target in zip(staged, targets, strict=True):
            _commit(tmp, target, force)
            committed.append(target)
        _fsync_dir({t.parent for t in targets})
    except BaseException:
        if not force:  # these are new files of an export that failed: take them back
            for target in committed:
                with suppress(OSError):
                    target.unlink()
        raise
    finally:
        for tmp in staged:
            with suppress(FileNotFoundError):
                tmp.unlink()
    return targets


def write_csv(path: Path | str, columns: Sequence[str], rows: Iterable[Sequence[Any]], *,
              force: bool = False) -> Path:
    return write_csvs([CsvFile(Path(path), columns, rows)], force=force)[0]


def _stage(target: Path, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
    try:
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as e:
        raise ChaserError(f"{target}: cannot write in {target.parent}: {e.strerror or e}") from e
    tmp = Path(name)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, FILE_MODE)  # mkstemp makes 0600 already; say it, HR data
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as out:
            w = csv.writer(out, lineterminator="\r\n")
            w.writerow([safe_cell(c) for c in columns])
            for row in rows:
                w.writerow([safe_cell(v) for v in row])
            out.flush()
            os.fsync(out.fileno())
    except BaseException as e:
        with suppress(FileNotFoundError):
            tmp.unlink()
        if isinstance(e, OSError):
            raise ChaserError(f"{target}: cannot write: {e.strerror or e}") from e
        raise
    return tmp


def _commit(tmp: Path, target: Path, force: bool) -> None:
    if force:
        os.replace(tmp, target)
        return
    try:
        # A hard link fails if the target appeared since check_target: no-clobber, atomically.
        os.link(tmp, target)
    except FileExistsError:
        raise FileExists(target) from None
    except OSError:  # a filesystem without hard links: check, then rename
        if target.exists():
            raise FileExists(target) from None
        os.replace(tmp, target)


def _fsync_dir(folders: Iterable[Path]) -> None:
    if os.name == "nt":
        return
    for folder in folders:
        with suppress(OSError):
            fd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


# ---- the HR export ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HrExport:
    rows: list[dict[str, Any]]  # one per person, keys HR_COLUMNS
    detail: list[dict[str, Any]]  # one per counted chase, keys DETAIL_COLUMNS
    total: CostLine
    currency: str
    period: Period


def hr_export(ws: Workspace, period: Period, team: str | None = None) -> HrExport:
    """The rows of the HR export for `period`: every active person in scope (and anyone else
    chased in it), priced exactly as `costs.summary_for` prices them. Record counts come from
    the last snapshot before the period's end: the state the review period ended with."""
    people, chases = scoped_chases(ws, period, team)
    costs = ws.settings.costs
    summary = summarise(chases, people, costs, period)
    eff = judge(ws, counted(chases, period), people)
    snap = as_of(ws.store.snapshot_history(), period.end)
    known = {p.key: p for p in people}
    rows = []
    for key, line in summary.by_person.items():
        p = known.get(key)
        tally = snap.tallies.get(key) if snap is not None else None
        fixes = eff.by_person.get(key)
        rows.append({
            "person": line.name, "email": p.email if p else None, "team": line.team,
            "manager": p.manager if p else None, "period_start": period.first_day,
            "period_end": period.last_day,
            "records": tally.records if tally else None,
            "records_with_gaps": tally.records_with_gaps if tally else None,
            "completeness_pct": tally.completeness_pct if tally else None,
            "tier": tier_of(tally, ws.settings.tiers).value if tally and p and p.active else None,
            "chases": line.chases, "minutes": line.minutes, "cost": line.cost,
            "barrier_chases": line.barrier_chases,
            "gaps_fixed_after_chase": fixes.gaps_closed if fixes else 0,
            "currency": summary.currency, "person_key": key,
            "barrier_minutes": line.barrier_minutes, "barrier_cost": line.barrier_cost,
            "cost_excl_barriers": line.accountable_cost,
            "snapshot_at": snap.taken_at.astimezone(ws.tz) if snap else None,
        })
    rows.sort(key=lambda r: ((r["team"] or NO_TEAM).casefold(), r["person"].casefold()))
    detail = []
    for chase, team_name, cost in priced(counted(chases, period), people, costs):
        p = known.get(chase.person)
        detail.append({
            "chase_id": chase.id, "date": chase.at.astimezone(ws.tz),
            "person": p.name if p else chase.person, "team": team_name,
            "channel": chase.channel.value, "minutes": chase.minutes, "fields": chase.fields,
            "outcome": chase.outcome.value, "note": chase.note, "cost": cost, "by": chase.by,
            "barrier": chase.outcome.is_barrier, "person_key": chase.person,
        })
    return HrExport(rows, detail, summary.total, summary.currency, period)


def write_hr(export: HrExport, out: Path | str, detail: Path | str | None = None, *,
             force: bool = False) -> list[Path]:
    """Write the per-person file (and the per-chase detail file) together, or neither."""
    files = [CsvFile(Path(out), HR_COLUMNS, ([r[c] for c in HR_COLUMNS] for r in export.rows))]
    if detail is not None:
        files.append(CsvFile(Path(detail), DETAIL_COLUMNS,
                             ([r[c] for c in DETAIL_COLUMNS] for r in export.detail)))
    return write_csvs(files, force=force)
