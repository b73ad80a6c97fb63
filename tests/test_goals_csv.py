"""End to end on a CSV export with a `created` column: a goal of 5 records a week gives the
counts of a hand count, and the newcomers check reads the same dates (no stand-in snapshots)."""

from __future__ import annotations

import csv
import io
import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from conftest import run_cli

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)  # conftest's pinned clock


def test_a_csv_created_column_counts_as_a_hand_count(tmp_path, capsys):
    rng = random.Random(13)
    people = ["Ann", "Bob", "Cy"]
    lines = ["id,owner,amount,created"]
    made = []
    for i in range(300):
        owner = rng.choice(people)
        at = NOW - timedelta(seconds=rng.randrange(60 * 86400))
        lines.append(f"{i},{owner},{'' if rng.random() < 0.3 else 5},"
                     f"{at.strftime('%Y-%m-%dT%H:%M:%SZ')}")
        made.append((owner, at.replace(microsecond=0)))
    (tmp_path / "deals.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "people.csv").write_text("name,team\nAnn,East\nBob,East\nCy,West\n",
                                         encoding="utf-8")
    (tmp_path / "chaser.toml").write_text("""
[source]
kind = "csv"
[source.csv.people]
path = "people.csv"
key = "name"
team = "team"
[[source.csv.objects]]
object = "Deal"
path = "deals.csv"
id = "id"
owner = "owner"
created = "created"
[[rules]]
object = "Deal"
require = ["amount"]
[costs]
timezone = "Europe/Berlin"
[[goals]]
name = "five deals"
object = "Deal"
count = "created"
per_week = 5
due = "Fri 12:00"
since = 2026-10-01
""", encoding="utf-8")
    code, out, err = run_cli(capsys, "goals", "--config", tmp_path / "chaser.toml",
                             "--period", "last-90d", "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    # the hand count: Friday noon in Berlin to Friday noon, from Fri 2 Oct 12:00
    start = datetime(2026, 10, 2, 12)
    expected = {}
    while start.replace(tzinfo=BERLIN) <= NOW:
        end = start + timedelta(days=7)
        a, b = start.replace(tzinfo=BERLIN), end.replace(tzinfo=BERLIN)
        label = f"{end.isocalendar()[0]}-W{end.isocalendar()[1]:02d}"
        for p in people:
            expected[(p, label)] = sum(1 for o, t in made if o == p and a <= t < b)
        start = end
    got = {(r["person"], r["week"]): int(r["actual"]) for r in rows}
    assert got == expected and sum(got.values()) > 100
    assert all(r["met"] == ("yes" if int(r["actual"]) >= 5 else "no") for r in rows)


def test_newcomers_from_a_csv_started_column(tmp_path, capsys):
    day = (NOW - timedelta(days=10)).date().isoformat()
    (tmp_path / "people.csv").write_text(
        f"name,team,started\nAnn,East,{day}\nBob,East,{day}\nCy,West,2025-01-01\n"
        f"Di,West,{(NOW - timedelta(days=6)).date().isoformat()}\n", encoding="utf-8")
    recent = (NOW - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    (tmp_path / "deals.csv").write_text(f"id,owner,amount,created\n1,Ann,5,{recent}\n"
                                        f"2,Cy,,2025-06-01T10:00:00Z\n", encoding="utf-8")
    (tmp_path / "chaser.toml").write_text("""
[source]
kind = "csv"
[source.csv.people]
path = "people.csv"
key = "name"
team = "team"
started = "started"
[[source.csv.objects]]
object = "Deal"
path = "deals.csv"
id = "id"
owner = "owner"
created = "created"
[[rules]]
object = "Deal"
require = ["amount"]
""", encoding="utf-8")
    code, out, err = run_cli(capsys, "newcomers", "--config", tmp_path / "chaser.toml",
                             "--format", "csv")
    assert code == 0, err
    assert out.splitlines() == ["person,team,started,days_since_start,records_created",
                                f"Bob,East,{day},10,0"]
