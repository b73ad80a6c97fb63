"""Undo for the TUI: the last chase logged, bulk log or void made since the app opened.

An undo is a recorded withdrawal, never a deletion: the ledger is evidence. Undoing a log
voids its chase with the reason "undone", undoing a bulk log voids each chase of the batch,
undoing a void withdraws it (an unvoid, reason "undone"). All are events in this admin's own
ledger files, listed by `chaser chases` like any other void.

`UndoLog` only remembers what was done (on the UI thread); `undo(ws, action)` does the
withdrawal (in a worker: it writes). No textual here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from chaser.bulk import Batch
from chaser.model import Chase

REASON = "undone"
KINDS = ("log", "bulk", "void")


@dataclass(frozen=True, slots=True)
class Action:
    kind: str  # one of KINDS
    chases: tuple[str, ...]  # the ids of the chases it wrote or voided
    what: str  # in words, for the messages: "the chase of Kevin Patel (12 min call)"


class UndoLog:
    """What this session did, newest last; `take()` hands the newest out to be undone."""

    def __init__(self) -> None:
        self._done: list[Action] = []

    def __len__(self) -> int:
        return len(self._done)

    @property
    def last(self) -> Action | None:
        return self._done[-1] if self._done else None

    def logged(self, chase: Chase, name: str) -> None:
        self._done.append(Action("log", (chase.id,), f"the chase of {name} ({chase.minutes} "
                                 f"min {chase.channel.value})"))

    def logged_batch(self, batch: Batch) -> None:
        if len(batch.chases) == 1:
            c = batch.chases[0]
            self.logged(c, batch.names.get(c.person, c.person))
            return
        self._done.append(Action("bulk", tuple(c.id for c in batch.chases),
                                 f"the bulk log of {len(batch.chases)} people (batch "
                                 f"{batch.ref}, {batch.minutes} min)"))

    def voided(self, chase: Chase, name: str) -> None:
        self._done.append(Action("void", (chase.id,), f"the void of {name}'s chase {chase.id}"))

    def take(self) -> Action | None:
        """The newest action, removed (so a second `u` reaches the one before)."""
        return self._done.pop() if self._done else None

    def put_back(self, action: Action) -> None:
        """An undo that failed (a file could not be written): it can be tried again."""
        self._done.append(action)


def undo(ws, action: Action) -> str:
    """Withdraw `action` through the store; what was done, in one line. Chases someone has
    already voided (or whose void someone has withdrawn) are left as they are, and said."""
    kind = "unvoid" if action.kind == "void" else "void"
    changed, left = ws.store.change_chases(action.chases, kind, REASON, at=ws.now())
    if not changed:
        state = "no longer voided" if kind == "unvoid" else "already voided"
        return f"Nothing to undo: {action.what} is {state}"
    done = (f"Undid {action.what}: withdrew the void, it counts again" if kind == "unvoid"
            else f"Undid {action.what}: voided {_count(changed)} (reason \"{REASON}\")")
    return done + (f"; {_count(left)} already voided, left as they were" if left else "")


def _count(chases: Iterable[Chase]) -> str:
    n = len(list(chases))
    return f"{n} chase{'s' if n != 1 else ''}" if n != 1 else "the chase"
