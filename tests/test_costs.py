"""Cost arithmetic to the cent, and chase effectiveness on hand-built snapshots."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from chaser.config import CostSettings, TeamRates
from chaser.costs import (
    UNKNOWN_TEAM,
    Rates,
    as_of,
    cents,
    chase_cost,
    money,
    priced,
    rates_for,
    summarise,
    team_people,
)
from chaser.effectiveness import FixStatus, chase_fixes, effectiveness, projected_cost
from chaser.errors import ChaserError
from chaser.model import Channel, Chase, Gap, Outcome, Person, Snapshot, Tally
from chaser.periods import Period

T0 = datetime(2026, 11, 1, 12, tzinfo=UTC)
NOVEMBER = Period(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC), "2026-11")
COSTS = CostSettings(
    currency="EUR", admin_hourly_rate=Decimal("60"), rep_hourly_rate=Decimal("90"),
    rep_minutes_per_chase=10,
    teams={"EMEA": TeamRates(rep_hourly_rate=Decimal("80")),
           "APAC": TeamRates(admin_hourly_rate=Decimal("50"), rep_minutes_per_chase=0)},
)
PEOPLE = [
    Person("ann", "Ann Lee", "EMEA", "Mia", "ann@x.example"),
    Person("bob", "Bob Roy", "NA", "Max", "bob@x.example"),
    Person("cat", "Cat Yu", "APAC"),
    Person("dan", "Dan Old", "NA", active=False),
    Person("eve", "Eve Idle", "NA"),
]

_n = iter(range(1, 10_000))


def chase(person, minutes, day=0, outcome=Outcome.PROMISED, fields=(), voided=False):
    at = T0 + timedelta(days=day)
    return Chase(f"202611-{next(_n)}", at, person, Channel.CALL, minutes, outcome, tuple(fields),
                 voided_at=at if voided else None, void_reason="typo" if voided else None)


def test_rates_per_team_override_field_by_field():
    assert rates_for(COSTS, "NA") == Rates(Decimal("60"), Decimal("90"), 10)
    assert rates_for(COSTS, "EMEA") == Rates(Decimal("60"), Decimal("80"), 10)
    assert rates_for(COSTS, "emea") == Rates(Decimal("60"), Decimal("80"), 10)  # CRM casing
    assert rates_for(COSTS, "APAC") == Rates(Decimal("50"), Decimal("90"), 0)


def test_one_chase():
    c = chase("bob", 25)
    assert chase_cost(c, rates_for(COSTS, "NA")) == Decimal("40")  # 25 + 10/60*90
    assert chase_cost(c, rates_for(COSTS, "APAC")) == Decimal(25 * 50) / 60  # unrounded


def test_summary_to_the_cent():
    chases = [
        chase("ann", 25), chase("ann", 7),  # EMEA: 25+13.33.. and 7+13.33..
        chase("bob", 20), chase("bob", 10, outcome=Outcome.BARRIER_ACCESS),  # 35 and 25
        chase("bob", 30, voided=True),  # voided: free
        chase("cat", 7), chase("cat", 7), chase("cat", 7),  # APAC: 7/60*50 = 5.8333.. each
        chase("dan", 6),  # inactive, still chased: 6 + 15
        chase("zed", 12),  # unknown to the snapshot: 12 + 15, kept
        chase("ann", 600, day=40),  # December: outside the period
    ]
    s = summarise(chases, PEOPLE, COSTS, NOVEMBER)
    ann, bob, cat = s.by_person["ann"], s.by_person["bob"], s.by_person["cat"]
    assert cents(ann.cost) == Decimal("58.67")  # per-chase rounding would say 58.66
    assert (ann.chases, ann.minutes, ann.team) == (2, 32, "EMEA")
    assert cents(bob.cost) == Decimal("60.00") and bob.chases == 2 and bob.minutes == 30
    assert (bob.barrier_chases, bob.barrier_minutes, bob.barrier_cost) == (1, 10, Decimal(25))
    assert bob.barrier_share == pytest.approx(25 / 60)
    assert bob.accountable_cost == Decimal(35)
    assert cents(cat.cost) == Decimal("17.50")  # exact thirds; 5.83 x 3 would be 17.49
    assert s.by_person["dan"].cost == Decimal(21) and s.by_person["dan"].team == "NA"
    zed = s.by_person["zed"]
    assert (zed.team, zed.name, zed.cost) == (UNKNOWN_TEAM, "zed", Decimal(27))
    assert s.by_person["eve"].cost == 0 and s.by_person["eve"].chases == 0  # listed, not chased
    assert cents(s.total.cost) == Decimal("184.17")  # 58.666.. + 60 + 17.5 + 21 + 27
    assert (s.total.chases, s.total.minutes, s.total.barrier_chases) == (9, 101, 1)
    assert s.total.people == 6
    assert s.by_team["NA"].people == 3  # bob, dan (chased), eve
    assert cents(s.by_team["NA"].cost) == Decimal("81.00")
    assert list(s.by_person)[0] == "bob"  # most expensive first
    assert s.currency == "EUR"
    # the detail pricing agrees with the summary
    detail = priced([c for c in chases if not c.voided and NOVEMBER.contains(c.at)], PEOPLE,
                    COSTS)
    assert cents(sum(cost for _, _, cost in detail)) == cents(s.total.cost)


def test_no_chases():
    s = summarise([], PEOPLE, COSTS, NOVEMBER)
    assert s.total.cost == 0 and s.total.barrier_share is None
    assert "dan" not in s.by_person  # inactive and not chased


def test_money():
    assert money(Decimal("1234.5"), "USD") == "USD 1,234.50"
    assert money(Decimal("0.005"), "EUR") == "EUR 0.01"  # half up, as by hand
    assert money(Decimal(0), "GBP") == "GBP 0.00"
    assert money(Decimal("58.66666666"), "USD") == "USD 58.67"
    assert money(Decimal("1234.5"), "") == "1,234.50"  # for columns whose header names it


def test_team_people_and_as_of():
    assert [p.key for p in team_people(PEOPLE, "na")] == ["bob", "dan", "eve"]
    with pytest.raises(ChaserError, match="unknown team 'Mars'.*APAC, EMEA, NA"):
        team_people(PEOPLE, "Mars")
    snaps = [snapshot(f"s{d}", d, []) for d in (0, 5, 9)]
    assert as_of(snaps, T0 + timedelta(days=5)).id == "s0"  # strictly before
    assert as_of(snaps, T0 + timedelta(days=6)).id == "s5"
    assert as_of(snaps, T0 - timedelta(days=1)) is None


# ---- effectiveness ------------------------------------------------------------------------


def snapshot(sid, day, gaps) -> Snapshot:
    return Snapshot(sid, T0 + timedelta(days=day), "test", tuple(PEOPLE),
                    {p.key: Tally() for p in PEOPLE}, {}, {"Opportunity": 10},
                    tuple(Gap("Opportunity", rid, rid, owner, tuple(missing))
                          for rid, owner, missing in gaps))


SNAPS = [
    snapshot("s0", 0, [("R1", "ann", "ab"), ("R2", "ann", "a"), ("R3", "bob", "c")]),
    snapshot("s5", 5, [("R1", "ann", "b"), ("R2", "ann", "a"), ("R3", "bob", "c")]),
    snapshot("s9", 9, [("R1", "ann", "b"), ("R3", "bob", "c")]),
    snapshot("s20", 20, [("R1", "ann", "b"), ("R3", "ann", "c")]),  # R3 handed to ann
]


def test_fixes_on_a_hand_built_history():
    a1 = chase("ann", 20, day=1, fields="a")  # R1.a filled by s5 (4 days), R2 by s9
    b1 = chase("bob", 15, day=2, fields="c")  # R3.c still missing at s5 and s9: not fixed
    a2 = chase("ann", 5, day=10, fields="x")  # nothing missing on x: untracked
    b2 = chase("bob", 10, day=18)  # all of bob's gaps (R3.c); s20 still has it: pending
    early = chase("ann", 5, day=-1, fields="a")  # before any snapshot: untracked
    void = chase("ann", 50, day=1, fields="a", voided=True)
    loaded = []

    def load(summary):
        loaded.append(summary.id)
        return summary

    now = T0 + timedelta(days=25)
    fixes = chase_fixes([a1, b1, a2, b2, early, void], SNAPS, window_days=14, now=now,
                        load=load)
    by = {f.chase.id: f for f in fixes}
    assert void.id not in by
    assert by[a1.id].status is FixStatus.FIXED and by[a1.id].days == 4.0
    assert by[a1.id].targets == by[a1.id].closed == {("Opportunity", "R1"), ("Opportunity", "R2")}
    assert by[b1.id].status is FixStatus.NOT_FIXED and by[b1.id].closed == frozenset()
    assert by[a2.id].status is FixStatus.UNTRACKED
    assert by[b2.id].status is FixStatus.PENDING  # window open until day 32; R3 moved, not fixed
    assert by[early.id].status is FixStatus.UNTRACKED
    assert sorted(set(loaded)) == ["s0", "s20", "s5", "s9"]

    # a day later than the window, b2 has been looked at once (s20) and is judged not fixed
    later = chase_fixes([b2], SNAPS, window_days=14, now=T0 + timedelta(days=40))
    assert later[0].status is FixStatus.NOT_FIXED

    eff = effectiveness(fixes, PEOPLE, COSTS, 14)
    ann, bob = eff.by_person["ann"], eff.by_person["bob"]
    assert (ann.chases, ann.fixed, ann.untracked, ann.gaps_chased, ann.gaps_closed) == (3, 1, 2,
                                                                                          2, 2)
    assert ann.fix_rate == 1.0 and ann.median_days == 4.0
    # only judged chases price a gap: a1 cost 20 + 13.33.. (EMEA rep rate), over 2 gaps
    assert ann.cost_per_gap == (Decimal(20 * 60 + 10 * 80) / 60) / 2
    assert (bob.fixed, bob.not_fixed, bob.pending, bob.gaps_chased, bob.fix_rate) == (0, 1, 1, 1,
                                                                                       0.0)
    assert bob.cost_per_gap is None and bob.median_days is None
    assert eff.total.fix_rate == pytest.approx(2 / 3)  # gaps: R1, R2 closed of R1, R2, R3
    assert eff.total.gaps_closed == 2 and eff.total.judged == 2
    assert eff.by_team["EMEA"].fixed == 1 and eff.by_team["NA"].not_fixed == 1
    # 33.33.. / 2 = 16.666.. per gap: rounded to the 16.67 a reader sees, then times 30
    assert projected_cost(30, ann) == Decimal("500.10") == cents(ann.cost_per_gap) * 30
    assert projected_cost(30, bob) is None  # no history to average


def test_window_without_snapshots_is_untracked_and_partial_fixes_count():
    c = chase("ann", 10, day=1, fields="ab")  # R1 a+b, R2 a
    fixes = chase_fixes([c], SNAPS[:1], window_days=14, now=T0 + timedelta(days=30))
    assert fixes[0].status is FixStatus.UNTRACKED  # no snapshot after it: no evidence
    fixes = chase_fixes([c], SNAPS[:3], window_days=14, now=T0 + timedelta(days=30))
    # s5 filled R1.a but not R1.b: nothing closed yet; s9 closed R2 (R1.b still blank)
    assert fixes[0].status is FixStatus.PARTLY and fixes[0].days == 8.0
    assert (len(fixes[0].targets), fixes[0].closed) == (2, {("Opportunity", "R2")})
    line = effectiveness(fixes, PEOPLE, COSTS).total
    assert (line.partly, line.gaps_chased, line.gaps_fixed, line.fix_rate) == (1, 2, 1, 0.5)
    # a gap filled and blanked again inside the window was still closed once
    flicker = [SNAPS[0], snapshot("x3", 3, [("R1", "ann", "ab")]),
               snapshot("x6", 6, [("R1", "ann", "ab"), ("R2", "ann", "a")])]
    fixes = chase_fixes([c], flicker, window_days=14, now=T0 + timedelta(days=30))
    assert fixes[0].status is FixStatus.PARTLY and fixes[0].closed == {("Opportunity", "R2")}
    assert fixes[0].days == 2.0
    # a snapshot just outside the window is no evidence of a fix inside it
    late = [SNAPS[0], snapshot("s16", 16, [])]
    fixes = chase_fixes([c], late, window_days=14, now=T0 + timedelta(days=30))
    assert fixes[0].status is FixStatus.UNTRACKED
    fixes = chase_fixes([c], late, window_days=15, now=T0 + timedelta(days=30))
    assert fixes[0].status is FixStatus.FIXED and fixes[0].days == 15.0


def test_every_output_rounds_money_half_up_as_the_totals_do():
    # 1.245 is 1.25 by hand and in `cents`; half-even formatting would show 1.24
    from chaser.output import _cell, to_json

    assert cents(Decimal("1.245")) == Decimal("1.25")
    assert _cell(Decimal("1.245")) == "1.25" == money(Decimal("1.245"), "")
    assert to_json([Decimal("1.245"), Decimal("2.675")]).split() == ["[", "1.25,", "2.68", "]"]
