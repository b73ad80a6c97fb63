"""`chaser snapshots`: list the stored snapshots; `chaser snapshots drop ID --yes` removes one
from history and trends (an experiment with another config, a sync of the wrong file)."""

from __future__ import annotations

from chaser.audit import org_tally
from chaser.commands import add_format, workspace
from chaser.errors import ChaserError
from chaser.freshness import changed, fingerprint
from chaser.output import emit

COLUMNS = ["id", "taken_at", "source", "records", "records_with_gaps", "completeness_pct",
           "config", "latest"]


def register(sub, common) -> None:
    p = sub.add_parser("snapshots", parents=[common],
                       help="list stored snapshots (or drop one from history and trends)")
    add_format(p)
    p.set_defaults(func=run)
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    d = actions.add_parser("drop", parents=[common], help="remove a snapshot from history and "
                           "trends (its figures are gone; the chase log is untouched)")
    d.add_argument("snapshot_id", metavar="ID")
    d.add_argument("--yes", action="store_true", help="really drop it")
    d.set_defaults(func=drop)


def run(args) -> int:
    ws = workspace(args)
    stored = ws.store.stored_snapshots()  # storage order: the last one is the latest
    current = fingerprint(ws.settings)
    latest = stored[-1].id if stored else None
    rows = []
    for snap in sorted(stored, key=lambda s: s.taken_at):
        org = org_tally(snap)
        rows.append({
            "id": snap.id,
            "taken_at": snap.taken_at.astimezone(ws.tz).isoformat(timespec="minutes"),
            "source": snap.source, "records": snap.records,
            # records with gaps of people, as `gaps` counts them (buckets are listed apart)
            "records_with_gaps": org.records_with_gaps,
            "completeness_pct": org.completeness_pct,
            # "changed": computed from another config or other files than today's
            "config": "changed" if changed(snap.fingerprint, current) else "current",
            "latest": snap.id == latest,
        })
    if args.format == "table":
        for r in rows:
            r["latest"] = "LATEST" if r["latest"] else ""
    emit(rows, COLUMNS, args.format, empty="no snapshots yet: run `chaser sync`")
    return 0


def drop(args) -> int:
    ws = workspace(args)
    sid = args.snapshot_id.strip()
    found = next((s for s in ws.store.stored_snapshots() if s.id == sid), None)
    if found is None:
        raise ChaserError(f"no snapshot with id {sid!r} (see `chaser snapshots`)")
    what = (f"snapshot {sid} ({found.taken_at.astimezone(ws.tz):%Y-%m-%d %H:%M}, "
            f"{found.records:,} records)")
    if not args.yes:
        raise ChaserError(f"dropping {what} removes it from history and trends for good; "
                          "add --yes to drop it")
    ws.store.drop_snapshot(sid)
    print(f"dropped {what}")
    return 0
