"""`chaser export evidence PERSON --period P --out FILE [--format md|html] [--force]` (issue 13
point 6): every figure equals the person's row of the HR export, every chase of the period is
there with the detail file's cost, CRM text is inert in markdown and HTML, and the file is
0600, atomic and never overwritten without --force."""

from __future__ import annotations

import csv
import re
import stat
from datetime import UTC, datetime
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from conftest import csv_org, run_cli

from chaser.accountability import Accountability
from chaser.evidence import bar, build
from chaser.evidence_render import render_markdown
from chaser.exports import HR_FIELDS, hr_export
from chaser.model import Channel, Chase, Outcome
from chaser.periods import parse_period

EVIL = "=cmd|' /C calc'!A0"
PEOPLE = ('id,name,team,manager\nu1,Ann Lee,EMEA,Mia Boss\nu2,[b]x,EMEA,<script>alert(1)</script>\n'
          f'u3,"{EVIL}",NA,Max Boss\n')
DEALS = ("id,owner,stage,amount,industry\nD1,u1,Won,,\nD2,u1,Won,5,x\nD3,u2,Won,,\nD4,u2,Won,7,x\n"
         "D5,u3,Won,,x\n")
EXTRA = ('[[source.csv.cannot_edit]]\nperson = "u1"\nobject = "Deal"\nfields = ["industry"]\n'
         '[admin]\nid = "ann"\nname = "Ann Admin"\n'
         '[costs]\ncurrency = "EUR"\nadmin_hourly_rate = 60\nrep_hourly_rate = 90\n'
         'rep_minutes_per_chase = 10\ntimezone = "Europe/Berlin"\n')


@pytest.fixture
def org(tmp_path, capsys):
    cfg = csv_org(tmp_path, PEOPLE, DEALS, key="id", require=("amount", "industry"), when=None,
                  extra=EXTRA)
    logs = [("u1", 25, "2026-11-03T10:00", "promised", "<b>bold</b> | pipe"),
            ("u1", 7, "2026-11-04T10:00", "barrier-access", "no licence"),
            ("u1", 40, "2026-10-20T10:00", "promised", "October: not in the period"),
            ("u2", 20, "2026-11-05T10:00", "fixed", EVIL),
            ("u2", 30, "2026-11-06T10:00", "promised", "voided below"),
            ("u3", 5, "2026-11-10T16:00", "no-response", "[link](http://x.test)")]
    ids = []
    for who, minutes, at, outcome, note in logs:
        code, out, err = run_cli(capsys, "log", who, "--config", cfg, "--minutes", minutes,
                                 "--at", at, "--outcome", outcome, "--note", note,
                                 "--fields", "amount")
        assert code == 0, err
        ids.append(re.search(r"logged chase (\S+):", out).group(1))
    assert run_cli(capsys, "chases", "void", ids[4], "--config", cfg, "--reason", "twice")[0] == 0
    return cfg


def unmd(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text.strip())


def md_table(md: str, title: str) -> list[list[str]]:
    part = md.split(f"## {title}", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in part.splitlines() if line.startswith("| ")]
    # Split on unescaped pipes only: an escaped one is CRM text.
    return [[unmd(c) for c in re.split(r"(?<!\\)\|", line)[1:-1]] for line in lines[2:]]


def export_both(capsys, cfg, tmp_path, key):
    hr = tmp_path / "hr.csv"
    code, _, err = run_cli(capsys, "export", "hr", "--config", cfg, "--period", "2026-11",
                           "--out", hr, "--detail", tmp_path / "detail.csv", "--force")
    assert code == 0, err
    out = tmp_path / f"{key}.md"
    code, said, err = run_cli(capsys, "export", "evidence", key, "--config", cfg, "--period",
                              "2026-11", "--out", out, "--force")
    assert code == 0, err and said.startswith(f"wrote {out}: the evidence of ")
    with open(hr, encoding="utf-8-sig", newline="") as f:
        row = next(r for r in csv.DictReader(f) if r["Person key"] == key)
    with open(tmp_path / "detail.csv", encoding="utf-8-sig", newline="") as f:
        detail = [r for r in csv.DictReader(f) if r["Person key"] == key]
    return row, detail, out.read_text(encoding="utf-8")


@pytest.mark.parametrize("key", ["u1", "u2", "u3"])
def test_every_figure_equals_the_hr_export(org, tmp_path, capsys, key):
    row, detail, md = export_both(capsys, org, tmp_path, key)
    figures = dict(md_table(md, "Figures"))
    shown = [h for k, h in HR_FIELDS if k not in {"person", "email", "team", "manager",
                                                 "period_start", "period_end", "person_key"}]
    assert list(figures) == shown
    for header in shown:
        assert figures[header] == row[header], header
    chases = md_table(md, "Chases in the period")
    assert len(chases) == int(row["Chases"]) == len(detail)
    assert sum(int(c[2]) for c in chases) == int(row["Admin minutes"])
    assert [c[5] for c in chases] == [d["Cost"] for d in detail]
    assert [c[0] for c in chases] == [d["Chased at"] for d in detail]
    # The cost of the chases adds up to the row's within the detail file's cent rounding.
    assert abs(sum(Decimal(c[5]) for c in chases) - Decimal(row["Cost"])) <= Decimal("0.02")
    trend = md_table(md, "Completeness over time")
    assert trend[-1][3] == row["Completeness %"] and trend[-1][1] == row["Records owned"]


def test_the_story_of_one_person(org, tmp_path, capsys):
    row, _, md = export_both(capsys, org, tmp_path, "u1")
    assert "- **Person:** Ann Lee" in md and "- **Manager:** Mia Boss" in md
    assert "- **Status:** 2 barriers open, the first since 2026-11-04 (access, access)" not in md
    assert row["Status"] == "2 barriers open, the first since 2026-11-04 (access)"
    barriers = md_table(md, "Barriers")
    assert sorted((b[0], b[1], b[2], b[5]) for b in barriers) == [
        ("2026-11-04", "access", "chase", "open"), ("2026-11-20", "access", "crm", "open")]
    excluded = md_table(md, "Records excluded from blame")
    assert [(e[1], e[3]) for e in excluded] == [("D1", "industry")]  # D2's industry is set
    assert "May not edit (field permissions): Deal.industry" in unmd(md)
    assert "No weekly goal applies to this person: no goal set." in md
    assert "October: not in the period" not in md  # chases of the period only


def test_crm_text_is_inert_in_markdown_and_html(org, tmp_path, capsys):
    _, _, md = export_both(capsys, org, tmp_path, "u2")
    assert "\\[b\\]x" in md and "[b]x" not in md.replace("\\[b\\]x", "")
    assert "<script>" not in md and "\\<script\\>" in md
    assert "'=cmd\\|' /C calc'!A0" in md  # formula-safe, and no table break
    _, _, md3 = export_both(capsys, org, tmp_path, "u3")
    assert "\\[link\\](http://x.test)" in md3 and "- **Person:** '=cmd\\|" in md3
    html_out = tmp_path / "u2.html"
    code, _, err = run_cli(capsys, "export", "evidence", "u2", "--config", org, "--period",
                           "2026-11", "--out", html_out, "--format", "html")
    assert code == 0, err
    page = html_out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<td>[b]x</td>" in page
    assert "&#x27;=cmd|&#x27; /C calc&#x27;!A0" in page  # the "'" of a defused formula


def test_0600_atomic_and_never_overwritten_without_force(org, tmp_path, capsys):
    out = tmp_path / "ev.md"
    argv = ("export", "evidence", "Ann Lee", "--config", org, "--period", "2026-11", "--out", out)
    assert run_cli(capsys, *argv)[0] == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    out.write_text("HR's own copy")
    code, said, err = run_cli(capsys, *argv)
    assert (code, said) == (2, "") and err == (f"chaser: error: {out} already exists; not "
                                               "overwritten (use --force to replace it)\n")
    assert out.read_text() == "HR's own copy"
    assert run_cli(capsys, *argv, "--force")[0] == 0 and out.read_text().startswith("# Evidence")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    code, _, err = run_cli(capsys, "export", "evidence", "Nobody", "--config", org, "--period",
                           "2026-11", "--out", tmp_path / "x.md")
    assert code == 2 and "unknown person 'Nobody'" in err and not (tmp_path / "x.md").exists()
    code, _, err = run_cli(capsys, "export", "evidence", "u1", "--config", org, "--period",
                           "2026-13", "--out", tmp_path / "x.md")
    assert code == 2 and err.startswith("chaser: error: ")
    code, _, err = run_cli(capsys, "export", "evidence", "u1", "--config", org, "--period",
                           "2026-11", "--out", tmp_path / "nofolder" / "x.md")
    assert code == 2 and "does not exist" in err


TZ = ZoneInfo("UTC")
NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)


def test_goal_weeks_in_the_file_equal_the_export_columns(tmp_path):
    from chaser.audit import Thresholds
    from chaser.config import CostSettings
    from chaser.model import Person, Snapshot, Tally

    p = Person("u1", "Ann Lee", "EMEA")
    snap = Snapshot("s1", datetime(2026, 11, 19, tzinfo=UTC), "t", (p,),
                    {"u1": Tally(10, 2, 3, {"amount": 3})}, {}, {"Deal": 10})
    goal = SimpleNamespace(name="new deals", object="Deal", count="created", per_week=5,
                           due_text="Fri 12:00", since=datetime(2026, 10, 1).date(), teams=(),
                           applies_to=lambda person: True)

    def wk(day, actual, judged=True):
        end = datetime(2026, 10 if day > 20 else 11, day, 12, tzinfo=UTC)
        return SimpleNamespace(week=SimpleNamespace(label=f"W{day}", end=end), goal=goal,
                               target=5, actual=actual, status="met" if actual >= 5 else
                               ("missed" if judged else "in progress"), met=actual >= 5,
                               judged=judged)

    weeks = (wk(30, 6), wk(6, 5), wk(13, 1), wk(20, 0, judged=False))
    acc = Accountability(weeks={"u1": weeks}, applicable=frozenset({"u1"}))
    period = parse_period("2026-11", NOW, TZ)
    chases = [Chase("ann-202611-1", datetime(2026, 11, 3, tzinfo=UTC), "u1", Channel.CALL, 5,
                    Outcome.PROMISED)]
    export = hr_export(period, chases, [p], [snap], CostSettings(), Thresholds(), now=NOW,
                       tz=TZ, acc=acc)
    (row,) = export.rows
    assert (row["goals_met"], row["goal_weeks"], row["status"]) == (
        1, 2, "off track: met 1 of 2 weekly goals, no open barriers, 1 chase in the period")
    md = render_markdown(build(p, period, export, acc, [snap], snap, [goal], now=NOW, tz=TZ))
    figures = dict(md_table(md, "Figures"))
    assert (figures["Goals met"], figures["Goal weeks"]) == ("1", "2")
    table = md_table(md, "Weekly goals")
    assert [(r[0], r[5], r[6]) for r in table] == [("W30", "met", "no"), ("W6", "met", "yes"),
                                                   ("W13", "missed", "yes"),
                                                   ("W20", "in progress", "yes")]
    assert "met 1 of 2 goal weeks judged" in md


def test_the_text_chart():
    assert bar(None, 4) == "|    |" and bar(0.0, 4) == "|----|" and bar(100.0, 4) == "|####|"
    assert bar(62.5, 40).count("#") == 25
