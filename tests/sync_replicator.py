"""A file-sync tool in miniature, for tests/test_ledger_replicas.py: it keeps two replica
folders alike the way OneDrive, Dropbox or Syncthing do, with their rough edges.

- The newest version of a file wins: (mtime, size); a copy gets its source's mtime, as the
  tools set it. (Ledger files only grow, so when two versions share a clock tick the bigger
  one is the newer.)
- Copies are written in place, non-atomically, in chunks with pauses: a reader on the other
  side can catch a file half-written.
- Now and then the version about to be overwritten is kept as a conflicted copy beside it,
  named as one of the tools would name it; those copies are synced like any file.
- A killed copy is finished when the tool starts again (it journals the copy it is making,
  as the tools resume an interrupted download): a half-written file is never taken for a
  newer version and copied back over its source.
- Hidden files (chaser's temp files) are not synced; nothing is ever deleted.

Run as a script (`python sync_replicator.py A B JOURNAL SEED`) it syncs forever at random
moments and prints one line per copy ("copy", "conflict"); `final_pass` syncs once, calmly.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from pathlib import Path

CONFLICT_NAMES = ("{stem} (replicator's conflicted copy 2026-11-20).json",
                  "{stem}.sync-conflict-20261120-101010-REPLICA.json", "{stem} (1).json",
                  "{stem}-REPLICA-7.json", "{stem}(1).json")


def files(root: Path) -> set[str]:
    out = set()
    for dirpath, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            if not name.startswith("."):
                out.add(os.path.relpath(os.path.join(dirpath, name), root))
    return out


def version(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_mtime_ns, st.st_size)


def copy(src: Path, dst: Path, journal: Path, rng: random.Random | None = None,
         conflicts: float = 0.0, out=None) -> None:
    """Copy src over dst in place, chunk by chunk; keep the old dst as a conflicted copy now
    and then. The journal names the copy until it is done."""
    try:
        fd = os.open(src, os.O_RDONLY)
    except FileNotFoundError:
        return
    try:
        st = os.fstat(fd)  # the version read, whatever replaces src meanwhile
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        data = b"".join(chunks)
    finally:
        os.close(fd)
    tmp = journal.with_name(journal.name + ".new")
    tmp.write_text(json.dumps({"src": str(src), "dst": str(dst)}))
    os.replace(tmp, journal)
    dst.parent.mkdir(parents=True, exist_ok=True)
    if rng and dst.exists() and dst.suffix == ".json" and dst.stem[:1].isdigit() \
            and len(dst.stem) == 7 and rng.random() < conflicts:
        name = rng.choice(CONFLICT_NAMES).format(stem=dst.stem)
        (dst.parent / name).write_bytes(dst.read_bytes())
        if out:
            print("conflict", dst.parent / name, file=out, flush=True)
    with open(dst, "wb") as f:  # truncated, then written bit by bit
        step = rng.randint(512, 8192) if rng else len(data) or 1
        for i in range(0, len(data), step):
            f.write(data[i:i + step])
            f.flush()
            if rng:
                time.sleep(rng.uniform(0, 0.002))
    os.utime(dst, ns=(st.st_atime_ns, st.st_mtime_ns))
    journal.unlink()
    if out:
        print("copy", dst, file=out, flush=True)


def resume(journal: Path) -> None:
    """Finish the copy a killed run was making, from its source as it is now."""
    if journal.exists():
        job = json.loads(journal.read_text())
        copy(Path(job["src"]), Path(job["dst"]), journal)


def sync_once(a: Path, b: Path, journal: Path, rng: random.Random | None = None,
              conflicts: float = 0.0, share: float = 1.0, out=None) -> None:
    names = sorted(files(a) | files(b))
    if rng:
        rng.shuffle(names)
    for rel in names:
        if rng and rng.random() > share:
            continue  # a tool gets to files in its own time
        va, vb = version(a / rel), version(b / rel)
        if va == vb:
            continue
        if vb is None or (va is not None and va > vb):
            copy(a / rel, b / rel, journal, rng, conflicts, out)
        else:
            copy(b / rel, a / rel, journal, rng, conflicts, out)


def final_pass(a: Path, b: Path, journal: Path) -> None:
    resume(journal)
    sync_once(a, b, journal)


if __name__ == "__main__":
    a, b, journal, seed = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
    rng = random.Random(seed)
    resume(journal)
    while True:
        sync_once(a, b, journal, rng, conflicts=0.03, share=0.6, out=sys.stdout)
        time.sleep(rng.uniform(0, 0.05))
