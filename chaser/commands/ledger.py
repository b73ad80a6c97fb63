"""`chaser ledger status`: the ledger folder, who writes in it, and what a sync tool left.

One row per writer (this installation's too, before its first chase): the name and email of
its writer.json claim, its month files, events and chases, when it last wrote, and STALE when
that is more than --stale-days ago (default 14: see chaser.ledger_status.STALE_DAYS). Then the
warnings: files left out of the figures (unreadable or half-synced, gone backwards), conflicted
copies and stray folders (never counted), events of a newer chaser (skipped). The table prints
them under the rows; CSV carries the rows only and puts each warning on stderr; JSON has both.
"""

from __future__ import annotations

import sys

from chaser.commands import add_format, workspace
from chaser.errors import ChaserError
from chaser.output import emit, to_json

COLUMNS = ["writer", "name", "email", "host", "this", "claimed", "files", "first_month",
           "last_month", "events", "chases", "voids", "unvoids", "last_event", "days_since",
           "stale", "left_out"]
TABLE_COLUMNS = ["writer", "name", "email", "files", "events", "chases", "voids", "last_event",
                 "stale"]


def register(sub, common) -> None:
    p = sub.add_parser("ledger", parents=[common], help="the shared chase ledger: writers and "
                       "warnings")
    p.set_defaults(func=_no_action)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    s = actions.add_parser("status", parents=[common], help="the ledger folder, each writer's "
                           "files, events and last event, and what a sync tool left")
    s.add_argument("--stale-days", type=int, default=None, metavar="N",
                   help="a writer with no event for more than N days is STALE (default: 14)")
    add_format(s)
    s.set_defaults(func=status)


def _no_action(args) -> int:
    raise ChaserError("`chaser ledger` needs an action: status")


def status(args) -> int:
    from chaser.ledger_status import STALE_DAYS
    from chaser.ledger_status import status as read_status

    days = STALE_DAYS if args.stale_days is None else args.stale_days
    if not 1 <= days <= 3650:
        raise ChaserError(f"--stale-days must be a number of days from 1 to 3650, not {days}")
    ws = workspace(args)
    now = ws.now()
    st = read_status(ws.store.ledger, now, shared=ws.settings.ledger_path is not None,
                     stale_days=days)
    rows = []
    for w in st.writers:
        rows.append({
            "writer": w.id, "name": w.name, "email": w.email, "host": w.host, "this": w.this,
            "claimed": w.claimed, "files": w.files, "first_month": w.first_month,
            "last_month": w.last_month, "events": w.events, "chases": w.chases,
            "voids": w.voids, "unvoids": w.unvoids,
            "last_event": (w.last_event.astimezone(ws.tz).isoformat(timespec="seconds")
                           if w.last_event else None),
            "days_since": (now - w.last_event).days if w.last_event else None,
            "stale": w.stale, "left_out": list(w.left_out)})
    warnings = [{"kind": i.kind, "writer": i.writer, "month": i.month, "text": i.text}
                for i in st.issues]
    if args.format == "json":
        sys.stdout.write(to_json({
            "ledger": str(st.root), "shared": st.shared, "writer": st.writer,
            "installation": st.installation, "stale_days": st.stale_days,
            "incomplete": st.incomplete, "writers": rows, "warnings": warnings}))
    elif args.format == "csv":
        emit(rows, COLUMNS, "csv")
        for w in warnings:
            print(f"chaser: warning: {w['text']}", file=sys.stderr)
    else:
        _table(ws, st, rows, warnings)
    return 0


def _table(ws, st, rows, warnings) -> None:
    where = ("shared: [ledger] path" if st.shared else
             "this source's data folder; set [ledger] path in chaser.toml to share it")
    print(f"ledger: {st.root} ({where})")
    me = next(w for w in st.writers if w.this)
    named = me.name if me.name and me.name != me.id else ""
    who = ", ".join(x for x in (named, me.email and f"<{me.email}>") if x)
    who = f" ({who})" if who else ""
    login = " (your login name; set [admin] id to choose)" if ws.writer.defaulted else ""
    print(f"this installation ({st.installation}) writes as {st.writer}{who}{login}; a writer "
          f"is STALE after {st.stale_days} days without an event")
    for r in rows:  # the words carry the meaning in a terminal: "*" marks this installation
        r["writer"] = f"{r['writer']} *" if r["this"] else r["writer"]
        r["stale"] = "STALE" if r["stale"] else ""
        r["last_event"] = (r["last_event"][:16].replace("T", " ") if r["last_event"]
                           else "none yet")
    emit(rows, TABLE_COLUMNS, "table", empty="no writers yet")
    if not warnings:
        print("no warnings: every file was read" + (
            "" if not any(w.stale for w in st.writers) else "; see STALE writers above"))
        return
    print(f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''}"
          + (" (figures are INCOMPLETE)" if st.incomplete else "") + ":")
    for w in warnings:
        print(f"  {w['kind']}: {w['text']}")
