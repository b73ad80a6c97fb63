"""Person screen and the log-chase modal: gaps, history, log, timer, draft, open (issue: TUI
screens 2 and 3). Chases are written through Workspace.log_chase and read back from the store."""

from __future__ import annotations

from textual.widgets import Input, Label, Select, SelectionList, Static
from tui_support import FakeClock, loaded, most_gaps, settle

from chaser.audit import gaps_of
from chaser.modals.draft import DraftScreen
from chaser.modals.log_chase import LogChaseScreen
from chaser.model import Channel, Outcome
from chaser.screens import person as person_screen
from chaser.screens.person import PersonScreen
from chaser.widgets.table import VirtualTable
from chaser.widgets.timer import ChaseTimer

pytest_plugins = ["tui_fixtures"]  # seeded_demo, demo_ws, make_app


async def open_worst(pilot):
    """From the overview: sort by gaps, open the person with the most."""
    await loaded(pilot)
    await pilot.press("5", "enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, PersonScreen)
    return pilot.app.screen


async def test_person_shows_identity_gaps_and_history(make_app, demo_ws):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_worst(pilot)
        who = most_gaps(demo_ws)
        info = str(screen.query_one("#person-info", Static).render())
        for part in (who.name, who.team, who.manager, who.email, "ineffective"):
            assert part in info
        gaps = screen.query_one("#gaps", VirtualTable)
        expected = gaps_of(demo_ws.snapshot(), who.key)
        assert len(gaps.rows) == len(expected)
        assert {(g.object, g.record_id) for g in gaps.rows} == {
            (g.object, g.record_id) for g in expected}
        first = gaps.rows[0]
        assert first.missing == ", ".join(expected[0].missing) and first.age is not None
        history = screen.query_one("#chases", VirtualTable)
        assert len(history.rows) == len([c for c in demo_ws.store.chases() if c.person == who.key])
        assert screen.query_one(person_screen.Trend).query_one(".trend--range").render()


async def test_log_a_chase_shows_at_once_everywhere(make_app, demo_ws):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_worst(pilot)
        who = most_gaps(demo_ws)
        before = len(demo_ws.store.chases())
        row_before = next(r for r in app.data.rows if r.person.key == who.key)
        chases_before = app.data.cost_line(who.key).chases
        await pilot.press("c")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, LogChaseScreen)
        fields = modal.query_one(SelectionList)
        await pilot.press(*"12", "tab", "space", "down", "space", "enter")
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
        stored = demo_ws.store.chases()
        assert len(stored) == before + 1
        chase = stored[-1]
        assert (chase.person, chase.minutes, chase.channel, chase.outcome) == (
            who.key, 12, Channel.CALL, Outcome.PROMISED)
        # The list's values are (object, field); a chase records the field names.
        assert len(chase.fields) == 2 and set(chase.fields) <= {f for _o, f in fields._values}
        # at once, in every view: the person's history, the overview's chase column, the log
        assert screen.query_one("#chases", VirtualTable).rows[0].id == chase.id
        assert app.data.cost_line(who.key).chases == chases_before + 1
        assert row_before is next(r for r in app.data.rows if r.person.key == who.key)
        await pilot.press("escape")
        overview_row = next(r for r in app.screen.query_one("#people", VirtualTable).rows
                            if r.key == who.key)
        assert overview_row.chases == chases_before + 1
        await pilot.press("l")
        await settle(pilot)
        assert chase.id in {r.id for r in app.screen.query_one(VirtualTable).rows}


async def test_barrier_outcome_and_note(make_app, demo_ws):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_worst(pilot)
        await pilot.press("c")
        await pilot.pause()
        modal = app.screen
        modal.query_one("#outcome", Select).value = Outcome.BARRIER_ACCESS.value
        modal.query_one("#channel", Select).value = Channel.CHAT.value
        await pilot.press(*"7")
        modal.query_one("#note", Input).focus()
        await pilot.press(*"no licence", "enter")
        await settle(pilot)
        chase = demo_ws.store.chases()[-1]
        assert (chase.minutes, chase.channel, chase.outcome, chase.note) == (
            7, Channel.CHAT, Outcome.BARRIER_ACCESS, "no licence")
        assert chase.outcome.is_barrier


async def test_bad_minutes_are_refused_as_you_type(make_app, demo_ws):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_worst(pilot)
        before = len(demo_ws.store.chases())
        await pilot.press("c")
        await pilot.pause()
        modal = app.screen
        error = modal.query_one("#minutes-error", Label)
        box = modal.query_one("#minutes", Input)
        for bad in ("0", "601", "abc", ""):
            box.value = ""
            await pilot.press(*bad)
            await pilot.press("enter")  # Enter with a bad value saves nothing
            await settle(pilot)
            assert app.screen is modal, bad
            assert error.has_class("error"), bad
            assert "1 to 600" in str(error.render()), bad
        assert len(demo_ws.store.chases()) == before
        box.value = ""
        await pilot.press(*"600")
        assert not error.has_class("error")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is not modal
        assert demo_ws.store.chases()[-1].minutes == 600


async def test_escape_cancels_the_log(make_app, demo_ws):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_worst(pilot)
        before = len(demo_ws.store.chases())
        await pilot.press("c", *"15", "escape")
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
        assert len(demo_ws.store.chases()) == before


async def test_timer_fills_in_the_minutes(make_app, demo_ws):
    clock = FakeClock()
    app = make_app(clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_worst(pilot)
        timer = screen.query_one(ChaseTimer)
        assert not timer.display or not timer.has_class("-running")
        await pilot.press("t")
        await pilot.pause()
        assert timer.running and timer.has_class("-running") and timer.region.height == 1
        clock.advance(12 * 60 + 5)  # 12 min 5 s: a started minute counts
        timer._tick()
        assert "12:05" in str(timer.render())
        await pilot.press("t")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, LogChaseScreen)
        assert modal.query_one("#minutes", Input).value == "13"
        assert not timer.running
        await pilot.press("enter")
        await settle(pilot)
        assert demo_ws.store.chases()[-1].minutes == 13


async def test_escape_with_a_running_timer_warns_first(make_app):
    clock = FakeClock()
    app = make_app(clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_worst(pilot)
        await pilot.press("t", "escape")
        await pilot.pause()
        assert app.screen is screen
        assert any("timer is running" in n.message for n in app._notifications)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is not screen


async def test_draft_message_is_copied_and_logged_as_email(make_app, demo_ws):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_worst(pilot)
        who = most_gaps(demo_ws)
        gaps = gaps_of(demo_ws.snapshot(), who.key)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, DraftScreen)
        text = app.clipboard
        assert text.startswith(f"Hi {who.name.split()[0]},")
        for g in gaps:
            assert f"- {g.object} {g.record_name}: {', '.join(g.missing)}" in text
            assert g.url in text
        await pilot.press("l")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, LogChaseScreen)
        assert modal.query_one("#channel", Select).value == "email"
        wanted = {f for g in gaps for f in g.missing}
        assert set(modal.chosen_fields()) == wanted  # the draft's fields, every one ticked
        outcome = modal.query_one("#outcome", Select)
        assert outcome.is_blank()  # an email only just sent has no outcome yet
        before = len(demo_ws.store.chases())
        await pilot.press(*"4", "enter")  # refused until an outcome is chosen
        await settle(pilot)
        assert app.screen is modal and len(demo_ws.store.chases()) == before
        outcome.value = Outcome.NO_RESPONSE.value
        await pilot.press("ctrl+s")
        await settle(pilot)
        chase = demo_ws.store.chases()[-1]
        assert (chase.channel, chase.minutes, set(chase.fields), chase.outcome) == (
            Channel.EMAIL, 4, wanted, Outcome.NO_RESPONSE)


async def test_open_record_in_the_browser(make_app, demo_ws, monkeypatch):
    import webbrowser

    monkeypatch.setattr(webbrowser, "get", lambda *a: object())  # "a browser exists"
    app = make_app()
    opened = []
    monkeypatch.setattr(app, "open_url", lambda url, **kw: opened.append(url))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_worst(pilot)
        gaps = screen.query_one("#gaps", VirtualTable)
        await pilot.press("down", "o")
        await settle(pilot)
        assert opened == [gaps.current.url] == [app.clipboard]
        assert opened[0].startswith("https://acme-demo.my.salesforce.com/")


async def test_open_record_without_a_browser_copies_the_link(make_app, monkeypatch):
    import webbrowser

    def no_browser(*a):
        raise webbrowser.Error("could not locate runnable browser")

    monkeypatch.setattr(webbrowser, "get", no_browser)
    app = make_app()
    opened = []
    monkeypatch.setattr(app, "open_url", lambda url, **kw: opened.append(url))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_worst(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert opened == []
        assert app.clipboard == screen.query_one("#gaps", VirtualTable).current.url
        assert any("No web browser" in n.message for n in app._notifications)


async def test_record_without_link_says_so(make_app, monkeypatch):
    app = make_app()
    opened = []
    monkeypatch.setattr(app, "open_url", lambda url, **kw: opened.append(url))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_worst(pilot)
        gaps = screen.query_one("#gaps", VirtualTable)
        gaps.set_rows([r._replace(url=None) for r in gaps.rows])
        await pilot.press("o")
        await settle(pilot)
        assert opened == []
        assert any("no CRM link" in n.message for n in app._notifications)


async def test_long_gap_lists_are_built_in_a_worker(make_app, demo_ws, monkeypatch):
    monkeypatch.setattr(person_screen, "BIG", 10)
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_worst(pilot)
        assert any(w.name == "gap-lines" for w in app.workers) or not screen.query_one(
            "#gaps", VirtualTable).loading
        await settle(pilot)
        gaps = screen.query_one("#gaps", VirtualTable)
        assert not gaps.loading
        assert len(gaps.rows) == len(gaps_of(demo_ws.snapshot(), most_gaps(demo_ws).key))


async def test_find_in_the_gap_list(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_worst(pilot)
        gaps = screen.query_one("#gaps", VirtualTable)
        field = gaps.rows[0].missing.split(", ")[0]
        await pilot.press("slash", *field.lower())
        assert 0 < gaps.row_count <= len(gaps.rows)
        assert all(field.lower() in f"{g.object} {g.record_name} {g.missing}".lower()
                   for g in gaps.shown)
        assert " of " in str(screen.query_one("#gaps-title", Label).render())
        await pilot.press("escape")  # closes the search, stays on the person
        assert app.screen is screen and gaps.row_count == len(gaps.rows)
        await pilot.press("escape")
        assert app.screen is not screen
