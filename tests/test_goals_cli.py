"""`chaser goals`: the default week, --week, --period, --person, --team, formats, errors."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from conftest import csv_org, run_cli
from goals_support import activity_at, at, serve, snapshot

from chaser.model import Person

NOW = at("2026-11-20 09:00")  # Friday 10:00 in Berlin: the week due at noon runs
GOALS = """
[costs]
timezone = "Europe/Berlin"

[[goals]]
name = "new deals"
object = "Deal"
count = "created"
per_week = 2
due = "Fri 12:00"
since = 2026-10-26

[[goals]]
name = "west deals"
object = "Deal"
count = "created"
per_week = 1
since = "2026-11-02"
teams = ["West"]
"""
ANN = Person("ann", "Ann", team="East")
BOB = Person("bob", "Bob", team="West")


@pytest.fixture
def org(tmp_path, monkeypatch):
    cfg = csv_org(tmp_path, "name,team\nAnn,East\nBob,West\n", "id,owner,amount\n1,Ann,\n",
                  extra=GOALS)
    made = {"ann": ["2026-11-02 10:00", "2026-11-05 09:00",  # W45 (Fri 30 Oct - 6 Nov): 2
                    "2026-11-19 10:00"],  # W47: 1 so far
            "bob": ["2026-11-10 10:00"]}  # W46 for Fri noon; W46 (Mon-Sun) too
    recs = [{"owner": k, "created": at(t), "edits": []} for k, ts in made.items() for t in ts]
    history = [snapshot(NOW - timedelta(days=d), [ANN, BOB]) for d in (30, 10)]
    serve(monkeypatch, snapshot(NOW - timedelta(hours=1), [ANN, BOB],
                                activity=activity_at(recs, NOW, "Deal")), history)
    return cfg


def rows(out: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(out)))


def test_default_is_this_week_and_the_csv_header_is_exact(capsys, org):
    code, out, err = run_cli(capsys, "goals", "--config", org, "--format", "csv")
    assert code == 0 and err == ""
    assert rows(out) == [
        ["person", "team", "goal", "week", "target", "actual", "met"],
        ["Ann", "East", "new deals", "2026-W47", "2", "1", "no"],
        ["Bob", "West", "new deals", "2026-W47", "2", "0", "no"],
        ["Bob", "West", "west deals", "2026-W47", "1", "0", "no"]]


def test_table_says_in_progress_never_missed_before_the_due_moment(capsys, org):
    code, out, _ = run_cli(capsys, "goals", "--config", org)
    assert code == 0
    assert "Goal 'new deals': 2 Deal created a week, due Fri 12:00; counted from week " \
           "2026-W45 (set 2026-10-26)" in out
    assert "missed" not in out and out.count("in progress") == 3


def test_a_past_week_by_label(capsys, org):
    code, out, _ = run_cli(capsys, "goals", "--config", org, "--week", "2026-W45",
                           "--format", "csv")
    assert rows(out)[1:] == [["Ann", "East", "new deals", "2026-W45", "2", "2", "yes"],
                             ["Bob", "West", "new deals", "2026-W45", "2", "0", "no"],
                             ["Bob", "West", "west deals", "2026-W45", "1", "0", "no"]]


def test_a_period_lists_every_week_due_in_it_after_since(capsys, org):
    code, out, _ = run_cli(capsys, "goals", "--config", org, "--period", "2026-11",
                           "--person", "bob", "--format", "json")
    got = [(r["goal"], r["week"], r["actual"], r["met"], r["status"]) for r in json.loads(out)]
    # new deals: due 6, 13, 20 Nov (27 Nov has not begun); west deals (Sun 24:00, from
    # Mon 2 Nov): weeks 45, 46, 47 (the running one)
    assert got == [("new deals", "2026-W45", 0, False, "missed"),
                   ("west deals", "2026-W45", 0, False, "missed"),
                   ("new deals", "2026-W46", 1, False, "missed"),
                   ("west deals", "2026-W46", 1, True, "met"),
                   ("new deals", "2026-W47", 0, False, "in progress"),
                   ("west deals", "2026-W47", 0, False, "in progress")]
    first = json.loads(out)[0]
    assert first["due"] == "2026-11-06T12:00+01:00" and first["week_start"] == \
        "2026-10-30T12:00+01:00"


def test_team_filter_and_team_goals(capsys, org):
    code, out, _ = run_cli(capsys, "goals", "--config", org, "--team", "east", "--format",
                           "csv")
    assert [r[0] for r in rows(out)[1:]] == ["Ann"]  # and not "west deals"


def test_weeks_before_since_show_nothing(capsys, org):
    code, out, _ = run_cli(capsys, "goals", "--config", org, "--week", "2026-W40")
    assert code == 0 and "no goal weeks to show" in out


@pytest.mark.parametrize("args, message", [
    (("--week", "2026-W60"), "week '2026-W60' does not exist"),
    (("--week", "next"), "is not an ISO week like 2026-W45"),
    (("--week", "2026-W52"), "has not begun yet"),
    (("--person", "Zed"), "unknown person 'Zed'"),
    (("--team", "North"), "unknown team 'North'"),
    (("--period", "2027-01"), "after today"),
])
def test_errors_exit_2_with_one_line(capsys, org, args, message):
    code, out, err = run_cli(capsys, "goals", "--config", org, *args)
    assert code == 2 and message in err and err.startswith("chaser: error: ")
    assert err.count("\n") == 1


def test_no_goals_configured_is_an_error(capsys, tmp_path):
    cfg = csv_org(tmp_path, "name,team\nAnn,East\n", "id,owner,amount\n1,Ann,\n")
    code, _, err = run_cli(capsys, "goals", "--config", cfg)
    assert code == 2 and "no [[goals]] in" in err


def test_a_snapshot_without_dates_warns_that_goals_count_0(capsys, tmp_path, monkeypatch):
    cfg = csv_org(tmp_path, "name,team\nAnn,East\n", "id,owner,amount\n1,Ann,\n", extra=GOALS)
    serve(monkeypatch, snapshot(NOW, [ANN]), [])
    code, out, err = run_cli(capsys, "goals", "--config", cfg, "--format", "csv")
    assert code == 0 and "holds no created dates of Deal records" in err


def test_a_goal_team_nobody_is_in_is_warned_about(capsys, tmp_path, monkeypatch):
    cfg = csv_org(tmp_path, "name,team\nAnn,East\n", "id,owner,amount\n1,Ann,\n",
                  extra=GOALS.replace('["West"]', '["Wset"]'))
    serve(monkeypatch, snapshot(NOW, [ANN], activity={"ann": {}}), [])
    code, out, err = run_cli(capsys, "goals", "--config", cfg, "--format", "csv")
    assert code == 0 and "goal 'west deals' names teams no person is in: Wset" in err
    assert "chaser.toml" in err
