"""Accountability status per person (issue 13 point 5): the precedence (an open barrier, then
no goal, then on/off track), the goal weeks a period holds, barriers as of the period's end,
and the status the HR export and the report show changing when a barrier is resolved."""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from conftest import run_cli
from test_barrier_register import log, org

from chaser.accountability import Accountability, goal_tally, goals_in, status_of
from chaser.barrier_register import CHASE, RegisteredBarrier
from chaser.periods import parse_period
from chaser.status import ON_TRACK, status

UTC_ZONE = ZoneInfo("UTC")
NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)


def barrier(day: int, kind: str = "access", removed: int | None = None, person: str = "p"):
    return RegisteredBarrier(f"ann-202611-{day}", person, kind, CHASE,
                             datetime(2026, 11, day, 10, tzinfo=UTC), "Ann", ("amount",),
                             removed_at=datetime(2026, 11, removed, tzinfo=UTC) if removed
                             else None)


def test_the_four_states_in_their_order():
    assert status(None, [], 3, UTC_ZONE).text == "no goal set"
    assert status((7, 8), [], 1, UTC_ZONE).text == "on track: met 7 of 8 weekly goals"
    assert status((2, 8), [], 7, UTC_ZONE).text == ("off track: met 2 of 8 weekly goals, no "
                                                    "open barriers, 7 chases in the period")
    assert status((0, 1), [], 1, UTC_ZONE).text == ("off track: met 0 of 1 weekly goal, no open "
                                                    "barriers, 1 chase in the period")
    assert status((0, 0), [], 0, UTC_ZONE).text == "goal set, no week ended yet"
    # A barrier comes first, whatever the goals say, and keeps the goal figures.
    s = status((2, 8), [barrier(12)], 7, UTC_ZONE)
    assert (s.state, s.text, s.goals_met, s.goal_weeks, s.open_barriers) == (
        "barrier", "barrier open since 2026-11-12 (access)", 2, 8, 1)
    assert status(None, [barrier(12), barrier(3, "time")], 0, UTC_ZONE).text == (
        "2 barriers open, the first since 2026-11-03 (time, access)")
    # The date is the configured zone's: 12:00 UTC on the 12th is the 13th in Auckland.
    noon = replace(barrier(12), opened_at=datetime(2026, 11, 12, 12, tzinfo=UTC))
    assert "since 2026-11-12" in status(None, [noon], 0, ZoneInfo("America/New_York")).text
    assert "since 2026-11-13" in status(None, [noon], 0, ZoneInfo("Pacific/Auckland")).text


def test_the_on_track_line_is_three_weeks_in_four():
    assert ON_TRACK == 0.75
    assert status((3, 4), [], 0, UTC_ZONE).state == "on-track"
    assert status((5, 7), [], 0, UTC_ZONE).state == "off-track"  # 71%


def week(end: datetime, met: bool, judged: bool = True):
    return SimpleNamespace(week=SimpleNamespace(end=end), met=met, judged=judged)


def test_goal_weeks_belong_to_the_period_their_due_moment_falls_in():
    p = parse_period("2026-11", NOW, UTC_ZONE)
    start, end = p.start, p.end
    weeks = [week(start, True),  # due at the very start: the week of October
             week(start + timedelta(microseconds=1), True),
             week(end, False),  # due "Sun 24:00" on the last day: November's
             week(end + timedelta(hours=1), True),  # December's
             week(end - timedelta(days=2), False, judged=False)]  # in progress: not judged
    assert goal_tally(weeks, p) == (1, 2)
    acc = Accountability(weeks={"p": tuple(weeks)}, applicable=frozenset({"p", "q"}))
    assert goals_in(acc, p) == {"p": (1, 2), "q": (0, 0)}  # q: a goal applies, no week yet
    assert status_of(acc, "q", p, 0, now=NOW, tz=UTC_ZONE).text == "goal set, no week ended yet"
    assert status_of(acc, "r", p, 0, now=NOW, tz=UTC_ZONE).text == "no goal set"


def test_barriers_count_as_of_the_period_end_or_now():
    october = parse_period("2026-10", NOW, UTC_ZONE)
    november = parse_period("2026-11", NOW, UTC_ZONE)
    acc = Accountability(barriers=(barrier(3, removed=15), barrier(18)))
    assert status_of(acc, "p", october, 0, now=NOW, tz=UTC_ZONE).text == "no goal set"
    # The 3rd's was removed on the 15th; the 18th's is open now (before November ends).
    assert status_of(acc, "p", november, 0, now=NOW, tz=UTC_ZONE).text == (
        "barrier open since 2026-11-18 (access)")
    first_half = parse_period("2026-11-01..2026-11-10", NOW, UTC_ZONE)
    assert status_of(acc, "p", first_half, 0, now=NOW, tz=UTC_ZONE).open_barriers == 1


def hr_row(capsys, cfg, out, person="Bob Ray") -> dict:
    code, _, err = run_cli(capsys, "export", "hr", "--config", cfg, "--period", "2026-11",
                           "--out", out, "--force")
    assert code == 0, err
    with open(out, encoding="utf-8-sig", newline="") as f:
        return next(r for r in csv.DictReader(f) if r["Person"] == person)


def test_resolving_a_barrier_changes_the_status_in_the_export_and_report(tmp_path, capsys):
    cfg = org(tmp_path / "org")
    out = tmp_path / "hr.csv"
    row = hr_row(capsys, cfg, out)
    assert (row["Goals met"], row["Goal weeks"], row["Open barriers"], row["Status"]) == (
        "", "", "0", "no goal set")
    ann = hr_row(capsys, cfg, out, "Ann Lee")  # may not edit a rule field: a CRM barrier
    assert (ann["Open barriers"], ann["Status"]) == ("1", "barrier open since 2026-11-20 "
                                                          "(access)")
    bid = log(capsys, cfg, "Bob Ray", "2026-11-12T10:00", outcome="barrier-time")
    row = hr_row(capsys, cfg, out)
    assert (row["Open barriers"], row["Status"]) == ("1", "barrier open since 2026-11-12 (time)")
    _, text, _ = run_cli(capsys, "report", "--config", cfg, "--period", "2026-11")
    assert "Bob Ray (EMEA): barrier open since 2026-11-12 (time)" in text
    assert run_cli(capsys, "barriers", "resolve", bid, "--config", cfg, "--note", "moved the "
                   "deadline")[0] == 0
    row = hr_row(capsys, cfg, out)
    assert (row["Open barriers"], row["Status"]) == ("0", "no goal set")
    _, text, _ = run_cli(capsys, "report", "--config", cfg, "--period", "2026-11", "--format",
                         "json")
    data = json.loads(text)
    bob = next(s for s in data["statuses"] if s["person"] == "Bob Ray")
    assert (bob["state"], bob["status"], bob["open_barriers"]) == ("no-goal", "no goal set", 0)
    removed = next(r for r in data["register"] if r["id"] == bid)
    assert (removed["state"], removed["note"], removed["age_days"]) == ("removed",
                                                                        "moved the deadline", 7)
    about = (tmp_path / "hr-about.txt").read_text(encoding="utf-8-sig")
    assert "Status: the first that holds" in about and "Open barriers:" in about


def test_the_report_lays_out_register_statuses_and_newcomers():
    from test_report import CHASES, COSTS, HISTORY, PEOPLE, TZ
    from test_report import NOW as RNOW

    from chaser import report
    from chaser.audit import Thresholds
    from chaser.periods import comparison

    p = parse_period("2026-11", RNOW, TZ)
    newcomer = SimpleNamespace(person=PEOPLE[1], days_since_start=9, records_created=0,
                               start=SimpleNamespace(at=datetime(2026, 11, 11, tzinfo=UTC),
                                                     source="first snapshot"))
    acc = Accountability(barriers=(barrier(12, person="bob", kind="training"),
                                   barrier(2, removed=10, person="ann")),
                         newcomers=(newcomer,))
    rep = report.build(p, comparison(p, RNOW, TZ), CHASES, HISTORY[-1], HISTORY, COSTS,
                       Thresholds(), now=RNOW, tz=TZ, acc=acc)
    assert [(r["person"], r["state"], r["age_days"]) for r in rep.register] == [
        ("Bob | Roy*", "open", 7), ("Ann Lee", "removed", 7)]
    text = report.render_text(rep)
    assert "Bob | Roy* (NA): barrier open since 2026-11-12 (training)" in text
    assert "Ann Lee (EMEA): no goal set" in text
    assert "Bob | Roy* (NA): started 2026-11-11 (first snapshot), 9 days ago" in text
    md = report.render_markdown(rep)
    assert "- **Bob \\| Roy\\*** (NA): started 2026-11-11" in md
    assert "| Bob \\| Roy\\* | NA | training | chase | 2026-11-12 | open | 7 | 0 |" in md
    data = json.loads(report.render(rep, "json"))
    assert [s["state"] for s in data["statuses"]][:1] == ["barrier"]
    assert data["newcomers"][0]["days_since_start"] == 9
    # Without accountability data (plain callers), the report has none of it.
    bare = report.build(p, comparison(p, RNOW, TZ), CHASES, HISTORY[-1], HISTORY, COSTS,
                        Thresholds(), now=RNOW, tz=TZ)
    assert "Accountability" not in report.render_text(bare) and bare.register == ()
