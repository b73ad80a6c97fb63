"""chaser.short_names: names cut to a width stay different; and the table layout that uses it
(widgets/layout.py): names before numbers."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chaser.short_names import cells, distinct, forms, min_distinct_width, shorten_all
from chaser.widgets.layout import Column, measure, plan

TEAMS = ["North America East", "North America West", "SMB Inside Sales", "EMEA", "APAC",
         "LATAM"]


def test_the_issues_teams_stay_apart_and_read():
    assert shorten_all(TEAMS, 15) == {
        "North America East": "N. America East", "North America West": "N. America West",
        "SMB Inside Sales": "SMB I. Sales", "EMEA": "EMEA", "APAC": "APAC", "LATAM": "LATAM"}
    assert shorten_all(TEAMS, 12)["North America East"] == "N. A. East"


@pytest.mark.parametrize("width", range(3, 20))
def test_every_width_keeps_them_apart_and_within_the_width(width):
    shown = shorten_all(TEAMS, width)
    assert distinct(shown)
    assert all(cells(v) <= width for v in shown.values())
    assert all(shown[n] == n for n in TEAMS if len(n) <= width)  # what fits is left alone


def test_names_that_share_a_cut_move_on_together():
    people = ["Aaliyah Johnson", "Aaliyah Johnston", "Carlos Mendoza"]
    shown = shorten_all(people, 12)
    assert distinct(shown)
    assert shown["Carlos Mendoza"] == "Carlos Mend…"  # two words: cut at the end first
    assert shown["Aaliyah Johnson"] != "Aaliyah Joh…"  # that cut is shared: both moved on
    assert shorten_all(["Person 00001", "Person 00002"], 10) == {
        "Person 00001": "P. 00001", "Person 00002": "P. 00002"}


def test_acronyms_are_not_reduced_to_a_letter():
    assert "SMB" in next(forms("SMB Inside Sales", 13))
    assert next(forms("EMEA North Team", 12)).startswith("EMEA")


def test_wide_characters_count_two_cells():
    shown = shorten_all(["東京 営業 第一", "東京 営業 第二"], 8)
    assert distinct(shown) and all(cells(v) <= 8 for v in shown.values())


def test_min_distinct_width_widens_only_as_far_as_needed():
    assert min_distinct_width(TEAMS, 3, 18) == 3  # "NAE" / "NAW" already differ
    twins = ["Team Alpha North 1", "Team Alpha North 2"]
    w = min_distinct_width(twins, 2, 18)
    assert distinct(shorten_all(twins, w)) and not distinct(shorten_all(twins, w - 1))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(st.sampled_from("ab cAB.1"), min_size=1, max_size=14), min_size=1,
                max_size=8, unique=True), st.integers(1, 16))
def test_within_the_width_and_apart_whenever_min_distinct_width_says_so(names, width):
    shown = shorten_all(names, width)
    assert set(shown) == set(names)
    assert all(cells(v) <= width for v in shown.values())
    longest = max(map(cells, names))
    w = min_distinct_width(names, width, longest)
    assert distinct(shorten_all(names, w)) or w == longest


# ---- the table's layout: names before numbers ------------------------------------------------

@dataclass(frozen=True)
class Line:
    name: str
    team: str
    records: int
    gaps: int
    cost: float


LINES = [Line("Aaliyah Johnson", "North America East", 577, 60, 40.0),
         Line("Danielle Brooks", "North America West", 416, 73, 74.0),
         Line("Cody Walsh", "SMB Inside Sales", 609, 329, 142.0)]


def cols() -> list[Column]:
    return [Column("name", "Name", lambda r: r.name, width=0),
            Column("team", "Team", lambda r: r.team, width=0, min_width=10),
            Column("records", "Records", lambda r: r.records, width=7, align="right",
                   short="Recs", drop=1),
            Column("gaps", "Gaps", lambda r: r.gaps, width=6, align="right"),
            Column("cost", "Cost", lambda r: r.cost, lambda r: f"{r.cost:,.2f}", width=10,
                   align="right")]


def laid(width: int):
    columns = cols()
    sizes = [measure(c, LINES) for c in columns]
    return plan(columns, sizes, width), sizes


def test_numbers_are_as_wide_as_their_data_and_names_whole_when_there_is_room():
    p, sizes = laid(80)
    assert [s.full for s in sizes[2:]] == [7, 4, 6]  # "Records", "Gaps", "142.00"
    assert p.widths[0] >= len("Aaliyah Johnson") and p.widths[1] >= len("North America East")
    assert not p.short and not p.compact


def test_short_headers_come_before_cutting_names():
    p, _ = laid(15 + 18 + 4 + 4 + 6 + 4)  # the names whole, "Recs" for "Records"
    assert p.short and p.widths[:2] == [15, 18] and p.widths[2] == 4


def test_a_number_gives_way_before_names_go_below_their_floor():
    p, _ = laid(12 + 10 + 4 + 6 + 3)  # no room for Records beside floors of 12 and 10
    assert p.widths[2] == 0  # Records gave way
    assert p.widths[0] >= 12 and p.widths[1] >= 10
    assert sum(w for w in p.widths if w) + 3 == 12 + 10 + 4 + 6 + 3  # 3 gaps between 4


def test_at_the_narrowest_names_keep_four_cells():
    p, _ = laid(20)
    assert p.widths[2] == 0 and min(p.widths[0], p.widths[1]) >= 4
