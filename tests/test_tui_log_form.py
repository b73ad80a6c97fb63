"""The log-chase form (issue 12, point 6): ctrl+s always saves and the form says so, Enter
saves from a text box but opens a dropdown, boxes read [x] / [ ], fields grouped by object
with the person's most-missing first, and after a draft: the draft's fields, no outcome."""

from __future__ import annotations

from textual.widgets import Input, Label, Select
from tui_support import loaded, most_gaps, settle

from chaser.audit import gaps_of
from chaser.modals.log_chase import FieldList, LogChaseScreen
from chaser.model import Channel, Outcome
from chaser.screens.person import PersonScreen

pytest_plugins = ["tui_fixtures"]  # seeded_demo, demo_ws, make_app
SIZE = (80, 24)


async def open_form(pilot) -> LogChaseScreen:
    await loaded(pilot)
    await pilot.press("5", "enter")  # the person with the most gaps
    await settle(pilot)
    assert isinstance(pilot.app.screen, PersonScreen)
    await pilot.press("c")
    await pilot.pause()
    modal = pilot.app.screen
    assert isinstance(modal, LogChaseScreen)
    return modal


def hint(modal) -> str:
    return str(modal.query_one("#save-hint", Label).render())


async def test_ctrl_s_saves_even_from_an_open_dropdown(make_app, demo_ws):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        modal = await open_form(pilot)
        assert "ctrl+s saves" in hint(modal)
        before = len(demo_ws.store.chases())
        await pilot.press(*"9")
        modal.query_one("#outcome", Select).focus()
        await pilot.press("enter")  # Enter on a dropdown opens it (Textual's Select)...
        await pilot.pause()
        assert modal.query_one("#outcome", Select).expanded
        assert len(demo_ws.store.chases()) == before  # ...and saves nothing
        await pilot.press("ctrl+s")  # ctrl+s saves from anywhere, the list open or not
        await settle(pilot)
        assert app.screen is not modal
        assert demo_ws.store.chases()[-1].minutes == 9


async def test_enter_saves_from_a_text_box(make_app, demo_ws):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        modal = await open_form(pilot)
        await pilot.press(*"6")
        modal.query_one("#note", Input).focus()
        await pilot.press(*"left a voicemail", "enter")
        await settle(pilot)
        chase = demo_ws.store.chases()[-1]
        assert (chase.minutes, chase.note, chase.outcome) == (6, "left a voicemail",
                                                               Outcome.PROMISED)


async def test_boxes_read_without_colour(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        modal = await open_form(pilot)
        await pilot.press("tab", "space")  # tick the first field
        lines = [modal.query_one(FieldList).render_line(y).text for y in range(3)]
        assert lines[0].startswith("[x] ") and lines[1].startswith("[ ] ")
        assert "1 of " in str(modal.query_one("#chosen", Label).render())


async def test_fields_are_grouped_by_object_most_missing_first(make_app, demo_ws):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        modal = await open_form(pilot)
        gaps = gaps_of(demo_ws.snapshot(), most_gaps(demo_ws).key)
        counts: dict[tuple[str, str], int] = {}
        for g in gaps:
            for f in g.missing:
                counts[(g.object, f)] = counts.get((g.object, f), 0) + 1
        choices = modal.choices
        assert {c.key: c.records for c in choices} == counts  # every (object, field), counted
        assert choices[0].records == max(counts.values())  # the most-missing on top
        objects = [c.object for c in choices]
        assert objects == sorted(objects, key=objects.index)  # each object's fields together
        for obj in set(objects):
            mine = [c.records for c in choices if c.object == obj]
            assert mine == sorted(mine, reverse=True)
        prompts = [str(modal.query_one(FieldList).get_option_at_index(i).prompt)
                   for i in range(len(choices))]
        assert prompts[0] == f"{choices[0].object} · {choices[0].field} ({choices[0].records:,})"
        phones = [c.object for c in choices if c.field == "Phone"]
        assert len(phones) > 1  # "Phone" of an Account and of a Contact are two lines


async def test_after_a_draft_the_fields_are_the_drafts_and_no_outcome(make_app, demo_ws):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        who = most_gaps(demo_ws)
        gaps = [g for g in gaps_of(demo_ws.snapshot(), who.key) if g.object == "Account"][:5]
        wanted = {f for g in gaps for f in g.missing}
        modal = LogChaseScreen.after_draft(who, gaps, minutes=3)
        app.push_screen(modal)
        await pilot.pause()
        assert {c.object for c in modal.choices} == {"Account"}  # the draft's, not all 18
        assert set(modal.chosen_fields()) == wanted
        assert modal.query_one("#channel", Select).value == Channel.EMAIL.value
        assert modal.query_one("#outcome", Select).is_blank()
        before = len(demo_ws.store.chases())
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is modal and len(demo_ws.store.chases()) == before
        assert "Choose an outcome" in hint(modal)
        modal.query_one("#outcome", Select).value = Outcome.NO_RESPONSE.value
        await pilot.press("ctrl+s")
        await settle(pilot)
        chase = demo_ws.store.chases()[-1]
        assert (chase.channel, chase.outcome, set(chase.fields)) == (
            Channel.EMAIL, Outcome.NO_RESPONSE, wanted)


async def test_the_form_fits_60x20(make_app):
    app = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        modal = await open_form(pilot)
        await pilot.press("tab", "space", "down", "space", "down", "space")  # a long "chosen"
        for part in ("#outcome", "#note", "#save-hint", "#fields"):
            region = modal.query_one(part).region
            assert region.height and region.bottom <= 20, part
