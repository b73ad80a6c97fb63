"""Chase many, undo and notes in the TUI (issue 12 points 2 and 3): space marks overview rows
(people, teams, fields), c logs one chase of them with the minutes split, e drafts one email
per person of the records shown, u undoes the last log / bulk log / void, v voids from the
person screen, n adds a note shown there. Every chase is read back from the store."""

from __future__ import annotations

from textual.widgets import Input, Label, Select, Static
from tui_support import loaded, most_gaps, settle, settle_fully

from chaser.bulk import split_minutes
from chaser.modals.bulk_log import BulkLogScreen
from chaser.modals.draft import DraftScreen
from chaser.modals.drafts import DraftsScreen
from chaser.modals.log_chase import LogChaseScreen
from chaser.modals.prompt import PromptModal
from chaser.rollups import field_gaps
from chaser.screens.chases import ChaseLogScreen
from chaser.screens.overview_marks import MARK
from chaser.screens.person import PersonScreen
from chaser.undo import REASON
from chaser.widgets.table import VirtualTable

pytest_plugins = ["tui_fixtures"]  # seeded_demo, demo_ws, make_app
SIZE = (80, 24)


def text(screen, selector: str) -> str:
    return str(screen.query_one(selector).render())


def notices(app) -> list[str]:
    return [n.message for n in app._notifications]


async def test_space_marks_and_c_logs_one_chase_split_across_them(make_app, demo_ws):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        screen = app.screen
        table = screen.people_table
        rows = table.shown[:3]
        before = {r.key: r.chases for r in rows}
        await pilot.press("space", "space", "space")  # each mark moves on to the next row
        assert text(screen, "#marks").startswith("Marked: 3 people")
        first = table.columns[0]
        assert first.cell(rows[0]).startswith(MARK)  # a mark you can read without colour
        assert not first.cell(table.shown[3]).startswith(MARK)
        await pilot.press("up", "space")  # the third again: unmarked
        assert text(screen, "#marks").startswith("Marked: 2 people")
        await pilot.press("c")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, BulkLogScreen)
        assert [p.key for p in modal.people] == [r.key for r in rows[:2]]
        assert modal.query_one("#channel", Select).value == "email"  # one email to many
        await pilot.press("3", "1")
        assert text(modal, "#split") == f"Split: 16 min {rows[0].name}; 15 min {rows[1].name}"
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        batch = [c for c in demo_ws.store.chases() if c.batch]
        assert [(c.person, c.minutes) for c in batch] == [(rows[0].key, 16), (rows[1].key, 15)]
        assert len({c.batch for c in batch}) == 1 and batch[0].batch == batch[0].id
        assert (f"Logged 31 min email with 2 people (batch {batch[0].id}): 16 min "
                f"{rows[0].name}; 15 min {rows[1].name} (u undoes)") in notices(app)
        assert screen.query_one("#marks", Static).has_class("hidden")  # done: marks cleared
        after = {r.key: r.chases for r in table.rows if r.key in before}
        assert after == {k: v + (k != rows[2].key) for k, v in before.items()}


async def test_a_team_row_stands_for_all_its_people(make_app, demo_ws):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        screen = app.screen
        await pilot.press("g")  # teams
        teams = screen.query_one("#teams", VirtualTable)
        line = teams.current
        await pilot.press("space")
        assert f"1 team ({line.people} people)" in text(screen, "#marks")
        await pilot.press("c")
        await pilot.pause()
        await pilot.press(*"60", "tab")  # to the fields: choose the first
        await pilot.press("space")
        chosen = app.screen.chosen_fields()  # field names: the form ticks (object, field)
        await pilot.press("ctrl+s")
        await settle(pilot)
        chases = [c for c in demo_ws.store.chases() if c.batch]
        assert [c.person for c in chases] == list(line.keys)  # every member, in one go
        assert [c.minutes for c in chases] == split_minutes(60, line.people)
        assert all(c.fields == tuple(chosen) for c in chases) and len(chosen) == 1
        after = next(t for t in teams.rows if t.name == line.name)
        assert after.chases == line.chases + line.people  # shows on the team and each member


async def test_fewer_minutes_than_people_are_refused(make_app, demo_ws):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        before = len(demo_ws.store.chases())
        await pilot.press("g", "space", "c")
        await pilot.pause()
        await pilot.press("2", "enter")
        await settle(pilot)
        assert isinstance(app.screen, BulkLogScreen)
        split = app.screen.query_one("#split", Label)
        assert "less than a whole minute each" in str(split.render())
        assert split.has_class("error")
        assert len(demo_ws.store.chases()) == before


async def test_c_on_one_row_opens_the_one_person_form_and_u_undoes_the_log(make_app, demo_ws):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        row = app.screen.people_table.current
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, LogChaseScreen) and app.screen.person.key == row.key
        await pilot.press(*"9", "enter")
        await settle(pilot)
        chase = demo_ws.store.chases()[-1]
        assert (chase.person, chase.minutes, chase.voided) == (row.key, 9, False)
        await pilot.press("u")
        await settle_fully(pilot)
        undone = demo_ws.store.get_chase(chase.id)
        assert undone.voided and undone.void_reason == REASON  # withdrawn, never deleted
        assert any(m.startswith(f"Undid the chase of {row.name}") for m in notices(app))
        assert next(r for r in app.screen.people_table.rows if r.key == row.key).chases \
            == row.chases


async def test_u_undoes_a_bulk_log_then_says_there_is_nothing_left(make_app, demo_ws):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("g", "space", "c")
        await pilot.pause()
        await pilot.press(*"45", "enter")
        await settle(pilot)
        batch = [c for c in demo_ws.store.chases() if c.batch]
        assert batch and not any(c.voided for c in batch)
        await pilot.press("u")
        await settle_fully(pilot)
        batch = [c for c in demo_ws.store.chases() if c.batch]
        assert all(c.voided and c.void_reason == REASON for c in batch)
        assert any(f"voided {len(batch)} chases" in m for m in notices(app))
        await pilot.press("u")
        await settle(pilot)
        assert notices(app)[-1].startswith("Nothing to undo")


async def test_u_undoes_a_void_made_in_the_chase_log(make_app, demo_ws):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, ChaseLogScreen)
        chase = app.screen.table.current.chase
        await pilot.press("v")
        await pilot.pause()
        await pilot.press(*"dup", "enter")
        await settle_fully(pilot)
        assert demo_ws.store.get_chase(chase.id).voided
        await pilot.press("u")
        await settle_fully(pilot)
        assert not demo_ws.store.get_chase(chase.id).voided  # the void withdrawn: counts again
        assert any("withdrew the void" in m for m in notices(app))


async def test_person_screen_v_voids_n_notes_and_u_undoes(make_app, demo_ws):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("5", "enter")  # the person with the most gaps
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PersonScreen)
        who = most_gaps(demo_ws)
        assert screen.query_one("#person-notes", Static).has_class("hidden")
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, PromptModal)
        await pilot.press(*"on leave until the 15th", "enter")
        await settle_fully(pilot)
        shown = text(screen, "#person-notes")
        assert "on leave until the 15th" in shown and "2026-11-20 09:00" in shown
        assert [n.text for n in demo_ws.notes(who)] == ["on leave until the 15th"]
        history = screen.query_one("#chases", VirtualTable)
        chase = history.current
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, PromptModal) and chase.id in app.screen.title_text
        await pilot.press(*"wrong person", "enter")
        await settle_fully(pilot)
        assert demo_ws.store.get_chase(chase.id).void_reason == "wrong person"
        assert history.rows[0].id == chase.id and history.rows[0].voided
        await pilot.press("v")  # already void: said, nothing asked
        await pilot.pause()
        assert isinstance(app.screen, PersonScreen)
        await pilot.press("u")
        await settle_fully(pilot)
        assert not demo_ws.store.get_chase(chase.id).voided


async def test_a_note_with_control_characters_is_shown_visibly(make_app, demo_ws):
    who = most_gaps(demo_ws)
    demo_ws.add_note(who, "call \x1b]0;PWNED\x07 later")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        app.open_person(who.key)
        await settle(pilot)
        shown = text(app.screen, "#person-notes")
        assert "␛]0;PWNED␇" in shown and "\x1b" not in shown


async def test_person_draft_follows_the_search(make_app, demo_ws):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("5", "enter")
        await settle(pilot)
        screen = app.screen
        gaps = screen.query_one("#gaps", VirtualTable)
        await pilot.press("slash", *"Industry")
        await pilot.press("enter")
        shown = gaps.shown
        assert 0 < len(shown) < len(gaps.rows)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, DraftScreen) and app.screen.records == len(shown)
        draft = app.clipboard
        assert draft.count("\n- ") == len(shown)  # only the records the search shows
        assert all(f"- {g.object} {g.record_name}: {g.missing}" in draft for g in shown)


async def test_overview_drafts_one_per_person_of_a_marked_field(make_app, demo_ws):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("g", "g")  # fields, most missing first
        screen = app.screen
        line = screen.query_one("#fields", VirtualTable).current
        await pilot.press("space", "e")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, DraftsScreen) and len(modal.drafts) == line.people
        for d in modal.drafts:
            wanted = field_gaps(app.data.gaps_for(d.person.key), line.object, line.field)
            assert d.records == len(wanted) and d.text.count("\n- ") == len(wanted)
        assert app.clipboard == modal.drafts[0].text
        await pilot.press("n")
        assert app.clipboard == modal.drafts[1].text
        await pilot.press("l")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, BulkLogScreen) and len(form.people) == line.people
        assert form.query_one("#channel", Select).value == "email"
        drafted = {f for d in modal.drafts for g in field_gaps(
            app.data.gaps_for(d.person.key), line.object, line.field) for f in g.missing}
        assert set(form.chosen_fields()) == drafted  # what the emails ask for, ticked
        assert form.query_one("#outcome", Select).value is Select.NULL  # only just sent
        assert form.query_one("#note", Input).value == "chase email drafted in chaser"


async def test_u_with_nothing_done_says_so(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("u")
        await pilot.pause()
        assert notices(app)[-1].startswith("Nothing to undo")


async def test_help_and_palette_reach_the_new_keys(make_app):
    from chaser.modals.help import HelpScreen
    from chaser.screens.palette import ChaserCommands

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        for keys, actions in (((), ["Mark", "Chase", "Draft", "Undo"]),
                              (("5", "enter"), ["Void", "Note", "Undo"])):
            await pilot.press(*keys)
            await settle(pilot)
            provider = ChaserCommands(app.screen)
            for action in actions:
                assert action in [hit.text async for hit in provider.search(action)], action
            await pilot.press("question_mark")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            shown = str(app.screen.query_one("VerticalScroll Static").visual)
            assert all(action in shown for action in actions), shown
            await pilot.press("escape")
            await pilot.pause()
