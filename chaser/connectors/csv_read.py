"""Reading one CSV export as admins really get it (DESIGN.md section 5): UTF-8 with or without
a BOM or Excel's cp1252, `,` `;` or tab between fields, quoted newlines, NUL characters in
rich-text cells, a Salesforce footer block, summary rows, repeated header rows and repeated
record ids. chaser/connectors/csv.py maps the columns; csv_bytes.py settles the bytes
(encoding, delimiter, NULs, where a big file can be cut in two); this module reads the rows.

The file is streamed in batches of the very lists csv.reader produced, so memory stays flat
and reading costs little more than csv.reader itself: each batch is checked with a few C-level
passes, and only a batch that holds something odd is walked row by row. Exact line numbers are
needed only for error messages and notes, so they are worked out then, by reading the file
again. A big file is read in two parts, so that csv_split.py can have the second one read in
another process; read here, the two parts give exactly the rows of one pass.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from itertools import islice
from operator import itemgetter, methodcaller
from pathlib import Path
from typing import TextIO

from chaser.connectors.base import Cancel, ConnectorError
from chaser.connectors.csv_bytes import decode_error, sniff
from chaser.rules import column_hint

# Rows per batch. Under CPython's generation-0 GC threshold (700 new containers): a batch's
# row lists are freed before a collection would have to walk them. 5,000-row batches made the
# collector alone cost ~25% of a bare csv.reader pass.
BATCH = 500
CHUNK = 1 << 20  # bytes per read while sniffing the encoding or counting NULs
# Files from this size on are read in two parts (csv_split.py): below it, a second process
# costs more than it saves.
SPLIT_MIN = 16 << 20
# The whole cell is a summary label: "Total", "Subtotal", "Sub-total", "Grand Totals (8800 records)".
TOTAL_LABEL = re.compile(r"\s*(?:grand\s+|sub-?\s*)?totals?\s*(?:\(.*\))?\s*:?\s*$", re.I)
_DROP_NUL = methodcaller("replace", "\x00", "")


class Table:
    """One CSV file opened for reading: encoding and delimiter settled, header read. With
    `split`, a big file is read in two parts: `split` is then the byte offset of the second."""

    def __init__(self, path: Path, encoding: str | None, delimiter: str | None, *,
                 split: bool = False) -> None:
        self.path = path
        # NULs are counted up front (a C-level scan of the bytes) so that only a file that has
        # them pays for dropping them, line by line, in C.
        self.encoding, self.delimiter, self.nuls, self.split = sniff(
            path, encoding, delimiter, CHUNK, SPLIT_MIN if split else None)
        self.explicit = encoding is not None
        # Errors name their line, found by reading the file again; csv_split's child only
        # says that it failed (its parent reads that part itself and names the line).
        self.exact_errors = True
        self.line_base = 0  # lines before the part being read
        self.file = self._open(0, self.split)
        try:
            self.reader = self._reader(self.file)
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
        # What chunks() carries from batch to batch (and csv_split checks at the split).
        self.seen: set[int] = set()  # hashes of the ids kept so far
        self.blank_before = False  # the last row read was blank
        self.footer_at: int | None = None  # ordinal of the first footer row
        self.index: dict[str, list[int]] = {}
        for i, name in enumerate(self.header):
            self.index.setdefault(name, []).append(i)

    def _open(self, start: int, stop: int | None) -> TextIO:
        """The text of bytes [start, stop) of the file (stop None: to its end)."""
        # A BOM is only at the start; a U+FEFF further in is a character of a cell.
        encoding = "utf-8" if start and self.encoding == "utf-8-sig" else self.encoding
        try:
            if not start and stop is None:
                return open(self.path, encoding=encoding, newline="")  # noqa: SIM115
            return io.TextIOWrapper(io.BufferedReader(_Window(self.path, start, stop)),
                                    encoding=encoding, newline="")
        except OSError as e:
            raise ConnectorError(f"{self.path}: cannot read: {e.strerror}") from None

    def _reader(self, file: TextIO):
        return csv.reader(map(_DROP_NUL, file) if self.nuls else file, delimiter=self.delimiter)

    def _header(self) -> list[str]:
        while (row := self._read(lambda: next(self.reader, None))) is not None:
            self.lead += 1
            if any(cell.strip() for cell in row):
                # A BOM can survive an explicit encoding = "utf-8"; labels are matched stripped.
                return [cell.replace("\ufeff", "").strip() for cell in row]
        if self.split is not None:  # blank lines up to the split: read on through it
            self._whole(0)
            self.lead = 0
            return self._header()
        raise ConnectorError(f"{self.path}: the file is empty (no header row)")

    def _whole(self, skip: int) -> None:
        """Read on in one part from the start of the file, past `skip` rows already read."""
        self.file.close()
        self.split, self.line_base = None, 0
        self.file = self._open(0, None)
        self.reader = self._reader(self.file)
        self._read(lambda: next(islice(self.reader, skip, skip), None))

    def after_split(self) -> None:
        """Read the second part only, as if it were the whole file (csv_split's child)."""
        self.file = self._open(self.split, None)  # the first part's file stays untouched
        self.reader = self._reader(self.file)
        self.split, self.line_base, self.exact_errors = None, 0, False

    def _take(self, n: int) -> list[list[str]]:
        return self._read(lambda: list(islice(self.reader, n)))

    def _read(self, fn):
        """Run a read, turning decoding and csv errors into one-line ConnectorErrors."""
        try:
            return fn()
        except UnicodeDecodeError:
            if not self.exact_errors:
                raise
            raise decode_error(self.path, self.encoding, self.explicit, CHUNK) from None
        except csv.Error as e:
            hint = " (is a quote left open?)" if "field larger" in str(e) else ""
            raise ConnectorError(f"{self.path}:{self.line_base + self.reader.line_num}: "
                                 f"{e}{hint}") from None

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

    def _batches(self, cancel: Cancel) -> Iterator[tuple[int | None, list[list[str]]]]:
        """(first line, rows) per batch as csv.reader reads them, across the split; there,
        once, (None, []) after the first part's last rows. Resumed after that, it reads the
        second part here.

        The first part is read one row ahead, so that its last row is known as the last: if
        the cut fell inside a quoted value (a stray quote threw the quote count off), that row
        is a value cut short, with the line end it got to as its last character. Then the
        file is read again from its start, past the rows already handed out, in one part.
        """
        carry: list[list[str]] = []
        carry_line = 0
        while True:
            cancel.check()
            line = carry_line if carry else self.line_base + self.reader.line_num + 1
            rows = carry + self._take(BATCH - len(carry))
            carry = []
            if self.split is None:
                if not rows:
                    return
                yield line, rows
                continue
            carry_line = self.line_base + self.reader.line_num + 1
            ahead = self._read(lambda: next(self.reader, None))
            if ahead is not None:
                carry = [ahead]
                yield line, rows
                continue
            if rows and rows[-1] and rows[-1][-1].endswith(("\n", "\r")):
                rows.pop()
                self._whole(self.lead + self.ordinal + len(rows))
                if rows:
                    yield line, rows
                continue
            if rows:
                yield line, rows
            yield None, []
            self.line_base += self.reader.line_num
            self.file.close()
            self.file = self._open(self.split, None)
            self.reader = self._reader(self.file)
            self.split = None

    def chunks(self, id_col: int, cancel: Cancel, *, unique: bool = False
               ) -> Iterator[tuple[int | None, list[list[str]]]]:
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

        A file read in two parts (`split`) yields (None, []) between them: a caller may have
        the second part read elsewhere (csv_split.py) and stop there, or go on.
        """
        n, get_id = self.width, itemgetter(id_col)
        self.ordinal = self.skipped = self.headers = 0
        self.repeats = []
        # Hashes of the ids seen, not the ids: keeping a million small strings alive scatters
        # them through the allocator's pools and made csv.reader itself ~40% slower; ints cost
        # half that. Two different ids sharing a 64-bit hash is a ~1e-8 chance in a million.
        # The header's own id label starts as "seen": a repeated header row then takes the
        # row-by-row path with no extra test per batch.
        seen = self.seen = {hash(self.header[id_col])}
        self.blank_before = False
        self.footer_at = None
        for line, rows in self._batches(cancel):
            if line is None:
                yield line, rows
                continue
            base = self.ordinal
            self.ordinal += len(rows)
            if self.footer_at is None and (ids := _plain(rows, n, get_id)) is not None:
                if not unique:
                    if self.header[id_col] not in ids:
                        self.blank_before = False
                        yield line, rows
                        continue
                else:
                    hashes = list(map(hash, ids))
                    if seen.isdisjoint(hashes):
                        size = len(seen)
                        seen.update(hashes)
                        if len(seen) - size == len(rows):
                            self.blank_before = False
                            yield line, rows
                            continue
                        seen.difference_update(hashes)  # none was seen before: undo, then walk
            kept = self._walk(rows, base, id_col, unique)
            if kept:
                yield line, kept

    def _walk(self, rows: list[list[str]], base: int, id_col: int, unique: bool
              ) -> list[list[str]]:
        """The row-by-row path of chunks(): the rows of a batch to keep."""
        n, seen, kept = self.width, self.seen, []
        for i, row in enumerate(rows):
            width = len(row)
            if width == n and self.footer_at is None:
                self.blank_before = False
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
                self.blank_before = True
            elif width == 1 and n > 1 and (self.blank_before or self.footer_at is not None):
                self.footer_at = base + i if self.footer_at is None else self.footer_at
            else:  # a ragged row, or a full row after what looked like the footer
                at = self.footer_at if self.footer_at is not None else base + i
                raise self.ragged(at, 1 if self.footer_at is not None else width)
        return kept

    def ragged(self, ordinal: int, got: int) -> ConnectorError:
        if not self.exact_errors:
            return ConnectorError(f"{self.path}: row {ordinal + 1} after the split is ragged")
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


class _Window(io.RawIOBase):
    """Bytes [start, stop) of a file as a raw stream (stop None: to the end), so that a part
    of the file decodes and splits into lines in C, as the whole file would."""

    def __init__(self, path: Path, start: int, stop: int | None) -> None:
        super().__init__()
        self._f = open(path, "rb", buffering=0)  # noqa: SIM115
        self._f.seek(start)
        self._left = None if stop is None else stop - start

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        if self._left is None:
            return self._f.readinto(b)
        if self._left <= 0:
            return 0
        n = self._f.readinto(memoryview(b)[:self._left]) or 0
        self._left -= n
        return n

    def close(self) -> None:
        self._f.close()
        super().close()


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
