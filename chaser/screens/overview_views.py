"""The overview's roll-up views besides the people table: teams, fields, a field's records
(its drill-down) and the buckets the people figures leave out. Columns and lines only: every
number is a chaser.rollups line (what `chaser gaps --by team|object-field|bucket` and
`chaser costs --by team` print) or an audit bucket tally; this module lays them out.
"""

from __future__ import annotations

from typing import NamedTuple

from chaser import access
from chaser.audit import bucket_rows
from chaser.model import Bucket, Tally
from chaser.rollups import TIER_ORDER, FieldLine, TeamLine, field_gaps
from chaser.view_lines import gap_lines
from chaser.views import ViewData
from chaser.widgets.table import Column

CYCLE = ("people", "teams", "fields")  # what `g` steps through
TITLES = {"people": "people", "teams": "teams", "fields": "fields", "records": "records",
          "buckets": "left out"}
# A tier mix in letters, so it fits a column: "2A 5M 1I 1N" (the detail line says it in words)
LETTERS = {"grade-a": "A", "moderate": "M", "ineffective": "I", "none": "N"}


def num(v) -> str:
    return "" if v is None else f"{v:,}"


def pct(v: float | None) -> str:
    return "—" if v is None else f"{v:.1f}"


def cost_text(v) -> str:
    if v is None:
        return "—"
    from chaser.costs import cents

    return f"{cents(v):,.2f}"


def mix_letters(line: TeamLine) -> str:
    return " ".join(f"{n}{LETTERS[t.value]}" for t, n in line.mix)


def team_columns() -> list[Column]:
    return [
        Column("name", "Team", lambda r: r.name.casefold(), lambda r: r.name, width=0),
        Column("people", "People", lambda r: r.people, width=6, align="right", desc_first=True),
        Column("records", "Records", lambda r: r.records, lambda r: num(r.records), width=7,
               align="right", desc_first=True),
        Column("gaps", "Gaps", lambda r: r.with_gaps, lambda r: num(r.with_gaps), width=6,
               align="right", desc_first=True),
        Column("pct", "Compl%", lambda r: r.pct, lambda r: pct(r.pct), width=6, align="right"),
        # Sorted by the people in each tier, grade-a first: the best-staffed team on top.
        Column("tiers", "Tiers", lambda r: tuple(r.tier_count(t) for t in TIER_ORDER),
               mix_letters, width=11, desc_first=True, searchable=False),
        Column("chases", "Chases", lambda r: r.chases, lambda r: num(r.chases), width=6,
               align="right", desc_first=True),
        Column("cost", "Cost", lambda r: r.cost, lambda r: cost_text(r.cost), width=10,
               align="right", desc_first=True),
    ]


def field_columns() -> list[Column]:
    return [
        Column("object", "Object", lambda r: r.object.casefold(), lambda r: r.object, width=12),
        Column("field", "Field", lambda r: r.field.casefold(), lambda r: r.field, width=0),
        Column("missing", "Records missing", lambda r: r.missing, lambda r: num(r.missing),
               width=15, align="right", desc_first=True),
        Column("people", "People", lambda r: r.people, width=6, align="right", desc_first=True),
    ]


class RecordLine(NamedTuple):
    """One gap record of a field's drill-down, with whose it is."""

    key: str  # the person's
    name: str
    team: str
    object: str
    record_id: str
    record_name: str
    missing: str
    modified: str
    age: int | None


def record_columns() -> list[Column]:
    return [
        Column("name", "Person", lambda r: r.name.casefold(), lambda r: r.name, width=0),
        Column("team", "Team", lambda r: r.team.casefold(), lambda r: r.team, width=0),
        Column("record", "Record", lambda r: r.record_name.casefold(),
               lambda r: r.record_name, width=0),
        Column("missing", "Missing fields", lambda r: r.missing, width=0),
        Column("age", "Age d", lambda r: r.age, lambda r: num(r.age), width=6, align="right",
               desc_first=True),
    ]


def record_lines(data: ViewData, field: FieldLine) -> list[RecordLine]:
    """The records missing `field`, of its people, by person name (tens of thousands in a few
    tens of milliseconds: one pass over each person's gaps, dates read once for all)."""
    people = sorted((r.person for k in field.keys if (r := data.row(k)) is not None),
                    key=lambda p: (p.name.casefold(), p.key))
    owners, gaps = [], []
    for p in people:
        mine = field_gaps(data.gaps_for(p.key), field.object, field.field)
        owners += [p] * len(mine)
        gaps += mine
    return [RecordLine(p.key, p.name, p.team, g.object, g.record_id, g.record_name,
                       line.missing, line.modified, line.age)
            for p, g, line in zip(owners, gaps, gap_lines(gaps, data.now), strict=True)]


class BucketLine(NamedTuple):
    """One bucket of records not blamed on a person (`chaser gaps --by bucket`)."""

    name: str
    tally: Tally

    @property
    def fields(self) -> str:
        return access.fields_text(self.tally.by_field)

    @property
    def pct(self) -> float | None:
        # It holds only records with such blanks: a completeness of 0% would say nothing.
        return None if self.name == Bucket.CANNOT_EDIT.value else self.tally.completeness_pct


def bucket_lines(data: ViewData) -> list[BucketLine]:
    return [BucketLine(name, t) for name, t in bucket_rows(data.snapshot).items()]


def bucket_columns() -> list[Column]:
    return [
        Column("name", "Left out", lambda r: r.name, width=14),
        Column("records", "Records", lambda r: r.tally.records,
               lambda r: num(r.tally.records), width=7, align="right", desc_first=True),
        Column("gaps", "Gaps", lambda r: r.tally.records_with_gaps,
               lambda r: num(r.tally.records_with_gaps), width=6, align="right",
               desc_first=True),
        Column("pct", "Compl%", lambda r: r.pct, lambda r: pct(r.pct), width=6, align="right"),
        Column("fields", "Fields missing", lambda r: r.fields, width=0),
    ]


def detail(view: str, row) -> str:
    """The line under the table on the highlighted row, in words (what a column abbreviates)."""
    if row is None:
        return ""
    if view == "teams":
        managers = row.team.manager or "no manager named"
        return f"{row.name} · {managers} · tiers: {row.mix_text or 'nobody'} · Enter: its people"
    if view == "fields":
        return (f"{row.object}.{row.field}: {row.missing:,} record"
                f"{'s' if row.missing != 1 else ''} of {row.people:,} "
                f"{'person' if row.people == 1 else 'people'} · Enter: who and which")
    if view == "records":
        return f"{row.object} {row.record_name} · {row.name} · Enter: open the person"
    if view == "buckets":
        return f"{row.name}: {row.fields or 'no blanks'} · chaser gaps --by bucket"
    if view == "people":  # the tier's reason and the status, as the report states them
        parts = [row.name, *(t for t in (row.newcomer and f"newcomer: {row.newcomer}",
                                         row.status, row.goal_detail, row.reason) if t)]
        return " · ".join(parts)
    return ""
