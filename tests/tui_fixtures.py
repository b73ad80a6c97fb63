"""Fixtures of the TUI tests (loaded with `pytest_plugins = ["tui_fixtures"]`): a demo store
seeded once per session and copied into each test's CHASER_HOME (seeding takes a second or
two; copying, milliseconds)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import NOW

from chaser.workspace import Workspace


@pytest.fixture(scope="session")
def seeded_demo(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("demo-seed")
    saved = {k: os.environ.get(k) for k in ("CHASER_HOME", "CHASER_NOW", "CHASER_CONFIG")}
    os.environ.update(CHASER_HOME=str(home), CHASER_NOW=NOW)
    os.environ.pop("CHASER_CONFIG", None)
    try:
        Workspace.open(demo=True).snapshot()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    return home / "data" / "demo"


@pytest.fixture
def demo_ws(seeded_demo, chaser_home) -> Workspace:
    shutil.copytree(seeded_demo, chaser_home / "data" / "demo")
    return Workspace.open(demo=True)


@pytest.fixture
def make_app(demo_ws) -> Callable:
    from chaser.app import ChaserApp

    def make(**kwargs) -> ChaserApp:
        return ChaserApp(demo_ws, **kwargs)

    return make


@pytest.fixture
def app(make_app):
    """The demo org, seeded once per session and copied per test, in a fresh ChaserApp."""
    return make_app()
