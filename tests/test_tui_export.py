"""The HR export dialog typed into key by key (absolute, relative, `~` and folder-only paths),
and what ends the app when something breaks: exit 1 and the CLI's one line, never a Textual
traceback or a silent exit 0."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from textual.widgets import Input, Static
from tui_support import settle_fully as settle

from chaser.errors import ChaserError
from chaser.modals.confirm import ConfirmModal
from chaser.modals.hr_export import HrExportModal, checked_paths, detail_path
from chaser.screens.costs import CostsScreen

pytest_plugins = ["tui_fixtures"]  # seeded_demo, demo_ws, make_app
SIZE = (80, 24)
KEYS = {" ": "space", "/": "slash", "~": "tilde", ".": "full_stop", "-": "minus",
        "_": "underscore"}


async def open_dialog(pilot) -> HrExportModal:
    await settle(pilot)
    await pilot.press("k")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CostsScreen)
    await pilot.press("e")
    await pilot.pause()
    modal = pilot.app.screen
    assert isinstance(modal, HrExportModal)
    return modal


def fields(modal) -> tuple[Input, Input]:
    return modal.query_one("#export-people", Input), modal.query_one("#export-detail", Input)


async def type_people(pilot, text: str) -> None:
    """Clear the people field the way a user does (ctrl+u), then type `text` one key at a
    time: the detail path is derived again on every key."""
    await pilot.press("ctrl+u")
    for ch in text:
        await pilot.press(KEYS.get(ch, ch))


def error_text(modal) -> str:
    box = modal.query_one("#prompt-error", Static)
    return "" if box.has_class("empty") else str(box.visual)


@pytest.mark.parametrize(("text", "detail"), [
    ("", ""), ("/", ""), ("./", ""), ("~/", ""), ("~", ""), ("a/", ""), (".", ""), ("..", ""),
    ("/srv/..", ""),  # folders: no file name to derive one from (yet)
    ("hr", "hr-detail.csv"), ("hr.csv", "hr-detail.csv"), (" hr.csv ", "hr-detail.csv"),
    ("/srv/reports/hr.csv", "/srv/reports/hr-detail.csv"), ("./hr.csv", "./hr-detail.csv"),
    ("~/x.csv", "~/x-detail.csv"), ("my reports/hr file.csv", "my reports/hr file-detail.csv"),
    ("/srv//hr.", "/srv//hr-detail.csv"), (".csv", ".csv-detail.csv"),
    ("a.b.CSV", "a.b-detail.CSV"),
])
def test_detail_path_is_total_and_keeps_the_folder_as_typed(text, detail):
    assert detail_path(text) == detail


@pytest.mark.parametrize("text", ["/", "./", "~/", "/srv/reports/hr.csv", "./reports/hr.csv",
                                  "reports/hr q4.csv"])
async def test_typing_a_path_key_by_key_never_crashes_and_the_detail_follows(app, text):
    async with app.run_test(size=SIZE) as pilot:
        modal = await open_dialog(pilot)
        people, detail = fields(modal)
        await pilot.press("ctrl+u")
        for i, ch in enumerate(text, 1):
            await pilot.press(KEYS.get(ch, ch))
            assert people.value == text[:i]
            assert detail.value == detail_path(text[:i])  # follows at every key
        assert app.screen is modal and app.return_code is None


async def test_the_detail_stops_following_once_edited_by_hand(app):
    async with app.run_test(size=SIZE) as pilot:
        modal = await open_dialog(pilot)
        people, detail = fields(modal)
        await type_people(pilot, "/tmp/hr.csv")
        assert detail.value == "/tmp/hr-detail.csv"
        await pilot.press("tab")  # to the detail field
        await pilot.press("ctrl+u", *"chases.csv")
        await pilot.press("shift+tab")
        await type_people(pilot, "/srv/x.csv")
        assert detail.value == "chases.csv"


async def test_an_absolute_path_typed_by_hand_writes_both_files(app, tmp_path):
    folder = tmp_path / "hr reports"
    folder.mkdir()
    out = folder / "hr.csv"
    async with app.run_test(size=SIZE) as pilot:
        modal = await open_dialog(pilot)
        await type_people(pilot, str(out))
        assert fields(modal)[1].value == str(folder / "hr-detail.csv")
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, HrExportModal)
        assert any(n.title == "HR export written" for n in app._notifications)
    assert out.is_file() and (folder / "hr-detail.csv").is_file()
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")


async def test_a_relative_path_is_written_in_the_working_folder(app, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "out").mkdir()
    async with app.run_test(size=SIZE) as pilot:
        await open_dialog(pilot)
        await type_people(pilot, "./out/hr.csv")
        await pilot.press("enter")
        await settle(pilot)
    assert (tmp_path / "out" / "hr.csv").is_file()
    assert (tmp_path / "out" / "hr-detail.csv").is_file()


@pytest.mark.parametrize(("typed", "says"), [
    ("{tmp}/missing/hr.csv", "folder {tmp}/missing does not exist"),
    ("{tmp}/", "is a folder"),
    ("{tmp}", "is a folder"),
    ("/", "is a folder"),
])
async def test_a_bad_path_keeps_the_dialog_open_with_the_reason(app, tmp_path, typed, says):
    typed, says = typed.format(tmp=tmp_path), says.format(tmp=tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        modal = await open_dialog(pilot)
        await type_people(pilot, typed)
        await pilot.press("enter")
        await settle(pilot)
        if "missing" in typed:  # offered to be made (tests/test_tui_export_dialog.py): no
            assert isinstance(app.screen, ConfirmModal)
            await pilot.press("escape")
            await settle(pilot)
        assert app.screen is modal
        assert fields(modal)[0].value == typed  # the text stays, to be corrected
        assert error_text(modal).startswith("✗ People file: ") and says in error_text(modal)
        assert not any(n.title == "HR export written" for n in app._notifications)
    assert not (tmp_path / "missing").exists()


def test_checked_paths(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))  # never the real home
    assert checked_paths("~/x.csv", "~/x-detail.csv") == (tmp_path / "x.csv",
                                                          tmp_path / "x-detail.csv")
    assert checked_paths("~/x.csv", "") == (tmp_path / "x.csv", None)
    (tmp_path / "x.csv").write_text("old")  # an existing file: the overwrite dialog asks later
    assert checked_paths(str(tmp_path / "x.csv"), "")[0] == tmp_path / "x.csv"
    for people, detail, says in [("", "", "people file is required"),
                                 ("~/x.csv", str(tmp_path / "x.csv"), "different files"),
                                 ("~/x.csv", "~/no/d.csv", "Detail file: "),
                                 ("~/x.csv", "~/", "Detail file: ~/ is a folder")]:
        with pytest.raises(ChaserError, match=says):
            checked_paths(people, detail)


# ---- crashes --------------------------------------------------------------------------------

CRASH = """
import sys
from chaser import app as app_module
from chaser.screens.workers import run_blocking

def boom(self):  # a bug in a key handler (`?`), on the UI thread or in a worker
    def fail():
        raise RuntimeError("{message}")

    if "{where}" == "worker":
        run_blocking(self, fail)
    else:
        fail()

async def press(pilot):
    await pilot.app.workers.wait_for_complete()
    await pilot.press("question_mark")

run = app_module.ChaserApp.run
app_module.ChaserApp.action_help = boom
app_module.ChaserApp.run = lambda self: run(self, headless=True, auto_pilot=press)
sys.exit(app_module.run(demo=True))
"""


SECRET = "tok-SECRET-123"


def run_crash(tmp_path, *, debug: bool, where: str = "handler") -> subprocess.CompletedProcess:
    """The real `run()` in a child process (Textual headless), a key handler that raises."""
    env = {k: v for k, v in os.environ.items() if k != "CHASER_DEBUG"}
    env.update(CHASER_HOME=str(tmp_path / "home"), CHASER_SALESFORCE_TOKEN=SECRET,
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")  # not the real keyring
    if debug:
        env["CHASER_DEBUG"] = "1"
    return subprocess.run([sys.executable, "-c", CRASH.format(message=f"lost it near {SECRET}", where=where)],
                          env=env, capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).parent)


@pytest.mark.parametrize("where", ["handler", "worker"])
def test_a_crash_exits_1_with_the_one_line(tmp_path, where):
    done = run_crash(tmp_path, debug=False, where=where)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1, done.stderr
    assert lines[0] == "chaser: internal error: RuntimeError: lost it near ***", done.stderr
    assert lines[1].startswith("chaser: this is a bug in chaser") and "CHASER_DEBUG=1" in lines[1]
    assert len(lines) == 2 and "Traceback" not in done.stderr + done.stdout
    assert SECRET not in done.stderr + done.stdout


def test_chaser_debug_adds_the_traceback(tmp_path):
    done = run_crash(tmp_path, debug=True)
    assert done.returncode == 1
    assert done.stderr.startswith("chaser: internal error: RuntimeError: lost it near ***\n")
    assert "Traceback (most recent call last)" in done.stderr and "in boom" in done.stderr
    assert SECRET not in done.stderr + done.stdout


async def test_a_bug_in_a_worker_ends_the_app(app):
    from chaser.screens.workers import run_blocking

    def fail():
        raise KeyError("boom")

    with pytest.raises(KeyError, match="boom"):  # run_test re-raises what ended the app
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            run_blocking(app.screen, fail)
            await app.workers.wait_for_complete()
            await pilot.pause()
    assert app.return_code == 1 and isinstance(app.crash, KeyError)
    assert not [n for n in app._notifications if n.severity == "error"]  # no toast: an exit

