"""How a long task reports progress and is cancelled: a callback out, a flag in. A sync's
connector, the CLI and the TUI's sync screen all speak it, so it lives here, below all of
them: the screens import it without importing a connector module, and it imports nothing of
chaser's."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass


class Cancelled(Exception):  # noqa: N818 - it is an event, not a fault
    """The user cancelled a sync; nothing was stored."""


class Cancel:
    """A cancellation flag shared between a UI (or Ctrl-C) and a running sync."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def set(self) -> None:
        self._event.set()

    @property
    def is_set(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        """Raise `Cancelled` when the flag is set; connectors call it between pages."""
        if self._event.is_set():
            raise Cancelled()


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a sync is: one object's records and pages so far (total when the source knows)."""

    object: str
    records: int
    pages: int
    total: int | None = None
    done: bool = False
    message: str = ""


ProgressFn = Callable[[Progress], None]


def no_progress(_: Progress) -> None:
    """The default progress callback: ignore."""
