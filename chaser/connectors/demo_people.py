"""When the demo org's people started and last logged in (issue 13: the first-week check and
login tiers), apart from demo.py's draws: these facts take nothing from its random stream,
so every record, blank and chase of the demo stays as it was.

The cast: most people started long ago and logged in within the last three days; two
ineffective reps have not logged in for over 30 days, and one owns leads the router gave him
but never logged in at all; three newcomers: Olivia Park started 20 days ago and has entered
nothing since (the first-week check finds her), Nicole Barnes took over a book 45 days ago and
has created records since, Sean Murphy started 3 days ago (too soon to check).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from chaser.connectors.demo_data import DAY, DEPARTED_DAYS_AGO
from chaser.model import Person

STARTED_DAYS_AGO = {"Olivia Park": 20, "Nicole Barnes": 45, "Sean Murphy": 3}
LOGIN_DAYS_AGO = {"Jonas Weber": 41, "Diego Ramírez": 36, "Greg Olsen": DEPARTED_DAYS_AGO + 1}
NEVER_LOGGED_IN = frozenset({"Cody Walsh"})


def with_facts(people: tuple[Person, ...], now: float, as_of: float) -> tuple[Person, ...]:
    """The people with `started` (relative to `now`, fixed across the history) and
    `last_login` (relative to `as_of`: a past snapshot saw the logins before it)."""
    out = []
    for i, p in enumerate(people):
        days = STARTED_DAYS_AGO.get(p.name, 300 + (i * 53) % 1200)
        # a newcomer started exactly that many days (and half an hour) before now
        started = now - days * DAY - (1800 if p.name in STARTED_DAYS_AGO else (i % 9) * 3600)
        if p.name in NEVER_LOGGED_IN:
            login = None
        elif p.name in LOGIN_DAYS_AGO:
            login = as_of - LOGIN_DAYS_AGO[p.name] * DAY - (i % 5) * 3600
        else:  # within the last 2.5 days: people who use the CRM
            login = as_of - ((i * 37) % 60 + 1) * 3600 - (i * 13) % 60 * 60
        login = None if login is None else max(login, started)
        out.append(replace(p, started=_at(started), last_login=_at(login)))
    return tuple(out)


def _at(ts: float | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(int(ts), UTC)
