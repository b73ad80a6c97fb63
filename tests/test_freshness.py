"""Figures always match the current config and source (issue 8): a snapshot records a
fingerprint; a demo or CSV source whose config or files changed re-syncs first (one line on
stderr says why), an API source shows its figures with a warning. Snapshots are listed and
dropped with `chaser snapshots`; the latest is the one stored last, whatever its time stamp."""

from __future__ import annotations

import csv
import io
import json
import os

import pytest
from conftest import csv_org, run_cli

from chaser.freshness import changed, fingerprint
from chaser.workspace import Workspace

PEOPLE = "name,team,manager\nAnn,West,Mo\nBob,East,Lu\n"
DEALS = "id,owner,stage,amount,account\n1,Ann,Won,,x\n2,Ann,Won,5,\n3,Bob,Lost,,\n4,Bob,Won,7,y\n"


@pytest.fixture
def org(tmp_path):
    return csv_org(tmp_path, PEOPLE, DEALS, require=("amount",), when=None)


def gaps(capsys, cfg, *args):
    code, out, err = run_cli(capsys, "gaps", "--config", cfg, "--format", "csv", *args)
    assert code == 0, err
    return list(csv.DictReader(io.StringIO(out))), err


def test_first_read_names_no_change_and_stays_quiet(capsys, org):
    rows, err = gaps(capsys, org)
    assert {r["person"]: r["records_with_gaps"] for r in rows} == {"Ann": "1", "Bob": "1"}
    rows, err = gaps(capsys, org)
    assert err == ""  # current: no re-sync, no note
    assert len(Workspace.open(str(org)).store.stored_snapshots()) == 1


def test_a_rule_added_changes_the_figures_at_once(capsys, org):
    gaps(capsys, org)
    with org.open("a") as f:
        f.write('[[rules]]\nobject = "Deal"\nrequire = ["account"]\n')
    rows, err = gaps(capsys, org, "--by", "field")
    assert {r["field"]: r["missing"] for r in rows} == {"amount": "2", "account": "2"}
    assert err.count("\n") == 1 and err.startswith("chaser: note: rules changed since the "
                                                   "snapshot of ") and "syncing again" in err


def test_a_removed_rule_field_is_gone_from_by_field(capsys, tmp_path):
    cfg = csv_org(tmp_path, PEOPLE, DEALS, require=("amount", "account"), when=None)
    rows, _ = gaps(capsys, cfg, "--by", "field")
    assert {r["field"] for r in rows} == {"amount", "account"}
    cfg.write_text(cfg.read_text().replace('require = ["amount", "account"]',
                                           'require = ["amount"]'))
    rows, err = gaps(capsys, cfg, "--by", "field")
    assert {r["field"] for r in rows} == {"amount"} and "rules changed" in err


def test_placeholders_changed(capsys, org):
    gaps(capsys, org)
    (org.parent / "deals.csv").write_text(DEALS.replace("4,Bob,Won,7,y", "4,Bob,Won,tbd,y"))
    rows, err = gaps(capsys, org)
    assert {r["person"]: r["records_with_gaps"] for r in rows}["Bob"] == "2"  # tbd is blank
    assert "deals.csv changed" in err
    with org.open("a") as f:
        f.write('[placeholders]\nvalues = ["n/a"]\n')  # tbd is a value again
    rows, err = gaps(capsys, org)
    assert {r["person"]: r["records_with_gaps"] for r in rows}["Bob"] == "1"
    assert "placeholders changed" in err


def test_tiers_changed(capsys, org):
    gaps(capsys, org)
    with org.open("a") as f:
        f.write("[tiers]\ngrade_a = 50\nmoderate = 40\n")
    rows, err = gaps(capsys, org)
    assert {r["tier"] for r in rows} == {"grade-a"} and "tiers changed" in err


def test_a_misspelt_team_column_is_an_error_not_old_figures(capsys, org):
    gaps(capsys, org)
    org.write_text(org.read_text().replace('team = "team"', 'team = "teem"'))
    code, out, err = run_cli(capsys, "gaps", "--config", org)
    assert code == 2 and out == ""
    assert "source changed" in err and "teem" in err.splitlines()[-1]


def test_a_source_mapping_change_resyncs(capsys, org):
    gaps(capsys, org, "--by", "team")
    org.write_text(org.read_text().replace('team = "team"', 'team = "manager"'))
    rows, err = gaps(capsys, org, "--by", "team")
    assert {r["team"] for r in rows} == {"Mo", "Lu"} and "source changed" in err


def test_a_re_export_with_fewer_rows_is_counted_again(capsys, org):
    gaps(capsys, org)
    (org.parent / "deals.csv").write_text("id,owner,stage,amount,account\n1,Ann,Won,,x\n")
    rows, err = gaps(capsys, org)
    assert {r["person"]: r["records"] for r in rows} == {"Ann": "1", "Bob": "0"}
    assert "deals.csv changed" in err


def test_same_size_edit_is_seen_by_its_modification_time(capsys, org):
    gaps(capsys, org)
    deals = org.parent / "deals.csv"
    deals.write_text(DEALS.replace("2,Ann,Won,5,", "2,Ann,Won,,5"))  # same size
    st = os.stat(deals)
    os.utime(deals, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    rows, err = gaps(capsys, org)
    assert {r["person"]: r["records_with_gaps"] for r in rows}["Ann"] == "2"


def test_people_file_changed(capsys, org):
    gaps(capsys, org)
    (org.parent / "people.csv").write_text(PEOPLE.replace("Bob,East", "Bob,North"))
    rows, err = gaps(capsys, org)
    assert {r["person"]: r["team"] for r in rows}["Bob"] == "North" and "people.csv" in err


def test_every_reading_command_is_fresh(capsys, org):
    gaps(capsys, org)
    assert run_cli(capsys, "log", "Bob", "--config", org, "--minutes", "30")[0] == 0
    (org.parent / "people.csv").write_text(PEOPLE.replace("Bob,East", "Bob,North"))
    code, out, err = run_cli(capsys, "costs", "--config", org, "--by", "team", "--format",
                             "csv")
    assert code == 0 and "North" in out and "East" not in out and "people.csv" in err
    (org.parent / "people.csv").write_text(PEOPLE.replace("Bob,East", "Bob,South"))
    code, out, err = run_cli(capsys, "report", "--config", org)
    assert code == 0 and "South" in out and "people.csv" in err
    (org.parent / "people.csv").write_text(PEOPLE.replace("Bob,East", "Bob,Polar"))
    out_file = org.parent / "hr.csv"
    code, out, err = run_cli(capsys, "export", "hr", "--config", org, "--period", "2026-11",
                             "--out", out_file)
    assert code == 0 and "Polar" in out_file.read_text(encoding="utf-8-sig")
    assert "people.csv" in err


def test_table_output_names_its_snapshot(capsys, org):
    code, out, _ = run_cli(capsys, "gaps", "--config", org)
    snap = Workspace.open(str(org)).store.latest_summary()
    assert out.splitlines()[0] == f"As of 2026-11-20 09:00 (UTC), snapshot {snap.id}"


def test_a_snapshot_stored_before_fingerprints_is_taken_again(capsys, org, monkeypatch):
    gaps(capsys, org)
    monkeypatch.setenv("CHASER_NOW", LATER)
    ws = Workspace.open(str(org))
    index = ws.store.root / "snapshots" / "index.json"
    data = json.loads(index.read_text())
    for doc in data["snapshots"].values():
        del doc["fingerprint"]
    index.write_text(json.dumps(data))
    _, err = gaps(capsys, org)
    assert "predates fingerprints" in err
    assert len(ws.store.stored_snapshots()) == 2


def test_fingerprint_ignores_where_a_rule_is_written(org):
    before = fingerprint(Workspace.open(str(org)).settings)
    org.write_text("# a comment moves every line down\n\n" + org.read_text())
    assert changed(before, fingerprint(Workspace.open(str(org)).settings)) == []


# ---- the latest is the one stored last ----------------------------------------------------


def test_a_sync_with_the_clock_behind_is_the_latest(capsys, org, monkeypatch):
    gaps(capsys, org)
    (org.parent / "deals.csv").write_text(DEALS + "5,Ann,Won,,z\n")
    monkeypatch.setenv("CHASER_NOW", "2026-11-19T09:00:00+00:00")  # a day behind
    code, out, err = run_cli(capsys, "sync", "--config", org)
    assert code == 0 and "is the clock behind?" in out
    ws = Workspace.open(str(org))
    stored = ws.store.stored_snapshots()
    assert ws.store.latest_summary().id == stored[-1].id
    assert stored[-1].taken_at < stored[0].taken_at
    rows, err = gaps(capsys, org)
    assert {r["person"]: r["records"] for r in rows}["Ann"] == "3" and err == ""
    # history (trends, "as of a date") stays in time order
    assert [s.id for s in ws.store.snapshot_history()] == [stored[1].id, stored[0].id]


LATER = "2026-11-20T10:00:00+00:00"  # snapshot ids are times: a second one needs another


def test_snapshots_list_and_drop(capsys, org, monkeypatch):
    gaps(capsys, org)
    monkeypatch.setenv("CHASER_NOW", LATER)
    with org.open("a") as f:
        f.write('[[rules]]\nobject = "Deal"\nrequire = ["account"]\n')
    gaps(capsys, org)  # an experiment: a second snapshot with another rule
    code, out, _ = run_cli(capsys, "snapshots", "--config", org, "--format", "json")
    listed = json.loads(out)
    assert len(listed) == 2
    assert [r["config"] for r in listed] == ["changed", "current"]
    assert [r["latest"] for r in listed] == [False, True]
    assert listed[1]["records"] == 4 and listed[1]["records_with_gaps"] == 3
    assert listed[1]["completeness_pct"] == 25.0
    code, out, _ = run_cli(capsys, "snapshots", "--config", org)
    assert "LATEST" in out and "taken at" in out

    first = listed[0]["id"]
    code, out, err = run_cli(capsys, "snapshots", "drop", first, "--config", org)
    assert code == 2 and "--yes" in err and err.count("\n") == 1
    assert len(Workspace.open(str(org)).store.stored_snapshots()) == 2
    code, out, err = run_cli(capsys, "snapshots", "drop", first, "--yes", "--config", org)
    assert code == 0 and f"dropped snapshot {first}" in out
    store = Workspace.open(str(org)).store
    assert [s.id for s in store.snapshot_history()] == [listed[1]["id"]]
    assert not (store.root / "snapshots" / f"{first}.json").exists()
    code, out, err = run_cli(capsys, "snapshots", "drop", "nope", "--yes", "--config", org)
    assert code == 2 and "no snapshot with id 'nope'" in err


def test_dropping_the_latest_makes_the_previous_one_current(capsys, org, monkeypatch):
    gaps(capsys, org)
    monkeypatch.setenv("CHASER_NOW", LATER)
    run_cli(capsys, "sync", "--config", org)
    store = Workspace.open(str(org)).store
    first, second = (s.id for s in store.stored_snapshots())
    assert run_cli(capsys, "snapshots", "drop", second, "--yes", "--config", org)[0] == 0
    assert store.latest_summary().id == first
    _, err = gaps(capsys, org)
    assert err == "" and store.latest_summary().id == first  # still current: no re-sync
