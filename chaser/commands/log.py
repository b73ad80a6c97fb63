"""`chaser log PERSON --minutes N ...`: record one chase, durably; `chaser log P1 P2 ...`: one
chase of several people, the minutes split across them (chaser.bulk), in one durable write."""

from __future__ import annotations

from chaser.commands import workspace
from chaser.model import Channel, Outcome
from chaser.periods import parse_moment


def register(sub, common) -> None:
    p = sub.add_parser("log", parents=[common], help="log one chase of a person")
    p.add_argument("person", metavar="PERSON", nargs="+", help="key, name (any case) or email; "
                   "several: one chase of them all (one email to a team), the minutes split")
    p.add_argument("--minutes", required=True, metavar="N", help="minutes spent, 1-600 (with "
                   "several people: in all, split in whole minutes that add up)")
    p.add_argument("--channel", default="call", choices=[c.value for c in Channel])
    p.add_argument("--fields", default="", metavar="a,b", help="fields chased, comma-separated")
    p.add_argument("--outcome", default="promised", choices=[o.value for o in Outcome])
    p.add_argument("--note", default="", metavar="TEXT")
    p.add_argument("--at", metavar="YYYY-MM-DD[THH:MM]", help="when it happened (default: now)")
    p.add_argument("--by", default="", metavar="NAME", help="who chased (default: admin in "
                   "the config, else your login name)")
    p.set_defaults(func=run)


def run(args) -> int:
    ws = workspace(args)
    at = parse_moment(args.at, ws.tz) if args.at else None
    if len(args.person) > 1:  # chase many (chaser.bulk): the same split and batch as the TUI
        people = [ws.find_person(p) for p in args.person]
        batch = ws.log_chases(people, minutes=args.minutes, channel=args.channel,
                              outcome=args.outcome, fields=args.fields.split(","),
                              note=args.note, at=at, by=args.by)
        print(f"logged {batch.summary(limit=len(batch.chases))}")
        return 0
    person = ws.find_person(args.person[0])
    chase = ws.log_chase(person, minutes=args.minutes, channel=args.channel,
                         outcome=args.outcome, fields=args.fields.split(","), note=args.note,
                         at=at, by=args.by)
    when = chase.at.astimezone(ws.tz).strftime("%Y-%m-%d %H:%M")
    print(f"logged chase {chase.id}: {chase.channel.value} with {person.name}, "
          f"{chase.minutes} min, {chase.outcome.value}, {when}")
    return 0
