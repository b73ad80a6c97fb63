"""The Connector protocol every source speaks and its typed errors (the progress contract is
chaser.progress).

A connector knows how to list the people and stream the records of a CRM; it knows nothing of
rules, stores or screens. It imports no textual: progress goes out through a callback and
cancellation comes in through `Cancel`, so the CLI and the TUI drive it alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from chaser.errors import ChaserError
from chaser.model import Directory, RecordBatch

# The progress and cancel contract lives in chaser.progress, where the screens reach it too
# without importing a connector module; re-exported here for the connectors.
from chaser.progress import Cancel, Cancelled, Progress, ProgressFn, no_progress
from chaser.rules import Rule

__all__ = ["AuthError", "Cancel", "Cancelled", "Capabilities", "Connector", "ConnectorError",
           "LimitError", "Progress", "ProgressFn", "no_progress"]


class ConnectorError(ChaserError):
    """A source failed: the message says which object and page, and why."""


class AuthError(ConnectorError):
    """Credentials were missing, refused or expired."""


class LimitError(ConnectorError):
    """The CRM's API allowance is spent; retrying would only make it worse."""


@dataclass(frozen=True, slots=True)
class Capabilities:
    incremental: bool = False  # can fetch only what changed since a bookmark
    record_urls: bool = False  # records have CRM links the TUI can open
    describe: bool = False  # can tell which fields the CRM itself requires


@runtime_checkable
class Connector(Protocol):
    """A source of people and records. One instance serves one sync."""

    kind: str  # "demo", "csv", "salesforce", "hubspot"
    capabilities: Capabilities

    def label(self) -> str:
        """A short human name of the source, e.g. "demo org" or "CSV: sales_pipeline.csv"."""
        ...

    def objects(self) -> list[str]:
        """The objects this sync will read, in order."""
        ...

    def directory(self, cancel: Cancel) -> Directory:
        """The people (and queues) who can own records."""
        ...

    def source_rules(self) -> list[Rule]:
        """Rules the source itself imposes (e.g. Salesforce describe); [] when none."""
        ...

    def batches(self, obj: str, progress: ProgressFn, cancel: Cancel) -> Iterator[RecordBatch]:
        """Stream one object's records. Raise ConnectorError naming the object and page."""
        ...

    def commit(self) -> None:
        """Called once the snapshot is stored: an incremental source saves its rows and moves
        its bookmark only now, so a failed sync reads the same changes again. A no-op for
        sources read whole each time."""
        ...

    def notes(self) -> list[str]:
        """What the sync should say besides the figures (rows left out, requests spent, API
        usage); never a secret."""
        ...

    def close(self) -> None:
        """Release sockets and files."""
        ...
