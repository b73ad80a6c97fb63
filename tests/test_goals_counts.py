"""Goal weeks counted from generated records with known dates: created, updated (once per
record, never twice across snapshots) and filled (gaps closed between snapshots), each
expected figure worked out here from the records themselves."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from goals_support import activity_at, at, daily, gap, snapshot

from chaser.goals import Goal, counted_weeks, week_of
from chaser.goals_weeks import (
    IN_PROGRESS,
    MET,
    MISSED,
    NOT_SYNCED,
    goal_results,
    goals_for,
    person_goals,
)
from chaser.model import Person

BERLIN = ZoneInfo("Europe/Berlin")
ANN, BOB = Person("ann", "Ann", team="EMEA"), Person("bob", "Bob", team="APAC")
PEOPLE = (ANN, BOB)
SINCE = date(2026, 10, 5)  # a Monday; due Fri 12:00 -> weeks start Fri 9 Oct 12:00
NOW = at("2026-11-20 09:00")  # Friday, before noon Berlin: the week due today runs


def goal(count: str, per_week: int = 3, teams=()) -> Goal:
    return Goal(f"{count} deals", "Deal", count, per_week, 4, 720, SINCE, teams)


def fridays() -> list[tuple[datetime, datetime]]:
    """The goal weeks by hand: Friday 12:00 Berlin to the next, from 9 Oct to 20 Nov."""
    out = []
    day = datetime(2026, 10, 9, 12)
    while day < datetime(2026, 11, 20, 12):
        nxt = day + timedelta(days=7)
        out.append((day.replace(tzinfo=BERLIN).astimezone(UTC),
                    nxt.replace(tzinfo=BERLIN).astimezone(UTC)))
        day = nxt
    return out


def records(seed: int = 7, n: int = 400) -> list[dict]:
    rng = random.Random(seed)
    start = at("2026-09-20 00:00").timestamp()
    span = (NOW - at("2026-09-20 00:00")).total_seconds()
    out = []
    for i in range(n):
        created = datetime.fromtimestamp(start + rng.random() * span, UTC)
        left = (NOW - created).total_seconds()
        edits = sorted(created + timedelta(seconds=rng.random() * left)
                       for _ in range(rng.choice((0, 0, 1, 2, 4))))
        out.append({"id": str(i), "owner": rng.choice(("ann", "bob", "queue")),
                    "created": created, "edits": edits})
    return out


def by_person(results) -> dict[tuple[str, str], int]:
    return {(r.person.key, r.week.label): r.actual for r in results}


def test_created_counts_the_latest_snapshots_records_created_each_week():
    recs = records()
    taken = [*daily(at("2026-10-01 00:00"), 50)]
    taken = [t for t in taken if t <= NOW]
    latest = snapshot(taken[-1], PEOPLE, activity=activity_at(recs, taken[-1], "Deal"))
    results = goal_results([goal("created")], PEOPLE, latest, [], tz=BERLIN, now=NOW)
    weeks = fridays()  # the last one runs: due today at noon
    got = {(r.person.key, r.week.start): r.actual for r in results}
    assert len(got) == 2 * len(weeks)
    for key in ("ann", "bob"):
        for start, end in weeks:
            expected = sum(1 for r in recs if r["owner"] == key and start <= r["created"] < end
                           and r["created"] <= latest.taken_at)  # what the source knew then
            assert got[(key, start)] == expected
    assert sum(got.values()) > 50  # the test counts something


def test_updated_counts_each_record_once_per_week_when_a_snapshot_ends_every_week():
    recs = records(11)
    weeks = fridays()
    # a snapshot at every due moment, and daily ones between
    taken = sorted({*[end for _, end in weeks if end <= NOW],
                    *[t for t in daily(at("2026-10-01 00:00"), 50) if t <= NOW]})
    history = [snapshot(t, PEOPLE, activity=activity_at(recs, t, "Deal")) for t in taken]
    results = goal_results([goal("updated")], PEOPLE, history[-1], history, tz=BERLIN, now=NOW)
    got = {(r.person.key, r.week.start): r.actual for r in results}
    for key in ("ann", "bob"):
        for start, end in weeks:
            # records modified (or created: a new record's last modification) in the week
            expected = sum(1 for r in recs if r["owner"] == key and any(
                start <= m < end and m <= taken[-1] for m in [r["created"], *r["edits"]]))
            assert got[(key, start)] == expected


def test_a_record_edited_in_two_weeks_is_never_counted_twice():
    created = at("2026-10-01 08:00")
    edits = [at("2026-10-12 08:00"), at("2026-10-26 08:00")]  # weeks 42 and 44
    recs = [{"id": "1", "owner": "ann", "created": created, "edits": edits}]
    # only one snapshot after both edits: the first edit is hidden by the second
    late = snapshot(at("2026-11-01 09:00"), PEOPLE, activity=activity_at(recs, at("2026-11-01 "
                                                                                 "09:00"), "Deal"))
    got = by_person(goal_results([goal("updated")], [ANN], late, [late], tz=BERLIN, now=NOW))
    assert sum(got.values()) == 1 and got[("ann", "2026-W44")] == 1
    # a snapshot between the edits shows both weeks, each once
    mid_t = at("2026-10-20 09:00")
    mid = snapshot(mid_t, PEOPLE, activity=activity_at(recs, mid_t, "Deal"))
    got = by_person(goal_results([goal("updated")], [ANN], late, [mid, late], tz=BERLIN,
                                 now=NOW))
    assert got[("ann", "2026-W42")] == 1 and got[("ann", "2026-W44")] == 1
    assert sum(got.values()) == 2


def test_filled_counts_gaps_closed_in_the_week_of_the_later_snapshot():
    rng = random.Random(3)
    fields = ("amount", "stage", "close")
    # (record, owner, field) -> when it was filled (None: never)
    truth = {}
    for i in range(120):
        owner = rng.choice(("ann", "bob"))
        for f in rng.sample(fields, rng.randint(1, 3)):
            when = at("2026-10-01 00:00") + timedelta(hours=rng.random() * 1250)
            truth[(str(i), owner, f)] = when if rng.random() < 0.8 else None
    taken = [t for t in daily(at("2026-10-01 00:00"), 60, hour=7)
             if t.weekday() < 5 and t <= NOW]  # weekdays only: fills wait for a snapshot

    def gaps_at(t):
        missing = {}
        for (rec, owner, f), when in truth.items():
            if when is None or when > t:
                missing.setdefault((rec, owner), []).append(f)
        return [gap(rec, owner, *fs) for (rec, owner), fs in missing.items()]

    history = [snapshot(t, PEOPLE, gaps=gaps_at(t)) for t in taken]
    results = goal_results([goal("filled")], PEOPLE, history[-1], history, tz=BERLIN,
                           now=NOW)
    got = {(r.person.key, r.week.start): r.actual for r in results}
    for key in ("ann", "bob"):
        for start, end in fridays():
            expected = 0
            for (_, owner, _f), when in truth.items():
                if owner != key or when is None:
                    continue
                seen = next(t for t in taken if t >= when) if when <= taken[-1] else None
                expected += seen is not None and start <= seen < end
            assert got[(key, start)] == expected
    assert sum(got.values()) > 30


def test_filled_edge_cases_cannot_edit_deleted_reassigned_and_rule_changes():
    t0, t1, t2, t3 = (at(f"2026-10-{d} 09:00") for d in (12, 13, 14, 15))
    before = [gap("1", "ann", "amount", "stage"), gap("2", "ann", "amount"),
              gap("3", "ann", "amount"), gap("4", "ann", "amount")]
    after = snapshot(t1, PEOPLE, gaps=[gap("1", "ann", "stage"),  # amount filled: 1
                                       gap("4", "bob", "amount")],  # handed on, still blank
                     cannot_edit_gaps=[gap("3", "ann", "amount")])  # blocked: still blank
    # record 2 is gone from the list: deleted or filled, a gap list cannot tell; counted
    history = [snapshot(t0, PEOPLE, gaps=before), after]
    got = by_person(goal_results([goal("filled")], [ANN], after, history, tz=BERLIN, now=NOW))
    assert got[("ann", "2026-W42")] == 2
    # a rule removed between snapshots is not a fill
    ruled = snapshot(t2, PEOPLE, gaps=[gap("5", "ann", "amount")], fingerprint={"rules": "r2", "placeholders": "p1"})
    got = by_person(goal_results([goal("filled")], [ANN], ruled, [*history, ruled],
                                 tz=BERLIN, now=NOW))
    assert got[("ann", "2026-W42")] == 2
    # ...but the pair after it, both under the new rules, counts again
    last = snapshot(t3, PEOPLE, gaps=[], fingerprint={"rules": "r2", "placeholders": "p1"})
    got = by_person(goal_results([goal("filled")], [ANN], last, [*history, ruled, last],
                                 tz=BERLIN, now=NOW))
    assert got[("ann", "2026-W42")] == 3


def test_history_is_read_through_load_one_snapshot_at_a_time():
    recs = records(5, 50)
    taken = [at("2026-10-20 09:00"), at("2026-11-02 09:00"), at("2026-11-19 09:00")]
    full = {t: snapshot(t, PEOPLE, activity=activity_at(recs, t, "Deal")) for t in taken}
    bare = [snapshot(t, PEOPLE) for t in taken]  # summaries: no activity
    asked = []

    def load(s, gaps):
        asked.append((s.id, gaps))
        return full[s.taken_at]

    a = goal_results([goal("updated")], PEOPLE, full[taken[-1]], bare, tz=BERLIN, now=NOW,
                     load=load)
    b = goal_results([goal("updated")], PEOPLE, full[taken[-1]], list(full.values()),
                     tz=BERLIN, now=NOW)
    assert by_person(a) == by_person(b) and len(asked) == 2  # the latest is not loaded
    assert not any(gaps for _, gaps in asked)  # an "updated" goal reads activity only


def test_statuses_in_progress_missed_not_synced_and_met():
    recs = [{"id": str(i), "owner": "ann", "created": at("2026-11-16 09:00"), "edits": []}
            for i in range(2)]
    latest = snapshot(at("2026-11-10 09:00"), PEOPLE,
                      activity=activity_at(recs, NOW, "Deal"))
    g = goal("created", per_week=2)
    res = {r.week.label: r for r in goal_results([g], [ANN], latest, [], tz=BERLIN, now=NOW)}
    assert res["2026-W47"].status == MET  # met before the due moment: met
    assert res["2026-W45"].status == MISSED  # ended before the latest snapshot
    assert res["2026-W46"].status == NOT_SYNCED  # ended after it: not known yet
    empty = snapshot(at("2026-11-20 08:00"), PEOPLE)
    res = {r.week.label: r for r in goal_results([g], [ANN], empty, [], tz=BERLIN, now=NOW)}
    assert res["2026-W47"].status == IN_PROGRESS and not res["2026-W47"].judged
    assert res["2026-W46"].status == MISSED
    after_noon = at("2026-11-20 11:00")  # 12:00 Berlin: the week is over
    res = {r.week.label: r for r in goal_results([g], [ANN], empty, [], tz=BERLIN,
                                                 now=after_noon)}
    assert res["2026-W47"].status == NOT_SYNCED  # snapshot at 08:00 UTC, due 11:00 UTC


def test_teams_weeks_before_since_and_before_a_person_started():
    g = goal("created", teams=("EMEA",))
    latest = snapshot(NOW, PEOPLE)
    res = goal_results([g], PEOPLE, latest, [], tz=BERLIN, now=NOW,
                       weeks=lambda g: counted_weeks(g, BERLIN, NOW)[:2]
                       + [week_of(g, at("2026-10-01 00:00"), BERLIN)])
    assert {r.person.key for r in res} == {"ann"}
    assert sorted(r.week.label for r in res) == ["2026-W42", "2026-W43"]
    started = at("2026-11-01 00:00")
    res = goal_results([g], PEOPLE, latest, [], tz=BERLIN, now=NOW, starts={"ann": started})
    assert min(r.week.start for r in res) >= started
    assert [r.week.label for r in res] == ["2026-W46", "2026-W47"]  # W45 began 30 Oct


def test_person_goals_weeks_met_of_weeks_judged():
    recs = [{"id": str(i), "owner": "ann", "created": c, "edits": []} for i, c in enumerate(
        [at("2026-10-12 09:00")] * 3 + [at("2026-10-20 09:00")] * 1 + [at("2026-11-19 09:00")] * 3)]
    latest = snapshot(at("2026-11-20 08:00"), PEOPLE, activity=activity_at(recs, NOW, "Deal"))
    res = goal_results([goal("created"), goal("updated", 100)], PEOPLE, latest, [latest],
                       tz=BERLIN, now=NOW)
    mine = person_goals(res, NOW, BERLIN)["ann"]
    # created: 5 past weeks (W42 met, others missed) + W47 met early; updated: all missed
    assert (mine.weeks_met, mine.weeks_judged) == (2, 11)
    assert {(r.goal.count, r.week.label, r.status) for r in mine.current} == {
        ("created", "2026-W47", MET), ("updated", "2026-W47", IN_PROGRESS)}
    assert len(mine.weeks) == 12
    assert goals_for([goal("created")], latest, [latest], tz=BERLIN, now=NOW)["ann"].weeks_met == 2
