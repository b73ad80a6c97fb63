"""The CLI as a demanding new user finds it: odd input, bugs, Ctrl-C, people who left, and
tables that say what they leave out, a demo seed cut short. Most of these failed before
the fix they name; the rest guard what already worked (Ctrl-C, an unwritable folder)."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import csv_org, run_cli

from chaser.connectors.csv import CsvConnector
from chaser.store import Store
from chaser.workspace import Workspace

run = run_cli


@pytest.fixture
def org(tmp_path):
    return csv_org(tmp_path, "id,name,team\nu1,Ann Lee,East\nu2,Bob Roy,West\n",
                   "id,owner,stage,amount\n1,u1,Won,\n2,u2,Won,5\n3,ghost,Won,\n", key="id")


def one_line_error(code, err, fragment):
    assert code == 2, err
    assert err.startswith("chaser: error: ") and err.count("\n") == 1, err
    assert fragment in err, err


# ---- exit 1: a bug says so briefly, with the traceback only on request ----------------------


def test_an_unexpected_error_is_one_short_message_and_exit_1(capsys, monkeypatch, org):
    monkeypatch.setenv("CHASER_SALESFORCE_TOKEN", "tok-SECRET-123")

    def boom(args):
        raise RuntimeError("lost the thread near tok-SECRET-123")

    monkeypatch.setattr("chaser.commands.gaps.run", boom)
    code, out, err = run(capsys, "gaps", "--config", org)
    assert code == 1 and out == ""
    lines = err.splitlines()
    assert lines[0] == "chaser: internal error: RuntimeError: lost the thread near ***"
    assert "report it" in lines[1] and "CHASER_DEBUG=1" in lines[1] and len(lines) == 2
    assert "Traceback" not in err and "tok-SECRET-123" not in err

    monkeypatch.setenv("CHASER_DEBUG", "1")
    code, _, err = run(capsys, "gaps", "--config", org)
    assert code == 1 and "Traceback (most recent call last)" in err and "in boom" in err
    assert "tok-SECRET-123" not in err


def test_python_m_chaser_exits_1_without_a_traceback_flood(tmp_path):
    env = {**os.environ, "CHASER_HOME": str(tmp_path / "home")}
    env.pop("CHASER_DEBUG", None)
    # A bug planted in the parser (every user mistake is exit 2 now, CHASER_NOW included),
    # then `python -m chaser` as it runs.
    plant = ("import runpy, chaser.cli as c\n"
             "def boom(): raise ValueError('planted bug')\n"
             "c.build_parser = boom\n"
             "runpy.run_module('chaser', run_name='__main__')\n")
    done = subprocess.run([sys.executable, "-c", plant, "gaps", "--demo"], env=env,
                          capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parents[1])
    assert done.returncode == 1
    assert done.stderr.startswith("chaser: internal error: ValueError: planted bug")
    assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) == 2


# ---- bad input is exit 2, never a traceback ---------------------------------------------------


@pytest.mark.parametrize("minutes", ["²", "５", "1e2", "-5", " "])
def test_odd_minutes_are_a_user_error(capsys, org, minutes):
    code, _, err = run(capsys, "log", "Ann Lee", "--config", org, "--minutes", minutes)
    one_line_error(code, err, "minutes must be a whole number from 1 to 600")


def test_an_unwritable_data_folder_is_a_user_error(capsys, monkeypatch, org):
    def refuse(path, mode=0o777):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(os, "mkdir", refuse)
    code, _, err = run(capsys, "gaps", "--config", org)
    one_line_error(code, err, "cannot create folder")
    assert "Permission denied" in err


def test_a_file_in_the_way_of_a_data_folder_is_named(capsys, org, chaser_home):
    org.write_text(org.read_text(encoding="utf-8") + '[admin]\nid = "ann"\n', encoding="utf-8")
    assert run(capsys, "sync", "--config", org, "-q")[0] == 0
    (root,) = [p for p in (chaser_home / "data").iterdir() if p.is_dir()]
    (root / "ledger").write_text("not a folder", encoding="utf-8")
    code, _, err = run(capsys, "log", "Ann Lee", "--config", org, "--minutes", "5")
    one_line_error(code, err, f"{root / 'ledger'}: a file of that name is in the way")
    assert (root / "ledger").read_text(encoding="utf-8") == "not a folder"
    code, _, err = run(capsys, "chases", "--config", org)  # a read names it too
    one_line_error(code, err, f"{root / 'ledger'}: a file of that name is in the way")


def test_a_rule_on_a_missing_field_names_the_config_and_the_data_file(capsys, org):
    org.write_text(org.read_text(encoding="utf-8").replace('require = ["amount"]', 'require = ["amout"]'),
                   encoding="utf-8")
    code, _, err = run(capsys, "gaps", "--config", org)
    one_line_error(code, err, f"{org}:13: key 'rules[0]': a rule on Deal names field 'amout'")
    assert ("deals.csv does not have (did you mean 'amount'? 4 columns, nearest first: "
            "'amount', 'id', 'owner', 'stage')") in err


def test_a_rule_on_an_object_no_file_holds_is_an_error_not_a_silent_100(capsys, org):
    org.write_text(org.read_text(encoding="utf-8").replace('object = "Deal"\nrequire', 'object = "Deals"\nrequire'),
                   encoding="utf-8")
    code, _, err = run(capsys, "gaps", "--config", org)
    one_line_error(code, err, "key 'rules[0].object': no [[source.csv.objects]] has object "
                              "'Deals' (objects: Deal)")


def test_ctrl_c_during_sync_exits_130_and_keeps_the_previous_snapshot(capsys, monkeypatch, org,
                                                                      chaser_home):
    assert run(capsys, "sync", "--config", org, "-q")[0] == 0
    before = Workspace.open(str(org)).store.latest_snapshot()
    monkeypatch.setenv("CHASER_NOW", "2026-11-21T09:00:00Z")

    def interrupted(self, obj, progress, cancel):
        yield from ()
        raise KeyboardInterrupt

    monkeypatch.setattr(CsvConnector, "batches", interrupted)
    code, out, err = run(capsys, "sync", "--config", org, "-q")
    assert (code, out, err) == (130, "", "chaser: cancelled\n")
    store = Workspace.open(str(org)).store
    assert [s.id for s in store.snapshot_history()] == [before.id]
    assert store.latest_snapshot() == before


# ---- what the tables and the sync line say --------------------------------------------------


def test_gaps_table_says_what_it_does_not_blame(capsys, org):
    code, out, _ = run(capsys, "gaps", "--config", org)
    assert code == 0
    assert out.splitlines()[-1] == "Not blamed: 1 record of unknown owners — see --by bucket"
    for argv in (("--format", "csv"), ("--format", "json"), ("--team", "East"), ("--by", "bucket")):
        _, out, _ = run(capsys, "gaps", "--config", org, *argv)
        assert "Not blamed" not in out, argv
    _, out, _ = run(capsys, "gaps", "--config", org, "--by", "team")
    assert out.splitlines()[-1].startswith("Not blamed: 1 record of unknown owners")


def test_gaps_on_the_demo_names_every_bucket(capsys):
    code, out, _ = run(capsys, "gaps", "--demo")
    assert code == 0
    assert out.splitlines()[-1] == ("Not blamed: 424 records of inactive owners, 530 of queues, "
                                    "19 with blanks their owner cannot edit — see --by bucket")


def test_sync_line_says_completeness_leaves_the_buckets_out(capsys, org):
    code, out, _ = run(capsys, "sync", "--config", org, "-q")
    # 3 records, 2 with gaps in all; people own 2, 1 with a gap: 50.0%, not 33.3%
    assert code == 0 and "3 records in 1 object, 2 people, 2 records with gaps, completeness " \
                         "50.0%; not blamed: 1 record of unknown owners (" in out


# ---- people who left stay findable in the chase log -----------------------------------------


def test_chases_of_someone_who_left_still_list_by_name_and_key(capsys, monkeypatch, org):
    assert run(capsys, "log", "Bob Roy", "--config", org, "--minutes", "9",
               "--at", "2026-11-10T10:00")[0] == 0
    # Bob leaves: the next export has neither him nor his deal.
    (org.parent / "people.csv").write_text("id,name,team\nu1,Ann Lee,East\n", encoding="utf-8")
    (org.parent / "deals.csv").write_text("id,owner,stage,amount\n1,u1,Won,\n", encoding="utf-8")
    monkeypatch.setenv("CHASER_NOW", "2026-11-21T09:00:00Z")
    assert run(capsys, "sync", "--config", org, "-q")[0] == 0
    for who in ("bob roy", "u2"):
        code, out, err = run(capsys, "chases", "--config", org, "--person", who, "--format", "csv")
        assert code == 0, err
        rows = list(csv.DictReader(io.StringIO(out)))
        assert [(r["person"], r["team"], r["minutes"]) for r in rows] == [
            ("Bob Roy", "(unknown)", "9")]
    code, _, err = run(capsys, "chases", "--config", org, "--person", "Nobody")
    one_line_error(code, err, "unknown person 'Nobody'")
    code, _, err = run(capsys, "log", "Bob Roy", "--config", org, "--minutes", "5")
    one_line_error(code, err, "unknown person 'Bob Roy'")  # nobody new is chased who left


def test_chases_team_filter_refuses_an_unknown_team(capsys, org):
    code, _, err = run(capsys, "chases", "--config", org, "--team", "Nowhere")
    one_line_error(code, err, "unknown team 'Nowhere' (teams: East, West)")


def test_people_with_takes_names_from_older_snapshots(org, monkeypatch):
    ws = Workspace.open(str(org))
    ws.sync()
    (org.parent / "people.csv").write_text("id,name,team\nu1,Ann Lee,East\n", encoding="utf-8")
    monkeypatch.setenv("CHASER_NOW", "2026-11-21T09:00:00Z")
    ws.sync()
    found = {p.key: p.name for p in ws.people_with({"u1", "u2", "u9"})}
    assert found == {"u1": "Ann Lee", "u2": "Bob Roy", "u9": "u9"}



# ---- the demo's first run, cut short --------------------------------------------------------


def test_a_demo_seed_cut_short_does_not_double_the_history(tmp_path):
    from datetime import UTC, datetime, timedelta

    from chaser.config import demo_settings
    from chaser.connectors.demo import HISTORY_WEEKS, demo_chases
    from chaser.sync import seed_demo

    now = datetime(2026, 11, 20, 9, tzinfo=UTC)
    store, settings = Store(tmp_path / "demo"), demo_settings()
    real_set_meta = store.set_meta

    def ctrl_c(key, value):  # everything is stored but the "seeded" flag
        raise KeyboardInterrupt

    store.set_meta = ctrl_c
    with pytest.raises(KeyboardInterrupt):
        seed_demo(settings, store, now)
    store.set_meta = real_set_meta
    assert seed_demo(settings, store, now + timedelta(minutes=1)) is True  # the next run
    assert len(store.chases()) == len(demo_chases(now))
    history = store.snapshot_history()
    assert len(history) == HISTORY_WEEKS + 2  # the weeks once; a "now" snapshot per run
    assert seed_demo(settings, store, now + timedelta(minutes=2)) is False
