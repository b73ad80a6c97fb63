"""The first-week check: started 7 to N days ago, nothing created since; where starts come
from; `chaser newcomers` formats and errors."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, timedelta

import pytest
from conftest import csv_org, run_cli
from goals_support import activity_at, at, snapshot

from chaser.model import Activity, Person
from chaser.newcomers import FROM_SNAPSHOT, FROM_SOURCE, newcomers, starts

NOW = at("2026-11-20 09:00")  # the tests' pinned clock (conftest)
UTCZ = UTC


def person(key: str, days_ago: int | None, team: str = "East") -> Person:
    started = None if days_ago is None else NOW - timedelta(days=days_ago, hours=1)
    return Person(key, key.title(), team=team, started=started)


def test_day_6_7_n_and_n_plus_1():
    people = [person(k, d) for k, d in (("six", 6), ("seven", 7), ("sixty", 60),
                                         ("sixty-one", 61), ("old", 400))]
    latest = snapshot(NOW, people, facts={"started"})
    found = newcomers(latest, [], objects=None, tz=UTCZ, now=NOW)
    assert [(n.person.key, n.days_since_start, n.start.source) for n in found] == [
        ("sixty", 60, FROM_SOURCE), ("seven", 7, FROM_SOURCE)]
    found = newcomers(latest, [], objects=None, tz=UTCZ, now=NOW, days=61)
    assert [n.person.key for n in found] == ["sixty-one", "sixty", "seven"]


def test_days_are_calendar_days_in_the_zone():
    # the start day is 8 days before today in UTC, 7 in Tokyo (start 05:00, now 18:00)
    from zoneinfo import ZoneInfo

    p = Person("p", "P", started=at("2026-11-12 20:00"))  # Fri 13 Nov 05:00 in Tokyo
    latest = snapshot(NOW, [p], facts={"started"})
    assert newcomers(latest, [], objects=None, tz=UTCZ, now=NOW)[0].days_since_start == 8
    tokyo = newcomers(latest, [], objects=None, tz=ZoneInfo("Asia/Tokyo"), now=NOW)
    assert tokyo[0].days_since_start == 7


def test_a_record_created_since_the_start_takes_them_off_the_list():
    ann, bob, cy = person("ann", 10), person("bob", 10), person("cy", 10)
    recs = [{"owner": "ann", "created": NOW - timedelta(days=2)},  # since starting: off
            {"owner": "bob", "created": NOW - timedelta(days=30)},  # before (handed over): on
            {"owner": "cy", "created": NOW - timedelta(days=2)}]  # a Lead only: on for Deals
    act = activity_at(recs[:2], NOW, "Deal")
    act["cy"] = activity_at(recs[2:], NOW, "Lead")["cy"]
    latest = snapshot(NOW, [ann, bob, cy], facts={"started"}, activity=act)
    keys = [n.person.key for n in newcomers(latest, [], objects=["Deal"], tz=UTCZ, now=NOW)]
    assert keys == ["bob", "cy"]
    keys = [n.person.key for n in newcomers(latest, [], objects=None, tz=UTCZ, now=NOW)]
    assert keys == ["bob"]


def test_without_start_dates_the_first_snapshot_a_person_appears_in_is_the_start():
    old, new, newer = person("old", None), person("new", None), person("newer", None)
    first = snapshot(NOW - timedelta(days=90), [old])
    second = snapshot(NOW - timedelta(days=20), [old, new])
    third = snapshot(NOW - timedelta(days=3), [old, new, newer])
    got = starts(third, [first, second, third])
    assert got == {"new": got["new"], "newer": got["newer"]}  # old: there before chaser
    assert got["new"].at == second.taken_at and got["new"].source == FROM_SNAPSHOT
    found = newcomers(third, [first, second, third], objects=None, tz=UTCZ, now=NOW)
    assert [(n.person.key, n.days_since_start) for n in found] == [("new", 20)]
    # a source that gives start dates, but none for one person: that person falls back
    dated = snapshot(NOW, [person("old", 30), new], facts={"started"})
    got = starts(dated, [second, dated])
    assert got["old"].source == FROM_SOURCE and "new" not in got  # in the first snapshot


def test_inactive_people_are_not_newcomers():
    p = Person("p", "P", active=False, started=NOW - timedelta(days=10))
    assert newcomers(snapshot(NOW, [p], facts={"started"}), [], objects=None, tz=UTCZ,
                     now=NOW) == []


# ---- the CLI ------------------------------------------------------------------------------

@pytest.fixture
def org(tmp_path, monkeypatch):
    cfg = csv_org(tmp_path, "name,team\nAnn,East\nBob,West\nCy,West\n", "id,owner,amount\n1,Ann,\n")
    people = [person("ann", 10), person("bob", 8, "West"), person("cy", 3, "West")]
    act = {"cy": {"Deal": Activity({1: 1}, {})}}
    from goals_support import serve

    serve(monkeypatch, snapshot(NOW, people, facts={"started"}, activity=act), [])
    return cfg


def test_cli_csv_has_the_exact_header(capsys, org):
    code, out, err = run_cli(capsys, "newcomers", "--config", org, "--format", "csv")
    assert code == 0 and err == ""
    rows = list(csv.reader(io.StringIO(out)))
    assert rows == [["person", "team", "started", "days_since_start", "records_created"],
                    ["Ann", "East", "2026-11-10", "10", "0"],
                    ["Bob", "West", "2026-11-12", "8", "0"]]


def test_cli_json_and_table_say_where_starts_come_from(capsys, org):
    code, out, _ = run_cli(capsys, "newcomers", "--config", org, "--format", "json",
                           "--days", "9")
    assert code == 0
    assert json.loads(out) == [{"person": "Bob", "team": "West", "started": "2026-11-12",
                                "days_since_start": 8, "records_created": 0,
                                "started_from": "source"}]
    code, out, _ = run_cli(capsys, "newcomers", "--config", org)
    assert "Ann" in out and "start dates are the source's" in out


def test_cli_notes_first_snapshot_starts_on_stderr_beside_a_csv(capsys, tmp_path, monkeypatch):
    cfg = csv_org(tmp_path, "name,team\nAnn,East\n", "id,owner,amount\n1,Ann,\n")
    from goals_support import serve

    first = snapshot(NOW - timedelta(days=40), [Person("x", "X")])
    latest = snapshot(NOW, [Person("x", "X"), Person("ann", "Ann", team="East")],
                      activity={"x": {"Deal": Activity({1: 1}, {})}})
    mid = snapshot(NOW - timedelta(days=12), [Person("x", "X"), Person("ann", "Ann",
                                                                       team="East")])
    serve(monkeypatch, latest, [first, mid])
    code, out, err = run_cli(capsys, "newcomers", "--config", cfg, "--format", "csv")
    assert code == 0 and out.splitlines()[1] == "Ann,East,2026-11-08,12,0"
    assert "first snapshot the person appeared in" in err and "1 person has no known start" in err
    code, out, _ = run_cli(capsys, "newcomers", "--config", cfg, "--format", "json")
    assert json.loads(out)[0]["started_from"] == "first snapshot"


@pytest.mark.parametrize("days", ["6", "x", "-1", "99999"])
def test_cli_bad_days_exit_2(capsys, org, days):
    code, _, err = run_cli(capsys, "newcomers", "--config", org, "--days", days)
    assert code == 2 and "--days must be a whole number from 7" in err


def test_cli_without_created_dates_is_a_clear_error(capsys, tmp_path, monkeypatch):
    cfg = csv_org(tmp_path, "name,team\nAnn,East\n", "id,owner,amount\n1,Ann,\n")
    from goals_support import serve

    serve(monkeypatch, snapshot(NOW, [person("ann", 10)], facts={"started"}), [])
    code, _, err = run_cli(capsys, "newcomers", "--config", cfg)
    assert code == 2 and err.startswith("chaser: error: ") and "no created dates" in err

