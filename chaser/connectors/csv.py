"""CSV exports of any CRM report: people from an optional people file, records from one file
per object, mapped by the header labels named in [source.csv] (see config.CsvSource).

Exports arrive as admins really get them (DESIGN.md section 5): UTF-8 with or without a BOM or
Excel's cp1252, `,` `;` or tab between fields, quoted newlines, a Salesforce footer block and
summary rows. The file is streamed in batches of the very lists csv.reader produced, so memory
stays flat and the connector costs little more than csv.reader itself: each batch is checked
with a few C-level passes, and only a batch that holds something odd is walked row by row.
Exact line numbers are needed only for error messages, so they are worked out then, by
reading the file again.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator
from itertools import islice
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from chaser.connectors.base import Cancel, Capabilities, ConnectorError, Progress, ProgressFn
from chaser.model import NO_TEAM, Directory, Layout, Person, RecordBatch
from chaser.rules import Rule

if TYPE_CHECKING:
    from chaser.config import CsvSource

# Rows per batch. Under CPython's generation-0 GC threshold (700 new containers): a batch's
# row lists are freed before a collection would have to walk them. 5,000-row batches made the
# collector alone cost ~25% of a bare csv.reader pass.
BATCH = 500
CHUNK = 1 << 20  # bytes per read while sniffing the encoding
DELIMITERS = (",", ";", "\t")  # ties go to the first
TRUE = frozenset({"true", "yes", "y", "1", "active", "t", "enabled"})
FALSE = frozenset({"false", "no", "n", "0", "inactive", "f", "disabled"})
# The whole cell is a summary label: "Total", "Subtotal", "Sub-total", "Grand Totals (8800 records)".
TOTAL_LABEL = re.compile(r"\s*(?:grand\s+|sub-?\s*)?totals?\s*(?:\(.*\))?\s*:?\s*$", re.I)


class _Table:
    """One CSV file opened for reading: encoding and delimiter settled, header read."""

    def __init__(self, path: Path, encoding: str | None, delimiter: str | None) -> None:
        self.path = path
        self.encoding, self.delimiter = _sniff(path, encoding, delimiter)
        self.explicit = encoding is not None
        try:
            self.file: TextIO = open(path, encoding=self.encoding, newline="")  # noqa: SIM115
        except OSError as e:
            raise ConnectorError(f"{path}: cannot read: {e.strerror}") from None
        try:
            self.reader = csv.reader(self.file, delimiter=self.delimiter)
            self.lead = 0  # rows before the first data row: leading blank lines + header
            self.header = self._header()
        except BaseException:
            self.file.close()
            raise
        self.width = len(self.header)
        self.ordinal = 0  # data rows handed out so far, blank and skipped ones included
        self.skipped = 0  # summary rows left out (see chunks)
        self.index: dict[str, int] = {}
        for i, name in enumerate(self.header):
            self.index.setdefault(name, i)

    def _header(self) -> list[str]:
        while (row := self._read(lambda: next(self.reader, None))) is not None:
            self.lead += 1
            if any(cell.strip() for cell in row):
                # A BOM can survive an explicit encoding = "utf-8"; labels are matched stripped.
                return [cell.replace("\ufeff", "").strip() for cell in row]
        raise ConnectorError(f"{self.path}: the file is empty (no header row)")

    def _read(self, fn):
        """Run a read, turning decoding and csv errors into one-line ConnectorErrors."""
        try:
            return fn()
        except UnicodeDecodeError:
            raise _decode_error(self) from None
        except csv.Error as e:
            hint = " (is a quote left open?)" if "field larger" in str(e) else ""
            raise ConnectorError(f"{self.path}:{self.reader.line_num}: {e}{hint}") from None

    def column(self, label: str, key: str) -> int:
        """The column of a mapped label: exact match first, then one in any case."""
        want = label.replace("\ufeff", "").strip()
        if want in self.index:
            return self.index[want]
        folded = [i for i, h in enumerate(self.header) if h.casefold() == want.casefold()]
        if len(folded) == 1:
            return folded[0]
        present = ", ".join(repr(h) for h in self.header)
        why = "matches more than one column" if folded else "is not in the header"
        raise ConnectorError(f"{self.path}: column {label!r} ({key}) {why}; columns present: "
                             f"{present}")

    def chunks(self, id_col: int, cancel: Cancel) -> Iterator[tuple[int, list[list[str]]]]:
        """(first source line, rows) per batch: only full-width rows with an id, footer cut off.

        Summary exports (grouped reports) add group-header and subtotal rows: they have the
        header's width but no record id, e.g. ["", "Moses Frase", "", "", "12,300"], or put a
        label such as "Subtotal" or "Grand Totals (8800 records)" where the id belongs. Every
        CRM record has an id, so a row whose id cell is blank or such a label is not a record:
        it is skipped (counted in `skipped`), whatever its owner cell says — charging a
        subtotal line to the rep it sums up would be unfair. The Salesforce footer is a blank
        line followed only by one-cell rows ("Grand Totals (…)", "Confidential Information…",
        "Copyright…", "Generated By…", the org name) up to the end of the file: it is cut off.
        A one-cell row anywhere else is ragged, because that is what a line broken by an
        unquoted newline looks like.
        """
        n, reader, get_id = self.width, self.reader, itemgetter(id_col)
        self.skipped = 0
        blank_before = False
        footer_at: int | None = None  # ordinal of the first footer row
        while True:
            cancel.check()
            line, base = reader.line_num + 1, self.ordinal
            rows = self._read(lambda: list(islice(reader, BATCH)))
            if not rows:
                return
            self.ordinal += len(rows)
            if footer_at is None and _plain(rows, n, get_id):
                blank_before = False
                yield line, rows
                continue
            kept = []
            for i, row in enumerate(rows):
                width = len(row)
                if width == n and footer_at is None:
                    blank_before = False
                    rid = row[id_col]
                    if rid.strip() and not TOTAL_LABEL.match(rid):
                        kept.append(row)
                    else:
                        self.skipped += 1
                elif width == 0 or (width == 1 and not row[0].strip()):
                    blank_before = True
                elif width == 1 and n > 1 and (blank_before or footer_at is not None):
                    footer_at = base + i if footer_at is None else footer_at
                else:  # a ragged row, or a full row after what looked like the footer
                    at = footer_at if footer_at is not None else base + i
                    raise self.ragged(at, 1 if footer_at is not None else width)
            if kept:
                yield line, kept

    def ragged(self, ordinal: int, got: int) -> ConnectorError:
        line, row = next(islice(self.rescan(), ordinal, None))
        hint = (f"; a value may hold an unquoted {self.delimiter!r}" if got > self.width else
                "; a quote may be left open" if any("\n" in c for c in row) else "")
        return ConnectorError(f"{self.path}:{line}: expected {self.width} cells (as in the "
                              f"header), got {got}{hint}")

    def rescan(self) -> Iterator[tuple[int, list[str]]]:
        """(first line, row) of every data row, from a fresh read: for error messages only."""
        with open(self.path, encoding=self.encoding, newline="", errors="replace") as f:
            reader = csv.reader(f, delimiter=self.delimiter)
            for _ in islice(reader, self.lead):
                pass
            line = reader.line_num + 1
            for row in reader:
                yield line, row
                line = reader.line_num + 1

    def close(self) -> None:
        self.file.close()


def _plain(rows: list[list[str]], n: int, get_id) -> bool:
    """True when every row is full width with a plain id. C-level passes only (no Python loop
    per row); a False just sends the batch down the exact row-by-row path."""
    if set(map(len, rows)) != {n}:
        return False
    ids = list(map(get_id, rows))
    blob = "\n".join(ids)
    # ASCII ids: an empty or all-blank id sorts before "!" (ASCII whitespace is <= " ").
    return blob.isascii() and min(ids) > " " and "total" not in blob.lower()


def _sniff(path: Path, encoding: str | None, delimiter: str | None) -> tuple[str, str]:
    """Settle the encoding and delimiter from the bytes, unless the config names them."""
    try:
        with open(path, "rb") as f:
            head = f.read(CHUNK)
            if encoding is not None:
                try:
                    encoding = codecs.lookup(encoding).name
                except LookupError:
                    raise ConnectorError(f"{path}: unknown encoding {encoding!r}") from None
            if not head:
                raise ConnectorError(f"{path}: the file is empty")
            wide = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
            if not wide and not (encoding or "").startswith(("utf-16", "utf-32")):
                _refuse_binary(path, head)
            if encoding is None:
                encoding = "utf-16" if wide else _guess(head, f)
    except FileNotFoundError:
        raise ConnectorError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise ConnectorError(f"{path}: is a folder, not a CSV file") from None
    except OSError as e:
        raise ConnectorError(f"{path}: cannot read: {e.strerror}") from None
    if encoding == "utf-8" and head.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    if delimiter is None:
        text = codecs.getincrementaldecoder(encoding)("replace").decode(head[:65536])
        delimiter = _header_delimiter(text)
    return encoding, delimiter


def _refuse_binary(path: Path, head: bytes) -> None:
    if head.startswith(b"PK\x03\x04"):
        raise ConnectorError(f"{path}: is an Excel workbook or zip file, not CSV "
                             "(save it as CSV first)")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ConnectorError(f"{path}: is an old Excel (.xls) file, not CSV (save it as CSV first)")
    nul = head.find(b"\x00")
    if nul >= 0:
        raise ConnectorError(f"{path}: is a binary file, not CSV (NUL byte at offset {nul})")


def _guess(head: bytes, f) -> str:
    """utf-8-sig with a BOM; else UTF-8 if the first non-ASCII bytes decode as UTF-8, else cp1252.

    cp1252 exports are mostly ASCII, so the first "ü" may sit 50,000 rows in: skip whole ASCII
    chunks (bytes.isascii is a fast C scan) and judge the first chunk that is not. That chunk
    starts on a character boundary (everything before it is ASCII); its end may cut a
    multibyte character in two, which the incremental decoder keeps pending instead of failing.
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    chunk = head
    while chunk.isascii():
        chunk = f.read(CHUNK)
        if not chunk:
            return "utf-8"  # pure ASCII reads the same either way
    try:
        codecs.getincrementaldecoder("utf-8")("strict").decode(chunk, final=len(chunk) < CHUNK)
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def _header_delimiter(text: str) -> str:
    """The candidate seen most often in the header line, outside quotes (csv.Sniffer guesses
    from the data and is easily fooled by decimal commas and free text)."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = seen = False
    for ch in text:
        if ch == '"':
            quoted, seen = not quoted, True
        elif quoted:
            continue
        elif ch in "\r\n":
            if seen:
                break
        else:
            seen = seen or not ch.isspace()
            if ch in counts:
                counts[ch] += 1
    return max(DELIMITERS, key=lambda d: counts[d])


def _decode_error(t: _Table) -> ConnectorError:
    """Find the first undecodable byte by reading the bytes again, and name its line."""
    dec = codecs.getincrementaldecoder(t.encoding)("strict")
    lines = 0
    with open(t.path, "rb") as f:
        while chunk := f.read(CHUNK):
            data = dec.getstate()[0] + chunk  # e.start indexes the pending bytes + this chunk
            pending = len(data) - len(chunk)
            try:
                dec.decode(chunk)
            except UnicodeDecodeError as e:
                line = lines + chunk.count(b"\n", 0, max(0, e.start - pending)) + 1
                byte = data[e.start:e.start + 1]
                break
            lines += chunk.count(b"\n")
        else:
            return ConnectorError(f"{t.path}: cannot be decoded as {t.encoding}")
    if t.explicit:
        fix = "set encoding to the file's real one"
    elif t.encoding == "utf-8":
        fix = "the file mixes encodings; re-save it as UTF-8 or set encoding = \"cp1252\""
    else:
        fix = "set encoding to the file's real one (e.g. \"latin-1\")"
    return ConnectorError(f"{t.path}:{line}: byte 0x{byte.hex().upper()} is not valid "
                          f"{t.encoding}; {fix}")


def _active(text: str) -> bool | None:
    """Person.active from text; None when it is not a yes/no word. Blank means active."""
    folded = text.strip().casefold()
    if not folded or folded in TRUE:
        return True
    return False if folded in FALSE else None


class CsvConnector:
    """Connector over CSV report exports (kind "csv")."""

    kind = "csv"

    def __init__(self, source: CsvSource) -> None:
        self._source = source
        self.capabilities = Capabilities(record_urls=any(o.url for o in source.objects))
        self._open: set[_Table] = set()
        self._notes: list[str] = []

    def label(self) -> str:
        names = dict.fromkeys(o.path.name for o in self._source.objects)
        return "CSV: " + ", ".join(names)

    def objects(self) -> list[str]:
        return [o.object for o in self._source.objects]

    def source_rules(self) -> list[Rule]:
        return []

    def notes(self) -> tuple[str, ...]:
        """What the sync should show besides the figures: summary rows left out, per file."""
        return tuple(self._notes)

    def _table(self, path: Path, encoding: str | None, delimiter: str | None) -> _Table:
        t = _Table(Path(path), encoding, delimiter)
        self._open.add(t)
        return t

    def _done(self, t: _Table) -> None:
        t.close()
        self._open.discard(t)

    def directory(self, cancel: Cancel) -> Directory:
        """Everyone in the people file; without one, an open directory (every owner value
        seen in the records becomes a person)."""
        p = self._source.people
        if p is None:
            return Directory(complete=False)
        t = self._table(p.path, p.encoding, p.delimiter)
        try:
            cols = {k: t.column(getattr(p, k), f"source.csv.people.{k}")
                    for k in ("key", "name", "team", "manager", "email", "active")
                    if getattr(p, k)}
            kc, get = cols["key"], lambda row, k: row[cols[k]].strip() if k in cols else ""
            people: dict[str, Person] = {}
            for _, rows in t.chunks(kc, cancel):
                for row in rows:
                    key = row[kc].strip()
                    if key in people:
                        lines = [n for n, r in t.rescan() if len(r) > kc and r[kc].strip() == key]
                        raise ConnectorError(f"{t.path}:{lines[1]}: duplicate key {key!r} "
                                             f"(first on line {lines[0]})")
                    active = _active(get(row, "active"))
                    if active is None:
                        bad = get(row, "active")
                        line = next(n for n, r in t.rescan() if r == row)
                        raise ConnectorError(
                            f"{t.path}:{line}: column {p.active!r} is {bad!r}, not a yes/no "
                            "value (true/false, yes/no, 1/0, active/inactive; blank = active)")
                    people[key] = Person(key, get(row, "name") or key,
                                         get(row, "team") or NO_TEAM,
                                         get(row, "manager") or None, get(row, "email") or None,
                                         active)
        finally:
            self._done(t)
        return Directory(tuple(people.values()), complete=True)

    def batches(self, obj: str, progress: ProgressFn, cancel: Cancel) -> Iterator[RecordBatch]:
        """Stream `obj`'s rows in batches; progress and cancellation between batches."""
        found = [(i, o) for i, o in enumerate(self._source.objects) if o.object == obj]
        if not found:
            raise ConnectorError(f"no CSV file is configured for object {obj!r}")
        i, o = found[0]
        t = self._table(o.path, o.encoding, o.delimiter)
        try:
            key = f"source.csv.objects[{i}]"
            col = {k: t.column(getattr(o, k), f"{key}.{k}")
                   for k in ("id", "owner", "name", "modified") if getattr(o, k)}
            layout = Layout(o.object, tuple(t.header), col["id"], col["owner"],
                            col.get("name"), col.get("modified"), o.url, str(t.path))
            records = 0
            for pages, (line, rows) in enumerate(t.chunks(col["id"], cancel), start=1):
                records += len(rows)
                yield RecordBatch(layout, rows, 1, line)
                progress(Progress(obj, records, pages))
            if t.skipped:  # the sync itself reports the object done, with these as notes
                self._notes.append(f"{t.path.name}: skipped {t.skipped} summary rows without "
                                   "a record id (subtotals, group headers)")
        finally:
            self._done(t)

    def close(self) -> None:
        for t in list(self._open):
            self._done(t)
