"""The `<name>-about.txt` written beside the HR files: what an HR reader needs to read them
without asking. The period, the snapshot the record counts come from, the rates, what each
tier, outcome and barrier means, what voided chases are, and the records that are blamed on
nobody, with their counts per owner bucket (the figures of `chaser gaps --by bucket` for the
same snapshot). Plain data in, text out: exports.py builds it, writes it with the CSVs.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, tzinfo

from chaser.access import fields_text
from chaser.audit import Thresholds
from chaser.barriers import REMEDIES
from chaser.config import CostSettings
from chaser.costs import money, rates_for
from chaser.model import Bucket, Outcome, Snapshot, Tally
from chaser.periods import Period

OUTCOMES = {
    Outcome.FIXED: "the person filled in the fields chased (the snapshots check it: see "
                   "'Gaps fixed after a chase')",
    Outcome.PROMISED: "the person promised to fill them in",
    Outcome.NO_RESPONSE: "the person did not answer",
    Outcome.DISPUTED: "the person disputes that the fields are theirs to fill or required",
}
BUCKETS = {
    Bucket.INACTIVE: "records owned by people no longer active in the CRM",
    Bucket.QUEUE: "records owned by a queue, not a person",
    Bucket.UNKNOWN: "records with no owner, or an owner the people directory does not know",
}


COLUMNS = (
    ("Records owned", "records the person owns in the snapshot"),
    ("Records with gaps", "of those, records missing at least one required field"),
    ("Completeness %", "records without gaps / records owned (see Adoption tiers)"),
    ("Goals met", "weekly goal weeks due in the period that the person met (empty: no goal "
                  "applies to them); one goal's week is one goal week"),
    ("Goal weeks", "weekly goal weeks due in the period and judged (met, or missed after "
                   "the due moment); weeks before a goal was set do not count"),
    ("Open barriers", "barriers open at the period's end (or now): barrier chases not yet "
                      "resolved by an admin, and fields the CRM does not let the person edit"),
    ("Status", "the first that holds: 'barrier open since <date> (<kinds>)'; 'no goal set'; "
               "'on track: met N of M weekly goals' (at least 3 in 4 met); 'off track: met N "
               "of M weekly goals, no open barriers, C chases in the period'. Nobody is held "
               "to a goal while a barrier is open"),
    ("Admin minutes", "minutes the admins spent chasing the person (rep time is priced, "
                      "not counted here)"),
    ("Cost", "what those chases cost at the rates below, barrier chases included"),
    ("Gaps fixed after a chase", "see below"),
    ("Snapshot", "when the CRM was read for the record counts"),
    ("Person key", "the person's id in the CRM, to join with other files"),
    ("Chase ID", "(chases file) the chase's number in chaser's log"),
    ("Fields chased", "(chases file) the fields the person was asked to fill; empty = all "
                      "their missing fields"),
    ("Barrier", "(chases file) yes when the outcome is a barrier (see below)"),
    ("Logged by", "(chases file) the admin who logged the chase"),
)


def stamp(at: datetime, tz: tzinfo) -> str:
    """The one date-time format of the HR files: ISO 8601 with the zone's offset."""
    return at.astimezone(tz).isoformat(timespec="minutes")


def about_text(*, files: Sequence[str], period: Period, tz: tzinfo, scope: str,
               snapshot: Snapshot | None, costs: CostSettings, tiers: Thresholds,
               people: int, chases: int, total: str, written: datetime,
               keys: Collection[str] | None = None, incomplete: str | None = None) -> str:
    """`keys`: the people in scope, whose fields they may not edit are listed (None: all)."""
    cur = costs.currency
    out = ["About this HR export (chaser)", "=" * 29, "",
           f"Files: {', '.join(files)}",
           f"Written: {stamp(written, tz)}",
           f"Period: {period.label}, {period.span()} (both days included), time zone {tz}: "
           f"chases from {stamp(period.start, tz)} up to, not including, {stamp(period.end, tz)}",
           f"Scope: {scope}; {people} people, {chases} chases, {total}"]
    if incomplete:  # the chase ledger could not be read whole: say whose chases are missing
        out.append(f"INCOMPLETE: {incomplete}")
    if snapshot is None:
        out.append("Snapshot: none taken before the period's end, so record counts are empty")
    else:
        out.append(f"Snapshot: {snapshot.id}, taken {stamp(snapshot.taken_at, tz)}: the last "
                   "one before the period's end; 'Records owned', 'Records with gaps', "
                   "'Completeness %' and 'Adoption tier' come from it")
    out += ["", "Dates and times are ISO 8601 with the offset of the time zone "
            "(2026-11-20T10:00+01:00); lists inside a cell are separated by '; '.", ""]

    out += ["Columns", "-------"]
    out += [f"  {name}: {text}" for name, text in COLUMNS]
    out += [""]
    out += [f"Rates ({cur})", "-" * (8 + len(cur))]
    out.append(_rates("Default", costs, ""))
    for team in sorted(costs.teams):
        out.append(_rates(f"Team {team}", costs, team))
    for wid, rate in sorted(costs.admins.items()):  # over any team's admin rate
        out.append(f"  Admin {wid}: admin time {money(rate, cur)} per hour, whichever team "
                   "is chased")
    out += ["Cost of one chase = admin minutes / 60 x admin rate + rep minutes per chase / 60 x "
            "rep rate. A person's cost is summed exactly and rounded once, half up, to cents, "
            "so the detail file's per-chase cents can differ from it by a cent or so.", ""]

    out += ["Adoption tiers", "--------------",
            "Completeness % = records without gaps / records owned x 100, one decimal, "
            "rounded half up.",
            f"  grade-a      completeness {tiers.grade_a:g}% or more",
            f"  moderate     {tiers.moderate:g}% or more, below {tiers.grade_a:g}%",
            f"  ineffective  below {tiers.moderate:g}%",
            "  none         owns no records (empty for someone no longer active)", ""]

    out += ["Outcomes of a chase", "-------------------"]
    out += [f"  {o.value:<19} {text}" for o, text in OUTCOMES.items()]
    out += ["", "Barrier outcomes (the system's fault, not the person's)",
            "-------------------------------------------------------"]
    out += [f"  {o.value:<19} {label}: {meaning}; remedy: {remedy}"
            for o, (label, meaning, remedy) in REMEDIES.items()]
    out += ["Barrier chases cost what any chase costs and are included in 'Cost'; 'Barrier "
            "chases', 'Barrier minutes' and 'Barrier cost' show them apart, and 'Cost excluding "
            "barriers' = Cost - Barrier cost is what plain non-compliance cost.", "",
            "Voided chases: chases an admin marked as logged in error (with a reason). They are "
            "kept in the log but are in neither file and cost nothing.", "",
            "Gaps fixed after a chase: distinct records with gaps that a later snapshot showed "
            f"filled within {costs.fix_window_days} days of a chase of the person.", ""]

    out += ["Records excluded from blame", "---------------------------",
            "Counted in no person's row: not blamed on anyone. From the snapshot above "
            "(the same figures as `chaser gaps --by bucket` for it):"]
    buckets = snapshot.buckets if snapshot is not None else {}
    for bucket, meaning in BUCKETS.items():
        t = buckets.get(bucket.value) or Tally()
        out.append(f"  {bucket.value:<15} {t.records:>9,} records, {t.records_with_gaps:,} "
                   f"with gaps: {meaning}")
    out += _cannot_edit(snapshot, keys)
    return "\r\n".join(_wrapped(out)) + "\r\n"


def _cannot_edit(snapshot: Snapshot | None, keys: Collection[str] | None) -> list[str]:
    """The cannot-edit bucket: blanks in fields the owner may not edit. The records stay the
    owner's ('Records owned'); those blanks are not in 'Records with gaps'."""
    t = (snapshot.buckets.get(Bucket.CANNOT_EDIT.value) if snapshot else None) or Tally()
    fields = f" ({fields_text(t.by_field)})" if t.by_field else ""
    out = [f"  {Bucket.CANNOT_EDIT.value:<15} {t.records:>9,} records, {t.missing_fields:,} "
           f"blank fields{fields}: blanks in fields the owner's profile may not edit (field "
           "permissions); the records still count as the owner's, those blanks do not count "
           "against them until access is fixed"]
    who = [p for p in (snapshot.people if snapshot else ()) if p.active and p.cannot_edit
           and (keys is None or p.key in keys)]
    if who:
        out.append("  Who may not edit which rule fields: " + "; ".join(
            f"{p.name}: {', '.join(p.cannot_edit)}" for p in who))
    return out


def _rates(what: str, costs: CostSettings, team: str) -> str:
    r, cur = rates_for(costs, team), costs.currency
    return (f"  {what}: admin time {money(r.admin_hourly_rate, cur)} per hour; "
            f"{r.rep_minutes_per_chase} rep minutes per chase at "
            f"{money(r.rep_hourly_rate, cur)} per hour")


def _wrapped(lines: list[str], width: int = 96) -> list[str]:
    import textwrap

    out = []
    for line in lines:
        if len(line) <= width:
            out.append(line)
            continue
        indent = " " * (len(line) - len(line.lstrip()))
        out += textwrap.wrap(line, width, subsequent_indent=indent + "  ")
    return out
