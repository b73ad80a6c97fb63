"""The one table of source kinds: the only list of them, read by config, sync, connect,
secrets, status and the screens.

Each kind names the module that implements it, loaded on first use: a CSV user never pays
for the HTTP stack at start-up, and nothing registers itself at import time. A kind's module
provides:

- `connector(settings, *, cache_root, now, full) -> Connector` (every kind);
- `parse_settings(table, where)` for its `[source.<kind>]` table (the API kinds; CSV's table
  is parsed by chaser.config, as its settings are read by freshness and the HR export too);
- `CONNECT_FIELDS`, `SECRETS` and `whoami(settings)` for `chaser connect` (the API kinds).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType


@dataclass(frozen=True, slots=True)
class SourceKind:
    name: str  # the `[source] kind` value
    module: str
    title: str  # how messages name it
    # Signs in over HTTP: secrets in the keyring, a login to check, incremental reads. Such a
    # source is never re-synced behind the user's back when the config changes (it costs API
    # calls); its snapshot is marked stale instead.
    api: bool = False
    env_token: str | None = None  # where the token is read when there is no OS keyring

    def load(self) -> ModuleType:
        return importlib.import_module(self.module)


KINDS: dict[str, SourceKind] = {k.name: k for k in (
    SourceKind("demo", "chaser.connectors.demo", "demo org"),
    SourceKind("csv", "chaser.connectors.csv", "CSV"),
    SourceKind("salesforce", "chaser.connectors.salesforce", "Salesforce", api=True,
               env_token="CHASER_SALESFORCE_TOKEN"),
    SourceKind("hubspot", "chaser.connectors.hubspot", "HubSpot", api=True,
               env_token="CHASER_HUBSPOT_TOKEN"),
)}
NAMES = tuple(KINDS)
API = tuple(k.name for k in KINDS.values() if k.api)
ENV_TOKENS = {k.name: k.env_token for k in KINDS.values() if k.env_token}


def get(name: str) -> SourceKind:
    """The kind called `name`; KeyError for an unknown one (config checks names first)."""
    return KINDS[name]


def is_api(name: str) -> bool:
    kind = KINDS.get(name)
    return kind is not None and kind.api
