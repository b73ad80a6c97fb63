"""The HR export from the costs screen: one modal asks where both files go, then the export is
`chaser.exports.hr_export` + `write_hr` (what `chaser export hr --out --detail` writes), in a
worker. The two files are written together or not at all; an existing file is replaced only
after a confirmation naming it.

The dialog starts in the user's documents folder (locations.documents_dir), never the working
folder (a git checkout, often). It stays open until the files are written: a folder that does
not exist is offered to be made (a confirmation, then mkdir), and whatever goes wrong (a typo,
a folder that cannot be written, a file not replaced) is said in the dialog with the typed
text kept, so a long path is corrected rather than typed again.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static

from chaser.costs import money
from chaser.errors import ChaserError
from chaser.locations import documents_dir, shown_path
from chaser.modals.confirm import ConfirmModal
from chaser.periods import Period
from chaser.screens.base import ChaserModal
from chaser.screens.periods import describe
from chaser.screens.workers import run_blocking

Paths = tuple[Path, Path | None]  # the per-person file, the per-chase detail file (or none)


SEPARATORS = tuple(s for s in (os.sep, os.altsep) if s)


def detail_path(people: str) -> str:
    """`hr.csv` -> `hr-detail.csv`: where the per-chase file goes by default. Total: it runs
    on every key typed, so half-typed text ("/", "./", "~/", "reports/") gives "" (no file name
    to derive from yet) instead of raising. Plain string work, so the folder part stays as
    typed ("./", "~/", doubled slashes): the field shows the user's own spelling."""
    text = people.strip()
    cut = max(text.rfind(s) for s in SEPARATORS) + 1
    folder, name = text[:cut], text[cut:]
    if name in ("", ".", "..") or (not folder and name.startswith("~")):  # a folder, not a file
        return ""
    stem, dot, suffix = name.rpartition(".")
    if not stem or not suffix:  # ".csv", "hr", "hr.": no extension to keep
        stem, suffix = name.rstrip(".") or name, "csv"
    return f"{folder}{stem}-detail.{suffix}"


def checked_paths(people: str, detail: str) -> Paths:
    """The dialog's two texts as the paths to write (`~` expanded, relative to the working
    folder), or a ChaserError saying what is wrong: `exports.check_target` decides what can be
    written, as for `chaser export hr --out/--detail`."""
    if not people:
        raise ChaserError("The people file is required.")
    out = _check("People file", people)
    extra = _check("Detail file", detail) if detail else None
    if extra is not None and os.path.abspath(extra) == os.path.abspath(out):
        raise ChaserError("The two files must be different files.")
    return out, extra


def _check(what: str, text: str) -> Path:
    from chaser.exports import check_target  # loaded with the export, not at start-up

    if text.endswith(SEPARATORS):  # Path("reports/") drops the slash: say it is a folder
        raise ChaserError(f"{what}: {text} is a folder: add a file name, e.g. {text}hr.csv")
    try:
        return check_target(text, force=True)  # force: an existing file is asked about later
    except ChaserError as e:
        raise ChaserError(f"{what}: {e}") from None


def missing_folders(*texts: str) -> list[Path]:
    """The folders the typed paths would be written in that do not exist yet (each once);
    texts that name a folder, not a file, are left to `checked_paths` to refuse."""
    out: list[Path] = []
    for text in texts:
        if not text or text.endswith(SEPARATORS):
            continue
        folder = Path(text).expanduser().parent
        if not folder.exists() and folder not in out:
            out.append(folder)
    return out


class HrExportModal(ChaserModal[Paths | None]):
    """Asks for the two paths and writes them. Dismisses with (people, detail or None) once
    both are written, or None (cancelled). The detail path follows the people path until it
    is edited; empty means no detail file."""

    DEFAULT_CSS = """
    HrExportModal { align: center middle; }
    HrExportModal > .dialog {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    HrExportModal .dialog--title { text-style: bold; width: 100%; }
    HrExportModal .dialog--body { width: 100%; color: $text-muted; }
    HrExportModal Label { width: 100%; }
    HrExportModal .dialog--error { color: $text-error; width: 100%; height: auto; }
    HrExportModal .dialog--error.empty { display: none; }
    HrExportModal .dialog--buttons { height: auto; width: 100%; align-horizontal: right; }
    HrExportModal Button { margin-left: 2; }
    """
    BINDINGS: ClassVar = [Binding("escape", "cancel", "Cancel", id="export.cancel")]

    def __init__(self, period: Period, people: Path | str) -> None:
        super().__init__()
        self.period, self.people = period, str(people)
        self._people_text = self.people  # the people path the detail path was derived from
        self.busy = False  # writing, or asking: a second Enter does nothing

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Export for HR", classes="dialog--title")
            yield Static(f"{describe(self.period)} · CSV for Excel, formula-safe, with an "
                         "-about.txt beside it; all are written, or none.",
                         classes="dialog--body", markup=False)
            yield Label("People file: one row per person (records, gaps, tier, chases, cost)",
                        markup=False)
            yield Input(self.people, id="export-people")
            yield Label("Chase file: one row per chase counted (empty: none)", markup=False)
            yield Input(detail_path(self.people), id="export-detail")
            yield Static("", classes="dialog--error empty", id="prompt-error", markup=False)
            with Horizontal(classes="dialog--buttons"):
                yield Button("Cancel", id="export-no")
                yield Button("Export", id="export-yes", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#export-people", Input).focus()

    @on(Input.Changed, "#export-people")
    def _follow(self, event: Input.Changed) -> None:
        detail = self.query_one("#export-detail", Input)
        if detail.value == detail_path(self._people_text):  # not edited by hand: follow
            detail.value = detail_path(event.value)
        self._people_text = event.value

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "export-yes":
            self.submit()
        else:
            self.dismiss(None)

    def texts(self) -> tuple[str, str]:
        return (self.query_one("#export-people", Input).value.strip(),
                self.query_one("#export-detail", Input).value.strip())

    def say(self, text: str) -> None:
        """A problem, under the fields; the fields keep what was typed."""
        box = self.query_one("#prompt-error", Static)
        box.update(f"✗ {text}" if text else "")
        box.set_class(not text, "empty")

    def submit(self) -> None:
        """Check both paths here, so a typo keeps the dialog open with the message; a missing
        folder is offered to be made, an existing file is asked about before it is replaced."""
        if self.busy:
            return
        people, detail = self.texts()
        missing = missing_folders(people, detail)
        if missing:
            self._offer_folders(missing)
            return
        try:
            paths = checked_paths(people, detail)
        except ChaserError as e:
            self.say(str(e))
            return
        self.say("")
        self._write(paths, force=False)

    def _offer_folders(self, missing: list[Path]) -> None:
        names = "\n".join(shown_path(f) for f in missing)
        one = len(missing) == 1

        def answered(yes: bool | None) -> None:
            self.busy = False
            if not yes:  # say why nothing was written; the text stays to be corrected
                try:
                    checked_paths(*self.texts())
                except ChaserError as e:
                    self.say(str(e))
                return
            run_blocking(self, lambda: _make(missing), done=made, name="export-mkdir")

        def made(problem: str | None) -> None:
            if problem:
                self.say(problem)
            else:
                self.submit()

        self.busy = True
        self.app.push_screen(ConfirmModal(
            "Create folder?" if one else "Create folders?",
            f"{names}\n{'does' if one else 'do'} not exist yet. Create "
            f"{'it' if one else 'them'} and export there?", confirm="Create"), answered)

    def _write(self, paths: Paths, *, force: bool) -> None:
        from chaser.exports import FileExists, about_path, write_hr
        from chaser.inputs import hr_export

        ws, period = self.app.ws, self.period
        out, detail = paths

        def work():
            try:
                export = hr_export(ws, period)
                return export, write_hr(export, out, detail, force=force)
            except FileExists:  # not an error: ask, then write again with force
                return None, [p for p in (out, detail, about_path(out))
                              if p is not None and p.exists()]
            except (ChaserError, OSError) as e:  # said in the dialog, the text kept
                return None, str(e)

        def done(result) -> None:
            self.busy = False
            export, files = result
            if isinstance(files, str):
                self.say(files)
            elif export is None:
                self._ask_overwrite(paths, files)
            else:
                t = export.total
                what = [f"{len(export.rows)} people, {t.chases} chases, "
                        f"{money(t.cost, export.currency)}", *map(str, files)]
                self.app.notify("\n".join(what), title="HR export written", timeout=10,
                                markup=False)
                self.dismiss(paths)

        self.busy = True
        run_blocking(self, work, done=done, name="export-hr")

    def _ask_overwrite(self, paths: Paths, existing: list[Path]) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                self._write(paths, force=True)
            else:
                self.busy = False
                self.say("Not replaced: change the file name, or export again to replace.")

        names = "\n".join(str(p) for p in existing)
        one = len(existing) == 1
        self.busy = True
        self.app.push_screen(ConfirmModal(
            "Replace file?" if one else "Replace files?",
            f"{names}\n{'already exists' if one else 'already exist'}. Replace "
            f"{'it' if one else 'them'} with this export?", confirm="Replace", danger=True),
            answered)

    def action_cancel(self) -> None:
        self.dismiss(None)


def _make(folders: list[Path]) -> str | None:
    """Make the folders (and their parents); what went wrong, in words, or None."""
    for folder in folders:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            return f"Cannot create {folder}: {e.strerror or e}"
    return None


def default_path(period: Period) -> str:
    """In the documents folder, named by the period; `~` for the home folder (shorter to
    read, and the field edits as typed)."""
    return shown_path(documents_dir() / f"chaser-hr-{period.first_day}_{period.last_day}.csv")


def export_hr(screen, period: Period) -> None:
    """Ask for the paths and write the files (the dialog does both and shows the notices)."""
    screen.app.push_screen(HrExportModal(period, default_path(period)))
