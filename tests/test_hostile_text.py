"""Hostile text is shown, never obeyed (issue 9, point 4): control characters from a CRM or an
admin never reach the terminal raw, CSV cells never carry a live formula, JSON stays exact."""

from __future__ import annotations

import csv
import io
import json

import pytest
from conftest import csv_org, run_cli

from chaser.safe_text import clean, defuse_formula, json_exact

ESCAPES = {
    "title": "\x1b]0;PWNED\x07",
    "wipe": "\x1b[2J\x1b[H",
    "link": "\x1b]8;;https://evil.example\x07click\x1b]8;;\x07",
    "c1": "\x9b31mred",
    "bidi": "abc\u202edcba",
}
FORMULAS = ["=HYPERLINK(\"https://evil.example\",\"x\")", "+Team", "@rec", "-1+2"]
RAW = set(chr(c) for c in [*range(0x00, 0x09), *range(0x0b, 0x20), *range(0x7f, 0xa0)]) \
    | {"\u202a", "\u202b", "\u202c", "\u202d", "\u202e"}


def _csv(rows) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def hostile_org(tmp_path):
    e = ESCAPES
    people = _csv([["name", "team", "manager"],
                   [f"Ann {e['title']}", f"West {e['wipe']}", e["link"]],
                   [FORMULAS[1], FORMULAS[2], "Mo"],
                   [f"Cy {e['c1']}", e["bidi"], "Lu"]])
    deals = _csv([["id", "owner", "stage", "amount"],
                  [f"1{e['title']}", f"Ann {e['title']}", "Won", ""],
                  [FORMULAS[0], FORMULAS[1], "Won", ""],
                  ["3", f"Cy {e['c1']}", "Won", ""]])
    return csv_org(tmp_path, people, deals)


def no_raw_control(text: str) -> None:
    bad = sorted({c for c in text if c in RAW} - {"\n"})
    assert not bad, f"raw control characters reached the output: {bad!r}"


def test_clean_marks_every_control_character():
    assert clean(ESCAPES["title"]) == "␛]0;PWNED␇"
    assert clean("a\x9bb\x7f") == "a\ufffdb\u2421"
    assert clean("José Pérez\u00a0") == "José Pérez\u00a0"  # printable text is untouched
    assert clean("a\tb\nc", keep="\n") == "a␉b\nc"
    assert json.loads(json_exact(json.dumps("\x9b\u202e", ensure_ascii=False))) == "\x9b\u202e"
    assert [defuse_formula(f) for f in FORMULAS] == ["'" + f for f in FORMULAS]


TABLE_COMMANDS = [
    ["gaps"], ["gaps", "--by", "team"], ["gaps", "--by", "field"], ["gaps", "--by", "bucket"],
    ["gaps", "--records"], ["costs"], ["costs", "--by", "team"], ["chases"], ["report"],
    ["report", "--format", "markdown"], ["snapshots"], ["status"], ["sync"],
]


@pytest.mark.parametrize("command", TABLE_COMMANDS, ids=" ".join)
def test_every_table_command_shows_escapes_as_text(tmp_path, capsys, command):
    cfg = hostile_org(tmp_path)
    note = f"call me {ESCAPES['title']} {FORMULAS[0]}"
    assert run_cli(capsys, "log", f"Ann {ESCAPES['title']}", "--config", cfg, "--minutes", "5",
                   "--note", note)[0] == 0
    code, out, err = run_cli(capsys, *command, "--config", cfg)
    assert code == 0, err
    no_raw_control(out + err)
    if command[0] in ("gaps", "costs", "chases") and "--by" not in command:
        assert "␛]0;PWNED␇" in out  # shown, visibly


def test_errors_naming_hostile_text_are_clean(tmp_path, capsys):
    cfg = hostile_org(tmp_path)
    code, out, err = run_cli(capsys, "gaps", "--config", cfg, "--person", f"Zed {ESCAPES['wipe']}")
    assert code == 2 and err.count("\n") == 1
    no_raw_control(err)


CSV_COMMANDS = [["gaps"], ["gaps", "--by", "team"], ["gaps", "--records"], ["costs"],
                ["costs", "--by", "team"], ["chases"], ["snapshots"]]


@pytest.mark.parametrize("command", CSV_COMMANDS, ids=" ".join)
def test_csv_output_has_no_live_formula(tmp_path, capsys, command):
    cfg = hostile_org(tmp_path)
    assert run_cli(capsys, "log", FORMULAS[1], "--config", cfg, "--minutes", "5",
                   "--note", FORMULAS[0], "--fields", "amount")[0] == 0
    code, out, err = run_cli(capsys, *command, "--config", cfg, "--format", "csv")
    assert code == 0, err
    cells = [c for row in csv.reader(io.StringIO(out)) for c in row]
    live = [c for c in cells if c.startswith(("=", "+", "@", "\t", "\r", "\n"))
            or (c.startswith("-") and not _number(c))]
    assert not live, live
    no_raw_control(out)


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_json_output_stays_exact(tmp_path, capsys):
    cfg = hostile_org(tmp_path)
    code, out, _ = run_cli(capsys, "gaps", "--config", cfg, "--format", "json")
    assert code == 0
    no_raw_control(out)  # escaped as \u sequences ...
    names = {r["person"] for r in json.loads(out)}
    assert f"Ann {ESCAPES['title']}" in names and f"Cy {ESCAPES['c1']}" in names  # ... exactly
    assert FORMULAS[1] in names  # no formula guard in JSON: scripts get the raw value


async def test_tui_paints_no_raw_control_character(tmp_path):
    from tui_support import settle_fully

    from chaser.app import ChaserApp
    from chaser.widgets.table import VirtualTable
    from chaser.workspace import Workspace

    cfg = hostile_org(tmp_path)
    app = ChaserApp(Workspace.open(str(cfg)))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle_fully(pilot)
        table = app.screen.query_one("#people", VirtualTable)
        painted = "".join(seg.text for y in range(table.size.height)
                          for seg in table.render_line(y))
        assert "␛]0;PWNED␇" in painted
        no_raw_control(painted)
        names = [p.name for p in app.data.snapshot.people]
        no_raw_control("".join(names))
        await pilot.press("enter")  # the person screen of the first row
        await settle_fully(pilot)
        for widget in app.screen.query("Static"):
            no_raw_control(str(widget.render()))
