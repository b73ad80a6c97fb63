"""How counts are written in words, for every face: "1 chase", "141 chases", "1 person"."""

from __future__ import annotations

IRREGULAR = {"person": "people"}


def plural(n: int, one: str, many: str = "") -> str:
    """"1 record", "4,899 records", "1 person", "50 people" (thousands separated)."""
    return f"{n:,} {one if n == 1 else many or IRREGULAR.get(one, one + 's')}"
