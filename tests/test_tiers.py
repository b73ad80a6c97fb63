"""Tiers the seeds' way: logins, late gaps and a stated reason; [tiers] login_days/late_days;
`chaser gaps --by person`'s new columns."""

from __future__ import annotations

import csv
import io
import json
import tomllib
from datetime import timedelta

import pytest
from conftest import csv_org, run_cli
from goals_support import at, gap, serve, snapshot

from chaser import config
from chaser.audit import Thresholds, person_rows
from chaser.errors import ChaserError
from chaser.model import Person, Tally, Tier
from chaser.tiers import days_open, judge, login_note

NOW = at("2026-11-20 09:00")
T = Thresholds()  # 95 / 70, login 30, late 30


def iso(days_ago: float) -> str:
    return (NOW - timedelta(days=days_ago)).isoformat()


def tally(records: int, with_gaps: int) -> Tally:
    return Tally(records, with_gaps, with_gaps)


def call(p: Person, t: Tally, gaps=(), facts=("started", "last_login"), th=T):
    return judge(p, t, gaps, th, at=NOW, facts=frozenset(facts))


def test_no_login_for_longer_than_login_days_is_none_whatever_the_data():
    p = Person("a", "A", last_login=NOW - timedelta(days=41, hours=3))
    c = call(p, tally(100, 0))
    assert (c.tier, c.reason, c.login_days_ago) == (Tier.NONE, "none: no login for 41 days", 41)
    ok = call(Person("a", "A", last_login=NOW - timedelta(days=30)), tally(100, 0))
    assert ok.tier == Tier.GRADE_A and ok.reason == "grade-a: 100.0% complete"
    never = call(Person("a", "A"), tally(100, 0))
    assert (never.tier, never.reason) == (Tier.NONE, "none: never logged in")


def test_logins_are_not_guessed_when_the_source_gives_none():
    p = Person("a", "A")  # HubSpot: no login date for anyone
    c = call(p, tally(100, 0), facts=("started",))
    assert c.tier == Tier.GRADE_A
    snap = snapshot(NOW, [p], facts={"started"})
    assert "gives no login dates" in login_note(snap, T)
    assert login_note(snapshot(NOW, [p], facts={"last_login"}), T) is None
    assert login_note(snap, Thresholds(login_days=0)) is None


def test_login_days_0_turns_the_check_off():
    p = Person("a", "A", last_login=NOW - timedelta(days=400))
    assert call(p, tally(10, 5), th=Thresholds(login_days=0)).tier == Tier.INEFFECTIVE


def test_late_gaps_are_measured_from_since_or_the_earlier_created_date():
    gaps = [gap("1", "a", "x", since=iso(40)),  # late: seen 40 days ago
            gap("2", "a", "x", since=iso(5), created=iso(90)),  # late: created before history
            gap("3", "a", "x", since=iso(40), created=iso(10)),  # created later: since counts
            gap("4", "a", "x", since=iso(29)),  # not yet
            gap("5", "a", "x")]  # no dates: no age
    assert [days_open(g, NOW) for g in gaps] == [40.0, 90.0, 40.0, 29.0, None]
    c = call(Person("a", "A", last_login=NOW), tally(10, 5), gaps)
    assert c.late_gaps == 3 and c.median_days_open == 40.0
    assert c.reason == "ineffective: 50.0% complete, 3 gaps open over 30 days"
    off = call(Person("a", "A", last_login=NOW), tally(10, 5), gaps, th=Thresholds(late_days=0))
    assert off.late_gaps == 0 and off.reason == "ineffective: 50.0% complete"


def test_late_gaps_keep_a_complete_person_from_grade_a():
    p = Person("a", "A", last_login=NOW)
    c = call(p, tally(100, 2), [gap("1", "a", "x", since=iso(31)), gap("2", "a", "x",
                                                                       since=iso(2))])
    assert (c.tier, c.reason) == (Tier.MODERATE, "moderate: 98.0% complete, but 1 gap open "
                                  "over 30 days (grade-a needs none)")
    assert c.median_days_open == 16.5
    c = call(p, tally(100, 20), [gap("1", "a", "x", since=iso(2))])
    assert (c.tier, c.reason) == (Tier.MODERATE, "moderate: 80.0% complete")


def test_owning_nothing_is_none_with_a_reason():
    c = call(Person("a", "A", last_login=NOW), Tally())
    assert (c.tier, c.reason, c.median_days_open) == (Tier.NONE, "none: owns no records", None)


def test_person_rows_carry_reason_and_late_fields_as_of_the_snapshot():
    ann = Person("ann", "Ann", last_login=NOW - timedelta(days=3))
    bob = Person("bob", "Bob", last_login=NOW - timedelta(days=60))
    gaps = [gap(str(i), "ann", "x", since=iso(35 + i)) for i in range(3)]
    snap = snapshot(NOW, [ann, bob], gaps=gaps, facts={"last_login"},
                    tallies={"ann": tally(10, 3), "bob": tally(10, 0)})
    rows = {r.person.key: r for r in person_rows(snap, T)}
    assert (rows["ann"].tier, rows["ann"].late_gaps, rows["ann"].median_days_open) == (
        Tier.MODERATE, 3, 36.0)
    assert rows["ann"].reason == "moderate: 70.0% complete, 3 gaps open over 30 days"
    assert rows["bob"].reason == "none: no login for 60 days"


@pytest.mark.parametrize("body, message", [
    ("login_days = -1", "login_days': must be a whole number from 0 to 3650"),
    ('late_days = "30"', "late_days': must be a whole number"),
    ("late_days = 1.5", "late_days': must be a whole number"),
    ("lateness = 3", "unknown key"),
])
def test_tiers_settings_are_validated(tmp_path, body, message):
    text = f'[source]\nkind = "demo"\n[tiers]\n{body}\n'
    with pytest.raises(ChaserError, match=message):
        config.parse(tomllib.loads(text), tmp_path / "c.toml", text)


def test_tiers_settings_default_to_30_and_0_is_allowed(tmp_path):
    text = '[source]\nkind = "demo"\n[tiers]\nlogin_days = 0\n'
    s = config.parse(tomllib.loads(text), tmp_path / "c.toml", text)
    assert (s.tiers.login_days, s.tiers.late_days) == (0, 30)


# ---- chaser gaps --by person --------------------------------------------------------------

@pytest.fixture
def org(tmp_path, monkeypatch):
    cfg = csv_org(tmp_path, "name,team\nAnn,East\nBob,West\n", "id,owner,amount\n1,Ann,\n",
                  extra='[costs]\ntimezone = "Europe/Berlin"\n')
    ann = Person("ann", "Ann", team="East", last_login=at("2026-11-18 07:30"))
    bob = Person("bob", "Bob", team="West", last_login=at("2026-10-01 12:00"))
    gaps = [gap("1", "ann", "amount", since=iso(45)), gap("2", "ann", "amount", since=iso(3))]
    serve(monkeypatch, snapshot(NOW, [ann, bob], gaps=gaps, facts={"started", "last_login"},
                                tallies={"ann": tally(4, 2), "bob": tally(2, 0)}), [])
    return cfg


def test_gaps_csv_appends_the_three_columns_at_the_end(capsys, org):
    code, out, _ = run_cli(capsys, "gaps", "--config", org, "--format", "csv")
    rows = list(csv.reader(io.StringIO(out)))
    assert code == 0 and rows[0] == [
        "person", "team", "records", "records_with_gaps", "missing_fields", "completeness_pct",
        "tier", "late_gaps", "median_days_open", "last_login"]
    assert rows[1] == ["Ann", "East", "4", "2", "2", "50.0", "ineffective", "1", "24.0",
                       "2026-11-18 08:30"]
    assert rows[2][-4:] == ["none", "0", "", "2026-10-01 14:00"]


def test_gaps_json_has_the_reason_and_ends_with_the_new_keys(capsys, org):
    code, out, _ = run_cli(capsys, "gaps", "--config", org, "--format", "json")
    ann = json.loads(out)[0]
    assert list(ann)[-4:] == ["reason", "late_gaps", "median_days_open", "last_login"]
    assert ann["reason"] == "ineffective: 50.0% complete, 1 gap open over 30 days"
    assert ann["last_login"] == "2026-11-18T08:30+01:00"


def test_gaps_table_fits_the_late_gaps_and_states_one_persons_reason(capsys, org):
    code, out, err = run_cli(capsys, "gaps", "--config", org, "--person", "Bob")
    assert code == 0 and "late gaps" in out.splitlines()[1]
    assert "Tier none: no login for 49 days" in out and "login dates" not in err


def test_gaps_says_once_that_logins_are_not_checked(capsys, tmp_path, monkeypatch):
    cfg = csv_org(tmp_path, "name,team\nAnn,East\n", "id,owner,amount\n1,Ann,\n")
    serve(monkeypatch, snapshot(NOW, [Person("ann", "Ann")], facts={"started"},
                                tallies={"ann": tally(1, 0)}), [])
    code, out, err = run_cli(capsys, "gaps", "--config", cfg, "--format", "csv")
    assert code == 0 and err.count("gives no login dates") == 1
    assert out.splitlines()[1].endswith(",grade-a,0,,")
    code, out, err = run_cli(capsys, "gaps", "--config", cfg)
    assert code == 0 and "login dates" not in err  # once, not at every run


def test_ages_read_any_offset_and_skip_what_is_no_date():
    gaps = [gap("1", "a", "x", since="2026-10-01T10:00:00+02:00"),  # 08:00 UTC
            gap("2", "a", "x", since="2026-10-01T08:00:00Z", created="n/a"),
            gap("3", "a", "x", since="2026-10-21T09:00:00.250000+00:00"),  # 30 days - 0.25 s
            gap("4", "a", "x", created="2026-10-21")]  # a day: its 00:00 UTC
    ages = [days_open(g, NOW) for g in gaps]
    assert ages[0] == ages[1] == 50 + 1 / 24 and ages[3] == 30 + 9 / 24
    assert 29.99 < ages[2] <= 30
    c = call(Person("a", "A", last_login=NOW), tally(10, 4), gaps)
    assert c.late_gaps == 3 and c.median_days_open == 40.2  # (30.375 + 50.04) / 2
