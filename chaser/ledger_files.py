"""The files of a shared ledger folder, as a file-sync tool leaves them.

    <ledger>/<writer>/writer.json    who owns the folder: installation, host, name, email
    <ledger>/<writer>/YYYY-MM.json   that writer's events about chases of that UTC month

Every file has exactly one writer, so no two machines ever write one file. What the sync
tools add is read as what it is: conflicted copies ("2026-11 (Ann's conflicted copy
2026-11-20).json", "2026-11.sync-conflict-20261120-101010-ABC.json", "2026-11 (1).json",
"2026-11-LAPTOP-7.json") are reported and never counted; temp and lock files are ignored.
Nothing here reads a file's events (chaser.ledger does); this only names what is there.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

WRITER_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")
MONTH_FILE = re.compile(r"(\d{4})-(0[1-9]|1[0-2])\.json")
CLAIM = "writer.json"
# A name that starts like one of ours but is not: what Dropbox, OneDrive, Google Drive,
# Syncthing, Nextcloud and a copy by hand ("(1)") leave beside a file they could not merge.
_COPY_OF = re.compile(r"(\d{4}-(?:0[1-9]|1[0-2])|writer)\b.*\.json.*", re.I)


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
