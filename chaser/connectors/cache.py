"""Last-known rows of one object of an incremental source (Salesforce, HubSpot).

An incremental sync fetches only the records changed since its bookmark, yet the audit must
see every record: the cache holds the rest. It is written only by the connector's `commit()`,
which sync.py calls after the snapshot is stored, so a failed or cancelled sync never moves
the bookmark past records that were not audited.

One file per source and object (root/cache/<source>-<object>.json), through chaser.storage:
atomic, locked, 0600, schema-versioned. The rows are derived data: a file that is corrupt
still stops chaser (storage's rule), and `chaser sync --full` rebuilds it.
"""

from __future__ import annotations

import re
from pathlib import Path

from chaser.storage import read_locked, write_locked

KIND = "record-cache"
TABLE = "cache"
_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")


class RecordCache:
    """Last-known rows of one object of an incremental source, so a sync that fetched only the
    changes can still audit every record. Saved only on commit (after the snapshot is stored)."""

    def __init__(self, root: Path, source: str, obj: str, columns: tuple[str, ...]) -> None:
        for what, name in (("source", source), ("object", obj)):
            if not _SAFE.fullmatch(name or ""):  # the names become a file name
                raise ValueError(f"{what} name {name!r} cannot name a cache file")
        self.path = Path(root) / "cache" / f"{source}-{obj}.json"
        self.source, self.object, self.columns = source, obj, tuple(columns)

    def load(self) -> tuple[dict[str, list], str | None]:
        """(id -> row, bookmark); empty and None when there is no cache, or when it was made
        with other columns (rules changed): the caller must then read everything."""
        data = read_locked(self.path, KIND)
        body = (data or {}).get(TABLE, {}).get("1")
        if not isinstance(body, dict) or tuple(body.get("columns") or ()) != self.columns \
                or not isinstance(body.get("rows"), dict):
            return {}, None
        bookmark = body.get("bookmark")
        return body["rows"], bookmark if isinstance(bookmark, str) else None

    def save(self, rows: dict[str, list], bookmark: str | None) -> None:
        write_locked(self.path, KIND, {TABLE: {"1": {
            "source": self.source, "object": self.object, "columns": list(self.columns),
            "bookmark": bookmark, "rows": rows}}})

    def clear(self) -> None:
        """Forget the cache (the next sync reads everything)."""
        self.path.unlink(missing_ok=True)
