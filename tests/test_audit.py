from datetime import UTC, datetime

from chaser.audit import (
    Auditor,
    Thresholds,
    bucket_rows,
    org_tally,
    person_rows,
    team_rows,
    tier_of,
)
from chaser.model import Bucket, Directory, Layout, Person, RecordBatch, Tally, Tier
from chaser.rules import Blank, Condition, Rule

LAYOUT = Layout("Deal", ("id", "owner", "name", "stage", "amount"), id=0, owner=1, name=2,
                url_template="https://crm.example/{id}")
RULES = [Rule("Deal", ("amount",), Condition("stage", "in", ("won",)))]
PEOPLE = (Person("u1", "Ann", team="East", manager="Mo"),
          Person("u2", "Bob", team="East", manager="Mo"),
          Person("u3", "Cy", team="West"),
          Person("u4", "Old", team="West", active=False))
NOW = datetime(2026, 11, 20, tzinfo=UTC)


def run(rows, directory=None):
    a = Auditor(directory or Directory(PEOPLE, frozenset({"q1"})), RULES, Blank())
    a.add(RecordBatch(LAYOUT, rows))
    return a.snapshot("s1", NOW, "test")


def test_tallies_gaps_and_buckets():
    snap = run([
        ["1", "u1", "A", "Won", ""],
        ["2", "u1", "B", "Won", "5"],
        ["3", "u2", "C", "Lost", ""],
        ["4", "u4", "D", "Won", "N/A"],  # inactive owner
        ["5", "q1", "E", "Won", ""],  # queue
        ["6", "zz", "F", "Won", ""],  # not in the directory
        ["7", "", "G", "Won", ""],  # no owner
    ])
    assert snap.tallies["u1"].records == 2 and snap.tallies["u1"].records_with_gaps == 1
    assert snap.tallies["u1"].by_field == {"amount": 1}
    assert snap.tallies["u1"].completeness_pct == 50.0
    assert snap.tallies["u2"].completeness_pct == 100.0
    assert snap.tallies["u3"].records == 0
    assert snap.buckets[Bucket.INACTIVE.value].records == 1
    assert snap.buckets[Bucket.QUEUE.value].records == 1
    assert snap.buckets[Bucket.UNKNOWN.value].records == 2
    assert [g.record_id for g in snap.gaps] == ["1", "4", "5", "6", "7"]
    assert snap.gaps[0].url == "https://crm.example/1" and snap.gaps[0].record_name == "A"
    assert snap.objects == {"Deal": 7}
    assert set(bucket_rows(snap)) == {b.value for b in Bucket} - {Bucket.CANNOT_EDIT.value}
    # buckets are shown but never charged to the org's people
    assert org_tally(snap).records == 3


def test_tiers_and_rows():
    t = Thresholds(95, 70)
    assert tier_of(Tally(), t) is Tier.NONE
    assert tier_of(Tally(100, 5, 5), t) is Tier.GRADE_A
    assert tier_of(Tally(100, 6, 6), t) is Tier.MODERATE
    assert tier_of(Tally(100, 31, 31), t) is Tier.INEFFECTIVE
    snap = run([["1", "u1", "A", "Won", ""], ["2", "u2", "B", "Won", "1"]])
    rows = person_rows(snap, t)
    assert [r.person.name for r in rows] == ["Ann", "Bob", "Cy"]  # inactive Old is not a row
    assert [r.tier for r in rows] == [Tier.INEFFECTIVE, Tier.GRADE_A, Tier.NONE]
    teams = team_rows(rows, t)
    assert [(x.team.name, x.team.manager, x.people, x.tally.records) for x in teams] == [
        ("East", "Mo", 2, 2), ("West", None, 1, 0)]
    assert teams[0].tally.completeness_pct == 50.0


def test_open_directory_makes_people_of_owners():
    snap = run([["1", "Zed", "A", "Won", ""], ["2", "  ", "B", "Won", "1"]],
               Directory(complete=False))
    assert [p.key for p in snap.people] == ["Zed"]
    assert snap.tallies["Zed"].records_with_gaps == 1
    assert snap.buckets[Bucket.UNKNOWN.value].records == 1


def test_completeness_rounds_half_up_like_a_hand_calculation():
    assert Tally(400, 39).completeness_pct == 90.3  # 90.25: float round() said 90.2
    assert Tally(400, 399).completeness_pct == 0.3  # 0.25
    assert Tally(400, 1).completeness_pct == 99.8  # 99.75
    assert Tally(3, 1).completeness_pct == 66.7 and Tally(3, 2).completeness_pct == 33.3
    assert tier_of(Tally(2000, 101), Thresholds(95, 70)) is Tier.GRADE_A  # 94.95 -> 95.0
