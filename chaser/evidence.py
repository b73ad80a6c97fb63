"""The evidence file for one person (`chaser export evidence`): the whole story an HR
conversation or a 90-day plan needs, as a fair account. Who, team, manager, period, snapshot;
the figures of the person's HR export row (the same row, so every figure equals the CSV's);
the goals and each week's result since they were set; the completeness trend over the
snapshots; every counted chase of the period; the barriers with opened and removed dates; and
the records excluded from blame.

`build` takes plain data and makes an Evidence: titled sections of facts, tables, plain lines
and a text chart. chaser/evidence_render.py lays it out as markdown or HTML (escaping CRM text
for each) and writes it; `evidence_for` is the one glue from a Workspace.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from chaser.accountability import Accountability, in_period, judged_at
from chaser.barrier_register import of_person
from chaser.errors import ChaserError
from chaser.exports import HR_FIELDS, HrExport, safe_cell
from chaser.model import Person, Snapshot
from chaser.periods import Period

if TYPE_CHECKING:
    from chaser.workspace import Workspace

CHART_WIDTH = 40  # characters for 100 %
# The HR row's columns shown in the figures section: all but what the header already says.
SKIP = {"person", "email", "team", "manager", "period_start", "period_end", "person_key"}


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    lines: tuple[str, ...] = ()  # paragraphs, plain text (renderers escape them)
    headers: tuple[str, ...] = ()  # a table, when given
    rows: tuple[tuple[str, ...], ...] = ()
    right: frozenset[int] = frozenset()  # table columns aligned right
    chart: tuple[str, ...] = ()  # preformatted lines (the text chart)
    empty: str = ""  # said when the table has no rows


@dataclass(frozen=True, slots=True)
class Evidence:
    title: str
    facts: tuple[tuple[str, str], ...]  # (label, value): who, team, manager, period ...
    sections: tuple[Section, ...]
    person_key: str


def _d(at: datetime | None, tz: tzinfo) -> str:
    return "" if at is None else f"{at.astimezone(tz):%Y-%m-%d}"


def _t(at: datetime, tz: tzinfo) -> str:
    return f"{at.astimezone(tz):%Y-%m-%d %H:%M}"


def bar(pct: float | None, width: int = CHART_WIDTH) -> str:
    """"|########------|": a completeness percentage drawn in `width` characters."""
    if pct is None:
        return "|" + " " * width + "|"
    filled = round(pct * width / 100)
    return "|" + "#" * filled + "-" * (width - filled) + "|"


def build(person: Person, period: Period, export: HrExport, acc: Accountability,
          history: Sequence[Snapshot], snapshot: Snapshot | None, goals: Sequence[Any], *,
          now: datetime, tz: tzinfo) -> Evidence:
    """`export`: the HR export of `period` for all teams (its row of the person is shown
    as is); `history`: snapshot summaries oldest first; `snapshot`: the export's snapshot
    with its gaps (the records excluded from blame); `goals`: chaser.goals.Goal."""
    row = next((r for r in export.rows if r["person_key"] == person.key), None)
    if row is None:
        raise ChaserError(f"{person.name} (key {person.key}) is not in the HR export of "
                          f"{period.label}: inactive and not chased in it")
    facts = (("Person", person.name), ("Person key", person.key), ("Email", person.email or ""),
             ("Team", person.team), ("Manager", person.manager or ""),
             ("Active in the CRM", "yes" if person.active else "no"),
             ("Period", f"{period.label}: {period.span()} ({tz})"),
             ("Snapshot", f"{snapshot.id}, taken {_t(snapshot.taken_at, tz)}" if snapshot
              else "none before the period's end"),
             ("Status", row["status"]), ("Written", _t(now, tz)))
    figures = Section("Figures (the person's row of the HR export)",
                      ("Each figure is the HR export's for this person and period, "
                       "formatted as the CSV writes it.",),
                      ("Figure", "Value"),
                      tuple((h, safe_cell(row[k])) for k, h in HR_FIELDS if k not in SKIP),
                      frozenset({1}))
    sections = [figures, _goals(person, period, acc, goals, row, tz),
                _trend(person, period, history, tz),
                _chases(person, export, row),
                _barriers(person, period, acc, now, tz),
                _excluded(person, snapshot)]
    return Evidence(f"Evidence file: {person.name}, {period.label}", facts, tuple(sections),
                    person.key)


def _goals(person: Person, period: Period, acc: Accountability, goals: Sequence[Any],
           row: dict, tz: tzinfo) -> Section:
    mine = [g for g in goals if g.applies_to(person)]
    if not mine:
        return Section("Weekly goals", ("No weekly goal applies to this person: no goal set.",))
    lines = [f"{g.name}: {g.per_week} {g.object} {g.count} per week, due {g.due_text}, set "
             f"{g.since:%Y-%m-%d}" + (f", teams {', '.join(g.teams)}" if g.teams else "")
             for g in mine]
    weeks = acc.weeks.get(person.key, ())
    lines.append(f"In the period: met {row['goals_met'] or 0} of {row['goal_weeks'] or 0} "
                 "goal weeks judged (the HR export's 'Goals met' and 'Goal weeks'). A week "
                 "belongs to the period when its due moment falls in it.")
    return Section("Weekly goals", tuple(lines),
                   ("Week", "Goal", "Due", "Target", "Actual", "Result", "In period"),
                   tuple((w.week.label, w.goal.name, _t(w.week.end, tz), str(w.target),
                          str(w.actual), w.status, "yes" if in_period(w, period) else "no")
                         for w in weeks), frozenset({3, 4}), empty="no goal week since set")


def _trend(person: Person, period: Period, history: Sequence[Snapshot], tz: tzinfo) -> Section:
    rows, chart = [], []
    for snap in history:
        if snap.taken_at >= period.end:
            break  # the HR export's snapshot is the last one before the period's end
        t = snap.tallies.get(person.key)
        if t is None:
            continue
        pct = t.completeness_pct
        shown = "" if pct is None else f"{pct:.1f}"
        rows.append((_t(snap.taken_at, tz), str(t.records), str(t.records_with_gaps), shown))
        chart.append(f"{_d(snap.taken_at, tz)} {bar(pct)} {shown or '–'}%")
    return Section("Completeness over time", ("Completeness % = records without gaps / records "
                   "owned, per snapshot up to the period's end.",),
                   ("Snapshot", "Records owned", "Records with gaps", "Completeness %"),
                   tuple(rows), frozenset({1, 2, 3}), tuple(chart), "no snapshot shows them")


def _chases(person: Person, export: HrExport, row: dict) -> Section:
    mine = [d for d in export.detail if d["person_key"] == person.key]
    return Section("Chases in the period",
                   (f"{row['chases']} counted chase(s), {row['minutes']} admin minutes; voided "
                    "chases (logged in error) are not counted.",),
                   ("Date", "Channel", "Minutes", "Fields", "Outcome", "Cost", "Logged by",
                    "Note"),
                   tuple((safe_cell(d["at"]), d["channel"], str(d["minutes"]),
                          ", ".join(d["fields"]) or "(all missing)", d["outcome"],
                          safe_cell(d["cost"]), d["by"], d["note"]) for d in mine),
                   frozenset({2, 5}), empty="no chase in the period")


def _barriers(person: Person, period: Period, acc: Accountability, now: datetime,
              tz: tzinfo) -> Section:
    at = judged_at(period, now)
    mine = [b for b in of_person(acc.barriers, person.key) if b.opened_at <= at]
    return Section("Barriers", ("Barriers are the system's fault, not the person's: open ones "
                   "are to be removed before the person is held to goals. A removal after the "
                   "period's end is shown with its date; days open run to the removal, or to "
                   "the period's end.",),
                   ("Opened", "Kind", "Source", "Fields", "Chases", "Removed", "Days open",
                    "How removed"),
                   tuple((_d(b.opened_at, tz), b.kind, b.source, ", ".join(b.fields),
                          str(len(b.chases)), _d(b.removed_at, tz) or "open",
                          str(b.age_days(at)),
                          f"{b.removed_by}: {b.note}" if b.removed_at else "") for b in mine),
                   frozenset({4, 6}), empty="no barrier recorded")


def _excluded(person: Person, snapshot: Snapshot | None) -> Section:
    lines = []
    if not person.active:
        lines.append("The person is no longer active in the CRM: records they still own are "
                     "in the 'inactive owner' bucket and blamed on nobody.")
    if person.cannot_edit:
        lines.append("May not edit (field permissions): " + ", ".join(person.cannot_edit))
    gaps = [g for g in (snapshot.cannot_edit_gaps if snapshot else ()) if g.owner == person.key]
    lines.append(f"{len(gaps)} record(s) with blanks in fields the person may not edit: those "
                 "blanks are not counted against them.")
    return Section("Records excluded from blame", tuple(lines),
                   ("Object", "Record", "Name", "Fields not blamed"),
                   tuple((g.object, g.record_id, g.record_name, ", ".join(g.missing))
                         for g in gaps), empty="none")


def evidence_for(ws: Workspace, person: Person, period: Period) -> Evidence:
    """The evidence of `person` over `period`, from the same inputs as `chaser export hr`."""
    from chaser.accountability import gather
    from chaser.inputs import hr_export

    acc = gather(ws, newcomers=False)
    export = hr_export(ws, period, acc=acc)
    snap = export.snapshot
    full = ws.store.load_snapshot(snap.id) if snap is not None else None
    return build(person, period, export, acc, ws.store.snapshot_history(), full,
                 ws.settings.goals, now=ws.now(), tz=ws.tz)
