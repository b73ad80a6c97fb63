"""`chaser barriers [--open] [--person P] [--format table|csv|json]`: the barrier register,
oldest first; `chaser barriers resolve ID --note TEXT` marks one removed.

A barrier chase opens a barrier (its id is that chase's id) or joins the open one of its kind;
a resolution is a ledger event in this admin's own file, shared like the chases; fields a
person may not edit in the CRM are an "access" barrier of source "crm" until a sync no longer
shows them. How they fold: chaser/barrier_register.py. CSV and JSON columns are stable.
"""

from __future__ import annotations

from chaser.commands import add_format, workspace
from chaser.output import emit


def register(sub, common) -> None:
    p = sub.add_parser("barriers", parents=[common], help="the barrier register (or resolve "
                       "one)", description="Barriers opened by barrier chases and found in the "
                       "CRM, open and removed, with their age.")
    p.add_argument("--open", action="store_true", help="only barriers still open")
    p.add_argument("--person", metavar="P", help="only this person (key, name or email)")
    add_format(p)
    p.set_defaults(func=run)
    acts = p.add_subparsers(dest="action", metavar="ACTION")
    r = acts.add_parser("resolve", parents=[common], help="mark a barrier removed")
    r.add_argument("id", metavar="ID", help="the barrier's id (that of its opening chase)")
    r.add_argument("--note", required=True, metavar="TEXT",
                   help="what removed it, e.g. \"granted edit access to Amount\"")
    r.set_defaults(func=run_resolve)


def run(args) -> int:
    from chaser.barrier_register import COLUMNS, rows

    ws = workspace(args)
    found = ws.barriers(open_only=args.open)
    people = ws.people_with({b.person for b in found}, ws.summary())
    who = None
    if args.person:
        who = ws.find_person(args.person, people)
        found = [b for b in found if b.person == who.key]
    names = {p.key: p.name for p in people}
    what = "open barriers" if args.open else "barriers"
    emit(rows(found, names, ws.now(), ws.tz), COLUMNS, args.format,
         empty=f"no {what}{f' of {who.name}' if who else ''}")
    return 0


def run_resolve(args) -> int:
    ws = workspace(args)
    b = ws.resolve_barrier(args.id, args.note)
    person = next((p for p in ws.summary().people if p.key == b.person), None)
    name = person.name if person else b.person
    when = b.removed_at.astimezone(ws.tz).strftime("%Y-%m-%d %H:%M") if b.removed_at else "?"
    print(f"resolved barrier {b.id} ({b.kind}) of {name}, open {b.age_days(ws.now())} days "
          f"({when}, by {b.removed_by}): {b.note}")
    return 0
