"""A team keeps all its managers: every Maven office has two, and all outputs show both."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from conftest import csv_org, run_cli
from test_cli import MAVEN_TOML  # the Maven sample as the CLI tests import it

from chaser.audit import teams
from chaser.model import Person


def test_teams_keep_every_manager_sorted_once():
    people = [Person("a", "Ann", "East", "Zoe Boss"), Person("b", "Bob", "East", "Al Boss"),
              Person("c", "Cy", "East", "Zoe Boss"), Person("d", "Di", "West", None),
              Person("e", "Ed", "West", "  ")]
    found = teams(people)
    assert found["East"].managers == ("Al Boss", "Zoe Boss")
    assert found["East"].manager == "Al Boss, Zoe Boss"
    assert found["West"].manager is None


def test_a_lead_inside_the_team_is_its_manager_not_their_boss():
    # the demo's shape: the team lead is a member, and names the VP as their manager
    people = [Person("k", "Kim Lead", "APAC", "Vera VP"), Person("a", "Ann", "APAC", "Kim Lead"),
              Person("b", "Bob", "APAC", "Kim Lead")]
    assert teams(people)["APAC"].manager == "Kim Lead"


def test_gaps_by_team_shows_both_managers_of_a_small_org(tmp_path, capsys):
    cfg = csv_org(tmp_path, "id,name,team,manager\nu1,Ann,East,Zoe Boss\nu2,Bob,East,Al Boss\n"
                  "u3,Cy,West,Max Boss\n", "id,owner,stage,amount\n1,u1,Won,\n2,u3,Won,5\n",
                  key="id")
    code, out, err = run_cli(capsys, "gaps", "--config", cfg, "--by", "team", "--format", "csv")
    assert code == 0, err
    rows = {r["team"]: r["manager"] for r in csv.DictReader(out.splitlines())}
    assert rows == {"East": "Al Boss, Zoe Boss", "West": "Max Boss"}
    code, out, _ = run_cli(capsys, "report", "--config", cfg, "--format", "json")
    assert {t["team"]: t["manager"] for t in json.loads(out)["teams"]} == rows
    # the HR file's Manager column stays each person's own manager
    code, _, err = run_cli(capsys, "export", "hr", "--config", cfg, "--period", "2026-11",
                           "--out", tmp_path / "hr.csv")
    assert code == 0, err
    with open(tmp_path / "hr.csv", encoding="utf-8-sig", newline="") as f:
        assert {r["Person"]: r["Manager"] for r in csv.DictReader(f)} == {
            "Ann": "Zoe Boss", "Bob": "Al Boss", "Cy": "Max Boss"}


def test_every_maven_office_shows_both_its_managers(tmp_path: Path, capsys, maven):
    with open(maven / "sales_teams.csv", encoding="utf-8-sig", newline="") as f:
        expected: dict[str, set[str]] = {}
        for r in csv.DictReader(f):
            expected.setdefault(r["regional_office"], set()).add(r["manager"])
    assert all(len(m) == 2 for m in expected.values())  # the sample's shape
    cfg = tmp_path / "maven.toml"
    cfg.write_text(MAVEN_TOML.format(dir=maven.as_posix()), encoding="utf-8")
    code, out, err = run_cli(capsys, "gaps", "--config", cfg, "--by", "team", "--format", "json")
    assert code == 0, err
    shown = {r["team"]: r["manager"] for r in json.loads(out)}
    assert shown == {team: ", ".join(sorted(m)) for team, m in expected.items()}
    assert shown["Central"] == "Dustin Brinkmann, Melvin Marxen"
    code, out, _ = run_cli(capsys, "gaps", "--config", cfg, "--by", "team")
    assert "Dustin Brinkmann, Melvin Marxen" in out
