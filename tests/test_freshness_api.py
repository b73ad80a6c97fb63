"""An API source's snapshot that predates a config change is shown with a warning (stderr and
the TUI header), never re-synced behind the user's back: a sync spends the org's API allowance.
Against the loopback Salesforce server of the connector tests."""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace

import pytest
from conftest import run_cli
from servers.guard import loopback_only  # noqa: F401 - autouse: tests stay on loopback
from sf_server import RULES, TOKEN, SfServer, make_org, scaled, sf_config
from tui_support import settle_fully

from chaser import secrets
from chaser.connectors import http as http_seam
from chaser.workspace import Workspace

COUNTS = {"Opportunity": 40, "Account": 20, "Contact": 10, "Lead": 5}
LEAD_RULE = 'require = ["Email", "Phone", "LeadSource"]'


def drop_lead_source(cfg) -> None:
    cfg.write_text(cfg.read_text().replace(LEAD_RULE, 'require = ["Email", "Phone"]'))


@pytest.fixture
def sf(tmp_path, monkeypatch):
    monkeypatch.setattr(http_seam, "TEST_OPTIONS", scaled(100))
    org = make_org(COUNTS)
    with SfServer(org) as server:
        secrets.put("salesforce", "token", TOKEN)
        cfg = sf_config(tmp_path / "chaser.toml", server.url, RULES, page_size=200)
        yield SimpleNamespace(org=org, cfg=cfg)


def by_field(capsys, cfg) -> tuple[dict[str, str], str]:
    code, out, err = run_cli(capsys, "gaps", "--config", cfg, "--by", "field", "--format", "csv")
    assert code == 0, err
    return {r["field"]: r["missing"] for r in csv.DictReader(io.StringIO(out))}, err


def test_stale_api_snapshot_is_shown_with_a_warning_until_the_next_sync(capsys, sf,
                                                                       monkeypatch):
    assert run_cli(capsys, "sync", "--config", sf.cfg)[0] == 0
    before, err = by_field(capsys, sf.cfg)
    assert err == ""
    requests = len(sf.org.log)
    assert "LeadSource" in before
    drop_lead_source(sf.cfg)
    shown, err = by_field(capsys, sf.cfg)
    assert shown == before  # the old figures, not silently re-synced
    assert len(sf.org.log) == requests  # and no request spent
    (line,) = err.splitlines()
    assert line.startswith("chaser: warning: snapshot of 2026-11-20 09:00 predates a change "
                           "of rules: sync to update")
    for command in (["costs"], ["report"], ["chases"]):
        code, _, err = run_cli(capsys, *command, "--config", sf.cfg)
        assert code == 0 and "predates a change of rules" in err, command
    monkeypatch.setenv("CHASER_NOW", "2026-11-20T10:00:00+00:00")
    assert run_cli(capsys, "sync", "--config", sf.cfg)[0] == 0
    after, err = by_field(capsys, sf.cfg)
    assert err == "" and "LeadSource" not in after


def test_pacing_settings_do_not_make_figures_stale(capsys, sf):
    assert run_cli(capsys, "sync", "--config", sf.cfg)[0] == 0
    sf.cfg.write_text(sf.cfg.read_text().replace("page_size = 200", "page_size = 500"))
    _, err = by_field(capsys, sf.cfg)
    assert err == ""


async def test_tui_header_says_the_snapshot_is_stale(sf, monkeypatch):
    from chaser.app import ChaserApp

    ws = Workspace.open(str(sf.cfg))
    ws.sync()
    drop_lead_source(sf.cfg)
    app = ChaserApp(Workspace.open(str(sf.cfg)))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle_fully(pilot)
        assert app.title == "chaser · as of 2026-11-20 09:00 · STALE: sync (s)"
        notices = [n.message for n in app._notifications]
        assert any("predates a change of rules: sync to update" in m for m in notices)
        await pilot.press("s")  # the sync screen
        await settle_fully(pilot)
        monkeypatch.setenv("CHASER_NOW", "2026-11-20T10:00:00+00:00")
        await pilot.press("s")  # sync now
        await settle_fully(pilot)
        assert app.title == "chaser · as of 2026-11-20 10:00"
