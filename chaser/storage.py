"""Low-level persistence under the domain store: one TinyDB file, written atomically, locked,
schema-versioned. Nothing here knows what a chase or a snapshot is.

Why not TinyDB's stock JSONStorage: it truncates and rewrites the file in place, so a kill
mid-write leaves half a file, and two processes overwrite each other. Here every write goes
to a temp file in the same folder (0600), is fsynced, `os.replace`d over the target, and the
folder is fsynced, so the file on disk is always either the old or the new content. Every
read-modify-write holds `<file>.lock` and re-reads the file after taking it, because a
TinyDB instance caches next ids and query results that another process may have made stale.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import orjson
from filelock import FileLock, Timeout
from tinydb import TinyDB
from tinydb.storages import Storage

from chaser.errors import ChaserError

SCHEMA = 1  # the newest layout this chaser writes and reads
HEADER = "_chaser"  # table holding {"schema": N, "kind": ...} as document 1
KINDS = frozenset({"chases", "snapshot-index", "snapshot-gaps", "meta", "record-cache",
                   "ledger", "ledger-writer", "digest-sent"})
FILE_MODE = 0o600  # data files hold HR-relevant data
DIR_MODE = 0o700
LOCK_TIMEOUT = 30.0  # seconds; a write takes milliseconds, so this means a stuck process
_TMP_SUFFIX = ".tmp"
_TMP_BYTES = 6  # random bytes in a temp file's name


def corrupt(path: Path, detail: str) -> ChaserError:
    return ChaserError(
        f"{path}: corrupt data store ({detail}); it was left untouched — "
        "restore it from a backup or move it away"
    )


def ensure_dir(path: Path) -> None:
    """Create `path` and any missing parents as 0700. os.makedirs applies its mode only to the
    leaf, so the parents are made one by one; each new entry's parent is fsynced so the folder
    itself survives a power cut."""
    missing = []
    for p in (path, *path.parents):
        if p.is_dir():
            break
        missing.append(p)
    for p in reversed(missing):
        try:
            os.mkdir(p, DIR_MODE)
        except FileExistsError:
            if p.is_dir():
                continue  # another process made it first
            raise ChaserError(f"cannot create folder {p}: a file of that name is in the way "
                              "(move it away)") from None
        except OSError as e:
            raise ChaserError(f"cannot create folder {p}: {e.strerror or e}") from e
        _fsync_dir(p.parent)


def _fsync_dir(path: Path) -> None:
    if os.name == "nt":  # Windows cannot open a folder for fsync; NTFS journals renames
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _tmp_prefix(path: Path) -> str:
    return f".{path.name}."


def remove_orphans(path: Path) -> int:
    """Delete temp files left by a writer that died before its os.replace. Call only while
    holding `path`'s lock: temp files are made only under it, so any found then are orphans."""
    # An exact pattern, not a prefix: ".a.json." also begins the temp names of "a.json.json",
    # whose writer may be busy under its own lock right now.
    mine = re.compile(re.escape(_tmp_prefix(path)) + f"[0-9a-f]{{{2 * _TMP_BYTES}}}"
                      + re.escape(_TMP_SUFFIX))
    removed = 0
    try:
        entries = list(os.scandir(path.parent))
    except FileNotFoundError:
        return 0
    for entry in entries:
        if mine.fullmatch(entry.name):
            with suppress(FileNotFoundError):
                os.unlink(entry.path)
                removed += 1
    return removed


_ANY_TMP = re.compile(r"\..+\.[0-9a-f]{" + str(2 * _TMP_BYTES) + "}" + re.escape(_TMP_SUFFIX))


def sweep_stale_temps(folder: Path, min_age: float, now: float) -> int:
    """Delete temp files of writers that died, in `folder` and below, older than `min_age`
    seconds. No lock is needed: a live writer's temp file exists for milliseconds, so one
    minutes old can only be an orphan (`remove_orphans` catches the young ones under the lock)."""
    removed = 0
    for dirpath, _, names in os.walk(folder):
        for name in names:
            if _ANY_TMP.fullmatch(name):
                full = os.path.join(dirpath, name)
                with suppress(OSError):
                    if now - os.stat(full).st_mtime >= min_age:
                        os.unlink(full)
                        removed += 1
    return removed


def write_copy(path: Path, payload: bytes) -> None:
    """A decoded copy of a data file (chaser.ledger_cache, chaser.store_runs): derived data,
    so best effort and without fsync; written whole (temp file, then rename), 0600, in a
    0700 folder. One that cannot be written only means the next read decodes the file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}{_TMP_SUFFIX}")
    with suppress(OSError, ChaserError):
        ensure_dir(path.parent)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
        try:
            os.write(fd, payload)
        finally:
            os.close(fd)
        os.replace(tmp, path)


def atomic_write_bytes(path: Path, payload: bytes) -> None:
    """Replace `path` with `payload` so a crash at any moment leaves the old or the new file."""
    prefix = _tmp_prefix(path)
    while True:
        tmp = path.with_name(f"{prefix}{secrets.token_hex(_TMP_BYTES)}{_TMP_SUFFIX}")
        try:
            # O_EXCL + explicit mode: never follow a planted file, never depend on the umask.
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                         FILE_MODE)
            break
        except FileExistsError:
            continue
    try:
        try:
            view = memoryview(payload)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        # Best effort; if this fails too the next locked writer removes the orphan.
        with suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def parse(path: Path, raw: bytes, kind: str) -> dict[str, dict[str, Any]]:
    """Check that `raw` is a TinyDB document of `kind` this chaser can read; return it."""
    if not raw.strip():
        raise corrupt(path, "the file is empty")
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as e:
        raise corrupt(path, f"not valid JSON: {e}") from None
    if not isinstance(data, dict):
        raise corrupt(path, "the top level is not an object")
    header = data.get(HEADER)
    if not isinstance(header, dict) or not isinstance(header.get("1"), dict):
        raise corrupt(path, f"no {HEADER!r} header table")
    schema, found = header["1"].get("schema"), header["1"].get("kind")
    if not isinstance(schema, int) or isinstance(schema, bool) or schema < 1:
        raise corrupt(path, f"bad schema version {schema!r}")
    # The version check comes before any other shape check: a newer layout may look wrong to us.
    if schema > SCHEMA:
        raise ChaserError(
            f"{path}: written by a newer chaser (schema {schema}; this one reads up to {SCHEMA}); "
            "upgrade chaser"
        )
    if found != kind:
        raise corrupt(path, f"expected a {kind!r} file, found kind {found!r}")
    for name, table in data.items():
        if not isinstance(table, dict):
            raise corrupt(path, f"table {name!r} is not an object")
        for doc_id, doc in table.items():
            # ASCII digits only: "²".isdigit() is True, and int() of it fails later.
            if not (doc_id.isascii() and doc_id.isdigit()) or not isinstance(doc, dict):
                raise corrupt(path, f"table {name!r} has a bad document {doc_id!r}")
    return data


class AtomicStorage(Storage):
    """A TinyDB storage for one file; use it only inside `locked()` (or `read_locked()`).

    The parsed file is kept for the life of the instance: TinyDB reads the whole file before
    every operation, and while we hold the lock nobody else can change it, so re-parsing would
    only cost time. Instances are made per locked session and thrown away after it.
    """

    def __init__(self, path: Path, kind: str) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown store kind {kind!r}")
        self.path = path
        self.kind = kind
        self._data: dict[str, dict[str, Any]] | None = None
        self._loaded = False

    def read(self) -> dict[str, dict[str, Any]] | None:
        if not self._loaded:
            try:
                raw = self.path.read_bytes()
            except FileNotFoundError:
                raw = None
            except OSError as e:
                raise ChaserError(f"cannot read {self.path}: {e.strerror or e}") from e
            self._data = None if raw is None else parse(self.path, raw, self.kind)
            self._loaded = True
        return self._data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        # Every write restamps the header, first, so a new file is never without one and a
        # person opening the file sees what it is.
        data = {HEADER: {"1": {"schema": SCHEMA, "kind": self.kind}},
                **{k: v for k, v in data.items() if k != HEADER}}
        self._loaded = False  # TinyDB changed our cached dict; if this write fails, re-read disk
        try:
            payload = orjson.dumps(data)
        except TypeError as e:
            raise ValueError(f"cannot store a value in {self.path.name}: {e}") from e
        try:
            atomic_write_bytes(self.path, payload)
        except OSError as e:
            raise ChaserError(f"cannot write {self.path}: {e.strerror or e}") from e
        self._data, self._loaded = data, True


def _lock(path: Path, lock: Path | None = None) -> FileLock:
    # A fresh FileLock per session: each holds its own descriptor, so two Store instances (or
    # threads) in one process exclude each other just as two processes do. `lock` puts the
    # lock file elsewhere: a shared ledger's locks stay on each machine, where a sync tool
    # cannot replace them under a holder.
    if lock is not None:
        ensure_dir(lock.parent)
    return FileLock(str(lock or f"{path}.lock"), timeout=LOCK_TIMEOUT, mode=FILE_MODE)


@contextmanager
def _held(path: Path, lock_path: Path | None = None) -> Iterator[None]:
    lock = _lock(path, lock_path)
    try:
        lock.acquire()
    except Timeout:
        raise ChaserError(
            f"{path}: locked by another chaser process for {LOCK_TIMEOUT:.0f} s; "
            "close it and try again"
        ) from None
    except OSError as e:
        raise ChaserError(f"cannot lock {path}: {e.strerror or e}") from e
    try:
        yield
    finally:
        lock.release()


@contextmanager
def locked(path: Path, kind: str, check: Callable[[dict], None] | None = None, *,
           lock: Path | None = None) -> Iterator[TinyDB]:
    """A fresh TinyDB on `path`, read after taking the lock, for one read-modify-write.

    The file is parsed and checked before the caller sees the database, so a corrupt or
    too-new file raises here and can never be written over. `check(data)` may look at every
    document too (and raise): a file whose documents a reader refuses as corrupt must not be
    rewritten by the next write either."""
    ensure_dir(path.parent)
    with _held(path, lock):
        remove_orphans(path)
        db = TinyDB(path, kind, storage=AtomicStorage)
        data = db.storage.read()
        if check is not None and data is not None:
            check(data)
        yield db


def read_locked(path: Path, kind: str, *, lock: Path | None = None
                ) -> dict[str, dict[str, Any]] | None:
    """The checked content of `path`, or None when it does not exist. Readers take the lock
    too: on POSIX os.replace alone would do, but on Windows replacing a file that a reader has
    open fails, and the lock costs microseconds."""
    if not path.exists():
        return None
    with _held(path, lock):
        return AtomicStorage(path, kind).read()


def write_locked(path: Path, kind: str, tables: dict[str, dict[str, Any]]) -> None:
    """Replace the whole of `path` with `tables` (after checking the old file may be replaced)."""
    ensure_dir(path.parent)
    with _held(path):
        remove_orphans(path)
        storage = AtomicStorage(path, kind)
        storage.read()  # refuse a corrupt or newer file before overwriting it
        storage.write(tables)
