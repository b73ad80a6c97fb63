"""The message every screen repaints on: ``app.data`` was replaced."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from textual.app import App


class DataChanged(Message):
    """``app.data`` was replaced: a chase was logged or voided, a sync finished, the period
    changed. ``reason`` is for logs and notices ("chase logged", "sync", "period")."""

    def __init__(self, reason: str = "") -> None:
        super().__init__()
        self.reason = reason


def broadcast(app: App, reason: str) -> None:
    """Post DataChanged to the app and every screen on the stack (a fresh message each)."""
    app.post_message(DataChanged(reason))
    for screen in list(app.screen_stack):
        screen.post_message(DataChanged(reason))
