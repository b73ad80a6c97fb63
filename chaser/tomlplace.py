"""Places in a TOML config file, for error messages that name the file, the line and the key;
and `edit`, which changes a few keys of a config file in place and leaves the rest as written.

tomllib keeps no positions, so lines are found again in the text. `Where` also carries the
typed getters every config section uses, so each error says what is wrong in the same form:
`chaser.toml:12: key 'costs.admin_hourly_rate': must be a number >= 0, not -5`.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable
from contextlib import suppress
from decimal import Decimal
from pathlib import Path
from typing import Any

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


# ---- editing in place -----------------------------------------------------------------------
# Why tomlkit rather than tomllib + tomli-w: tomllib reads values only, so writing them back
# with tomli-w drops every comment, blank line, key order and quoting choice the admin made
# (connect used to leave a .bak for that reason). tomlkit parses to a document that keeps all
# of it and prints it back byte for byte, so only the items set here change. tomllib stays the
# judge of what a file means, because config.load reads with it: each edit is read back with
# tomllib and must give exactly the planned values before anything is written.

Key = tuple[str, ...]  # ("source", "salesforce", "objects"): a key and the tables holding it
_BOM = "\ufeff"


def read(path: Path, advice: str) -> dict:
    """The file's values, {} when there is no file yet. A file that cannot be read or parsed is
    refused, naming its line, so that nothing is ever written over it."""
    loaded = _load(path, advice)
    return {} if loaded is None else _values(path, loaded[1], advice)


def edit(path: Path, sets: dict[Key, Any], drops: Iterable[Key] = (), *, advice: str,
         header: Iterable[str] = ()) -> bool:
    """Set the keys in `sets` and remove those in `drops` in the TOML file at `path`, in place:
    every other byte stays as it was. The file is created (0600, `header` as its opening
    comment) when absent, and replaced atomically with its mode and owner kept. Returns whether
    it changed: when every value is already as asked, nothing is written."""
    import tomlkit  # lazy: only `connect` edits a config, while every command reads one
    from tomlkit.exceptions import TOMLKitError

    from chaser.storage import FILE_MODE, atomic_write_bytes, ensure_dir

    drops = list(drops)
    bom, text = _load(path, advice) or ("", "")
    before = _values(path, text, advice)
    planned = _planned(Where(path, text), before, sets, drops, advice)
    if _same(planned, before):
        return False
    # Keep the file's own line ends: tomlkit writes "\n" in what it adds.
    newline = "\r\n" if "\r\n" in text and "\n" not in text.replace("\r\n", "") else "\n"
    if text and not text.endswith("\n"):
        text += newline  # so that a table added after the last line starts on a line of its own
    try:
        doc = tomlkit.parse(text)
    except (TOMLKitError, ValueError) as e:
        raise ChaserError(f"{path}: cannot be edited in place ({e}); {advice}") from None
    if tomlkit.dumps(doc) != text:
        raise ChaserError(f"{path}: cannot be edited in place without reformatting it; {advice}")
    if not text:
        for line in header:
            doc.add(tomlkit.comment(line))
    fresh: list = []  # tables this edit adds; each gets a blank line before whatever follows
    try:
        for keys, value in sets.items():
            if not _same(_get(before, keys), value):
                _put(doc, keys, value, fresh)
        for keys in drops:
            parent = _get(doc, keys[:-1])
            if parent is not None and keys[-1] in parent:
                del parent[keys[-1]]
    except (TOMLKitError, ValueError) as e:
        raise ChaserError(f"{path}: cannot be edited in place ({e}); {advice}") from None
    for table in fresh:
        table.add(tomlkit.nl())
    out = tomlkit.dumps(doc)
    if newline == "\r\n":
        out = re.sub(r"(?<!\r)\n", "\r\n", out)
    if not text.endswith(newline * 2):
        out = out.rstrip("\r\n") + newline  # the blank line after a new last table is not kept
    try:
        after = tomllib.loads(out)
    except tomllib.TOMLDecodeError:
        after = None
    if after is None or not _same(after, planned):
        # Seen with tables written as dotted keys (`source.kind = "csv"`), which tomlkit cannot
        # give a new [sub.table]: refuse rather than write a file that means something else.
        raise ChaserError(f"{path}: cannot be edited in place without changing other settings "
                          "(a table written as dotted keys, like `source.kind = ...`, cannot "
                          f"take a new [table]: write it as a [table]); {advice}")
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    target = path.resolve()  # a symlinked config keeps its link: the file it points to is edited
    ensure_dir(target.parent)
    atomic_write_bytes(target, (bom + out).encode("utf-8"))
    if st is not None:
        # atomic_write_bytes makes every file 0600 and ours; an existing config keeps what the
        # admin gave it. Between the rename and this it is 0600: never looser than either.
        if hasattr(os, "chown") and (st.st_uid, st.st_gid) != (os.geteuid(), os.getegid()):
            with suppress(OSError):  # only root may give a file away; then it stays ours
                os.chown(target, st.st_uid, st.st_gid)
        if (st.st_mode & 0o7777) != FILE_MODE:
            os.chmod(target, st.st_mode & 0o7777)
    return True


def _load(path: Path, advice: str) -> tuple[str, str] | None:
    """(byte-order mark, text) of the file, or None when there is none. The mark and the line
    ends are kept, so the text written back differs only where it was edited."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise ChaserError(f"{path}: is a folder, not a config file; {advice}") from None
    except OSError as e:
        raise ChaserError(f"{path}: cannot read: {e.strerror or e}; {advice}") from None
    bom = _BOM if data.startswith(_BOM.encode()) else ""
    skip = len(bom.encode())
    try:
        return bom, data[skip:].decode("utf-8")
    except UnicodeDecodeError as e:
        raise ChaserError(f"{path}: not UTF-8 text (byte {e.start + skip}); {advice}") from None


def _values(path: Path, text: str, advice: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ChaserError(f"{toml_error(path, text, str(e))}; {advice}") from None
    except RecursionError:  # tomllib parses nested arrays recursively: [[[[...]]]]
        raise ChaserError(f"{path}: arrays or tables nested too deep to be a config; "
                          f"{advice}") from None


def _planned(where: Where, before: dict, sets: dict[Key, Any], drops: list[Key],
             advice: str) -> dict:
    """The values the file must hold after the edit, worked out on plain dicts."""
    out = _copy(before)
    for keys, value in sets.items():
        node = out
        for i, k in enumerate(keys[:-1]):
            node = node.setdefault(k, {})
            if not isinstance(node, dict):  # `source = "csv"` or [[source]]: not ours to redo
                raise where.at(".".join(keys[: i + 1])).fail(f"must be a table to be edited; {advice}")
        node[keys[-1]] = _copy(value)
    for keys in drops:
        node = _get(out, keys[:-1])
        if isinstance(node, dict):
            node.pop(keys[-1], None)
    return out


def _put(doc, keys: Key, value: Any, fresh: list) -> None:
    import tomlkit
    from tomlkit.items import InlineTable

    node = doc
    for k in keys[:-1]:
        if k not in node:
            # Inside an inline table (`source = { kind = "csv" }`) a new table is inline too.
            inline = isinstance(node, InlineTable)
            table = tomlkit.inline_table() if inline else tomlkit.table()
            node[k] = table
            if not inline:
                fresh.append(table)
        node = node[k]
    node[keys[-1]] = value


def _get(node: Any, keys: Key) -> Any:
    for k in keys:
        if not hasattr(node, "keys") or k not in node:
            return None
        node = node[k]
    return node


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_copy(v) for v in value]
    return value


def _same(a: Any, b: Any) -> bool:
    """== on parsed TOML, except that a bool is not 1 and nan is nan (each read makes a new
    nan, which == never matches)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:
        return True
    return type(a) is type(b) and a == b
