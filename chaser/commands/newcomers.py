"""`chaser newcomers [--days N]`: the first-week check. People who started 7 to N (default 60)
days ago and have created no record yet (of the goal objects, else of any audited object),
so an admin can reach out. CSV: `person,team,started,days_since_start,records_created`; where
the start dates come from (the source, or the first snapshot a person appeared in) is a note
under the table, the `started_from` key in JSON, and a note on stderr beside a CSV.
"""

from __future__ import annotations

import sys

from chaser.commands import add_format, workspace
from chaser.errors import ChaserError
from chaser.freshness import as_of_label
from chaser.newcomers import DEFAULT_DAYS, FROM_SNAPSHOT, MIN_DAYS, has_dates, newcomers, starts
from chaser.output import emit

COLUMNS = ["person", "team", "started", "days_since_start", "records_created"]
MAX_DAYS = 3650


def register(sub, common) -> None:
    p = sub.add_parser("newcomers", parents=[common], help="people who started 7 to N days ago "
                       "and have entered no record yet (the first-week check)")
    p.add_argument("--days", metavar="N", default=str(DEFAULT_DAYS),
                   help=f"started at most N days ago (default {DEFAULT_DAYS}, at least "
                        f"{MIN_DAYS})")
    add_format(p)
    p.set_defaults(func=run)


def _days(text: str) -> int:
    t = str(text).strip()
    if not (t.isascii() and t.isdigit()) or not MIN_DAYS <= int(t) <= MAX_DAYS:
        raise ChaserError(f"--days must be a whole number from {MIN_DAYS} to {MAX_DAYS} (the "
                          f"check runs after a newcomer's first week), not {text!r}")
    return int(t)


def run(args) -> int:
    days = _days(args.days)
    ws = workspace(args)
    tz, now = ws.tz, ws.now()
    snap = ws.snapshot()  # Activity is stored with the gaps, not in the summary
    if not has_dates(snap):
        raise ChaserError("the latest snapshot holds no created dates of records, so the "
                          "first-week check cannot tell who has entered nothing (the source "
                          "must give them, e.g. a CSV `created` column; then sync)")
    objects = sorted({g.object for g in ws.settings.goals}) or None
    history = ws.store.snapshot_history()
    found = newcomers(snap, history, objects=objects, tz=tz, now=now, days=days)
    rows = [{"person": n.person.name, "team": n.person.team,
             "started": n.start.at.astimezone(tz).date().isoformat(),
             "days_since_start": n.days_since_start, "records_created": n.records_created,
             "started_from": n.start.source} for n in found]
    what = (f"records of {', '.join(objects)}" if objects else "records")
    note = _start_note(snap, history)
    if args.format == "table":
        print(f"{as_of_label(snap, tz).capitalize()} ({tz}): started {MIN_DAYS} to {days} days "
              f"ago, no {what} created since")
    emit(rows, [*COLUMNS, "started_from"] if args.format == "json" else COLUMNS, args.format,
         empty=f"no newcomers without {what}")
    if note and args.format == "table":
        print(note)
    elif note and args.format == "csv" and "source's" not in note:
        print(f"chaser: {note}", file=sys.stderr)
    return 0


def _start_note(snap, history) -> str | None:
    """Where the start dates come from, when it is not the source."""
    known = starts(snap, history)
    guessed = sum(s.source == FROM_SNAPSHOT for s in known.values())
    unknown = sum(p.active and p.key not in known for p in snap.people)
    if not guessed and not unknown:
        return "note: start dates are the source's" if known else None
    parts = []
    if guessed:
        parts.append(f"{guessed:,} start dates are the first snapshot the person appeared in "
                     "(the source gives none for them)")
    if unknown:
        who = "person has" if unknown == 1 else "people have"
        parts.append(f"{unknown:,} {who} no known start (no start date from the source, and "
                     "already in the first snapshot), so they are not checked")
    return "note: " + "; ".join(parts)
