"""The HR export dialog (issue 12, point 7): it starts in the documents folder, offers to make
a missing folder, and keeps what was typed whenever something is wrong."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Static
from tui_support import settle_fully as settle

from chaser import locations
from chaser.errors import ChaserError
from chaser.modals.confirm import ConfirmModal
from chaser.modals.hr_export import HrExportModal
from chaser.screens.costs import CostsScreen

pytest_plugins = ["tui_fixtures"]  # seeded_demo, demo_ws, make_app
SIZE = (80, 24)


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


def people(modal) -> Input:
    return modal.query_one("#export-people", Input)


def error_text(modal) -> str:
    box = modal.query_one("#prompt-error", Static)
    return "" if box.has_class("empty") else str(box.visual)


def written(app) -> bool:
    return any(n.title == "HR export written" for n in app._notifications)


async def test_it_starts_in_the_documents_folder(app, chaser_home, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # not the working folder, wherever chaser was started
    async with app.run_test(size=SIZE) as pilot:
        modal = await open_dialog(pilot)
        docs = chaser_home / "Documents"  # CHASER_HOME's, in tests: never the real one
        assert locations.documents_dir() == docs
        assert Path(people(modal).value).parent == docs
        assert people(modal).value.endswith(f"{modal.period.last_day}.csv")


def test_the_home_folder_reads_as_a_tilde(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert locations.shown_path(tmp_path / "Documents" / "hr.csv") == "~/Documents/hr.csv"
    assert locations.shown_path(Path("/srv/hr.csv")) == "/srv/hr.csv"


async def test_a_missing_folder_is_offered_then_made(app, chaser_home):
    docs = chaser_home / "Documents"
    assert not docs.exists()
    async with app.run_test(size=SIZE) as pilot:
        modal = await open_dialog(pilot)
        typed = people(modal).value
        await pilot.press("enter")
        await settle(pilot)
        confirm = app.screen
        assert isinstance(confirm, ConfirmModal)
        assert locations.shown_path(docs) in confirm.body and "Create" in confirm.confirm_label
        await pilot.press("enter")  # "Create" has the focus (nothing is lost by making it)
        await settle(pilot)
        assert not isinstance(app.screen, HrExportModal) and written(app)
    assert docs.is_dir()
    assert Path(typed).is_file() and Path(typed.replace(".csv", "-detail.csv")).is_file()


async def test_no_to_the_folder_keeps_the_dialog_and_the_text(app, tmp_path):
    typed = str(tmp_path / "q4 reports" / "hr.csv")
    async with app.run_test(size=SIZE) as pilot:
        modal = await open_dialog(pilot)
        people(modal).value = typed
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is modal and people(modal).value == typed
        assert "does not exist" in error_text(modal)
    assert not (tmp_path / "q4 reports").exists()


async def test_a_path_that_cannot_be_written_keeps_the_text(app, tmp_path):
    (tmp_path / "afile").write_text("not a folder")
    typed = str(tmp_path / "afile" / "hr.csv")
    async with app.run_test(size=SIZE) as pilot:
        modal = await open_dialog(pilot)
        people(modal).value = typed
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is modal and people(modal).value == typed
        assert error_text(modal).startswith("✗ People file: ")
        assert not written(app)


async def test_a_failed_write_is_said_in_the_dialog(app, tmp_path, monkeypatch):
    import chaser.inputs

    def fail(ws, period):
        raise ChaserError("the ledger could not be read")

    monkeypatch.setattr(chaser.inputs, "hr_export", fail)
    typed = str(tmp_path / "hr.csv")
    async with app.run_test(size=SIZE) as pilot:
        modal = await open_dialog(pilot)
        people(modal).value = typed
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is modal and people(modal).value == typed
        assert "the ledger could not be read" in error_text(modal)


async def test_not_replacing_a_file_keeps_the_dialog(app, tmp_path):
    out = tmp_path / "hr.csv"
    out.write_text("old")
    async with app.run_test(size=SIZE) as pilot:
        modal = await open_dialog(pilot)
        people(modal).value = str(out)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal) and str(out) in app.screen.body
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is modal and people(modal).value == str(out)
        assert "Not replaced" in error_text(modal)
        await pilot.press("enter")  # asked again; yes this time
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("tab", "enter")  # "Replace" (Cancel has the focus: it is dangerous)
        await settle(pilot)
        assert not isinstance(app.screen, HrExportModal) and written(app)
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")


async def test_the_dialog_fits_60x20(app):
    async with app.run_test(size=(60, 20)) as pilot:
        modal = await open_dialog(pilot)
        for part in ("#export-people", "#export-detail", "#export-yes", "#export-no"):
            region = modal.query_one(part).region
            assert region.height and region.bottom <= 20, part
