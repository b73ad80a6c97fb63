"""Leftovers of killed processes are removed at start, never a live writer's files (issue 9,
point 7). Values out of range: tests/test_bad_input.py."""

from __future__ import annotations

import os
import time

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
