"""Every test runs with CHASER_HOME under tmp_path, a pinned clock, and an in-memory keyring:
no test touches the real home directory, keyring or network."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend

NOW = "2026-11-20T09:00:00+00:00"
SHARED = Path(__file__).resolve().parents[2] / "shared"
MAVEN = SHARED / "datasets" / "maven-crm"


class MemoryKeyring(KeyringBackend):
    priority = -1  # never chosen by keyring itself; tests set it explicitly

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.secrets.get((service, username))

    def set_password(self, service, username, password):
        self.secrets[(service, username)] = password

    def delete_password(self, service, username):
        self.secrets.pop((service, username), None)


@pytest.fixture(autouse=True)
def chaser_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "chaser-home"
    monkeypatch.setenv("CHASER_HOME", str(home))
    monkeypatch.setenv("CHASER_NOW", NOW)
    monkeypatch.delenv("CHASER_CONFIG", raising=False)
    monkeypatch.delenv("CHASER_SALESFORCE_TOKEN", raising=False)
    monkeypatch.delenv("CHASER_HUBSPOT_TOKEN", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return home


@pytest.fixture(autouse=True)
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def maven() -> Path:
    if not (MAVEN / "sales_pipeline.csv").exists():
        pytest.skip(f"shared Maven CRM dataset not found at {MAVEN} (clone outside the workspace)")
    return MAVEN
