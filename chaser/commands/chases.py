"""`chaser chases`: list the chase log; `chaser chases void|unvoid ID --reason TEXT`.

CSV and JSON keep their columns in the order they had before the ledger and add `writer`
(the admin id whose ledger holds the chase) and `batch` (the id of the first chase of chases
logged together, chaser.bulk; "" for a chase logged alone) at the end, so scripts reading by
position or by name go on working; `by` stays the name the chase was logged under. The table, for a human,
shows the short writer id in place of `by`.
"""

from __future__ import annotations

from chaser.commands import add_format, workspace
from chaser.costs import UNKNOWN_TEAM, team_people
from chaser.errors import ChaserError
from chaser.output import emit
from chaser.periods import day_span, parse_date

COLUMNS = ["id", "at", "person", "team", "channel", "minutes", "outcome", "fields", "note", "by",
           "voided", "void_reason", "writer", "batch"]
TABLE_COLUMNS = ["id", "at", "person", "team", "channel", "minutes", "outcome", "fields", "note",
                 "writer", "voided"]


def register(sub, common) -> None:
    p = sub.add_parser("chases", parents=[common], help="list logged chases (or void one)")
    p.add_argument("--person", metavar="P")
    p.add_argument("--team", metavar="T")
    p.add_argument("--by", metavar="WRITER", help="only chases in this admin's ledger (id, name "
                   "or email; `chaser ledger status` lists them)")
    p.add_argument("--since", metavar="YYYY-MM-DD", help="from this day (inclusive)")
    p.add_argument("--until", metavar="YYYY-MM-DD", help="to this day (inclusive)")
    add_format(p)
    p.set_defaults(func=run)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    v = actions.add_parser("void", parents=[common], help="void a chase: kept, but no longer "
                           "counted in any total")
    v.add_argument("chase_id", metavar="ID", help="e.g. ann-202611-17 (or 202611-17, an id "
                   "from before the ledger)")
    v.add_argument("--reason", required=True, metavar="TEXT")
    v.set_defaults(func=void)
    u = actions.add_parser("unvoid", parents=[common], help="withdraw a void: the chase counts "
                           "again (both events stay in the ledger)")
    u.add_argument("chase_id", metavar="ID")
    u.add_argument("--reason", required=True, metavar="TEXT")
    u.set_defaults(func=unvoid)


def run(args) -> int:
    from chaser.ledger_status import find_writer, writer_names

    ws = workspace(args)
    snap = ws.snapshot()
    people = {p.key: p for p in snap.people}
    since = parse_date(args.since, "--since") if args.since else None
    until = parse_date(args.until, "--until") if args.until else None
    if since and until and until < since:
        raise ChaserError(f"--until {args.until} is before --since {args.since}")
    start = day_span(since, since, ws.tz, "").start if since else None
    end = day_span(until, until, ws.tz, "").end if until else None
    chases = ws.chases(start, end)
    if args.by is not None:  # an unknown writer is an error listing them, as --team does
        who = find_writer(args.by, writer_names(ws.store.ledger, {c.writer: c.by for c in chases}))
        chases = [c for c in chases if c.writer == who.id]
    # Anyone chased can be named and is shown by name, also people who have left the CRM
    # since (their team shows as costs count them: "(unknown)", no current team).
    everyone = ws.people_with({c.person for c in chases}, snap)
    names = {p.key: p.name for p in everyone}
    if args.person:
        who = ws.find_person(args.person, everyone)
        chases = [c for c in chases if c.person == who.key]
    if args.team:  # an unknown team is an error listing the teams, as in gaps and costs
        members = {p.key for p in team_people(snap.people, args.team)}
        chases = [c for c in chases if c.person in members]
    rows = []
    for c in chases:
        p = people.get(c.person)
        rows.append({
            "id": c.id, "at": c.at.astimezone(ws.tz).isoformat(timespec="minutes"),
            "person": p.name if p else names.get(c.person, c.person),
            "team": p.team if p else UNKNOWN_TEAM,
            "channel": c.channel.value, "minutes": c.minutes, "outcome": c.outcome.value,
            "fields": list(c.fields), "note": c.note, "by": c.by, "voided": c.voided,
            "void_reason": c.void_reason or "", "writer": c.writer,
            "batch": c.batch,  # chases logged together share it (chaser.bulk); "" alone
        })
    if args.format == "table":
        for r in rows:
            r["voided"] = "VOID" if r["voided"] else ""
    emit(rows, TABLE_COLUMNS if args.format == "table" else COLUMNS, args.format,
         empty="no chases")
    return 0


def _reason(args, what: str) -> str:
    reason = args.reason.strip()
    if not reason:
        raise ChaserError(f"--reason must say why {what}")
    return reason


def void(args) -> int:
    ws = workspace(args)
    reason = _reason(args, "the chase is voided")
    chase = ws.store.void_chase(args.chase_id.strip(), reason, at=ws.now())
    print(f"voided chase {chase.id}: {reason}")
    return 0


def unvoid(args) -> int:
    ws = workspace(args)
    reason = _reason(args, "the void is withdrawn")
    chase = ws.store.unvoid_chase(args.chase_id.strip(), reason, at=ws.now())
    print(f"withdrew the void of chase {chase.id}: {reason}; it counts again")
    return 0
