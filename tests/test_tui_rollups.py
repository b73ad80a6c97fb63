"""The overview's roll-ups (issue 12, point 1): `g` cycles people / teams / fields, each
roll-up's numbers equal the CLI's (`chaser gaps --by team|object-field|field`, `chaser costs
--by team`), Enter drills down, and search, sort, the team filter and the period work on
every view."""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal

from textual.widgets import Static
from tui_support import loaded, settle

from chaser.cli import main
from chaser.costs import cents
from chaser.rollups import mix_text
from chaser.screens.overview import OverviewScreen
from chaser.screens.person import PersonScreen
from chaser.widgets.table import VirtualTable

pytest_plugins = ["tui_fixtures"]  # seeded_demo, demo_ws, make_app
SIZE = (80, 24)


def cli_json(capsys, *args: str) -> list[dict]:
    """What the CLI prints, run before the app starts (a running app takes stdout over)."""
    capsys.readouterr()
    assert main(["--demo", *args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def shown(app) -> VirtualTable:
    """The table on screen: exactly one of the overview's tables is displayed."""
    tables = [t for t in app.screen.query(VirtualTable) if t.display]
    assert len(tables) == 1, [t.id for t in tables]
    return tables[0]


async def test_g_cycles_people_teams_fields(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        screen = app.screen
        assert shown(app).id == "people" and screen.view == "people"
        for view in ("teams", "fields", "people"):
            await pilot.press("g")
            assert screen.view == view and shown(app).id == view
            assert app.focused is shown(app)  # keys (sort, Enter) reach the view shown
            assert f"View: {'people' if view == 'people' else view}" in text_of(app, "#filters")
        assert len(shown(app).shown) == len(app.data.rows)


async def test_team_rows_equal_the_clis(make_app, capsys):
    gaps = cli_json(capsys, "gaps", "--by", "team")
    costs = {c["team"]: c for c in cli_json(capsys, "costs", "--by", "team")}
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("g")
        rows = {r.name: r for r in shown(app).shown}
        assert set(rows) == {t["team"] for t in gaps}
        people = {r.person.key: r for r in app.data.rows}
        for t in gaps:
            line = rows[t["team"]]
            assert (line.people, line.records, line.with_gaps, line.missing_fields, line.pct,
                    line.tier.value) == (t["people"], t["records"], t["records_with_gaps"],
                                         t["missing_fields"], t["completeness_pct"], t["tier"])
            assert {k.value: n for k, n in line.mix} == t["tiers"]
            assert sum(t["tiers"].values()) == t["people"]
            # the tier mix counts the team's people by their own tier, in words too
            tiers = Counter(people[k].tier for k in line.keys)
            assert line.mix_text == mix_text(tiers)
            cost = costs[t["team"]]
            assert line.chases == cost["chases"] and line.minutes == cost["minutes"]
            assert cents(line.cost) == cents(Decimal(str(cost["cost"])))
        # on screen: the team's numbers and its tier mix in letters (A M I N), never colour
        table = shown(app)
        header = table.render_line(0).text
        assert "Team" in header and "Tiers" in header
        first = table.render_line(1).text
        line = table.shown[0]
        assert line.name in first and f"{line.people}" in first
        letters = {"grade-a": "A", "moderate": "M", "ineffective": "I", "none": "N"}
        assert " ".join(f"{n}{letters[t.value]}" for t, n in line.mix) in first
        assert f"tiers: {line.mix_text}" in text_of(app, "#detail")


async def test_field_rows_equal_the_clis(make_app, capsys):
    cli = cli_json(capsys, "gaps", "--by", "object-field")
    per_field = cli_json(capsys, "gaps", "--by", "field")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("g", "g")
        lines = shown(app).shown
        assert [(f.object, f.field, f.missing, f.people) for f in lines] == [
            (r["object"], r["field"], r["missing"], r["people"]) for r in cli]
        # summed over its objects, a field's records are `chaser gaps --by field`'s
        by_field: Counter = Counter()
        for f in lines:
            by_field[f.field] += f.missing
        assert dict(by_field) == {r["field"]: r["missing"] for r in per_field}
        top = lines[0]
        assert f"{top.object}.{top.field}: {top.missing:,} records of {top.people:,} people" \
            in text_of(app, "#detail")


async def test_enter_on_a_team_opens_its_people_and_escape_comes_back(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("g", "down", "down")
        team = shown(app).current
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, OverviewScreen) and app.screen.view == "people"
        people = shown(app).shown
        assert {r.key for r in people} == set(team.keys)
        assert {r.team for r in people} == {team.name}
        assert f"Team: {team.name}" in text_of(app, "#filters")
        assert "Esc: back" in text_of(app, "#filters")
        await pilot.press("escape")
        assert app.screen.view == "teams" and shown(app).current.name == team.name
        assert len(shown(app).shown) == len(app.data.team_lines())  # the team filter is gone
        await pilot.press("enter", "enter")  # a team's person opens as from the people view
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen) and app.screen.key in team.keys


async def test_enter_on_a_field_lists_who_misses_it_and_where(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("g", "g", "down")
        field = shown(app).current
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.view == "records"
        records = shown(app).shown
        assert len(records) == field.missing
        assert {r.key for r in records} == set(field.keys) and len(field.keys) == field.people
        data = app.data
        expected = {(g.owner, g.record_id) for key in field.keys for g in data.gaps_for(key)
                    if g.object == field.object and field.field in g.missing}
        assert {(r.key, r.record_id) for r in records} == expected
        assert all(field.field in r.missing.split(", ") for r in records)
        assert f"View: {field.object}.{field.field} records" in text_of(app, "#filters")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen) and app.screen.key == records[0].key
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("escape")  # out of the records, back on the same field
        assert app.screen.view == "fields" and shown(app).current.key == field.key


async def test_search_and_sort_on_the_roll_ups(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("g", "4")  # teams by records with gaps, most first
        table = shown(app)
        assert table.sort_key == "gaps" and table.sort_reverse
        gaps = [r.with_gaps for r in table.shown]
        assert gaps == sorted(gaps, reverse=True)
        worst = table.current
        assert worst.with_gaps == max(t.with_gaps for t in app.data.team_lines())
        await pilot.press("slash", *"north")
        assert {r.name for r in table.shown} == {t.name for t in app.data.team_lines()
                                                 if "north" in t.name.casefold()}
        assert "Search: north" in text_of(app, "#filters")
        await pilot.press("enter", "g")  # the search follows to the next view
        fields = shown(app)
        assert fields.id == "fields" and not fields.shown  # no field is called "north"
        await pilot.press("escape")  # clears the search on every view
        assert len(fields.shown) == len(app.data.field_lines())
        await pilot.press("4")  # fields by people affected, most first
        people = [f.people for f in fields.shown]
        assert fields.sort_key == "people" and people == sorted(people, reverse=True)
        await pilot.press("g", "g")  # the teams view kept its own sort
        assert shown(app).sort_key == "gaps"


async def test_the_team_filter_and_the_period_apply_to_the_roll_ups(make_app, capsys):
    from chaser.inputs import period_for, summary_for

    team = "LATAM"
    cli = cli_json(capsys, "gaps", "--by", "object-field", "--team", team)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        app.screen.set_team(team)
        await pilot.press("g")
        assert [r.name for r in shown(app).shown] == [team]
        await pilot.press("g")
        assert [(f.object, f.field, f.missing, f.people) for f in shown(app).shown] == [
            (r["object"], r["field"], r["missing"], r["people"]) for r in cli]
        app.screen.set_team("*")
        await pilot.press("g", "g")  # teams
        app.set_period("this-month")
        await settle(pilot)
        summary = summary_for(app.ws, period_for(app.ws, "this-month"))
        rows = shown(app).shown
        assert sum(r.chases for r in rows) == summary.total.chases
        assert {r.name: r.cost for r in rows} == {t: line.cost for t, line in
                                                 summary.by_team.items()}
        assert "Period: this-month" in text_of(app, "#filters")


async def test_a_big_fields_records_are_built_in_a_worker(make_app, monkeypatch):
    from chaser.screens import overview_rollups

    monkeypatch.setattr(overview_rollups, "BIG", 10)  # every demo field is "big" now
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await pilot.press("g", "g")
        field = shown(app).current
        await pilot.press("enter")
        table = shown(app)
        assert table.id == "records"
        await settle(pilot)
        assert len(table.shown) == field.missing and table.empty == "No records match"
        rows = list(table.rows)
        app.reload("chase logged", chases_only=True)  # a chase changes no record: kept
        await settle(pilot)
        assert table.rows == rows and table.rows[0] is rows[0]


async def test_the_palette_and_help_offer_the_views(make_app):
    from chaser.screens.bindings import ranked_bindings

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        live = {b.id: b for _group, _key, b in ranked_bindings(app.screen)}
        assert live["overview.view"].key == "g" and live["overview.view"].show  # footer
        assert live["overview.left_out"].key == "b"
        await pilot.press("ctrl+p", *"Left out")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.view == "buckets"
        await pilot.press("ctrl+p", *"View")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        # from the left-out view (opened on people), on to the view after people
        assert app.screen.view == "teams"
