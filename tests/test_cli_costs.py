"""End to end through the CLI: log chases with known minutes against known people, then
`chaser costs`, `chaser export hr` and `chaser report` must agree with a hand calculation."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal

import pytest
from conftest import csv_org, run_cli

COSTS = """
[costs]
currency = "EUR"
admin_hourly_rate = 60
rep_hourly_rate = 90
rep_minutes_per_chase = 10
timezone = "Europe/Berlin"
[costs.teams.EMEA]
rep_hourly_rate = 80
"""
EVIL = '=HYPERLINK("http://evil.example","click")'


run = run_cli


@pytest.fixture
def org(tmp_path, capsys):
    """A synced CSV org and these chases, logged through the CLI (times in Berlin):

    Ann (EMEA: rep 80/h)  25 min  3 Nov          25.00 + 13.333.. = 38.333..
                           7 min  1 Nov 00:30     7.00 + 13.333.. = 20.333..  (UTC: 31 Oct)
                          40 min 31 Oct 23:30    October: not counted
    Bob (NA: rep 90/h)    20 min  5 Nov          20.00 + 15.00    = 35.00
                          10 min  6 Nov barrier  10.00 + 15.00    = 25.00
                          30 min  7 Nov          voided
    =Evil (NA)             5 min 10 Nov           5.00 + 15.00    = 20.00
    Ann 58.67 (not 58.66: rounded once), Bob 60.00, =Evil 20.00; EMEA 58.67, NA 80.00;
    total 138.67 for 5 chases, 67 minutes.
    """
    cfg = csv_org(
        tmp_path,
        "id,name,team,manager,email\n"
        "u1,Ann Lee,EMEA,Mia Boss,ann@x.test\n"
        "u2,Bob Roy,NA,Max Boss,bob@x.test\n"
        "u3,=Evil Name,NA,Max Boss,-evil@x.test\n",
        "id,owner,stage,amount,close_date\n"
        "D1,u1,Won,,2026-10-01\nD2,u1,Won,5,\nD3,u2,Won,,\nD4,u2,Won,7,2026-10-02\n"
        "D5,u3,Won,1,2026-10-02\n",
        key="id", require=("amount", "close_date"), extra=COSTS)
    assert run(capsys, "sync", "--config", cfg, "-q")[0] == 0
    logs = [
        ("Ann Lee", 25, "2026-11-03T10:00", "--fields", "amount", "--note", EVIL),
        ("ann@x.test", 7, "2026-11-01T00:30"),
        ("u1", 40, "2026-10-31T23:30"),
        ("Bob Roy", 20, "2026-11-05", "--channel", "email"),
        ("Bob Roy", 10, "2026-11-06", "--outcome", "barrier-access", "--note", "-no licence"),
        ("Bob Roy", 30, "2026-11-07"),
        ("u3", 5, "2026-11-10T16:00", "--by", "+admin"),
    ]
    ids = []
    for who, minutes, at, *rest in logs:
        code, out, err = run(capsys, "log", who, "--config", cfg, "--minutes", minutes, "--at", at,
                             *rest)
        assert code == 0, err
        ids.append(re.search(r"logged chase (\S+):", out).group(1))
    code, _, err = run(capsys, "chases", "void", ids[5], "--config", cfg, "--reason", "twice")
    assert code == 0, err
    return cfg


def read_csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_costs_csv_by_person_and_team(org, capsys):
    code, out, err = run(capsys, "costs", "--config", org, "--period", "2026-11", "--format", "csv")
    assert code == 0, err
    assert out.splitlines()[0] == "person,team,chases,minutes,cost,barrier_chases"
    rows = {r["person"]: r for r in read_csv(out)}
    assert rows["Ann Lee"] == {"person": "Ann Lee", "team": "EMEA", "chases": "2",
                               "minutes": "32", "cost": "58.67", "barrier_chases": "0"}
    assert rows["Bob Roy"] == {"person": "Bob Roy", "team": "NA", "chases": "2",
                               "minutes": "30", "cost": "60.00", "barrier_chases": "1"}
    assert rows["'=Evil Name"]["cost"] == "20.00"  # the HR export's formula guard (issue 9)
    assert list(rows) == ["Bob Roy", "Ann Lee", "'=Evil Name"]  # most expensive first

    code, out, _ = run(capsys, "costs", "--config", org, "--period", "2026-11", "--by", "team",
                       "--format", "csv")
    assert out.splitlines()[0] == "team,people,chases,minutes,cost,barrier_chases"
    teams = {r["team"]: r for r in read_csv(out)}
    assert teams["NA"] == {"team": "NA", "people": "2", "chases": "3", "minutes": "35",
                           "cost": "80.00", "barrier_chases": "1"}
    assert teams["EMEA"]["cost"] == "58.67"

    code, out, _ = run(capsys, "costs", "--config", org, "--period", "2026-11", "--format", "json")
    data = {r["person"]: r for r in json.loads(out)}
    assert data["Ann Lee"]["cost"] == 58.67 and data["Bob Roy"]["minutes"] == 30

    code, out, _ = run(capsys, "costs", "--config", org, "--period", "2026-11", "--team", "emea",
                       "--format", "csv")
    assert [r["person"] for r in read_csv(out)] == ["Ann Lee"]

    code, out, _ = run(capsys, "costs", "--config", org, "--period", "2026-10", "--format", "csv")
    assert {r["person"]: r["cost"] for r in read_csv(out)}["Ann Lee"] == "53.33"  # 40 + 13.33


def test_costs_table_has_a_total(org, capsys):
    code, out, _ = run(capsys, "costs", "--config", org, "--period", "2026-11")
    assert code == 0
    assert "2026-11: 2026-11-01 – 2026-11-30 (Europe/Berlin), cost in EUR" in out
    assert re.search(r"TOTAL\s+5\s+67\s+138\.67\s+1", out)
    assert "total EUR 138.67 for 5 chases (67 min), EUR 25.00 of it on barriers" in out


def test_export_hr_agrees_to_the_cent(org, tmp_path, capsys):
    out_file, detail = tmp_path / "hr.csv", tmp_path / "detail.csv"
    code, out, err = run(capsys, "export", "hr", "--config", org, "--period", "2026-11",
                         "--out", out_file, "--detail", detail)
    assert code == 0, err
    about = tmp_path / "hr-about.txt"
    assert out.splitlines()[:3] == [f"wrote {out_file}: 3 people", f"wrote {detail}: 5 chases",
                                    f"wrote {about}: what the columns and figures mean"]
    assert "5 chases, EUR 138.67" in out
    raw = out_file.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.endswith(b"\r\n")
    with open(out_file, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == [
        "Person", "Email", "Team", "Manager", "Period start", "Period end", "Records owned",
        "Records with gaps", "Completeness %", "Adoption tier", "Goals met", "Goal weeks",
        "Open barriers", "Status", "Chases", "Admin minutes",
        "Cost", "Barrier chases", "Barrier minutes", "Barrier cost", "Cost excluding barriers",
        "Gaps fixed after a chase", "Currency", "Snapshot", "Person key"]
    by = {r["Person key"]: r for r in rows}
    ann, bob, evil = by["u1"], by["u2"], by["u3"]
    assert (ann["Cost"], bob["Cost"], evil["Cost"]) == ("58.67", "60.00", "20.00")
    assert sum(Decimal(r["Cost"]) for r in rows) == Decimal("138.67")
    assert (ann["Period start"], ann["Period end"], ann["Currency"]) == ("2026-11-01",
                                                                         "2026-11-30", "EUR")
    assert (ann["Records owned"], ann["Records with gaps"], ann["Completeness %"]) == (
        "2", "2", "0.0")
    assert (bob["Records owned"], bob["Records with gaps"], bob["Completeness %"]) == (
        "2", "1", "50.0")
    assert (ann["Adoption tier"], evil["Adoption tier"]) == ("ineffective", "grade-a")
    assert (bob["Barrier chases"], bob["Barrier minutes"], bob["Barrier cost"],
            bob["Cost excluding barriers"]) == ("1", "10", "25.00", "35.00")
    assert ann["Manager"] == "Mia Boss" and ann["Email"] == "ann@x.test"
    assert evil["Person"] == "'=Evil Name" and evil["Email"] == "'-evil@x.test"
    assert ann["Gaps fixed after a chase"] == "0"  # one snapshot: nothing to compare yet
    # the snapshot's time in the configured zone, ISO 8601 with its offset (CHASER_NOW 09:00Z)
    assert ann["Snapshot"] == "2026-11-20T10:00+01:00"

    with open(detail, encoding="utf-8-sig", newline="") as f:
        chases = list(csv.DictReader(f))
    assert list(chases[0]) == ["Chase ID", "Chased at", "Person", "Team", "Channel",
                               "Fields chased", "Outcome", "Barrier", "Admin minutes", "Cost",
                               "Currency", "Note", "Logged by", "Person key"]
    assert len(chases) == 5  # October's and the voided one are not in it
    first = chases[0]  # oldest first: 1 Nov 00:30 Berlin, the same format as the HR file
    assert (first["Chased at"], first["Admin minutes"], first["Cost"]) == (
        "2026-11-01T00:30+01:00", "7", "20.33")
    hyper = next(c for c in chases if c["Admin minutes"] == "25")
    assert hyper["Note"] == "'" + EVIL  # text, not a formula
    assert hyper["Fields chased"] == "amount" and hyper["Cost"] == "38.33"
    barrier = next(c for c in chases if c["Outcome"] == "barrier-access")
    assert barrier["Note"] == "'-no licence" and barrier["Barrier"] == "yes"
    assert next(c for c in chases if c["Person"] == "'=Evil Name")["Logged by"] == "'+admin"


def test_the_about_file_explains_the_export(org, tmp_path, capsys):
    out_file = tmp_path / "hr.csv"
    code, _, err = run(capsys, "export", "hr", "--config", org, "--period", "2026-11",
                       "--out", out_file)
    assert code == 0, err
    about = tmp_path / "hr-about.txt"
    assert about.stat().st_mode & 0o777 == 0o600 and out_file.stat().st_mode & 0o777 == 0o600
    text = about.read_text(encoding="utf-8-sig")
    flat = " ".join(text.split())
    assert "\r\n" in about.read_bytes().decode("utf-8-sig")
    assert "Files: hr.csv (one row per person), hr-about.txt (this file)" in flat
    assert "Period: 2026-11, 2026-11-01 – 2026-11-30 (both days included), time zone " \
           "Europe/Berlin: chases from 2026-11-01T00:00+01:00 up to, not including, " \
           "2026-12-01T00:00+01:00" in flat
    with open(out_file, encoding="utf-8-sig", newline="") as f:
        taken = next(csv.DictReader(f))["Snapshot"]
    assert re.search(rf"Snapshot: \S+, taken {re.escape(taken)}: the last one before", flat)
    assert "Default: admin time EUR 60.00 per hour; 10 rep minutes per chase at EUR 90.00 " \
           "per hour" in flat
    assert "Team EMEA: admin time EUR 60.00 per hour; 10 rep minutes per chase at EUR 80.00 " \
           "per hour" in flat
    assert "grade-a completeness 95% or more" in flat and "ineffective below 70%" in flat
    for outcome in ("fixed", "promised", "no-response", "disputed", "barrier-access",
                    "barrier-training", "barrier-time", "barrier-dependency"):
        assert re.search(rf"^  {outcome} ", text, re.M), outcome
    assert "Voided chases:" in flat and "Cost excluding barriers" in flat


def test_the_about_files_excluded_records_equal_gaps_by_bucket(tmp_path, capsys):
    cfg = csv_org(
        tmp_path,
        "id,name,team,active\nu1,Ann Lee,EMEA,true\nu2,Old Timer,EMEA,false\n",
        "id,owner,stage,amount\nD1,u1,Won,\nD2,u2,Won,\nD3,u2,Won,5\nD4,u2,Won,\n"
        "D5,ghost,Won,\nD6,,Won,7\nD7,u1,Won,3\n", key="id")
    code, out, err = run(capsys, "gaps", "--config", cfg, "--by", "bucket", "--format", "json")
    assert code == 0, err
    buckets = {r["bucket"]: (r["records"], r["records_with_gaps"]) for r in json.loads(out)}
    assert buckets == {"inactive owner": (3, 2), "unknown owner": (2, 1)}
    code, _, err = run(capsys, "export", "hr", "--config", cfg, "--period", "2026-11",
                       "--out", tmp_path / "hr.csv")
    assert code == 0, err
    text = (tmp_path / "hr-about.txt").read_text(encoding="utf-8-sig")
    found = {m[0]: (int(m[1]), int(m[2])) for m in re.findall(
        r"^  (inactive owner|queue|unknown owner) +([\d,]+) records, ([\d,]+) with gaps", text,
        re.M)}
    assert found == {**{"queue": (0, 0)}, **buckets}


def test_the_about_file_is_written_with_the_csvs_or_not_at_all(org, tmp_path, capsys):
    out_file, about = tmp_path / "hr.csv", tmp_path / "hr-about.txt"
    about.write_text("keep me", encoding="utf-8")
    args = ("export", "hr", "--config", org, "--period", "2026-11", "--out", out_file)
    code, _, err = run(capsys, *args)
    assert code == 2 and "hr-about.txt" in err and "--force" in err
    assert not out_file.exists() and about.read_text(encoding="utf-8") == "keep me"
    assert run(capsys, *args, "--force")[0] == 0
    assert about.read_text(encoding="utf-8-sig").startswith("About this HR export")


def test_export_never_overwrites_without_force(org, tmp_path, capsys):
    out_file, detail = tmp_path / "hr.csv", tmp_path / "detail.csv"
    args = ("export", "hr", "--config", org, "--period", "2026-11", "--out", out_file)
    assert run(capsys, *args)[0] == 0
    before = out_file.read_bytes()
    code, out, err = run(capsys, *args)
    assert code == 2 and err.startswith("chaser: error: ") and str(out_file) in err
    assert "--force" in err and err.count("\n") == 1
    assert out_file.read_bytes() == before
    # the detail file is checked too, before anything is written
    detail.write_text("keep me", encoding="utf-8")
    out_file.unlink()
    (tmp_path / "hr-about.txt").unlink()
    code, _, err = run(capsys, *args, "--detail", detail)
    assert code == 2 and "detail.csv" in err
    assert not out_file.exists() and detail.read_text(encoding="utf-8") == "keep me"
    code, _, err = run(capsys, *args, "--detail", detail, "--force")
    assert code == 0, err
    assert detail.read_text(encoding="utf-8-sig").startswith("Chase ID,")
    assert run(capsys, *args, "--force")[0] == 0


def test_export_errors_are_one_line(org, tmp_path, capsys):
    code, _, err = run(capsys, "export", "hr", "--config", org, "--period", "2026-11",
                       "--out", tmp_path / "nope" / "hr.csv")
    assert code == 2 and "does not exist" in err
    code, _, err = run(capsys, "export", "hr", "--config", org, "--period", "2026-14",
                       "--out", tmp_path / "hr.csv")
    assert code == 2 and "month must be 01 to 12" in err
    code, _, err = run(capsys, "export", "hr", "--config", org, "--out", tmp_path / "hr.csv")
    assert code == 2 and "--period" in err
    code, _, err = run(capsys, "export", "hr", "--config", org, "--period", "2026-11",
                       "--team", "Mars", "--out", tmp_path / "hr.csv")
    assert code == 2 and "unknown team 'Mars'" in err and not (tmp_path / "hr.csv").exists()


def test_report_text_and_markdown(org, capsys):
    code, out, err = run(capsys, "report", "--config", org, "--period", "2026-11")
    assert code == 0, err
    assert out.startswith("Chase-cost report: 2026-11\n")
    assert "EUR 138.67" in out and "5, 67 min (1.1 h)" in out
    assert "Completeness  40.0% (no data for the previous period)" in out
    assert "No access (barrier-access): 1 chase, 10 min, EUR 25.00" in out
    assert "who: Bob Roy" in out
    assert max(len(line) for line in out.splitlines()) <= 110
    code, md, _ = run(capsys, "report", "--config", org, "--period", "2026-11", "--format",
                      "markdown", "--team", "na")
    assert md.startswith("# Chase-cost report: 2026-11\n")
    assert "· team NA ·" in md
    assert "| Team | Manager |" in md and "| NA | Max Boss | 2 | 3 | 35 | 80.00 |" in md
    assert "| =Evil Name | NA | 1 | 5 | 20.00 |" in md  # markdown shows it; nothing runs it
    assert "Ann Lee" not in md


def test_report_and_costs_on_the_demo(capsys):
    code, text, err = run(capsys, "report", "--demo", "--period", "last-30d")
    assert code == 0, err
    for heading in ("Chase-cost report: last-30d", "Hidden cost", "Completeness", "Fix rate",
                    "Open gaps", "Teams", "People costing most", "Barriers to remove"):
        assert heading in text
    assert re.search(r"Completeness\s+\d+\.\d% \([+-]\d+\.\d pts vs the previous 30 days\)",
                     text)
    code, md, _ = run(capsys, "report", "--demo", "--period", "last-30d", "--format", "markdown")
    assert code == 0 and "## Teams" in md and "| ---: |" in md.replace("| ---: | ---: |", "| ---: |")
    # the headline total is the costs command's total
    code, out, _ = run(capsys, "costs", "--demo", "--period", "last-30d", "--format", "csv")
    total = sum(Decimal(r["cost"]) for r in read_csv(out))
    headline = re.search(r"Hidden cost\s+USD ([\d,]+\.\d\d)", text).group(1).replace(",", "")
    assert abs(total - Decimal(headline)) <= Decimal("0.01") * len(read_csv(out))


def test_a_rate_override_for_no_team_is_warned_about(tmp_path, capsys):
    cfg = csv_org(tmp_path, "id,name,team\nu1,Ann Lee,East\n", "id,owner,stage,amount\n1,u1,Won,\n",
                  key="id", extra="[costs.teams.Eats]\nrep_hourly_rate = 80\n")
    for argv in (["costs", "--format", "csv"], ["report"]):
        code, out, err = run_cli(capsys, *argv, "--config", cfg)
        assert code == 0 and "Eats" not in out  # stdout stays clean for scripts
        assert "chaser: warning: [costs.teams.Eats]" in err and "(teams: East)" in err
