"""Reading one CSV export as admins really get it (DESIGN.md section 5): UTF-8 with or without
a BOM or Excel's cp1252, `,` `;` or tab between fields, quoted newlines, NUL characters in
rich-text cells, a Salesforce footer block, summary rows, repeated header rows and repeated
record ids. chaser/connectors/csv.py maps the columns; this module settles the bytes.

The file is streamed in batches of the very lists csv.reader produced, so memory stays flat
and reading costs little more than csv.reader itself: each batch is checked with a few C-level
passes, and only a batch that holds something odd is walked row by row. Exact line numbers are
needed only for error messages and notes, so they are worked out then, by reading the file
again.
"""

from __future__ import annotations

import codecs
import csv
import os
import re
import stat
from collections.abc import Iterator
from itertools import islice
from operator import itemgetter, methodcaller
from pathlib import Path
from typing import TextIO

from chaser.connectors.base import Cancel, ConnectorError
from chaser.rules import column_hint

# Rows per batch. Under CPython's generation-0 GC threshold (700 new containers): a batch's
# row lists are freed before a collection would have to walk them. 5,000-row batches made the
# collector alone cost ~25% of a bare csv.reader pass.
BATCH = 500
CHUNK = 1 << 20  # bytes per read while sniffing the encoding or counting NULs
DELIMITERS = (",", ";", "\t")  # ties go to the first
# The whole cell is a summary label: "Total", "Subtotal", "Sub-total", "Grand Totals (8800 records)".
TOTAL_LABEL = re.compile(r"\s*(?:grand\s+|sub-?\s*)?totals?\s*(?:\(.*\))?\s*:?\s*$", re.I)
# Bytes that are not text (C0 controls but tab, LF, CR, FF; NUL included). A file is binary
# only when they make up this share of its start: a Salesforce Data Export's rich-text cells
# begin with a NUL, and that file is text.
BINARY_SHARE = 0.10
_NON_TEXT = bytes(b for b in range(32) if b not in b"\t\n\r\x0c")
_DROP_NUL = methodcaller("replace", "\x00", "")


class Table:
    """One CSV file opened for reading: encoding and delimiter settled, header read."""

    def __init__(self, path: Path, encoding: str | None, delimiter: str | None) -> None:
        self.path = path
        self.encoding, self.delimiter = _sniff(path, encoding, delimiter)
        self.explicit = encoding is not None
        # NULs are counted up front (a C-level scan of the bytes) so that only a file that has
        # them pays for dropping them, line by line, in C.
        self.nuls = 0 if self.encoding.startswith(("utf-16", "utf-32")) else _count_nul(path)
        try:
            self.file: TextIO = open(path, encoding=self.encoding, newline="")  # noqa: SIM115
        except OSError as e:
            raise ConnectorError(f"{path}: cannot read: {e.strerror}") from None
        try:
            lines = map(_DROP_NUL, self.file) if self.nuls else self.file
            self.reader = csv.reader(lines, delimiter=self.delimiter)
            self.lead = 0  # rows before the first data row: leading blank lines + header
            self.header = self._header()
        except BaseException:
            self.file.close()
            raise
        self.width = len(self.header)
        self.ordinal = 0  # data rows handed out so far, blank and skipped ones included
        self.skipped = 0  # summary rows left out (see chunks)
        self.headers = 0  # repeated header rows left out
        self.repeats: list[tuple[int, str]] = []  # (ordinal, id) of rows left out: a repeated id
        self.index: dict[str, list[int]] = {}
        for i, name in enumerate(self.header):
            self.index.setdefault(name, []).append(i)

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
            raise decode_error(self.path, self.encoding, self.explicit) from None
        except csv.Error as e:
            hint = " (is a quote left open?)" if "field larger" in str(e) else ""
            raise ConnectorError(f"{self.path}:{self.reader.line_num}: {e}{hint}") from None

    def column(self, label: str, key: str) -> int:
        """The column of a mapped label: exact match first, then one in any case. A label the
        header holds twice is an error naming both positions: first-wins would read one of
        two columns without saying which."""
        want = label.replace("\ufeff", "").strip()
        found = self.index.get(want) or [
            i for i, h in enumerate(self.header) if h.casefold() == want.casefold()]
        if len(found) == 1:
            return found[0]
        if found:
            at = " and ".join(str(i + 1) for i in found)
            raise ConnectorError(f"{self.path}: column {label!r} ({key}) is in the header more "
                                 f"than once (columns {at}); rename one in the file")
        raise ConnectorError(f"{self.path}: column {label!r} ({key}) is not in the header; "
                             f"{column_hint(want, self.header)}")

    def chunks(self, id_col: int, cancel: Cancel, *, unique: bool = False
               ) -> Iterator[tuple[int, list[list[str]]]]:
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
        unquoted newline looks like. A row equal to the header (two exports pasted together)
        is skipped (`headers`). With `unique`, a row whose id came before is left out
        (`repeats`): a record is counted once, however often a report lists it.
        """
        n, reader, get_id = self.width, self.reader, itemgetter(id_col)
        self.skipped = self.headers = 0
        self.repeats = []
        # Hashes of the ids seen, not the ids: keeping a million small strings alive scatters
        # them through the allocator's pools and made csv.reader itself ~40% slower; ints cost
        # half that. Two different ids sharing a 64-bit hash is a ~1e-8 chance in a million.
        # The header's own id label starts as "seen": a repeated header row then takes the
        # row-by-row path with no extra test per batch.
        seen = {hash(self.header[id_col])}
        blank_before = False
        footer_at: int | None = None  # ordinal of the first footer row
        while True:
            cancel.check()
            line, base = reader.line_num + 1, self.ordinal
            rows = self._read(lambda: list(islice(reader, BATCH)))
            if not rows:
                return
            self.ordinal += len(rows)
            if footer_at is None and (ids := _plain(rows, n, get_id)) is not None:
                if not unique:
                    if self.header[id_col] not in ids:
                        blank_before = False
                        yield line, rows
                        continue
                else:
                    hashes = list(map(hash, ids))
                    if seen.isdisjoint(hashes):
                        size = len(seen)
                        seen.update(hashes)
                        if len(seen) - size == len(rows):
                            blank_before = False
                            yield line, rows
                            continue
                        seen.difference_update(hashes)  # none was seen before: undo, then walk
            kept = []
            for i, row in enumerate(rows):
                width = len(row)
                if width == n and footer_at is None:
                    blank_before = False
                    rid = row[id_col]
                    if not rid.strip() or TOTAL_LABEL.match(rid):
                        self.skipped += 1
                    elif rid.strip() == self.header[id_col] and _is_header(row, self.header):
                        self.headers += 1
                    elif unique and hash(rid) in seen:
                        self.repeats.append((base + i, rid))
                    else:
                        if unique:
                            seen.add(hash(rid))
                        kept.append(row)
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
        """(first line, row) of every data row, from a fresh read: for messages only."""
        with open(self.path, encoding=self.encoding, newline="", errors="replace") as f:
            reader = csv.reader(map(_DROP_NUL, f) if self.nuls else f, delimiter=self.delimiter)
            for _ in islice(reader, self.lead):
                pass
            line = reader.line_num + 1
            for row in reader:
                yield line, row
                line = reader.line_num + 1

    def close(self) -> None:
        self.file.close()


def _is_header(row: list[str], header: list[str]) -> bool:
    return [c.replace("\ufeff", "").strip() for c in row] == header


def _plain(rows: list[list[str]], n: int, get_id) -> list[str] | None:
    """The ids when every row is full width with a plain id, else None. C-level passes only
    (no Python loop per row); a None just sends the batch down the exact row-by-row path."""
    if set(map(len, rows)) != {n}:
        return None
    ids = list(map(get_id, rows))
    blob = "\n".join(ids)
    # ASCII ids: an empty or all-blank id sorts before "!" (ASCII whitespace is <= " ").
    if blob.isascii() and min(ids) > " " and "total" not in blob.lower():
        return ids
    return None


def _count_nul(path: Path) -> int:
    # `in` is a memchr; count() is several times slower, so it runs only on a chunk with one.
    with open(path, "rb") as f:
        return sum(chunk.count(b"\x00") for chunk in iter(lambda: f.read(CHUNK), b"")
                   if b"\x00" in chunk)


def _sniff(path: Path, encoding: str | None, delimiter: str | None) -> tuple[str, str]:
    """Settle the encoding and delimiter from the bytes, unless the config names them."""
    try:
        # Before opening: opening a FIFO waits for a writer for ever, and a device may never
        # end. Only a regular file (or a link to one) is read.
        mode = os.stat(path).st_mode
        if stat.S_ISDIR(mode):
            raise ConnectorError(f"{path}: is a folder, not a CSV file")
        if not stat.S_ISREG(mode):
            what = "a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a device or socket"
            raise ConnectorError(f"{path}: is {what}, not a regular file; export the data to "
                                 "a file first")
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
                encoding = "utf-16" if wide else _guess(path, head, f)
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
        delimiter = _header_delimiter(text.replace("\x00", ""))
    return encoding, delimiter


def _refuse_binary(path: Path, head: bytes) -> None:
    if head.startswith(b"PK\x03\x04"):
        raise ConnectorError(f"{path}: is an Excel workbook or zip file, not CSV "
                             "(save it as CSV first)")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ConnectorError(f"{path}: is an old Excel (.xls) file, not CSV (save it as CSV first)")
    sample = head[:65536]
    # translate() with a delete table is a C pass: what it removes is the non-text bytes.
    non_text = len(sample) - len(sample.translate(None, _NON_TEXT))
    if non_text > BINARY_SHARE * len(sample):
        raise ConnectorError(f"{path}: is a binary file, not CSV ({non_text:,} of its first "
                             f"{len(sample):,} bytes are not text)")


def _guess(path: Path, head: bytes, f) -> str:
    """utf-8-sig with a BOM; else UTF-8 if the first non-ASCII bytes decode as UTF-8, else cp1252.

    cp1252 exports are mostly ASCII, so the first "ü" may sit 50,000 rows in: skip whole ASCII
    chunks (bytes.isascii is a fast C scan) and judge the first chunk that is not. That chunk
    starts on a character boundary (everything before it is ASCII); its end may cut a
    multibyte character in two, which the incremental decoder keeps pending instead of failing.
    A chunk that fails as UTF-8 but also holds valid UTF-8 characters is a file of mixed
    encodings: decoding it all as cp1252 would turn "José" into "JosÃ©", an unknown owner, so
    it is an error naming the line.
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
        if _UTF8_CHAR.search(chunk):
            raise decode_error(path, "utf-8", False) from None
        return "cp1252"
    return "utf-8"


# A well-formed 2-4 byte UTF-8 sequence (cp1252 text almost never has one: "Ã©" would be).
_UTF8_CHAR = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


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


def decode_error(path: Path, encoding: str, explicit: bool) -> ConnectorError:
    """Find the first undecodable byte by reading the bytes again, and name its line."""
    dec = codecs.getincrementaldecoder(encoding)("strict")
    lines = 0
    with open(path, "rb") as f:
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
            return ConnectorError(f"{path}: cannot be decoded as {encoding}")
    if explicit:
        fix = "set encoding to the file's real one"
    elif encoding in ("utf-8", "utf-8-sig"):
        fix = "the file mixes encodings; re-save it as UTF-8 or set encoding = \"cp1252\""
    else:
        fix = "set encoding to the file's real one (e.g. \"latin-1\")"
    return ConnectorError(f"{path}:{line}: byte 0x{byte.hex().upper()} is not valid "
                          f"{encoding}; {fix}")
