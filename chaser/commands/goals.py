"""`chaser goals`: each person's weekly goals ([[goals]]) for a week: target, count, met.

The default is the running week (still "in progress" until its due moment, never "missed"
before it). `--week 2026-W45` picks one by its ISO label, `--period 2026-11` every week whose
due day falls in the period. Weeks before a goal's `since` are not counted (see chaser.goals).
CSV: `person,team,goal,week,target,actual,met` with met yes/no; JSON adds the status and the
week's start and due moment.
"""

from __future__ import annotations

from chaser.commands import add_format, workspace
from chaser.errors import ChaserError
from chaser.freshness import as_of_label
from chaser.goals import first_week, week_labelled, week_of, weeks_due_in
from chaser.goals_weeks import goal_results
from chaser.newcomers import starts
from chaser.output import emit
from chaser.periods import PERIOD_HELP, parse_period

COLUMNS = ["person", "team", "goal", "week", "target", "actual", "met"]
TABLE_COLUMNS = ["person", "team", "goal", "week", "target", "actual", "status"]
JSON_COLUMNS = [*COLUMNS, "status", "week_start", "due"]


def register(sub, common) -> None:
    p = sub.add_parser("goals", parents=[common], help="weekly goals per person: target, "
                       "count and met, for this week (default), a week or a period")
    when = p.add_mutually_exclusive_group()
    when.add_argument("--week", metavar="YYYY-Www", help="one week by its ISO label, e.g. "
                      "2026-W45 (the ISO week of the goal's due day)")
    when.add_argument("--period", metavar="P", help=f"every week due in the period: {PERIOD_HELP}")
    p.add_argument("--person", metavar="P", help="only this person (key, name or email)")
    p.add_argument("--team", metavar="T", help="only this team")
    add_format(p)
    p.set_defaults(func=run)


def _weeks(args, goals, tz, now):
    """goal -> the weeks asked for (may be before `since`: goal_results leaves those out)."""
    if args.week:
        chosen = {g: [week_labelled(g, args.week, tz)] for g in goals}
        if all(w[0].start > now for w in chosen.values()):
            start = min(w[0].start for w in chosen.values()).astimezone(tz)
            raise ChaserError(f"week {args.week!r} has not begun yet (it starts "
                              f"{start:%Y-%m-%d %H:%M}): pick this week or an earlier one")
        return chosen
    if args.period:
        period = parse_period(args.period, now, tz)
        return {g: weeks_due_in(g, period.first_day, period.last_day, tz) for g in goals}
    return {g: [week_of(g, now, tz)] for g in goals}


def run(args) -> int:
    ws = workspace(args)
    goals = ws.settings.goals
    if not goals:
        raise ChaserError(f"no [[goals]] in {ws.settings.path}: add one, e.g. name = \"new "
                          "accounts\", object = \"Account\", count = \"created\", per_week = 5, "
                          "due = \"Fri 12:00\", since = 2026-10-05")
    tz, now = ws.tz, ws.now()
    chosen = _weeks(args, goals, tz, now)  # a bad week or period fails before any sync
    snap = ws.snapshot()
    people = [p for p in snap.people if p.active]
    if args.team:
        teams = {p.team.casefold(): p.team for p in people}
        if args.team.casefold() not in teams:
            raise ChaserError(f"unknown team {args.team!r} "
                              f"(teams: {', '.join(sorted(set(teams.values())))})")
        people = [p for p in people if p.team.casefold() == args.team.casefold()]
    if args.person:
        who = ws.find_person(args.person, people)
        people = [who]
    history = ws.store.snapshot_history()
    _warn_dates(ws, goals, snap)
    began = {k: s.at for k, s in starts(snap, history).items()}
    results = goal_results(goals, people, snap, history, tz=tz, now=now,
                           load=lambda s, gaps: (ws.store.load_snapshot(s.id) if gaps else
                                                 ws.store.with_activity(s)),
                           weeks=lambda g: chosen[g], starts=began)
    results.sort(key=lambda r: (r.person.name.casefold(), r.person.key, r.week.end, r.goal.name))
    rows = [{"person": r.person.name, "team": r.person.team, "goal": r.goal.name,
             "week": r.week.label, "target": r.target, "actual": r.actual,
             "met": r.met if args.format == "json" else ("yes" if r.met else "no"),
             "status": r.status, "week_start": r.week.start.astimezone(tz),
             "due": r.week.end.astimezone(tz)} for r in results]
    if args.format == "table":
        print(f"{as_of_label(snap, tz).capitalize()} ({tz}), snapshot {snap.id}")
        for g in goals:
            teams = f", teams {', '.join(g.teams)}" if g.teams else ""
            print(f"Goal {g.name!r}: {g.what}{teams}; counted from week "
                  f"{first_week(g, tz).label} (set {g.since.isoformat()})")
    columns = {"table": TABLE_COLUMNS, "json": JSON_COLUMNS}.get(args.format, COLUMNS)
    emit(rows, columns, args.format, empty="no goal weeks to show: the weeks asked for are "
         "before each goal's `since`, or no goal applies to these people")
    return 0


def _warn_dates(ws, goals, snap) -> None:
    """A goal whose object's dates the snapshot lacks counts 0 for everyone, and one whose
    teams match nobody applies to nobody: say why rather than show nothing."""
    teams = {p.team.casefold() for p in snap.people}
    for g in goals:
        unknown = [t for t in g.teams if t.casefold() not in teams]
        if unknown:
            ws.notice(f"warning: goal {g.name!r} names teams no person is in: "
                      f"{', '.join(unknown)} ({g.origin})")
        if g.count == "filled":
            continue
        side = "created" if g.count == "created" else "modified"
        if not any(getattr(by.get(g.object), side, None) for by in snap.activity.values()):
            ws.notice(f"warning: the snapshot of {snap.taken_at.astimezone(ws.tz):%Y-%m-%d %H:%M} "
                      f"holds no {side} dates of {g.object} records, so goal {g.name!r} counts 0 "
                      "(the source must give them, e.g. a CSV `created` column; then sync)")
