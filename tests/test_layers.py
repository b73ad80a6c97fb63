"""The layering every module keeps (DESIGN.md, "Architecture"), read from the source with ast,
imports inside functions included: the core never imports textual; connectors know neither
sync nor store nor the faces; screens, dialogs and widgets import no connector module (the
progress and cancel contract is chaser.progress)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent / "chaser"
FACES = ("app.py", "screens/", "modals/", "widgets/")


def modules() -> list[Path]:
    return sorted(ROOT.rglob("*.py"))


def imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out.add(node.module)
            out |= {f"{node.module}.{a.name}" for a in node.names}
    return out


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def hits(path: Path, prefixes: tuple[str, ...]) -> list[str]:
    return sorted(m for m in imports(path) if m.startswith(prefixes))


@pytest.mark.parametrize("path", [p for p in modules() if not rel(p).startswith(FACES)],
                         ids=rel)
def test_the_core_never_imports_textual(path):
    assert hits(path, ("textual",)) == []


@pytest.mark.parametrize("path", sorted((ROOT / "connectors").glob("*.py")), ids=rel)
def test_connectors_know_neither_sync_nor_store_nor_the_faces(path):
    assert hits(path, ("chaser.sync", "chaser.store", "chaser.workspace", "chaser.views",
                       "chaser.app", "chaser.screens", "chaser.modals", "chaser.widgets",
                       "chaser.cli", "chaser.commands")) == []


@pytest.mark.parametrize("path", [p for p in modules() if rel(p).startswith(FACES)], ids=rel)
def test_screens_dialogs_and_widgets_import_no_connector(path):
    assert hits(path, ("chaser.connectors",)) == []
