"""One set of counts (issue 12, point 8): the overview and the sync screen each say what they
count and what the people figures leave out (inactive people, the owner buckets, blanks the
owner cannot edit), with the CLI's numbers, and `b` lists the buckets; counts of one read
"1 chase", never "1 chases"."""

from __future__ import annotations

from collections import Counter

from textual.widgets import Static
from tui_support import loaded, settle

from chaser.audit import bucket_rows, org_tally, unblamed_note
from chaser.cli import main
from chaser.rollups import left_out
from chaser.screens.overview import OverviewScreen
from chaser.screens.sync import SyncScreen, progress_text
from chaser.widgets.table import VirtualTable
from chaser.words import plural

pytest_plugins = ["tui_fixtures"]  # seeded_demo, demo_ws, make_app


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


def test_the_left_out_line_has_the_clis_numbers(demo_ws, capsys):
    snap = demo_ws.snapshot()
    buckets = bucket_rows(snap)
    assert left_out(snap) == ("1 inactive person; records: " + ", ".join(
        f"{name} {t.records:,}" for name, t in buckets.items()))
    assert main(["--demo", "gaps"]) == 0
    printed = capsys.readouterr().out
    assert unblamed_note(snap) in printed  # the CLI's line: the same buckets, the same counts
    for t in buckets.values():
        assert f"{t.records:,}" in printed
    # what is left out is exactly what separates every owner's records from the people's
    owners = sum(t.records for name, t in buckets.items() if name != "cannot-edit")
    assert snap.records - org_tally(snap).records == owners


async def test_the_overview_says_what_it_leaves_out_and_b_lists_it(make_app, demo_ws):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        snap = app.data.snapshot
        headline = text_of(app.screen, "#headline")
        assert f"Not blamed (b): {left_out(snap, cannot_edit=False)}" in headline
        assert "Cannot edit: 19 records not blamed (Account.Industry 19): fix access first" \
            in headline
        assert f"{len(app.data.rows)} people · {org_tally(snap).records:,} records" in headline
        await pilot.press("b")
        table = app.screen.query_one("#buckets", VirtualTable)
        assert app.screen.view == "buckets" and table.display and app.focused is table
        rows = {r.name: r.tally for r in table.shown}
        assert rows == dict(bucket_rows(snap))
        assert "View: left out" in text_of(app.screen, "#filters")
        assert table.current.fields in text_of(app.screen, "#detail")
        await pilot.press("escape")
        assert app.screen.view == "people"


async def test_at_60_columns_the_headline_is_short_and_complete(make_app):
    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await loaded(pilot)
        headline = text_of(app.screen, "#headline")
        assert f"Not blamed (b): {left_out(app.data.snapshot)}" in headline
        assert "Chase cost last-30d: " in headline and "gaps · " in headline
        assert app.screen.query_one("#people", VirtualTable).region.height >= 6


async def test_the_sync_screen_says_what_each_count_counts(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        overview = text_of(app.screen, "#headline")
        await pilot.press("s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SyncScreen)
        text = text_of(screen, "#sync-source")
        snap, org = app.data.snapshot, app.data.org
        assert (f"All owners: {snap.records:,} records in {len(snap.objects)} objects, "
                f"{len(snap.gaps):,} with gaps · {len(snap.people)} people") in text
        people = (f"The overview's: {len(app.data.rows)} people · "
                  f"{org.records:,} records, {org.records_with_gaps:,} with gaps (as chaser "
                  f"gaps)")
        assert people in text
        # the people's figures are the overview's, and both say what they leave out
        assert f"{len(app.data.rows)} people · {org.records:,} records · " \
               f"{org.records_with_gaps:,} with gaps" in overview
        assert f"Not blamed (b): {left_out(snap)}" in text
        # the owner buckets' gap records are the difference between the two gap counts
        owners = sum(t.records_with_gaps for name, t in bucket_rows(snap).items()
                     if name != "cannot-edit")
        assert len(snap.gaps) - org.records_with_gaps == owners
        await pilot.press("b")  # the list is the overview's
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen) and app.screen.view == "buckets"


async def test_one_chase_reads_1_chase(make_app, demo_ws):
    from datetime import UTC, datetime, timedelta

    days = Counter(c.at.date() for c in demo_ws.chases() if not c.voided)
    at = datetime(2026, 11, 19, 12, tzinfo=UTC)
    while days[at.date()]:  # a day nobody was chased (a weekend), for one chase of our own
        at -= timedelta(days=1)
    demo_ws.log_chase(demo_ws.people()[0].person, minutes=4, at=at)
    day = at.date()
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        app.set_period(f"{day}..{day}")
        await settle(pilot)
        assert "(1 chase)" in text_of(app.screen, "#headline")
        await pilot.press("k")
        await settle(pilot)
        total = text_of(app.screen, "#costs-total")
        assert " · 1 chase · " in total and "1 chases" not in total


def test_plurals():
    assert [plural(1, "chase"), plural(141, "chase"), plural(1, "person"),
            plural(50, "person"), plural(4899, "record")] == [
        "1 chase", "141 chases", "1 person", "50 people", "4,899 records"]
    from chaser.connectors.base import Progress

    assert progress_text(Progress("Deal", 1, 1, done=True)) == "1 record · 1 page · done"
    assert progress_text(Progress("Deal", 1, 1, total=3)) == "1 of 3 records · 1 page"
