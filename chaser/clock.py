"""The one source of "now", and the range of dates chaser accepts.

CHASER_NOW (ISO 8601, e.g. 2026-11-20T09:00:00Z) pins the clock, so the demo org, snapshot
tests and scripted demos are the same on every run and machine. Every date a user types or a
store file holds must fall from 1970 to 2100: far outside it, datetime arithmetic overflows and
month files get names nobody finds again ("206-11.json"), so such a date is a clear error.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime

from chaser.errors import ChaserError

MIN_YEAR, MAX_YEAR = 1970, 2100  # both included
NOW_ENV = "CHASER_NOW"


def in_range(at: date) -> bool:
    return MIN_YEAR <= at.year <= MAX_YEAR


def check_range(at: date, what: str) -> None:
    """A ChaserError naming `what` when `at` is outside the years chaser handles."""
    if not in_range(at):
        raise ChaserError(f"{what} {at.isoformat()} is out of range: dates must be from "
                          f"{MIN_YEAR} to {MAX_YEAR}")


def now() -> datetime:
    """The current time, aware, in UTC."""
    pinned = os.environ.get(NOW_ENV, "").strip()
    if pinned:
        try:
            at = datetime.fromisoformat(pinned.replace("Z", "+00:00"))
        except ValueError:
            raise ChaserError(f"{NOW_ENV}={pinned!r} is not a time like 2026-11-20T09:00:00Z "
                              f"(unset it to use the real clock)") from None
        check_range(at, NOW_ENV)
        return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC)
    return datetime.now(UTC)
