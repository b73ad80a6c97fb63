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
from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from chaser.about import about_text
from chaser.accountability import Accountability, statuses
from chaser.audit import Thresholds, tier_of
from chaser.config import CostSettings
from chaser.costs import CostLine, as_of, cents, money, priced, scoped, summarise
from chaser.effectiveness import judge
from chaser.errors import ChaserError
from chaser.model import NO_TEAM, Chase, Person, Snapshot
from chaser.periods import Period
from chaser.safe_text import defuse_formula

FILE_MODE = 0o600
LIST_SEPARATOR = "; "  # the one separator of lists inside a cell, in both files

# (row key, header HR reads). Related columns side by side: the barrier share next to the cost
# it is part of; the key to join on and the snapshot last.
HR_FIELDS = (
    ("person", "Person"), ("email", "Email"), ("team", "Team"), ("manager", "Manager"),
    ("period_start", "Period start"), ("period_end", "Period end"),
    ("records", "Records owned"), ("records_with_gaps", "Records with gaps"),
    ("completeness_pct", "Completeness %"), ("tier", "Adoption tier"),
    ("goals_met", "Goals met"), ("goal_weeks", "Goal weeks"), ("open_barriers", "Open barriers"),
    ("status", "Status"), ("chases", "Chases"), ("minutes", "Admin minutes"), ("cost", "Cost"),
    ("barrier_chases", "Barrier chases"), ("barrier_minutes", "Barrier minutes"),
    ("barrier_cost", "Barrier cost"), ("cost_excluding_barriers", "Cost excluding barriers"),
    ("gaps_fixed_after_chase", "Gaps fixed after a chase"), ("currency", "Currency"),
    ("snapshot_at", "Snapshot"), ("person_key", "Person key"),
)
DETAIL_FIELDS = (
    ("chase_id", "Chase ID"), ("at", "Chased at"), ("person", "Person"), ("team", "Team"),
    ("channel", "Channel"), ("fields", "Fields chased"), ("outcome", "Outcome"),
    ("barrier", "Barrier"), ("minutes", "Admin minutes"), ("cost", "Cost"),
    ("currency", "Currency"), ("note", "Note"), ("by", "Logged by"), ("person_key", "Person key"),
)
HR_COLUMNS = tuple(header for _, header in HR_FIELDS)
DETAIL_COLUMNS = tuple(header for _, header in DETAIL_FIELDS)


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
    if isinstance(value, datetime):  # ISO 8601 with the offset: callers pass it in the zone
        return value.isoformat(timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        value = LIST_SEPARATOR.join(str(v) for v in value)
    text = str(value)
    return defuse_formula(text)


# ---- atomic, no-clobber writing -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CsvFile:
    path: Path
    columns: Sequence[str]
    rows: Iterable[Sequence[Any]]

    def write_to(self, out: IO[str]) -> None:
        w = csv.writer(out, lineterminator="\r\n")
        w.writerow([safe_cell(c) for c in self.columns])
        for row in self.rows:
            w.writerow([safe_cell(v) for v in row])


@dataclass(frozen=True, slots=True)
class TextFile:
    """A plain text file written with the CSVs, as one (the HR about-file)."""

    path: Path
    text: str

    def write_to(self, out: IO[str]) -> None:
        out.write(self.text)


def check_target(path: Path | str, force: bool = False) -> Path:
    """Fail early, before any work, when `path` cannot or may not be written."""
    path = Path(path).expanduser()
    if not path.name:
        raise ChaserError(f"{path}: not a file name")
    if not path.parent.is_dir():
        raise ChaserError(f"{path}: the folder {path.parent} does not exist")
    if path.is_dir():
        raise ChaserError(f"{path}: is a folder, not a file")
    if path.exists() and not path.is_file():  # a FIFO or device: --force must not replace it
        raise ChaserError(f"{path}: is not a regular file; refusing to write over it")
    if path.exists() and not force:
        raise FileExists(path)
    return path


def write_csvs(files: Sequence[CsvFile | TextFile], *, force: bool = False) -> list[Path]:
    """Write several CSV (and text) files as one: all are staged to temp files first, then renamed into
    place, so a failure while writing rows leaves none of them behind."""
    targets = [check_target(f.path, force) for f in files]
    if len(set(map(os.path.abspath, targets))) != len(targets):
        raise ChaserError("the export files must be different files")
    staged: list[Path] = []
    committed: list[Path] = []
    try:
        for f, target in zip(files, targets, strict=True):
            staged.append(_stage(target, f.write_to))
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


def write_text(text: str, out: Path | str, *, force: bool = False) -> Path:
    """One text file (UTF-8 without a BOM, LF: markdown, HTML) the way the CSVs are written:
    0600, whole or not at all, never over an existing file unless `force` (FileExists)."""
    target = check_target(out, force)
    tmp = _stage(target, lambda f: f.write(text), encoding="utf-8", newline="\n")
    try:
        _commit(tmp, target, force)
        _fsync_dir({target.parent})
    except OSError as e:
        raise ChaserError(f"{target}: cannot write: {e.strerror or e}") from e
    finally:
        with suppress(FileNotFoundError):
            tmp.unlink()
    return target


def _stage(target: Path, write: Callable[[IO[str]], None], *, encoding: str = "utf-8-sig",
           newline: str = "") -> Path:
    try:
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as e:
        raise ChaserError(f"{target}: cannot write in {target.parent}: {e.strerror or e}") from e
    tmp = Path(name)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, FILE_MODE)  # mkstemp makes 0600 already; say it, HR data
        with os.fdopen(fd, "w", encoding=encoding, newline=newline) as out:
            write(out)
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
    rows: list[dict[str, Any]]  # one per person, keys of HR_FIELDS
    detail: list[dict[str, Any]]  # one per counted chase, keys of DETAIL_FIELDS
    total: CostLine
    currency: str
    period: Period
    about: Callable[[Sequence[str]], str]  # the about-file's text, given the files' names
    snapshot: Snapshot | None = None  # the one the record counts come from


def about_path(out: Path | str) -> Path:
    """hr.csv -> hr-about.txt, beside it."""
    out = Path(out).expanduser()
    return out.with_name(f"{out.stem}-about.txt")


def hr_export(period: Period, chases: Sequence[Chase], people: Sequence[Person],
              history: Sequence[Snapshot], costs: CostSettings, tiers: Thresholds, *,
              now: datetime, tz: tzinfo, load: Callable[[Snapshot], Snapshot] | None = None,
              team: str | None = None, incomplete: str | None = None,
              acc: Accountability | None = None) -> HrExport:
    """The rows of the HR export for `period`: every active person in scope (and anyone else
    chased in it), priced exactly as `costs.summarise` prices them. `people` are the current
    snapshot's, `history` every snapshot oldest first. Record counts come from the last
    snapshot before the period's end: the state the review period ended with. `acc` (goal
    weeks and barriers, chaser.accountability) gives the status columns; None: no goal set
    and no barrier for anyone."""
    people, chases = scoped(people, chases, period, team)
    summary = summarise(chases, people, costs, period)
    eff = judge(chases, people, history, costs, now=now, load=load)
    snap = as_of(history, period.end)
    known = {p.key: p for p in people}
    taken = snap.taken_at.astimezone(tz) if snap else None
    judged = statuses(acc or Accountability(), list(summary.by_person), period,
                      {k: line.chases for k, line in summary.by_person.items()}, now=now, tz=tz)
    rows = []
    for key, line in summary.by_person.items():
        p = known.get(key)
        st = judged[key]
        tally = snap.tallies.get(key) if snap is not None else None
        fixes = eff.by_person.get(key)
        rows.append({
            "person": line.name, "email": p.email if p else None, "team": line.team,
            "manager": p.manager if p else None, "period_start": period.first_day,
            "period_end": period.last_day,
            "records": tally.records if tally else None,
            "records_with_gaps": tally.records_with_gaps if tally else None,
            "completeness_pct": tally.completeness_pct if tally else None,
            "tier": tier_of(tally, tiers).value if tally and p and p.active else None,
            "goals_met": st.goals_met, "goal_weeks": st.goal_weeks,
            "open_barriers": st.open_barriers, "status": st.text, "chases": line.chases, "minutes": line.minutes, "cost": line.cost,
            "barrier_chases": line.barrier_chases, "barrier_minutes": line.barrier_minutes,
            "barrier_cost": line.barrier_cost, "cost_excluding_barriers": line.accountable_cost,
            "gaps_fixed_after_chase": fixes.gaps_closed if fixes else 0,
            "currency": summary.currency, "snapshot_at": taken, "person_key": key,
        })
    rows.sort(key=lambda r: ((r["team"] or NO_TEAM).casefold(), r["person"].casefold()))
    detail = []
    for chase, team_name, cost in priced(chases, people, costs):
        p = known.get(chase.person)
        detail.append({
            "chase_id": chase.id, "at": chase.at.astimezone(tz),
            "person": p.name if p else chase.person, "team": team_name,
            "channel": chase.channel.value, "fields": chase.fields,
            "outcome": chase.outcome.value, "barrier": chase.outcome.is_barrier,
            "minutes": chase.minutes, "cost": cost, "currency": summary.currency,
            "note": chase.note, "by": chase.by, "person_key": chase.person,
        })
    t = summary.total
    scope = f"team {people[0].team}" if team and people else "all teams"

    def about(files: Sequence[str]) -> str:
        return about_text(files=files, period=period, tz=tz, scope=scope, snapshot=snap,
                          costs=costs, tiers=tiers, people=len(rows), chases=t.chases,
                          total=f"{money(t.cost, summary.currency)} in total", written=now,
                          keys={r["person_key"] for r in rows}, incomplete=incomplete)

    return HrExport(rows, detail, t, summary.currency, period, about, snap)


def write_hr(export: HrExport, out: Path | str, detail: Path | str | None = None, *,
             force: bool = False) -> list[Path]:
    """Write the per-person file, the per-chase detail file (when asked) and the about-file
    beside the first, together or not at all. Returns the paths in that order."""
    out = Path(out)
    files: list[CsvFile | TextFile] = [CsvFile(out, HR_COLUMNS, (
        [r[k] for k, _ in HR_FIELDS] for r in export.rows))]
    if detail is not None:
        files.append(CsvFile(Path(detail), DETAIL_COLUMNS, (
            [r[k] for k, _ in DETAIL_FIELDS] for r in export.detail)))
    names = [f"{f.path.name} ({what})" for f, what in
             zip(files, ("one row per person", "one row per chase"), strict=False)]
    about = about_path(out)
    files.append(TextFile(about, export.about([*names, f"{about.name} (this file)"])))
    return write_csvs(files, force=force)
