"""Places in a TOML config file, for error messages that name the file, the line and the key.

tomllib keeps no positions, so lines are found again in the text. `Where` also carries the
typed getters every config section uses, so each error says what is wrong in the same form:
`chaser.toml:12: key 'costs.admin_hourly_rate': must be a number >= 0, not -5`.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from chaser.errors import ChaserError


class Where:
    """Names a place in a config file for error messages: file, line, dotted key."""

    def __init__(self, path: Path, text: str, key: str = "") -> None:
        self.path, self.text, self.key = path, text, key

    def at(self, key: str) -> Where:
        return Where(self.path, self.text, f"{self.key}.{key}" if self.key else key)

    def item(self, i: int) -> Where:
        return Where(self.path, self.text, f"{self.key}[{i}]")

    def line(self) -> int | None:
        return find_line(self.text, self.key)

    def place(self) -> str:
        """"chaser.toml:12: key 'rules[0]'": the file, line and key, as messages name them."""
        line = self.line()
        place = f"{self.path}:{line}" if line else str(self.path)
        return f"{place}: key '{self.key}'" if self.key else place

    def fail(self, what: str) -> ChaserError:
        return ChaserError(f"{self.place()}: {what}")

    # typed getters ------------------------------------------------------------------------
    def table(self, raw: dict, allowed: set[str], required: set[str] = frozenset()) -> dict:
        if not isinstance(raw, dict):
            raise self.fail("must be a table")
        for k in raw:
            if k not in allowed:
                raise self.at(k).fail(f"unknown key (allowed here: {', '.join(sorted(allowed))})")
        for k in sorted(required):
            if k not in raw:
                raise self.at(k).fail("is required")
        return raw

    def string(self, raw: dict, key: str, default: str | None = None) -> str | None:
        if key not in raw:
            return default
        v = raw[key]
        if not isinstance(v, str) or not v.strip():
            raise self.at(key).fail(f"must be a non-empty string, not {_show(v)}")
        return v

    def number(self, raw: dict, key: str, default: Decimal | None, minimum: float = 0,
               maximum: float | None = None) -> Decimal | None:
        if key not in raw:
            return default
        v = raw[key]
        # A quoted "60" is a typing slip in TOML, and accepting it would hide one that is not
        # a number at all; money is exact anyway (Decimal of the number's shortest text).
        if isinstance(v, bool) or not isinstance(v, int | float):
            hint = " (write it without quotes)" if isinstance(v, str) else ""
            raise self.at(key).fail(f"must be a number, not {_show(v)}{hint}")
        d = Decimal(str(v))
        if not d.is_finite() or d < Decimal(str(minimum)) \
                or (maximum is not None and d > Decimal(str(maximum))):
            span = (f"from {minimum:g} to {maximum:,g}" if maximum is not None
                    else f">= {minimum:g}")
            raise self.at(key).fail(f"must be a number {span}, not {_show(v)}")
        return d

    def integer(self, raw: dict, key: str, default: int | None, lo: int, hi: int) -> int | None:
        if key not in raw:
            return default
        v = raw[key]
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            raise self.at(key).fail(f"must be a whole number from {lo} to {hi}, not {_show(v)}")
        return v

    def boolean(self, raw: dict, key: str, default: bool) -> bool:
        if key not in raw:
            return default
        if not isinstance(raw[key], bool):
            raise self.at(key).fail(f"must be true or false, not {_show(raw[key])}")
        return raw[key]

    def strings(self, raw: dict, key: str, default: tuple[str, ...] | None = None
                ) -> tuple[str, ...] | None:
        if key not in raw:
            return default
        v = raw[key]
        if not isinstance(v, list) or not all(isinstance(s, str) and s.strip() for s in v):
            raise self.at(key).fail(f"must be a list of non-empty strings, not {_show(v)}")
        return tuple(v)

    def path_of(self, raw: dict, key: str) -> Path:
        """A path relative to the config file's own folder."""
        p = Path(self.string(raw, key)).expanduser()
        return p if p.is_absolute() else (self.path.parent / p)


def _show(v: object) -> str:
    return repr(v) if not isinstance(v, dict | list) else type(v).__name__


def find_line(text: str, dotted: str) -> int | None:
    """Best-effort line of a dotted key ("source.csv.objects[1].owner") in TOML text.

    tomllib keeps no positions, so walk the table headers. A key that is absent (or sits in an
    inline table) falls back to its parent's line, then to its table's header line."""
    segs = re.findall(r"([^.\[\]]+)(?:\[(\d+)\])?", dotted)
    lines = text.splitlines()
    for cut in range(len(segs), 0, -1):
        n = _locate(lines, segs[:cut])
        if n:
            return n
    return None


def _locate(lines: list[str], segs: list[tuple[str, str]]) -> int | None:
    for k in range(len(segs), -1, -1):  # segs[:k] is the table, the rest the key inside it
        table = ".".join(name for name, _ in segs[:k])
        idx = int(segs[k - 1][1]) if k and segs[k - 1][1] else None
        key = ".".join(name for name, _ in segs[k:])
        current, seen = "", -1
        for n, line in enumerate(lines, start=1):
            s = line.strip()
            if s.startswith("["):
                current = s.strip("[] ").replace('"', "")
                if current == table:
                    seen += 1
                    if not key and (idx is None or seen == idx):
                        return n
                continue
            here = current == table and (idx is None or seen == idx)
            if key and here and "=" in s and s.split("=", 1)[0].strip().strip('"') == key:
                return n
    return None


def toml_error(path: Path, text: str, message: str) -> str:
    """tomllib's message with the place up front ("chaser.toml:7: ...") and, for a key or table
    given twice, the dotted key (tomllib names neither)."""
    m = re.search(r"\(at line (\d+), column \d+\)$", message)
    if m is None:
        return f"{path}: invalid TOML: {message}"
    n, what = int(m[1]), message[: m.start()].strip()
    lines = text.splitlines()
    line = lines[n - 1].strip() if 0 < n <= len(lines) else ""
    twice = what.startswith("Cannot overwrite") or what.endswith("twice")
    if twice and line.startswith("["):
        return f"{path}:{n}: table {line} is declared twice (invalid TOML: {message})"
    if twice and "=" in line:
        table = next((s.strip("[] ").replace('"', "") for s in map(str.strip, reversed(lines[:n - 1]))
                      if s.startswith("[")), "")
        key = line.split("=", 1)[0].strip().strip('"')
        dotted = f"{table}.{key}" if table else key
        return f"{path}:{n}: key '{dotted}' is given twice (invalid TOML: {message})"
    return f"{path}:{n}: invalid TOML: {message}"
