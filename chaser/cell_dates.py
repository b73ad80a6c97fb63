"""A date cell of any source as an aware UTC moment: the one reader of record and people
dates (issue 13), below both the connectors (CSV people files) and the audit
(chaser.audit_dates), so neither imports the other. Stdlib only.

Cells read as:
- ISO 8601 with an offset or "Z": Salesforce REST "2026-11-12T09:30:00.000+0000", Bulk API
  2.0 CSV and HubSpot "2026-11-12T09:30:00.000Z";
- epoch milliseconds (12-13 digits): how HubSpot writes datetime properties in some
  answers (chaser.connectors.hubspot_api.to_ms reads both);
- anything else through a converter (a CSV report format, chaser.connectors.csv_dates).
ISO without an offset is local time in the given zone ([costs] timezone); a date alone is
local midnight of that day. What none of these reads is False: never a guess.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, tzinfo

ToIso = Callable[[str | None], str | None]


def moment(text: str | None, to_iso: ToIso | None = None, zone: tzinfo | None = None
           ) -> datetime | None | bool:
    """The aware UTC moment of a date cell; None when blank, False when it is no date."""
    if text is None:
        return None
    s = text.strip()
    if not s:
        return None
    if s.isdigit() and 12 <= len(s) <= 13:
        return datetime.fromtimestamp(int(s) / 1000, UTC)
    try:  # ISO first (3.11 reads "Z", "+0000" and a date alone): no format guesses it
        at = datetime.fromisoformat(s)
    except ValueError:
        iso = to_iso(s) if to_iso is not None else None
        if not iso:
            return False
        try:
            at = datetime.fromisoformat(iso)
        except ValueError:
            return False
    if at.tzinfo is None:
        at = at.replace(tzinfo=zone or UTC)
    return at.astimezone(UTC)


def iso_utc(text: str | None, to_iso: ToIso | None = None, zone: tzinfo | None = None
            ) -> str | None:
    """A date cell as ISO 8601 UTC (what Gap.created holds); None when blank or no date."""
    at = moment(text, to_iso, zone)
    return at.isoformat() if isinstance(at, datetime) else None
