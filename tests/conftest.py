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


# ---- a small CSV org and the CLI, shared by the CLI and TUI tests ------------------------------


def _toml(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def csv_org(folder: Path, people: str, deals: str, *, key: str = "name",
            require: tuple[str, ...] | list[str] = ("amount",),
            when: str | None = '{ field = "stage", equals = "Won" }', extra: str = "") -> Path:
    """Write people.csv, deals.csv and a chaser.toml reading them into `folder`; return the
    config's path. The people mapping follows the people header: `key` is the key column, the
    name column is "name", and team, manager, email and active are mapped when present. Deals
    are object "Deal" (id "id", owner "owner") with one rule: `require` these fields, `when`
    given (an inline TOML table) or always. `extra` (e.g. a [costs] section) is appended."""
    (folder / "people.csv").write_text(people, encoding="utf-8")
    (folder / "deals.csv").write_text(deals, encoding="utf-8")
    header = people.splitlines()[0].split(",")
    lines = ['[source]', 'kind = "csv"', '[source.csv.people]', 'path = "people.csv"',
             f"key = {_toml(key)}"]
    if key != "name":
        lines.append('name = "name"')
    lines += [f"{column} = {_toml(column)}" for column in ("team", "manager", "email", "active")
              if column in header]
    lines += ['[[source.csv.objects]]', 'object = "Deal"', 'path = "deals.csv"', 'id = "id"',
              'owner = "owner"', '[[rules]]', 'object = "Deal"',
              f"require = [{', '.join(_toml(f) for f in require)}]"]
    if when is not None:
        lines.append(f"when = {when}")
    config = folder / "chaser.toml"
    config.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
    return config


def run_cli(capsys, *argv) -> tuple[int, str, str]:
    """Run `chaser *argv` in-process (arguments may be paths or numbers): (exit code, out, err)."""
    from chaser.cli import main

    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err
