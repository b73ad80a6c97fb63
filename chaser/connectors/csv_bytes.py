"""What a CSV file's bytes settle before any row is parsed (chaser/connectors/csv_read.py reads
the rows): the encoding, the delimiter, whether it is text at all, how many NUL characters it
holds, and where it can be cut in two for reading in two processes (csv_split.py).

All of it comes from one read of the bytes with C-level scans (`in`, count, isascii), so a
file is read once before parsing however many of these questions it raises.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
from pathlib import Path
from typing import BinaryIO, NamedTuple

from chaser.connectors.base import ConnectorError

DELIMITERS = (",", ";", "\t")  # ties go to the first
# Bytes that are not text (C0 controls but tab, LF, CR, FF; NUL included). A file is binary
# only when they make up this share of its start: a Salesforce Data Export's rich-text cells
# begin with a NUL, and that file is text.
BINARY_SHARE = 0.10
_NON_TEXT = bytes(b for b in range(32) if b not in b"\t\n\r\x0c")
# Encodings in which the bytes '"' and LF are those characters wherever they occur (never
# part of a multibyte character, no shift state): a file in one of them can be cut at a LF.
SPLITTABLE = frozenset({"utf-8", "utf-8-sig", "cp1252", "ascii", "iso8859-1", "iso8859-15"})
SPLIT_SEARCH = 1 << 20  # bytes searched past the cut for a line end outside quotes
# Where the cut is sought, as a share of the bytes: the second part is a little shorter, as
# the process reading it also hands its counts back and spends ~7% more per row (its
# first writes to memory shared with its parent copy pages). Cut at one half, it
# finished ~0.1 s after the parent on a 1,000,000-row file.
SPLIT_AT = 0.53


class Bytes(NamedTuple):
    encoding: str
    delimiter: str
    nuls: int  # NUL characters in the file (0 for UTF-16/32, where NUL bytes are text)
    split: int | None  # offset of a line start where the file can be cut in two, or None


def sniff(path: Path, encoding: str | None, delimiter: str | None, chunk: int,
          split_min: int | None = None) -> Bytes:
    """Settle the encoding and delimiter from the bytes (unless the config names them), count
    the NULs and, for a file of `split_min` bytes or more, find where it can be cut in two."""
    try:
        # Before opening: opening a FIFO waits for a writer for ever, and a device may never
        # end. Only a regular file (or a link to one) is read.
        st = os.stat(path)
        if stat.S_ISDIR(st.st_mode):
            raise ConnectorError(f"{path}: is a folder, not a CSV file")
        if not stat.S_ISREG(st.st_mode):
            what = "a FIFO (named pipe)" if stat.S_ISFIFO(st.st_mode) else "a device or socket"
            raise ConnectorError(f"{path}: is {what}, not a regular file; export the data to "
                                 "a file first")
        with open(path, "rb") as f:
            head = f.read(chunk)
            if encoding is not None:
                try:
                    encoding = codecs.lookup(encoding).name
                except LookupError:
                    raise ConnectorError(f"{path}: unknown encoding {encoding!r}") from None
            if not head:
                raise ConnectorError(f"{path}: the file is empty")
            wide = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
            if wide and encoding is None:
                encoding = "utf-16"
            text_nuls = (encoding or "").startswith(("utf-16", "utf-32"))
            if not wide and not text_nuls:
                _refuse_binary(path, head)
            mid = (int(st.st_size * SPLIT_AT) if split_min is not None and st.st_size >= split_min
                   else None)
            encoding, nuls, quotes = _survey(path, f, head, encoding, chunk,
                                             count_nul=not text_nuls, mid=mid)
            split = (_split_point(f, mid, quotes, st.st_size)
                     if mid is not None and encoding in SPLITTABLE else None)
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
    return Bytes(encoding, delimiter, nuls, split)


def _survey(path: Path, f: BinaryIO, head: bytes, encoding: str | None, chunk: int, *,
            count_nul: bool, mid: int | None) -> tuple[str, int, int]:
    """(encoding, NULs, quote bytes before `mid`) from one pass over the chunks, `head` first.

    Without a configured encoding: utf-8-sig with a BOM; else UTF-8 if the first non-ASCII
    bytes decode as UTF-8, else cp1252. cp1252 exports are mostly ASCII, so the first "ü" may
    sit 50,000 rows in: whole ASCII chunks are skipped (bytes.isascii is a fast C scan) and the
    first chunk that is not is judged. It starts on a character boundary (everything before
    it is ASCII); its end may cut a multibyte character in two, which the incremental decoder
    keeps pending instead of failing. A chunk that fails as UTF-8 but also holds valid UTF-8
    characters is a file of mixed encodings: decoding it all as cp1252 would turn "José" into
    "JosÃ©", an unknown owner, so it is an error naming the line. NULs are counted with `in`
    (a memchr) first, count() only on a chunk that has one.
    """
    guessing = encoding is None
    if guessing and head.startswith(codecs.BOM_UTF8):
        encoding, guessing = "utf-8-sig", False
    nuls = quotes = offset = 0
    data = head
    while data:
        if count_nul and b"\x00" in data:
            nuls += data.count(b"\x00")
        if guessing and not data.isascii():
            encoding, guessing = _judge(path, data, final=len(data) < chunk), False
        if mid is not None and offset < mid:
            quotes += data.count(b'"', 0, mid - offset)
        offset += len(data)
        if not count_nul and not guessing and (mid is None or offset >= mid):
            break
        data = f.read(chunk)
    return encoding or "utf-8", nuls, quotes  # pure ASCII reads the same either way


def _judge(path: Path, data: bytes, final: bool) -> str:
    try:
        codecs.getincrementaldecoder("utf-8")("strict").decode(data, final=final)
    except UnicodeDecodeError:
        if _UTF8_CHAR.search(data):
            raise decode_error(path, "utf-8", False) from None
        return "cp1252"
    return "utf-8"


def _split_point(f: BinaryIO, mid: int, quotes: int, size: int) -> int | None:
    """The start of the first line after `mid` with an even number of quote bytes before it:
    where a record starts, unless a stray quote sits in an unquoted value. The reader checks
    that (csv_read.Table) and reads on in one process if not; None when no such line end is
    near the middle (one quoted value megabytes long)."""
    f.seek(mid)
    window = f.read(SPLIT_SEARCH)
    at = 0
    while (nl := window.find(b"\n", at)) >= 0:
        quotes += window.count(b'"', at, nl)
        if quotes % 2 == 0:
            cut = mid + nl + 1
            return cut if cut < size else None
        at = nl + 1
    return None


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


def decode_error(path: Path, encoding: str, explicit: bool, chunk: int = 1 << 20
                 ) -> ConnectorError:
    """Find the first undecodable byte by reading the bytes again, and name its line."""
    dec = codecs.getincrementaldecoder(encoding)("strict")
    lines = 0
    with open(path, "rb") as f:
        while data := f.read(chunk):
            pending_data = dec.getstate()[0] + data  # e.start indexes pending bytes + this
            pending = len(pending_data) - len(data)
            try:
                dec.decode(data)
            except UnicodeDecodeError as e:
                line = lines + data.count(b"\n", 0, max(0, e.start - pending)) + 1
                byte = pending_data[e.start:e.start + 1]
                break
            lines += data.count(b"\n")
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
