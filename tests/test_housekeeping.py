"""Leftovers of killed processes are removed at start, never a live writer's files; values out
of range are clear errors (issue 9, points 6 and 7)."""

from __future__ import annotations

import os
import time

import pytest
from conftest import csv_org, run_cli

from chaser.store import Store

PEOPLE = "name,team\nAnn,West\n"
DEALS = "id,owner,stage,amount\n1,Ann,Won,\n"


def age(path, seconds: float) -> None:
    t = time.time() - seconds
    os.utime(path, (t, t))


def test_old_temp_files_and_unreferenced_gaps_go_young_ones_stay(tmp_path, capsys):
    cfg = csv_org(tmp_path, PEOPLE, DEALS)
    assert run_cli(capsys, "gaps", "--config", cfg)[0] == 0
    from chaser.workspace import Workspace

    root = Workspace.open(str(cfg)).store.root
    snaps = root / "snapshots"
    (live,) = [p for p in snaps.iterdir() if p.name != "index.json" and p.suffix == ".json"]
    old_tmp = root / "chases" / ".2026-11.json.0123456789ab.tmp"
    old_tmp.parent.mkdir(exist_ok=True)
    young_tmp = snaps / ".index.json.abcdefabcdef.tmp"
    orphan = snaps / "20261101T000000000000Z.json"  # a sync killed before its index entry
    young_orphan = snaps / "20261119T000000000000Z.json"  # a sync writing its index right now
    other = snaps / "notes.txt"  # not ours: never touched
    for p in (old_tmp, young_tmp, orphan, young_orphan, other):
        p.write_bytes(b"x")
    for p in (old_tmp, orphan, other, live):
        age(p, 3600)
    removed = Store(root).housekeep()
    assert removed == 2
    assert not old_tmp.exists() and not orphan.exists()
    assert young_tmp.exists() and young_orphan.exists() and other.exists() and live.exists()
    assert run_cli(capsys, "gaps", "--config", cfg)[0] == 0  # the live snapshot still reads


@pytest.mark.parametrize("value", ["garbage", "0001-01-01T00:00:00Z", "9999-12-31"])
def test_bad_chaser_now_is_one_clear_line(capsys, monkeypatch, value):
    monkeypatch.setenv("CHASER_NOW", value)
    code, out, err = run_cli(capsys, "gaps", "--demo")
    assert code == 2 and err.count("\n") == 1 and "CHASER_NOW" in err


@pytest.mark.parametrize("costs, message", [
    ("teams = 5", "must be a table"),
    ("admin_hourly_rate = 1e308", "from 0 to 10,000"),
    ("rep_hourly_rate = -1", "from 0 to 10,000"),
    ("[costs.teams.West]\nadmin_hourly_rate = 20000", "from 0 to 10,000"),
])
def test_cost_settings_in_range(tmp_path, capsys, costs, message):
    head = "" if costs.startswith("[costs.teams") else "[costs]\n"
    cfg = csv_org(tmp_path, PEOPLE, DEALS, extra=head + costs + "\n")
    code, out, err = run_cli(capsys, "gaps", "--config", cfg)
    assert code == 2 and message in err and err.count("\n") == 1, err


def test_deeply_nested_toml_is_a_clear_error(tmp_path, capsys):
    cfg = tmp_path / "chaser.toml"
    cfg.write_text("x = " + "[" * 50_000 + "]" * 50_000 + "\n")
    code, out, err = run_cli(capsys, "gaps", "--config", cfg)
    assert code == 2 and "nested too deep" in err and err.count("\n") == 1


def test_log_at_far_past_is_refused(capsys):
    code, out, err = run_cli(capsys, "log", "Kevin Patel", "--demo", "--minutes", "5", "--at",
                             "0001-01-01T00:00")
    assert code == 2 and "out of range" in err and err.count("\n") == 1
