"""The files of a shared ledger folder, as a file-sync tool leaves them.

    <ledger>/<writer>/writer.json    who owns the folder: installation, host, name, email
    <ledger>/<writer>/YYYY-MM.json   that writer's events about chases of that UTC month

Every file has exactly one writer, so no two machines ever write one file. What the sync
tools add is read as what it is: conflicted copies ("2026-11 (Ann's conflicted copy
2026-11-20).json", "2026-11.sync-conflict-20261120-101010-ABC.json", "2026-11 (1).json",
"2026-11-LAPTOP-7.json") are reported and never counted; temp and lock files are ignored.
Nothing here reads a file's events (chaser.ledger does); this names what is there, and
writes the two files that are not events: a writer folder's claim, and this installation's id.
"""

from __future__ import annotations

import getpass
import os
import platform
import re
import secrets
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

import orjson
from tinydb.table import Document

from chaser import clock
from chaser.errors import ChaserError
from chaser.storage import (
    FILE_MODE,
    HEADER,
    SCHEMA,
    _fsync_dir,
    corrupt,
    ensure_dir,
    locked,
    parse,
    read_locked,
)

WRITER_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")
MONTH_FILE = re.compile(r"(\d{4})-(0[1-9]|1[0-2])\.json")
CLAIM = "writer.json"
# What Dropbox, OneDrive, Google Drive, Syncthing, Nextcloud and a copy by hand leave beside
# a file they could not merge: "2026-11 (Ann's conflicted copy 2026-11-20).json", "2026-11
# (1).json", "2026-11(1).json", "2026-11-LAPTOP-7.json", "2026-11.sync-conflict-....json". Not
# only names that start like ours: nothing but chaser writes JSON in a writer folder, so any
# other ("Copy of 2026-11.json", "2026-11.JSON" from a case-folding file system) is one too.
_COPY_OF = re.compile(r".*\.json.*", re.I | re.S)


@dataclass(frozen=True, slots=True)
class Writer:
    """An admin who logs chases: the one writer of `<ledger>/<id>/`."""

    id: str
    name: str = ""
    email: str = ""
    defaulted: bool = False  # the id was not configured: the OS user's name

    @classmethod
    def from_os(cls, name: str = "", email: str = "") -> Writer:
        try:
            user = getpass.getuser()
        except Exception:  # no login name in some containers
            user = "admin"
        return cls(writer_id(user), name or user, email, defaulted=True)


def writer_id(name: str) -> str:
    """A writer id made from a name ("Priya Shah" -> "priya-shah"): the OS user's, by default."""
    wid = re.sub(r"[^a-z0-9_-]+", "-", name.casefold()).strip("-_")[:32].strip("-_")
    return wid if WRITER_ID.fullmatch(wid) else "admin"


@dataclass(slots=True)
class WriterFolder:
    id: str
    path: Path
    months: dict[str, Path] = field(default_factory=dict)  # "2026-11" -> file
    copies: list[Path] = field(default_factory=list)  # conflicted copies: reported, not read

    @property
    def claim(self) -> Path:
        return self.path / CLAIM


@dataclass(slots=True)
class Scan:
    writers: dict[str, WriterFolder] = field(default_factory=dict)
    strays: list[Path] = field(default_factory=list)  # folders that name no writer


def scan(root: Path) -> Scan:
    """What the ledger folder holds now. A missing folder is an empty ledger."""
    out = Scan()
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except FileNotFoundError:
        return out
    except NotADirectoryError:
        return out  # the caller reports the path; a file is not a ledger
    for entry in entries:
        if entry.name.startswith(".") or not entry.is_dir(follow_symlinks=False):
            continue
        if not WRITER_ID.fullmatch(entry.name):
            out.strays.append(Path(entry.path))  # "ann (1)", "Ann", a conflicted folder
            continue
        out.writers[entry.name] = _writer(entry.name, Path(entry.path))
    return out


def _writer(writer: str, path: Path) -> WriterFolder:
    folder = WriterFolder(writer, path)
    try:
        names = sorted(os.listdir(path))
    except OSError:
        return folder
    for name in names:
        if name.startswith(".") or name.endswith(".lock") or name == CLAIM:
            continue  # our temp files are dot-files; locks live on each machine
        if MONTH_FILE.fullmatch(name):
            folder.months[name[:7]] = path / name
        elif _COPY_OF.match(name):
            folder.copies.append(path / name)
    return folder


def month_path(root: Path, writer: str, month: str) -> Path:
    return root / writer / f"{month}.json"


def create_claim(path: Path, doc: dict) -> bool:
    """Write a writer folder's claim only if it has none: True if this call made it. The
    content is complete (written and fsynced aside) before the name appears, and os.link
    never replaces: of two installations racing on one file system, exactly one wins. A file
    system without hard links (FAT, some network shares) falls back to a replace, which the
    caller's re-read then checks."""
    ensure_dir(path.parent)
    payload = orjson.dumps({HEADER: {"1": {"schema": SCHEMA, "kind": "ledger-writer"}},
                            "writer": {"1": doc}})
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")  # storage's temp names
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                     FILE_MODE)
        try:
            os.write(fd, payload)  # a few hundred bytes: one write
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(tmp, path)
        except FileExistsError:
            return False
        except OSError:  # no hard links here: a replace, but never over a claim seen there
            if path.exists():
                return False
            os.replace(tmp, path)
        _fsync_dir(path.parent)
        return True
    except OSError as e:
        raise ChaserError(f"cannot write {path}: {e.strerror or e}") from e
    finally:
        with suppress(OSError):
            os.unlink(tmp)


def installation_id(folder: Path) -> str:
    """This installation's id, made once (under a lock, so two first runs agree)."""
    path = folder / "installation.json"
    data = read_locked(path, "meta")
    doc = (data or {}).get("installation", {}).get("1")
    if isinstance(doc, dict) and isinstance(doc.get("id"), str):
        return doc["id"]
    with locked(path, "meta") as db:
        table = db.table("installation")
        doc = table.get(doc_id=1)
        if doc is None:
            doc = {"id": secrets.token_hex(6), "host": platform.node(),
                   "created": clock.now().isoformat()}
            table.insert(Document(doc, doc_id=1))
        if not isinstance(doc.get("id"), str):
            raise corrupt(path, "no installation id")
        return doc["id"]


def read_claim(path: Path) -> dict | None:
    """A writer folder's claim document, or None when there is none (a file in the way of the
    folder is reported when the folder is made)."""
    try:
        raw = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as e:
        raise ChaserError(f"cannot read {path}: {e.strerror or e}") from None
    doc = parse(path, raw, "ledger-writer").get("writer", {}).get("1")
    if not isinstance(doc, dict) or not isinstance(doc.get("installation"), str):
        raise corrupt(path, "no installation named")
    return doc


def ensure_claim(root: Path, writer: str, installation: str, name: str, email: str) -> None:
    """Make sure `installation` owns the folder of `writer` before it writes there: claim it
    if nobody has, else refuse (one line) if another installation did."""
    path = root / writer / CLAIM
    doc = read_claim(path)
    if doc is None:
        create_claim(path, {"writer": writer, "installation": installation,
                            "host": platform.node(), "name": name, "email": email,
                            "created": clock.now().isoformat()})
        doc = read_claim(path)  # whoever won a race to create it owns it
    if doc is None or doc.get("installation") != installation:
        doc = doc or {}
        raise ChaserError(
            f"writer id {writer!r} in {root} belongs to another chaser installation (on "
            f"{doc.get('host') or 'another machine'}, since {str(doc.get('created', '?'))[:10]}"
            "); two installations never share a writer: set another [admin] id in chaser.toml "
            f"(or, if that installation is gone for good, move {path} away to take it over)")


# ---- seen-marks: this machine's memory of how far each writer's file of a month went -------


def read_marks(path: Path) -> dict[str, int]:
    data = read_locked(path, "meta") or {}
    doc = data.get("marks", {}).get("1", {})
    return {k: v for k, v in doc.items() if isinstance(v, int) and not isinstance(v, bool)}


def raise_marks(path: Path, rises: dict[str, int]) -> dict[str, int]:
    """Raise the marks ("ann/2026-11" -> top event number) in one locked write (none when no
    mark rises: another process may have raised them already); every mark, after."""
    with locked(path, "meta") as db:
        data = db.storage.read() or {}
        doc = dict(data.get("marks", {}).get("1", {}))
        if any(doc.get(k, 0) < n for k, n in rises.items()):
            doc.update({k: max(n, doc.get(k, 0)) for k, n in rises.items()})
            # The storage, not TinyDB's upsert: that writes twice when the mark is new.
            db.storage.write({**data, "marks": {"1": doc}})
    return {k: v for k, v in doc.items() if isinstance(v, int) and not isinstance(v, bool)}
