"""The manager's summary on a hand-built store: headline numbers, completeness change,
effectiveness and projection, and output that is safe in a terminal and in markdown."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from chaser import report
from chaser.audit import Thresholds
from chaser.config import CostSettings
from chaser.errors import ChaserError
from chaser.model import Channel, Chase, Gap, Outcome, Person, Snapshot, Tally
from chaser.periods import comparison, parse_period, zone
from chaser.report_json import to_dict

PEOPLE = (
    Person("ann", "Ann Lee", "EMEA", "Mia Boss"),
    Person("bob", "Bob | Roy*", "NA", "Max Boss"),
    Person("cat", "Cat \x1b[31mRed", "NA", "Max Boss"),
)
NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)
TZ = zone("Europe/Berlin")
COSTS = CostSettings(currency="EUR", admin_hourly_rate=Decimal(60), rep_hourly_rate=Decimal(90),
                     rep_minutes_per_chase=10, timezone="Europe/Berlin")


def at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC) if day > 0 else \
        datetime(2026, 10, 31 + day, hour, tzinfo=UTC)


def snap(sid: str, when: datetime, tallies: dict[str, tuple[int, int]], gaps=()) -> Snapshot:
    return Snapshot(sid, when, "test", PEOPLE,
                    {k: Tally(r, g, g, {}) for k, (r, g) in tallies.items()}, {}, {"Deal": 30},
                    tuple(Gap("Deal", rid, rid, owner, tuple(missing)) for rid, owner, missing
                          in gaps))


def chase(n: int, when: datetime, person: str, minutes: int, outcome: Outcome,
          fields=()) -> Chase:
    return Chase(f"c{n}", when, person, Channel.CALL, minutes, outcome, tuple(fields))


# last-30d at 2026-11-20 in Berlin is 22 Oct - 20 Nov; the snapshot before it says 50%
HISTORY = (
    snap("s1015", datetime(2026, 10, 15, tzinfo=UTC),
         {"ann": (10, 5), "bob": (10, 5), "cat": (0, 0)}),
    snap("s1101", at(1), {"ann": (10, 4), "bob": (10, 5), "cat": (0, 0)},
         [("R1", "ann", ["amount"]), ("R2", "ann", ["amount"]), ("R3", "bob", ["stage"])]),
    snap("s1110", at(10), {"ann": (10, 3), "bob": (10, 4), "cat": (0, 0)},
         [("R2", "ann", ["amount"]), ("R3", "bob", ["stage"])]),
    snap("s1119", at(19), {"ann": (10, 2), "bob": (10, 3), "cat": (0, 0)},
         [("R2", "ann", ["amount"]), ("R3", "bob", ["stage"])]),
)
CHASES = (
    # ann: 30 min + 10 rep min at 90/h = 45.00; R1 closed within 14 days, R2 not: 50%
    chase(1, at(2), "ann", 30, Outcome.PROMISED, ("amount",)),
    # bob: a barrier, 20 min = 20 + 15 = 35.00 (judged after 18 Nov: still pending on 20 Nov)
    chase(2, at(12), "bob", 20, Outcome.BARRIER_TRAINING, ("stage",)),
    # before the period: 10 min = 25.00, only in the comparison
    chase(3, datetime(2026, 10, 10, tzinfo=UTC), "ann", 10, Outcome.NO_RESPONSE),
)


def build(period: str = "last-30d", team: str | None = None, chases=CHASES, history=HISTORY,
          now: datetime = NOW) -> report.Report:
    """The report on plain data, as `chaser report` builds it (see chaser.inputs)."""
    p = parse_period(period, now, TZ)
    return report.build(p, comparison(p, now, TZ), chases, history[-1], history, COSTS,
                        Thresholds(), now=now, tz=TZ, team=team)


def test_numbers():
    rep = build()
    assert rep.summary.total.cost == Decimal(80)
    assert rep.previous.total.cost == Decimal(25)
    assert (rep.completeness, rep.previous_completeness) == (75.0, 50.0)
    eff = rep.effectiveness.total
    assert (eff.gaps_chased, eff.gaps_fixed, eff.partly, eff.pending) == (2, 1, 1, 1)
    assert eff.cost_per_gap == Decimal(45)
    assert rep.open_gaps == 5 and rep.projected == Decimal(225)
    assert [b.outcome for b in rep.barriers] == [Outcome.BARRIER_TRAINING]
    assert rep.barriers[0].cost == Decimal(35)


def test_text():
    text = report.render_text(build())
    lines = text.splitlines()
    assert lines[0] == "Chase-cost report: last-30d" and set(lines[1]) == {"="}
    assert lines[2] == ("2026-10-22 – 2026-11-20 (Europe/Berlin) · all teams · EUR · "
                        "as of 2026-11-19 13:00")  # the snapshot people and open gaps are from
    assert "Hidden cost   EUR 80.00 (+220% vs the previous 30 days; EUR 35.00 of it on " \
           "barriers (44%))" in text
    assert "Completeness  75.0% (+25.0 pts vs the previous 30 days)" in text
    assert "Fix rate      50% of 2 chased gaps closed within 14 days" in text
    flat = " ".join(text.split())
    assert "5 records × EUR 45.00 per gap closed = EUR 225.00 projected to close them (open " \
           "gaps × cost per closed gap; EUR 45.00 = EUR 45.00 spent on the 1 judged chase of " \
           "2026-10-22 – 2026-11-20 ÷ the 1 gap they closed)" in flat
    assert "Needs training (barrier-training): 1 chase, 20 min, EUR 35.00" in text
    assert "fix: schedule training" in text
    assert "\x1b" not in text  # CRM text cannot drive the terminal
    assert all(len(line) <= 110 for line in lines)


def test_markdown():
    md = report.render_markdown(build())
    assert md.startswith("# Chase-cost report: last-30d\n\n*2026-10-22 – 2026-11-20")
    assert "- **Completeness:** 75.0% (+25.0 pts vs the previous 30 days)" in md
    assert "| Team | Manager | People | Chases |" in md
    assert "| Bob \\| Roy\\* | NA | 1 | 20 | 35.00 |" in md  # a name cannot break the table
    rows = [line for line in md.splitlines() if line.startswith("| ")]
    assert len({line.count(" | ") - line.count("\\| ") for line in rows[:4]}) == 1
    assert "\x1b" not in md


def test_team_scope_and_empty_periods():
    rep = build(team="emea")
    assert rep.scope == "team EMEA" and rep.summary.total.cost == Decimal(45)
    assert rep.completeness == 80.0 and rep.previous_completeness == 50.0
    with pytest.raises(ChaserError, match="unknown team"):
        build(team="Mars")
    quiet = report.render_text(build("2026-01"))
    assert "Completeness  n/a (no snapshot in or before this period)" in quiet
    assert "(nobody was chased in this period)" in quiet
    assert "(no chase hit a barrier in this period)" in quiet
    assert "Fix rate      n/a (no chase judged yet)" in quiet


def test_no_data_for_the_previous_period():
    # nothing chased and no snapshot in the compared span: no percentage, no delta
    rep = build(chases=CHASES[:2], history=HISTORY[1:])
    text = " ".join(report.render_text(rep).split())
    assert "Hidden cost EUR 80.00 (no data for the previous period; EUR 35.00 of it on " \
           "barriers (44%))" in text
    assert "Completeness 75.0% (no data for the previous period)" in text
    data = to_dict(rep)
    assert data["cost_change_pct"] is None and data["completeness_change_pts"] is None
    # a snapshot long before the compared span is not "the previous 30 days"
    old = snap("s0901", datetime(2026, 9, 1, tzinfo=UTC), {"ann": (10, 9), "bob": (10, 9)})
    assert build(history=(old, *HISTORY[1:])).previous_completeness is None


def test_a_running_period_compares_like_for_like():
    # Friday 20 Nov 10:00 Berlin: this week so far against Monday to Friday 10:00 last week
    chases = (*CHASES, chase(4, datetime(2026, 11, 13, 8, tzinfo=UTC), "ann", 30,
                             Outcome.PROMISED),  # last Friday 09:00: inside the cut
              chase(5, datetime(2026, 11, 13, 10, tzinfo=UTC), "ann", 30, Outcome.PROMISED))
    rep = build("this-week", chases=chases)
    assert rep.compared.label == "the first 5 days of last week"
    # bob's of 12 Nov (35.00) and ann's at 09:00 (45.00); ann's at 11:00 is past the cut
    assert rep.previous.total.chases == 2 and rep.previous.total.cost == Decimal(80)
    assert "vs the first 5 days of last week" in report.render_text(rep)


def _projection_history() -> tuple[Snapshot, ...]:
    """ann had R1-R3 open; one chase of all her fields (10 min = 10 + 15 = 25.00) closed all
    three: 25 / 3 = 8.333.. per gap. Today she has 4,482 open gaps."""
    before = snap("p1", at(1), {"ann": (5000, 3)}, [(f"R{i}", "ann", ["amount"]) for i in (1, 2, 3)])
    after = snap("p2", at(5), {"ann": (5000, 4482)})
    return before, after


def test_the_projection_equals_its_factors_to_the_cent():
    rep = build("2026-11", chases=(chase(1, at(2), "ann", 10, Outcome.PROMISED),),
                history=_projection_history())
    p = rep.projection
    assert (p.judged_chases, p.judged_cost, p.gaps_fixed) == (1, Decimal(25), 3)
    # rounded to cents first, then multiplied: 4,482 x 8.33, not 4,482 x 8.333.. = 37,350.00
    assert p.per_gap == Decimal("8.33") and p.cost == Decimal("37335.06")
    text = " ".join(report.render_text(rep).split())
    m = re.search(r"([\d,]+) records × EUR ([\d,.]+) per gap closed = EUR ([\d,.]+) projected",
                  text)
    gaps, per, total = (Decimal(g.replace(",", "")) for g in m.groups())
    assert gaps * per == total == Decimal("37335.06")
    assert "EUR 8.33 = EUR 25.00 spent on the 1 judged chase of 2026-11-01 – 2026-11-30 ÷ " \
           "the 3 gaps they closed" in text
    data = json.loads(report.render(rep, "json"))
    assert (data["open_gaps"], data["cost_per_gap"], data["projected_cost"]) == (
        4482, 8.33, 37335.06)
    assert (data["projection_basis_chases"], data["projection_basis_cost"],
            data["projection_basis_gaps_fixed"]) == (1, 25.0, 3)


def _money(text: str) -> float:
    return float(text.replace(",", ""))


def test_json_carries_every_number_of_the_text():
    rep = build()
    text = " ".join(report.render_text(rep).split())
    data = json.loads(report.render(rep, "json"))
    m = re.search(r"Hidden cost EUR ([\d,.]+) \(([+-]\d+)% vs (.+?); EUR ([\d,.]+) of it on "
                  r"barriers \((\d+)%\)\) Chases (\d+), (\d+) min \(([\d.]+) h\) of admin time; "
                  r"(\d+) hit a barrier Completeness ([\d.]+)% \(([+-][\d.]+) pts vs .+?\) Fix rate "
                  r"(\d+)% of (\d+) chased gaps closed within (\d+) days; (\d+) of (\d+) chases "
                  r"fully fixed, (\d+) partly; median ([\d.]+) days to the first fix; (\d+) chase",
                  text)
    assert m, text
    g = m.groups()
    assert (data["cost"], data["cost_change_pct"], data["compared_with"]) == (
        _money(g[0]), int(g[1]), g[2])
    assert (data["barrier_cost"], data["barrier_share_pct"]) == (_money(g[3]), int(g[4]))
    assert (data["chases"], data["minutes"], data["hours"], data["barrier_chases"]) == (
        int(g[5]), int(g[6]), float(g[7]), int(g[8]))
    assert (data["completeness_pct"], data["completeness_change_pts"]) == (float(g[9]),
                                                                           float(g[10]))
    assert (data["fix_rate_pct"], data["gaps_chased"], data["fix_window_days"],
            data["chases_fixed"], data["chases_judged"], data["chases_partly_fixed"],
            data["median_days_to_fix"], data["chases_pending"]) == (
        int(g[11]), int(g[12]), int(g[13]), int(g[14]), int(g[15]), int(g[16]), float(g[17]),
        int(g[18]))
    assert data["previous_cost"] == 25.0 and data["previous_completeness_pct"] == 50.0
    assert (data["period_start"], data["period_end"], data["timezone"]) == (
        "2026-10-22", "2026-11-20", "Europe/Berlin")
    assert data["snapshot"] == "s1119" and data["snapshot_at"] == "2026-11-19T13:00+01:00"
    # the tables: every cell of the text is in the JSON rows, under the CSV columns' names
    assert [(t["team"], t["manager"], t["people"], t["chases"], t["minutes"], t["cost"],
             t["barrier_cost"], t["completeness_pct"], t["fix_rate_pct"]) for t in data["teams"]
            ] == [("EMEA", "Mia Boss", 1, 1, 30, 45.0, 0.0, 80.0, 50),
                  ("NA", "Max Boss", 2, 1, 20, 35.0, 35.0, 70.0, None)]
    assert "EMEA Mia Boss 1 1 30 45.00 0.00 80.0% 50%" in text
    assert [(p["person"], p["cost"], p["tier"]) for p in data["people"]] == [
        ("Ann Lee", 45.0, "moderate"), ("Bob | Roy*", 35.0, "moderate")]
    assert data["barriers"] == [{"outcome": "barrier-training", "label": "Needs training",
                                 "chases": 1, "minutes": 20, "cost": 35.0,
                                 "people": ["Bob | Roy*"],
                                 "remedy": "schedule training on the fields chased"}]


def test_a_team_shows_all_its_managers():
    people = (*PEOPLE[:2], Person("cat", "Cat Yu", "NA", "Ada Boss"),
              Person("dan", "Dan Ho", "NA", "Max Boss"))
    history = tuple(Snapshot(s.id, s.taken_at, s.source, people, s.tallies, s.buckets,
                             s.objects, s.gaps) for s in HISTORY)
    rep = build(history=history)
    assert {r["team"]: r["manager"] for r in rep.team_lines} == {
        "EMEA": "Mia Boss", "NA": "Ada Boss, Max Boss"}
    assert "NA    Ada Boss, Max Boss" in report.render_text(rep)


def test_the_cli_offers_the_report_formats():
    from chaser.commands import report as command

    assert command.FORMATS == report.FORMATS
