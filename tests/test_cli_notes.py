"""`chaser notes PERSON [--add TEXT] [--format table|csv|json]` (issue 12 point 3), and the
batch column of `chaser chases` (point 2): what the TUI shows, the CLI prints."""

from __future__ import annotations

import csv
import io
import json

from conftest import run_cli

from chaser.workspace import Workspace

pytest_plugins = ["tui_fixtures"]  # demo_ws: the demo org, seeded once per session


def test_add_then_list_in_every_format(demo_ws, capsys):
    code, out, _ = run_cli(capsys, "notes", "kevin patel", "--demo", "--add",
                           "on leave until the 15th")
    assert code == 0
    assert out.startswith(f"added note {demo_ws.writer.id}-202611-") and "Kevin Patel" in out
    assert out.rstrip().endswith(": on leave until the 15th")
    run_cli(capsys, "notes", "Kevin Patel", "--demo", "--add", "prefers Teams")
    code, out, _ = run_cli(capsys, "notes", "Kevin Patel", "--demo")
    lines = out.splitlines()
    assert code == 0 and lines[0].split() == ["id", "at", "person", "text", "by", "writer"]
    assert "on leave until the 15th" in lines[2] and "prefers Teams" in lines[3]  # oldest first
    code, out, _ = run_cli(capsys, "notes", "Kevin Patel", "--demo", "--format", "json")
    rows = json.loads(out)
    assert [r["text"] for r in rows] == ["on leave until the 15th", "prefers Teams"]
    assert rows[0]["at"] == "2026-11-20T09:00+00:00" and rows[0]["writer"] == demo_ws.writer.id
    assert rows[0]["by"] == (demo_ws.writer.name or demo_ws.writer.id)
    code, out, _ = run_cli(capsys, "notes", "Kevin Patel", "--demo", "--format", "csv")
    got = list(csv.DictReader(io.StringIO(out)))
    assert [r["text"] for r in got] == ["on leave until the 15th", "prefers Teams"]
    # The same notes the TUI shows (ViewData reads them through Workspace.notes).
    ws = Workspace.open(demo=True)
    assert [n.text for n in ws.notes(ws.find_person("Kevin Patel"))] == [r["text"] for r in rows]


def test_no_notes_unknown_person_and_empty_text(demo_ws, capsys):
    code, out, _ = run_cli(capsys, "notes", "Kevin Patel", "--demo")
    assert code == 0 and out.strip() == "(no notes about Kevin Patel)"
    code, out, err = run_cli(capsys, "notes", "Nobody Atall", "--demo")
    assert code == 2 and "unknown person" in err
    code, out, err = run_cli(capsys, "notes", "Kevin Patel", "--demo", "--add", "  ")
    assert code == 2 and "a note needs some text" in err


def test_a_formula_in_a_note_is_defused_in_csv_and_exact_in_json(demo_ws, capsys):
    run_cli(capsys, "notes", "Kevin Patel", "--demo", "--add", "=HYPERLINK(\"x\")")
    _, out, _ = run_cli(capsys, "notes", "Kevin Patel", "--demo", "--format", "csv")
    assert list(csv.DictReader(io.StringIO(out)))[0]["text"].startswith("'=")
    _, out, _ = run_cli(capsys, "notes", "Kevin Patel", "--demo", "--format", "json")
    assert json.loads(out)[0]["text"] == "=HYPERLINK(\"x\")"


def test_chases_print_the_batch(demo_ws, capsys):
    people = [r.person for r in demo_ws.people() if r.person.team == "LATAM"]
    batch = demo_ws.log_chases(people, minutes=23, channel="email", note="team email")
    code, out, _ = run_cli(capsys, "chases", "--demo", "--format", "json", "--team", "LATAM")
    rows = [r for r in json.loads(out) if r["batch"]]
    assert code == 0 and {r["batch"] for r in rows} == {batch.ref}
    assert sorted(r["minutes"] for r in rows) == sorted(c.minutes for c in batch.chases)
    assert sum(r["minutes"] for r in rows) == 23


def test_log_of_several_people_is_one_chase_of_them(demo_ws, capsys):
    code, out, _ = run_cli(capsys, "log", "Kevin Patel", "Arjun Mehta", "Chloe Nguyen", "--demo",
                           "--minutes", "10", "--channel", "email", "--note", "team email")
    assert code == 0
    ref = f"{demo_ws.writer.id}-202611-1"
    assert out.strip() == (f"logged 10 min email with 3 people (batch {ref}): 4 min Kevin "
                           "Patel; 3 min Arjun Mehta, Chloe Nguyen")
    chases = [c for c in demo_ws.chases() if c.batch == ref]
    assert [c.minutes for c in chases] == [4, 3, 3] and {c.note for c in chases} == {"team email"}
    code, _, err = run_cli(capsys, "log", "Kevin Patel", "Arjun Mehta", "--demo", "--minutes", "1")
    assert code == 2 and "log at least 2 minutes" in err
