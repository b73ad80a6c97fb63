"""Constants and small helpers the fake HubSpot's modules share (tests/hubspot_server.py)."""

from __future__ import annotations

from datetime import UTC, datetime

TOKEN = "pat-na1-11111111-2222-3333-4444-555555555555"
PORTAL = 4242
BASE_TIME = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
CHANGE_TIME = datetime(2026, 11, 19, 6, 0, tzinfo=UTC)  # before the tests' pinned NOW
MODIFIED = {"contacts": "lastmodifieddate"}
TOGGLED = {"deals": "amount", "contacts": "phone", "companies": "industry"}  # by /_test/change
TYPES = ("deals", "contacts", "companies", "tickets")


def modified_of(obj: str) -> str:
    return MODIFIED.get(obj, "hs_lastmodifieddate")


def iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def to_ms(value) -> int | None:
    if value in (None, ""):
        return None
    text = str(value)
    if text.lstrip("-").isdigit():
        return int(text)
    try:
        return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)
    except ValueError:
        return None


def error(message: str, category: str) -> dict:
    """HubSpot's error body (the spec's Error schema, as the API sends it)."""
    return {"status": "error", "message": message, "correlationId": "0b6c5d0e-fake",
            "category": category}
