"""Salesforce answers -> rows: REST records (nested relationships, compound values) and Bulk
API 2.0 CSV pages, each flattened to the columns a plan asks for."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from chaser.connectors.base import ConnectorError


def text(value: Any) -> str | None:
    """A JSON value as the text a row holds (rules compare text)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict):  # a compound field (address, geolocation): filled if any part is
        parts = [str(v) for k, v in value.items() if k != "attributes" and v not in (None, "")]
        return ", ".join(parts) or None
    return str(value)


_ABSENT = object()


class Flattener:
    """A REST record -> a row of `fields`; "Account.Name" walks the nested relationship."""

    def __init__(self, fields: Sequence[str]) -> None:
        self.paths = [tuple(f.split(".")) for f in fields]

    def __call__(self, record: dict) -> list:
        # Runs once per record of a sync: plain fields and strings take the short path.
        row = []
        append = row.append
        for path in self.paths:
            v: Any = record
            for seg in path:
                if type(v) is not dict:
                    v = None
                    break
                got = v.get(seg, _ABSENT)
                if got is _ABSENT:  # Salesforce answers in the describe's casing; a rule may not
                    got = next((x for k, x in v.items() if k.casefold() == seg.casefold()), None)
                v = got
            append(v if v is None or type(v) is str else text(v))
        return row


def csv_rows(body: str, fields: Sequence[str], what: str) -> list[list]:
    """A Bulk API 2.0 CSV page -> rows of `fields`. Bulk writes nulls as empty cells."""
    reader = csv.reader(io.StringIO(body))
    header = next(reader, None)
    if header is None:
        return []
    index = {h.casefold(): i for i, h in enumerate(header)}
    missing = [f for f in fields if f.casefold() not in index]
    if missing:
        raise ConnectorError(f"{what}: column {missing[0]!r} missing from the CSV")
    cols = [index[f.casefold()] for f in fields]
    return [[(r[i] if i < len(r) and r[i] != "" else None) for i in cols] for r in reader if r]
