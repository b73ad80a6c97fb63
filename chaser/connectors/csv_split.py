"""A big CSV file read by two processes: while this one reads the file's first part, a forked
child reads and audits the second (from csv_bytes' split point on) and hands back what it
counted. Parsing is most of an audit's time, and the machine has more than one core.

The figures are exactly those of one process reading the whole file, or the child's work is
thrown away and this process reads the second part itself. Kept only when:
- the cut is at a record boundary: the first part ends with a whole record (csv_read checks
  it) and neither in a blank line nor in what may be the start of the footer, so the child
  starts where one reader would have stood;
- no id of the second part came before in the first (a repeated id there is left out by one
  reader, and the child cannot know): checked on the ids' hashes, as chunks() does;
- the child finished without an error (any error, e.g. a ragged row, is then raised by this
  process reading that part itself, with the message one reader gives).
Nothing but the counts is taken from the child, so their order (first-seen owners, gap
records in file order) is what one pass gives: first part first.

The handshake goes through the batches the connector yields, so the sync loop knows nothing of
it: an `Offer` batch (no rows) lets the consumer hand over a factory of its per-batch counter
("part"); the child feeds the second part's batches to one, and an `Audited` batch carries the
part's state back. A consumer that does not take the offer gets every row as usual.
"""

from __future__ import annotations

import marshal
import os
import select
import signal
import threading
import time
from array import array
from collections.abc import Callable, Iterator

from chaser.connectors.base import Cancel
from chaser.connectors.csv_read import Table

# The child is given up on after this many seconds, or this many times as long as its parent
# took for its own part, whichever is more.
STUCK_AFTER = 30.0
STUCK_FACTOR = 3


def can_fork() -> bool:
    # A fork copies only the calling thread: with others alive (the TUI's workers, a test's
    # servers), a lock one of them held would stay held in the child.
    return hasattr(os, "fork") and threading.active_count() == 1


class Offer:
    """The rows of an empty batch offering to count the rest of the file in another process:
    the consumer calls delegate(factory), where factory() makes a part with feed(rows) and
    state(), plain data that marshal can carry (str, int, None, tuple, list, dict)."""

    def __init__(self, half: SecondHalf) -> None:
        self._half = half

    def __len__(self) -> int:
        return 0

    def __iter__(self) -> Iterator:
        return iter(())

    def delegate(self, factory: Callable[[], object]) -> None:
        self._half.start(factory)


class Audited:
    """The rows of a batch counted in another process: `part` is the state of the part the
    consumer's factory made; its length is the records it stands for (none are here)."""

    def __init__(self, part: object, records: int) -> None:
        self.part, self.records = part, records

    def __len__(self) -> int:
        return self.records

    def __iter__(self) -> Iterator:
        return iter(())


class SecondHalf:
    """The child reading `table` from its split point on, keyed by column `id_col`."""

    def __init__(self, table: Table, id_col: int) -> None:
        self._table, self._id_col = table, id_col
        self._pid: int | None = None
        self._fd: int | None = None
        self._started = 0.0

    def start(self, factory: Callable[[], object]) -> None:
        if self._pid is not None or self._table.split is None or not can_fork():
            return
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: count, send, and leave without running any exit handler
            code = 1
            try:
                os.close(r)
                signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends it with the parent
                # marshal, not pickle: both ends are this interpreter, and it carries plain
                # data without pickle's per-object bookkeeping (0.01 s against 0.08 s for
                # 60,000 gap tuples).
                data = marshal.dumps(self._count(factory))
                code = 0
            except BaseException:
                data = b""
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(w, view):]
            except BaseException:
                code = 1
            os._exit(code)
        os.close(w)
        self._pid, self._fd, self._started = pid, r, time.monotonic()

    def _count(self, factory: Callable[[], object]) -> tuple:
        t = self._table
        t.after_split()
        part = factory()
        for _, rows in t.chunks(self._id_col, Cancel(), unique=True):
            part.feed(rows)  # type: ignore[attr-defined]
        t.seen.discard(hash(t.header[self._id_col]))  # chunks' own marker, in both parts
        return (t.ordinal, t.skipped, t.headers, t.repeats, array("q", t.seen).tobytes(),
                part.state())  # type: ignore[attr-defined]

    def join(self, cancel: Cancel) -> Audited | None:
        """At the split, after the first part: the child's records, its row counts merged
        into the table's, or None when this process is to read the second part itself."""
        if self._pid is None:
            return None
        t = self._table
        if t.blank_before or t.footer_at is not None:
            self.close()
            return None
        # A child that takes far longer than this process took for its own part is stuck
        # (or starved): it is ended, and the part read here.
        took = time.monotonic() - self._started
        deadline = time.monotonic() + max(STUCK_AFTER, STUCK_FACTOR * took)
        data = self._receive(cancel, deadline)
        if data is None:
            self.close()
            return None
        pid, self._pid = self._pid, None
        _, status = os.waitpid(pid, 0)
        if status != 0 or not data:
            return None
        ordinal, skipped, headers, repeats, packed, part = marshal.loads(data)
        hashes = array("q")
        hashes.frombytes(packed)
        if not t.seen.isdisjoint(hashes):
            return None
        t.repeats += [(t.ordinal + i, rid) for i, rid in repeats]
        t.ordinal += ordinal
        t.skipped += skipped
        t.headers += headers
        return Audited(part, len(hashes))

    def _receive(self, cancel: Cancel, deadline: float) -> bytes | None:
        """All the child wrote, or None past the deadline."""
        assert self._fd is not None
        fd, self._fd = self._fd, None
        chunks = []
        try:
            while True:
                ready, _, _ = select.select([fd], [], [], 0.1)
                if not ready:
                    cancel.check()
                    if time.monotonic() > deadline:
                        return None
                    continue
                data = os.read(fd, 1 << 20)
                if not data:
                    return b"".join(chunks)
                chunks.append(data)
        finally:
            os.close(fd)

    def close(self) -> None:
        """End the child if it still runs (the sync stopped, or its work is not wanted)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if self._pid is not None:
            pid, self._pid = self._pid, None
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)
