"""`chaser costs`: the hidden cost of chasing per person or team, for a period."""

from __future__ import annotations

from chaser.commands import add_format, warn_unmatched_rates, workspace
from chaser.costs import money
from chaser.freshness import as_of_label
from chaser.output import emit
from chaser.periods import DEFAULT_PERIOD, PERIOD_HELP
from chaser.words import plural

PERSON_COLUMNS = ["person", "team", "chases", "minutes", "cost", "barrier_chases"]
TEAM_COLUMNS = ["team", "people", "chases", "minutes", "cost", "barrier_chases"]
# admin: the writer id of the ledger; name: as the admin's newest chase was logged; people:
# how many people they chased
ADMIN_COLUMNS = ["admin", "name", "people", "chases", "minutes", "cost", "barrier_chases"]
COLUMNS = {"person": PERSON_COLUMNS, "team": TEAM_COLUMNS, "admin": ADMIN_COLUMNS}


def register(sub, common) -> None:
    p = sub.add_parser("costs", parents=[common], help="what chasing cost, per person or team")
    p.add_argument("--by", choices=list(COLUMNS), default="person",
                   help="one row per person (default), per team, or per admin (whose time: "
                   "one row per writer of the ledger)")
    p.add_argument("--period", default=DEFAULT_PERIOD, metavar="P",
                   help=f"{PERIOD_HELP} (default: {DEFAULT_PERIOD})")
    p.add_argument("--team", metavar="T", help="only this team")
    add_format(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from chaser.inputs import period_for, summary_for  # not for the parser of every command

    ws = workspace(args)
    warn_unmatched_rates(ws)
    period = period_for(ws, args.period)
    summary = summary_for(ws, period, args.team)
    lines = {"person": summary.by_person, "team": summary.by_team,
             "admin": summary.by_admin}[args.by]
    rows = [{"person": line.name, "team": line.team, "people": line.people,
             "admin": line.key, "name": line.name,
             "chases": line.chases, "minutes": line.minutes, "cost": line.cost,
             "barrier_chases": line.barrier_chases} for line in lines.values()]
    columns = COLUMNS[args.by]
    if args.format != "table":  # scripts get the rows only: a total row would be summed twice
        emit(rows, columns, args.format)
        return 0
    t = summary.total
    # The total row keeps the numeric columns numeric so they stay right-aligned. By admin,
    # its people would be everyone's (not those chased), so it is left blank.
    rows.append({"person": "TOTAL", "team": "TOTAL" if args.by == "team" else "",
                 "admin": "TOTAL", "people": None if args.by == "admin" else t.people,
                 "chases": t.chases, "minutes": t.minutes, "cost": t.cost,
                 "barrier_chases": t.barrier_chases})
    print(f"{period.label}: {period.span()} ({ws.tz}), cost in {summary.currency}; people and "
          f"teams {as_of_label(ws.summary(), ws.tz)}")
    emit(rows, columns, "table")
    barrier = (f", {money(t.barrier_cost, summary.currency)} of it on barriers"
               if t.barrier_chases else "")
    print(f"total {money(t.cost, summary.currency)} for {plural(t.chases, 'chase')} "
          f"({t.minutes:,} min){barrier}; voided chases excluded")
    return 0
