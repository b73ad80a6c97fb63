"""`chaser notes PERSON`: the dated notes about a person, every admin's, oldest first;
`chaser notes PERSON --add TEXT` adds one (signed by this installation's [admin]).

Notes are ledger events like chases (chaser.ledger_docs, kind "note"): shared with the other
admins through the ledger folder, never rewritten. The TUI's person screen shows the latest
(`n` adds one there). CSV and JSON columns are stable for scripts.
"""

from __future__ import annotations

from chaser.commands import add_format, workspace
from chaser.output import emit

COLUMNS = ["id", "at", "person", "text", "by", "writer"]


def register(sub, common) -> None:
    p = sub.add_parser("notes", parents=[common], help="notes about a person (or add one)")
    p.add_argument("person", metavar="PERSON", help="key, name (any case) or email")
    p.add_argument("--add", metavar="TEXT", help="add a dated note, e.g. \"on leave until the "
                   "15th\"")
    add_format(p)
    p.set_defaults(func=run)


def run(args) -> int:
    ws = workspace(args)
    if args.add is not None:
        person = ws.find_person(args.person)
        note = ws.add_note(person, args.add)
        when = note.at.astimezone(ws.tz).strftime("%Y-%m-%d %H:%M")
        print(f"added note {note.id} about {person.name} ({when}, by {note.by}): {note.text}")
        return 0
    notes = ws.notes()
    # People who have left the CRM since keep their notes: found as `chaser chases` finds them.
    person = ws.find_person(args.person, ws.people_with({n.person for n in notes}))
    rows = [{"id": n.id, "at": n.at.astimezone(ws.tz).isoformat(timespec="minutes"),
             "person": person.name, "text": n.text, "by": n.by, "writer": n.writer}
            for n in notes if n.person == person.key]
    emit(rows, COLUMNS, args.format, empty=f"no notes about {person.name}")
    return 0
