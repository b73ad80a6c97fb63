"""The CLI contract: commands, formats, exit codes and one-line errors (issue 2)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from conftest import csv_org, run_cli

from chaser.cli import main

MAVEN_TOML = """\
[source]
kind = "csv"

[source.csv.people]
path = "{dir}/sales_teams.csv"
key = "sales_agent"
team = "regional_office"
manager = "manager"

[[source.csv.objects]]
object = "Opportunity"
path = "{dir}/sales_pipeline.csv"
id = "opportunity_id"
owner = "sales_agent"

[[rules]]
object = "Opportunity"
require = ["account"]
when = {{ field = "deal_stage", in = ["Engaging", "Won", "Lost"] }}

[[rules]]
object = "Opportunity"
require = ["close_date", "close_value"]
when = {{ field = "deal_stage", in = ["Won", "Lost"] }}
"""


run = run_cli


@pytest.fixture
def maven_config(tmp_path, maven):
    p = tmp_path / "maven.toml"
    p.write_text(MAVEN_TOML.format(dir=maven.as_posix()), encoding="utf-8")
    return p


@pytest.fixture
def small_config(tmp_path):
    return csv_org(
        tmp_path,
        "name,team,email\nAnn Lee,East,ann@x.test\nBob Ray,East,bob@x.test\n"
        "Bob Ray Jr,West,bobjr@x.test\nCy Dee,West,cy@x.test\n",
        "id,owner,stage,amount\n1,Ann Lee,Won,\n2,Ann Lee,Won,5\n3,Bob Ray,Open,\n"
        "4,Ghost,Won,\n")


def expected_maven(maven):
    """Per-agent figures straight from the raw CSV, independent of chaser's code."""
    agents = {}
    with open(maven / "sales_teams.csv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            agents[r["sales_agent"]] = {"team": r["regional_office"], "records": 0, "gaps": 0,
                                        "missing": 0}
    with open(maven / "sales_pipeline.csv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            a = agents[r["sales_agent"]]
            a["records"] += 1
            missing = 0
            if r["deal_stage"] in ("Engaging", "Won", "Lost") and not r["account"].strip():
                missing += 1
            if r["deal_stage"] in ("Won", "Lost"):
                missing += sum(1 for k in ("close_date", "close_value") if not r[k].strip())
            a["gaps"] += missing > 0
            a["missing"] += missing
    return agents


def test_gaps_csv_on_maven_matches_raw_data(capsys, maven_config, maven):
    code, out, err = run(capsys, "gaps", "--config", str(maven_config), "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == ["person", "team", "records", "records_with_gaps", "missing_fields",
                             "completeness_pct", "tier", "late_gaps", "median_days_open",
                             "last_login"]
    expected = expected_maven(maven)
    assert len(rows) == 35 and {r["person"] for r in rows} == set(expected)
    for r in rows:
        e = expected[r["person"]]
        assert r["team"] == e["team"]
        assert int(r["records"]) == e["records"]
        assert int(r["records_with_gaps"]) == e["gaps"]
        assert int(r["missing_fields"]) == e["missing"]
        if e["records"]:
            pct = round(100 * (e["records"] - e["gaps"]) / e["records"], 1)
            assert float(r["completeness_pct"]) == pct
            want = "grade-a" if pct >= 95 else "moderate" if pct >= 70 else "ineffective"
            assert r["tier"] == want
        else:
            assert r["completeness_pct"] == "" and r["tier"] == "none"
    assert sum(r["tier"] == "none" for r in rows) == 5


def test_gaps_by_team_field_and_records(capsys, maven_config):
    code, out, _ = run(capsys, "gaps", "--config", str(maven_config), "--by", "team",
                       "--format", "json")
    teams = json.loads(out)
    assert code == 0 and {t["team"] for t in teams} == {"Central", "East", "West"}
    assert sum(t["people"] for t in teams) == 35
    code, out, _ = run(capsys, "gaps", "--config", str(maven_config), "--by", "field",
                       "--format", "csv")
    assert out.splitlines()[0] == "field,missing" and "account" in out
    code, out, _ = run(capsys, "gaps", "--config", str(maven_config), "--records",
                       "--person", "darcel schlecht", "--format", "csv")
    lines = out.splitlines()
    assert lines[0] == "person,object,record_id,record_name,missing_fields"
    assert all(line.startswith("Darcel Schlecht,Opportunity,") for line in lines[1:])


def test_sync_prints_one_line(capsys, small_config):
    code, out, _ = run(capsys, "sync", "--config", str(small_config))
    # One line of figures; the only note is on the owner no person matches (Ghost).
    first, *notes = out.strip().splitlines()
    assert code == 0 and "Ghost" not in first and len(notes) == 1 and "'Ghost'" in notes[0]
    assert "4 records" in out and "synced CSV" in out


def test_unknown_owner_goes_to_a_bucket(capsys, small_config):
    code, out, _ = run(capsys, "gaps", "--config", str(small_config), "--by", "bucket",
                       "--format", "csv")
    assert code == 0 and "unknown owner,1,1,1" in out
    _, out, _ = run(capsys, "gaps", "--config", str(small_config), "--format", "csv")
    assert "Ghost" not in out


def test_log_list_and_void(capsys, small_config):
    cfg = str(small_config)
    code, out, err = run(capsys, "log", "ann lee", "--config", cfg, "--minutes", "12",
                         "--fields", "amount", "--outcome", "promised", "--note", "=HYPERLINK(x)",
                         "--at", "2026-11-18T10:30", "--by", "Priya")
    assert code == 0, err
    chase_id = out.split()[2].rstrip(":")
    code, out, _ = run(capsys, "chases", "--config", cfg, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 1 and rows[0]["id"] == chase_id
    assert rows[0]["person"] == "Ann Lee" and rows[0]["minutes"] == "12"
    assert rows[0]["fields"] == "amount" and rows[0]["by"] == "Priya"
    assert rows[0]["voided"] == "false"
    code, out, _ = run(capsys, "chases", "void", chase_id, "--config", cfg, "--reason", "dup")
    assert code == 0
    _, out, _ = run(capsys, "chases", "--config", cfg, "--format", "json")
    assert json.loads(out)[0]["voided"] is True
    code, _, err = run(capsys, "chases", "void", chase_id, "--config", cfg, "--reason", "again")
    assert code == 2 and chase_id in err


def test_chases_filters(capsys, small_config):
    cfg = str(small_config)
    for who, day in (("Ann Lee", "2026-11-02"), ("cy@x.test", "2026-11-10")):
        assert run(capsys, "log", who, "--config", cfg, "--minutes", "5", "--at", day)[0] == 0
    _, out, _ = run(capsys, "chases", "--config", cfg, "--team", "west", "--format", "csv")
    assert len(out.splitlines()) == 2 and "Cy Dee" in out
    _, out, _ = run(capsys, "chases", "--config", cfg, "--since", "2026-11-03", "--format", "csv")
    assert len(out.splitlines()) == 2 and "Cy Dee" in out
    _, out, _ = run(capsys, "chases", "--config", cfg, "--until", "2026-11-02", "--format", "csv")
    assert len(out.splitlines()) == 2 and "Ann Lee" in out


@pytest.mark.parametrize("argv, fragment", [
    (["log", "Nobody Here", "--minutes", "5"], "unknown person 'Nobody Here'"),
    (["log", "Bob", "--minutes", "5"], "unknown person 'Bob'; did you mean: Bob Ray"),
    (["log", "Ann Lee", "--minutes", "0"], "minutes must be a whole number from 1 to 600, not '0'"),
    (["log", "Ann Lee", "--minutes", "601"], "not '601'"),
    (["log", "Ann Lee", "--minutes", "abc"], "not 'abc'"),
    (["log", "Ann Lee", "--minutes", "5", "--fields", "nope"], "unknown field 'nope'"),
    (["log", "Ann Lee", "--minutes", "5", "--at", "yesterday"], "--at 'yesterday'"),
    (["log", "Ann Lee", "--minutes", "5", "--at", "2030-01-01"], "is in the future"),
    (["log", "Ann Lee", "--minutes", "5", "--channel", "fax"], "invalid choice: 'fax'"),
    (["chases", "void", "209901-1", "--reason", "x"], "no chase with id '209901-1'"),
    (["gaps", "--team", "North"], "unknown team 'North'"),
    (["gaps", "--by", "planet"], "invalid choice: 'planet'"),
    (["chases", "--since", "2026-13-01"], "--since '2026-13-01'"),
])
def test_user_errors_are_one_line_exit_2(capsys, small_config, argv, fragment):
    code, out, err = run(capsys, *argv, "--config", str(small_config))
    assert code == 2
    assert err.startswith("chaser: error: ") and err.count("\n") == 1, err
    assert fragment in err
    assert "Traceback" not in err


def test_ambiguous_person_lists_candidates(capsys, tmp_path, small_config):
    people = small_config.parent / "people.csv"
    people.write_text(people.read_text() + "ann lee,West,ann2@x.test\n", encoding="utf-8")
    code, _, err = run(capsys, "log", "ANN LEE", "--minutes", "5", "--config", str(small_config))
    assert code == 2 and "ambiguous" in err and "ann@x.test" in err and "ann2@x.test" in err


def test_bad_config_is_exit_2(capsys, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[source]\nkind = "csv"\n[source.csv]\nobjects = []\nfoo = 1\n')
    code, _, err = run(capsys, "gaps", "--config", str(bad))
    assert code == 2 and "bad.toml" in err and "source.csv.foo" in err
    code, _, err = run(capsys, "gaps", "--config", str(tmp_path / "missing.toml"))
    assert code == 2 and "missing.toml: config file not found" in err


def test_missing_data_file_names_it(capsys, small_config):
    (small_config.parent / "deals.csv").unlink()
    code, _, err = run(capsys, "sync", "--config", str(small_config))
    assert code == 2 and "deals.csv" in err


def test_demo_and_config_data_never_mix(capsys, small_config, chaser_home):
    assert run(capsys, "log", "Ann Lee", "--config", str(small_config), "--minutes", "5")[0] == 0
    _, out, _ = run(capsys, "chases", "--demo", "--format", "json")
    assert all(c["person"] != "Ann Lee" for c in json.loads(out))
    # One data folder each (beside them: this installation's id, which the ledger names).
    roots = sorted(p.name for p in (chaser_home / "data").iterdir() if p.is_dir())
    assert "demo" in roots and len(roots) == 2


def test_config_from_env(capsys, monkeypatch, small_config):
    monkeypatch.setenv("CHASER_CONFIG", str(small_config))
    code, out, _ = run(capsys, "gaps", "--format", "csv")
    assert code == 0 and "Ann Lee" in out


def test_no_subcommand_without_tui_prints_help_or_runs(capsys):
    # `chaser --help` always works and exits 0 through argparse's SystemExit.
    with pytest.raises(SystemExit) as e:
        main(["--help"])
    assert e.value.code == 0


def test_config_before_the_subcommand_counts(capsys, small_config):
    code, out, _ = run(capsys, "--config", str(small_config), "gaps", "--format", "csv")
    assert code == 0 and "Ann Lee" in out
    code, _, err = run(capsys, "--demo", "gaps", "--config", str(small_config))
    assert code == 2 and "--config and --demo cannot be used together" in err


def test_status_says_what_the_last_sync_found(capsys, small_config):
    code, out, _ = run(capsys, "status", "--config", str(small_config))
    assert code == 0 and "source:     csv" in out and "last sync:  never" in out
    run(capsys, "sync", "--config", str(small_config))
    code, out, _ = run(capsys, "status", "--config", str(small_config))
    assert code == 0 and "last sync:  2026-11-20" in out and "synced CSV" in out


def test_an_inactive_person_who_owns_records_can_be_named(tmp_path, capsys):
    cfg = csv_org(tmp_path, "name,team,active\nAnn Lee,West,true\nOld Timer,West,false\n",
                  "id,owner,stage,amount\n1,Ann Lee,Won,\n2,Old Timer,Won,\n")
    code, out, err = run_cli(capsys, "gaps", "--config", cfg, "--person", "old timer",
                             "--records", "--format", "csv")
    assert code == 0 and out.splitlines()[1:] == ["Old Timer,Deal,2,2,amount"]
    assert "inactive-owner bucket" in err
