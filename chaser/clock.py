"""The one source of "now". CHASER_NOW (ISO 8601, e.g. 2026-11-20T09:00:00Z) pins it, so the
demo org, snapshot tests and scripted demos are the same on every run and machine."""

from __future__ import annotations

import os
from datetime import UTC, datetime


def now() -> datetime:
    """The current time, aware, in UTC."""
    pinned = os.environ.get("CHASER_NOW")
    if pinned:
        at = datetime.fromisoformat(pinned.replace("Z", "+00:00"))
        return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC)
    return datetime.now(UTC)
