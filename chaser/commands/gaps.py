"""`chaser gaps`: who left what blank, from the latest snapshot."""

from __future__ import annotations

from chaser import access
from chaser.audit import (
    PersonRow,
    bucket_rows,
    field_counts,
    person_rows,
    unblamed_note,
)
from chaser.commands import add_format, workspace
from chaser.errors import ChaserError
from chaser.freshness import as_of_label
from chaser.model import Bucket
from chaser.output import emit
from chaser.rollups import field_index, field_lines, team_lines
from chaser.tiers import login_note

PERSON_COLUMNS = ["person", "team", "records", "records_with_gaps", "missing_fields",
                  "completeness_pct", "tier", "late_gaps", "median_days_open", "last_login"]
# The table is wide already: of issue 13's columns it shows the late gaps only.
PERSON_TABLE_COLUMNS = [*PERSON_COLUMNS[:7], "late_gaps"]
PERSON_JSON_COLUMNS = [*PERSON_COLUMNS[:7], "reason", *PERSON_COLUMNS[7:]]
TEAM_COLUMNS = ["team", "manager", "people", "records", "records_with_gaps", "missing_fields",
                "completeness_pct", "tier", "tiers"]
LOGIN_SAID = "said_no_login_dates"  # store meta: the no-login-dates note was shown
# one row per object and field: what the TUI's field roll-up shows
OBJECT_FIELD_COLUMNS = ["object", "field", "missing", "people"]
RECORD_COLUMNS = ["person", "object", "record_id", "record_name", "missing_fields"]


def register(sub, common) -> None:
    p = sub.add_parser("gaps", parents=[common], help="missing required fields per person, "
                       "team or field (takes a snapshot first if there is none)")
    p.add_argument("--by", choices=["person", "team", "field", "object-field", "bucket"],
                   default="person",
                   help="roll up by person (default), team, field, object and field (records "
                        "missing it, people affected), or the unblamed buckets (inactive, "
                        "queue and unknown owners; blanks the owner cannot edit)")
    p.add_argument("--team", metavar="T", help="only this team")
    p.add_argument("--person", metavar="P", help="only this person (key, name or email)")
    p.add_argument("--records", action="store_true", help="list every gap record instead")
    p.add_argument("--cannot-edit", action="store_true", dest="cannot_edit",
                   help="list the records whose blanks their owner cannot edit (not blamed: "
                        "the cannot-edit bucket), with --person / --team to narrow")
    add_format(p)
    p.set_defaults(func=run)


def _tally_cells(t) -> dict:
    return {"records": t.records, "records_with_gaps": t.records_with_gaps,
            "missing_fields": t.missing_fields, "completeness_pct": t.completeness_pct}


def _bucket_row(bucket: str, t, fmt: str) -> dict:
    row = {"bucket": bucket, **_tally_cells(t),
           # JSON: {field: blanks}; table and CSV: "Account.Industry 12, Phone 3"
           "fields": (dict(sorted(t.by_field.items(), key=lambda kv: (-kv[1], kv[0])))
                      if fmt == "json" else access.fields_text(t.by_field))}
    if bucket == Bucket.CANNOT_EDIT.value:
        # It holds only records with such blanks: a completeness of 0% would say nothing.
        row["completeness_pct"] = None
    return row


def _login(at, tz, fmt: str):
    """JSON: the moment (ISO, offset); CSV and table: "2026-11-02 08:30" in the zone."""
    if at is None:
        return None
    return at.astimezone(tz) if fmt == "json" else f"{at.astimezone(tz):%Y-%m-%d %H:%M}"


def run(args) -> int:
    ws = workspace(args)
    snap = ws.snapshot()
    rows: list[PersonRow] = person_rows(snap, ws.settings.tiers)  # the snapshot, read once
    if args.team:
        teams = {r.person.team.casefold(): r.person.team for r in rows}
        if args.team.casefold() not in teams:
            raise ChaserError(f"unknown team {args.team!r} "
                              f"(teams: {', '.join(sorted(set(teams.values())))})")
        rows = [r for r in rows if r.person.team.casefold() == args.team.casefold()]
    inactive = None
    if args.person:
        # Anyone the snapshot knows can be named, inactive people too: their records sit in
        # the inactive-owner bucket, never blamed, but an admin may still want to see them.
        team = (args.team or "").casefold()
        who = ws.find_person(args.person, [p for p in snap.people
                                           if not team or p.team.casefold() == team])
        rows = [r for r in rows if r.person.key == who.key]
        if not who.active:
            inactive = who
            ws.notice(f"note: {who.name} is inactive: their records are counted in the "
                      "inactive-owner bucket, not blamed on them (see --by bucket)")

    if args.format == "table":  # which snapshot the figures are (CSV and JSON: rows only)
        print(f"{as_of_label(snap, ws.tz).capitalize()} ({ws.tz}), snapshot {snap.id}")
    if args.records or args.cannot_edit:
        names = {r.person.key: r.person.name for r in rows}
        if inactive is not None:
            names[inactive.key] = inactive.name
        gaps = snap.cannot_edit_gaps if args.cannot_edit else snap.gaps
        out = [{"person": names[g.owner], "object": g.object, "record_id": g.record_id,
                "record_name": g.record_name, "missing_fields": list(g.missing)}
               for g in gaps if g.owner in names]
        emit(out, RECORD_COLUMNS, args.format, empty="no records with blanks their owner "
             "cannot edit" if args.cannot_edit else "no gap records")
    elif args.by == "person":
        out = [{"person": r.person.name, "team": r.person.team, **_tally_cells(r.tally),
                "tier": r.tier.value, "reason": r.reason, "late_gaps": r.late_gaps,
                "median_days_open": r.median_days_open,
                "last_login": _login(r.person.last_login, ws.tz, args.format)} for r in rows]
        emit(out, {"table": PERSON_TABLE_COLUMNS, "json": PERSON_JSON_COLUMNS}.get(
            args.format, PERSON_COLUMNS), args.format)
        if args.format == "table" and args.person and rows:
            print(f"Tier {rows[0].reason}")
        # Said once per data folder, not at every run: it is about the source, not the figures.
        if (note := login_note(snap, ws.settings.tiers)) and not ws.store.get_meta(LOGIN_SAID):
            ws.notice(note)
            ws.store.set_meta(LOGIN_SAID, True)
    elif args.by == "team":
        # tiers: people per tier, "3 A · 5 mod · 1 none" (JSON: {"grade-a": 3, ...})
        out = [{"team": t.name, "manager": t.team.manager, "people": t.people,
                "records": t.records, "records_with_gaps": t.with_gaps,
                "missing_fields": t.missing_fields, "completeness_pct": t.pct,
                "tier": t.tier.value, "tiers": ({k.value: n for k, n in t.mix}
                                                if args.format == "json" else t.mix_text)}
               for t in team_lines(rows, ws.settings.tiers)]
        emit(out, TEAM_COLUMNS, args.format)
    elif args.by == "field":
        out = [{"field": f, "missing": n} for f, n in field_counts(rows).items()]
        emit(out, ["field", "missing"], args.format, empty="no missing fields")
    elif args.by == "object-field":
        index = field_index(snap.gaps, (r.person.key for r in rows))
        out = [{"object": f.object, "field": f.field, "missing": f.missing, "people": f.people}
               for f in field_lines(index)]
        emit(out, OBJECT_FIELD_COLUMNS, args.format, empty="no missing fields")
    else:
        out = [_bucket_row(b, t, args.format) for b, t in bucket_rows(snap).items()]
        emit(out, ["bucket", "records", "records_with_gaps", "missing_fields",
                   "completeness_pct", "fields"], args.format,
             empty="no records in any owner bucket")
    if args.format == "table" and args.person and not args.cannot_edit \
            and (note := access.person_note(who, snap.cannot_edit.get(who.key))):
        print(f"{who.name} {note} — see --cannot-edit")
    # Under a table of everyone, say what it leaves out (CSV and JSON stay rows only).
    narrowed = args.records or args.cannot_edit or args.team or args.person
    if args.format == "table" and not narrowed and args.by != "bucket" \
            and (note := unblamed_note(snap)):
        print(f"{note} — see --by bucket")
    return 0
