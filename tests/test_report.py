"""The manager's summary on a hand-built store: headline numbers, completeness change,
effectiveness and projection, and output that is safe in a terminal and in markdown."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from chaser import report
from chaser.config import CostSettings, Settings
from chaser.costs import period_for
from chaser.errors import ChaserError
from chaser.model import Channel, Gap, Outcome, Person, Snapshot, Tally
from chaser.store import Store
from chaser.workspace import Workspace

PEOPLE = (
    Person("ann", "Ann Lee", "EMEA", "Mia Boss"),
    Person("bob", "Bob | Roy*", "NA", "Max Boss"),
    Person("cat", "Cat \x1b[31mRed", "NA", "Max Boss"),
)


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC) if day > 0 else \
        datetime(2026, 10, 31 + day, hour, tzinfo=UTC)


def snap(sid: str, when: datetime, tallies: dict[str, tuple[int, int]], gaps=()) -> Snapshot:
    return Snapshot(sid, when, "test", PEOPLE,
                    {k: Tally(r, g, g, {}) for k, (r, g) in tallies.items()}, {}, {"Deal": 30},
                    tuple(Gap("Deal", rid, rid, owner, tuple(missing)) for rid, owner, missing
                          in gaps))


@pytest.fixture
def ws(tmp_path) -> Workspace:
    store = Store(tmp_path / "store")
    # last-30d at 2026-11-20 in Berlin is 22 Oct - 20 Nov; the snapshot before it says 50%
    store.save_snapshot(snap("s1015", datetime(2026, 10, 15, tzinfo=UTC),
                             {"ann": (10, 5), "bob": (10, 5), "cat": (0, 0)}))
    store.save_snapshot(snap("s1101", at(1), {"ann": (10, 4), "bob": (10, 5), "cat": (0, 0)},
                             [("R1", "ann", ["amount"]), ("R2", "ann", ["amount"]),
                              ("R3", "bob", ["stage"])]))
    store.save_snapshot(snap("s1110", at(10), {"ann": (10, 3), "bob": (10, 4), "cat": (0, 0)},
                             [("R2", "ann", ["amount"]), ("R3", "bob", ["stage"])]))
    store.save_snapshot(snap("s1119", at(19), {"ann": (10, 2), "bob": (10, 3), "cat": (0, 0)},
                             [("R2", "ann", ["amount"]), ("R3", "bob", ["stage"])]))
    # ann: 30 min + 10 rep min at 90/h = 45.00; R1 closed within 14 days, R2 not: 50%
    store.add_chase(at=at(2), person="ann", channel=Channel.CALL, minutes=30,
                    outcome=Outcome.PROMISED, fields=("amount",))
    # bob: a barrier, 20 min = 20 + 15 = 35.00 (judged after 18 Nov: still pending on 20 Nov)
    store.add_chase(at=at(12), person="bob", channel=Channel.EMAIL, minutes=20,
                    outcome=Outcome.BARRIER_TRAINING, fields=("stage",))
    # before the period: 10 min = 25.00, only in the comparison
    store.add_chase(at=datetime(2026, 10, 10, tzinfo=UTC), person="ann", channel=Channel.CALL,
                    minutes=10, outcome=Outcome.NO_RESPONSE)
    settings = Settings(path=tmp_path / "chaser.toml", kind="csv",
                        costs=CostSettings(currency="EUR", admin_hourly_rate=Decimal(60),
                                           rep_hourly_rate=Decimal(90), rep_minutes_per_chase=10,
                                           timezone="Europe/Berlin"))
    return Workspace(settings, store)


def test_numbers(ws):
    rep = report.build(ws, period_for(ws, "last-30d"))
    assert rep.summary.total.cost == Decimal(80)
    assert rep.previous.total.cost == Decimal(25)
    assert (rep.completeness, rep.previous_completeness) == (75.0, 50.0)
    eff = rep.effectiveness.total
    assert (eff.gaps_chased, eff.gaps_fixed, eff.partly, eff.pending) == (2, 1, 1, 1)
    assert eff.cost_per_gap == Decimal(45)
    assert rep.open_gaps == 5 and rep.projected == Decimal(225)
    assert [b.outcome for b in rep.barriers] == [Outcome.BARRIER_TRAINING]
    assert rep.barriers[0].cost == Decimal(35)


def test_text(ws):
    text = report.render_text(report.build(ws, period_for(ws, "last-30d")))
    lines = text.splitlines()
    assert lines[0] == "Chase-cost report: last-30d" and set(lines[1]) == {"="}
    assert lines[2] == "2026-10-22 – 2026-11-20 (Europe/Berlin) · all teams · EUR"
    assert "Hidden cost   EUR 80.00 (+220% vs previous 30 days; EUR 35.00 of it on barriers " \
           "(44%))" in text
    assert "Completeness  75.0% (+25.0 pts vs previous 30 days)" in text
    assert "Fix rate      50% of 2 chased gaps closed within 14 days" in text
    assert "projected EUR 225.00 to close at EUR 45.00 per gap" in text
    assert "Needs training (barrier-training): 1 chase, 20 min, EUR 35.00" in text
    assert "fix: schedule training" in text
    assert "\x1b" not in text  # CRM text cannot drive the terminal
    assert all(len(line) <= 110 for line in lines)


def test_markdown(ws):
    md = report.render_markdown(report.build(ws, period_for(ws, "last-30d")))
    assert md.startswith("# Chase-cost report: last-30d\n\n*2026-10-22 – 2026-11-20")
    assert "- **Completeness:** 75.0% (+25.0 pts vs previous 30 days)" in md
    assert "| Team | Manager | People | Chases |" in md
    assert "| Bob \\| Roy\\* | NA | 1 | 20 | 35.00 |" in md  # a name cannot break the table
    rows = [line for line in md.splitlines() if line.startswith("| ")]
    assert len({line.count(" | ") - line.count("\\| ") for line in rows[:4]}) == 1
    assert "\x1b" not in md


def test_team_scope_and_empty_periods(ws):
    rep = report.build(ws, period_for(ws, "last-30d"), team="emea")
    assert rep.scope == "team EMEA" and rep.summary.total.cost == Decimal(45)
    assert rep.completeness == 80.0 and rep.previous_completeness == 50.0
    with pytest.raises(ChaserError, match="unknown team"):
        report.build(ws, period_for(ws, "last-30d"), team="Mars")
    quiet = report.render_text(report.build(ws, period_for(ws, "2026-01")))
    assert "Completeness  n/a (no snapshot in or before this period)" in quiet
    assert "(nobody was chased in this period)" in quiet
    assert "(no chase hit a barrier in this period)" in quiet
    assert "Fix rate      n/a (no chase judged yet)" in quiet
