"""Pilot tests of the sync screen on a Salesforce source: `c` checks the login, `f` re-reads
everything, `s` after a first sync reads only the changes. The org is served by the loopback
server of the connector tests (tests/sf_server.py); the guard keeps every test on 127.0.0.1."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from servers.guard import loopback_only  # noqa: F401 - autouse: tests stay on loopback
from sf_server import RULES, TOKEN, SfServer, make_org, scaled, sf_config
from textual.widgets import ProgressBar, Static
from tui_support import settle_fully as settle

from chaser import secrets
from chaser.connectors import http as http_seam
from chaser.errors import ChaserError
from chaser.screens.sync import ObjectRow, SyncScreen
from chaser.workspace import Workspace

SIZE = (100, 30)
COUNTS = {"Opportunity": 12, "Account": 8, "Contact": 6, "Lead": 5}
LATER = "2026-11-20T10:00:00+00:00"


@pytest.fixture
def sf(tmp_path, monkeypatch):
    monkeypatch.setattr(http_seam, "TEST_OPTIONS", scaled(100))  # retries without waiting
    org = make_org(COUNTS)
    with SfServer(org) as server:
        secrets.put("salesforce", "token", TOKEN)
        cfg = sf_config(tmp_path / "chaser.toml", server.url, RULES, page_size=200)
        yield SimpleNamespace(org=org, url=server.url, cfg=cfg)


@pytest.fixture
def app(sf):
    from chaser.app import ChaserApp

    return ChaserApp(Workspace.open(str(sf.cfg)))


async def open_sync(pilot) -> SyncScreen:
    await settle(pilot)  # the first load takes the first snapshot (a full read)
    await pilot.press("s")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, SyncScreen)
    return screen


def status(screen) -> str:
    return str(screen.query_one("#sync-status", Static).visual)


def notes(screen) -> str:
    return str(screen.query_one("#sync-notes", Static).visual)


def on_screen(app) -> str:
    """Every text the screen and its notifications show."""
    texts = [str(w.visual) for w in app.screen.query(Static)]
    texts += [f"{n.title} {n.message}" for n in app._notifications]
    return "\n".join(texts)


def queries(org) -> dict[str, list[dict]]:
    """The record reads the server saw (not the user directory), by object."""
    out: dict[str, list[dict]] = {}
    for e in org.log:
        if e["kind"] == "query" and e["object"] in COUNTS:
            out.setdefault(e["object"], []).append(e)
    return out


def test_whoami_has_no_login_for_the_demo():
    with pytest.raises(ChaserError, match="no login"):
        Workspace.open(demo=True).whoami()


def test_whoami_of_a_salesforce_source(sf):
    line = Workspace.open(str(sf.cfg)).whoami()
    assert line.startswith(f"connected to {sf.url} as Jane Admin") and TOKEN not in line


async def test_c_says_who_the_login_is_without_the_token(app, sf):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sync(pilot)
        await pilot.press("c")
        await settle(pilot)
        connection = [n for n in app._notifications if n.title == "Connection"]
        assert len(connection) == 1
        line = connection[0].message
        assert line.startswith(f"connected to {sf.url} as Jane Admin (jane.admin@example.com)")
        assert line in notes(screen)
        assert "Jane Admin" in on_screen(app)  # the check below looks at what is shown
        assert TOKEN not in on_screen(app)
        assert not [n for n in app._notifications if n.severity == "error"]


async def test_f_runs_a_full_sync_with_a_row_per_object(app, sf):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sync(pilot)
        sf.org.log.clear()
        await pilot.press("f")
        await settle(pilot)
        assert status(screen).startswith("Done:")
        rows = list(screen.query(ObjectRow))
        assert {r.object for r in rows} == set(COUNTS)
        for row in rows:
            assert row.last.done and row.query_one(ProgressBar).percentage == 1
            assert row.last.records == COUNTS[row.object]
        seen = queries(sf.org)
        assert set(seen) == set(COUNTS)
        for obj, reads in seen.items():  # a full read: no "changed since" filter
            assert not [e for e in reads if "SystemModstamp >" in e["query"]["q"]], obj
            assert sum(e["rows"] for e in reads) == COUNTS[obj], obj
        assert "changes since the last sync" not in notes(screen)
        assert TOKEN not in on_screen(app)


async def test_s_after_a_first_sync_reads_only_the_changes(app, sf, monkeypatch):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sync(pilot)
        rid = next(iter(sf.org.data["Opportunity"]))
        sf.org.change("Opportunity", rid, NextStep=None)
        sf.org.log.clear()
        monkeypatch.setenv("CHASER_NOW", LATER)
        await pilot.press("s")
        await settle(pilot)
        assert status(screen).startswith("Done:")
        assert "changes since the last sync" in notes(screen)
        seen = queries(sf.org)
        assert set(seen) == set(COUNTS)
        for obj, reads in seen.items():
            assert all("SystemModstamp >" in e["query"]["q"] for e in reads), obj
        assert sum(e["rows"] for e in seen["Opportunity"]) == 1
        assert {r.object for r in screen.query(ObjectRow)} == set(COUNTS)


async def test_c_with_a_wrong_token_is_a_one_line_error(app, sf):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_sync(pilot)
        wrong = "00Dwrong!not-a-session-id"
        secrets.put("salesforce", "token", wrong)
        await pilot.press("c")
        await settle(pilot)
        errors = [n for n in app._notifications if n.severity == "error"]
        assert len(errors) == 1
        message = errors[0].message
        assert errors[0].title == "Error" and "\n" not in message.strip()
        assert "INVALID_SESSION_ID" in message and "chaser connect salesforce" in message
        assert "Traceback" not in on_screen(app)
        assert wrong not in on_screen(app) and TOKEN not in on_screen(app)
        assert not [n for n in app._notifications if n.title == "Connection"]
        assert isinstance(app.screen, SyncScreen) and app.screen is screen
