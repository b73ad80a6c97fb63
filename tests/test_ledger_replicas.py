"""The ledger through a file-sync tool: two machines, each with its own replica of the ledger
folder, each admin writing only to its own replica, and a replicator (tests/sync_replicator.py)
copying files between them at random moments as sync tools do: newest version wins, copies
written in place in chunks (caught half-written by readers), now and then a conflicted copy.
Writers and the replicator are killed with SIGKILL at random moments all along. When the
copying stops (one last calm pass), both replicas hold every acknowledged chase exactly once,
every acknowledged void and withdrawal once, and agree on every figure."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import orjson
import pytest
import sync_replicator
from conftest import NOW, csv_org

REPO = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
PEOPLE = "name,team,email\nAnn Lee,East,ann@x.test\nBob Roy,West,bob@x.test\n"
DEALS = "id,owner,stage,amount\n1,Ann Lee,Won,\n2,Bob Roy,Won,5\n"
SECONDS = 10  # of writing, copying and killing
# Logs chases (over three months) and now and then voids or withdraws the void of any chase
# it sees, its own admin's or the other's, printing each once it is durable. It reads the
# whole log each time, and says when the read left something out (a file caught mid-copy).
WORKER = """
import random, sys
from datetime import timedelta
from chaser.errors import ChaserError
from chaser.workspace import Workspace
tag = sys.argv[1]
rng = random.Random(tag)
ws = Workspace.open()
who = [ws.find_person("Ann Lee"), ws.find_person("Bob Roy")]
for i in range(10**9):
    seen = ws.store.chases()
    if ws.store.ledger.incomplete:
        print("incomplete", flush=True)
    if rng.random() < 0.8 or not seen:
        at = ws.now() - timedelta(days=rng.randint(0, 80), minutes=rng.randint(0, 999))
        c = ws.log_chase(rng.choice(who), minutes=rng.randint(1, 60), at=at,
                         note=f"{tag} {i}")
        print("chase", c.id, f"{tag} {i}", flush=True)
        continue
    c = rng.choice(seen)
    kind = "unvoid" if c.voided else "void"
    try:
        (ws.store.unvoid_chase if c.voided else ws.store.void_chase)(c.id, f"{tag} {i}")
    except ChaserError as e:  # changed or left out by another process meanwhile
        if not any(s in str(e) for s in ("already voided", "not voided", "no chase")):
            raise
        continue
    print(kind, c.id, f"{tag} {i}", flush=True)
"""

pytestmark = pytest.mark.skipif(os.name != "posix", reason="needs fork/exec and SIGKILL")


def env(home: Path) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "CHASER_HOME": str(home),
            "PYTHONPATH": str(REPO), "PYTHONDONTWRITEBYTECODE": "1", "CHASER_NOW": NOW}


def home(tmp_path: Path, name: str, writer: str, replica: Path) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    csv_org(folder, PEOPLE, DEALS, extra=f'[admin]\nid = "{writer}"\n'
                                         f'[ledger]\npath = "{replica}"\n')
    return folder


def chaser(at: Path, *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "chaser", *argv], env=env(at),
                          capture_output=True, text=True, timeout=60)


class Procs:
    """The running writers and the replicator; each one's output goes to a file of its own
    (a pipe nobody reads would stall it), read once it is dead."""

    def __init__(self, tmp_path: Path) -> None:
        self.out = tmp_path / "out"
        self.out.mkdir()
        self.running: dict[str, tuple[subprocess.Popen, str]] = {}
        self.lines: list[list[str]] = []
        self.kills = Counter()
        self.gen = 0

    def start(self, slot: str, argv: list[str], env: dict[str, str]) -> None:
        self.gen += 1
        tag = f"{slot}g{self.gen}"
        with open(self.out / f"{tag}.out", "wb") as out, open(self.out / f"{tag}.err", "wb") as err:
            proc = subprocess.Popen([sys.executable, *argv, tag] if slot != "sync" else
                                    [sys.executable, *argv], env=env, stdout=out, stderr=err)
        self.running[slot] = (proc, tag)

    def kill(self, slot: str) -> None:
        proc, tag = self.running.pop(slot)
        if proc.poll() is not None:  # died by itself: a bug, with its traceback
            raise AssertionError(f"{tag} exited {proc.returncode}: "
                                 f"{(self.out / f'{tag}.err').read_text()}")
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        self.kills[slot[:4]] += 1
        text = (self.out / f"{tag}.out").read_text()
        self.lines += [line.split() for line in text.split("\n")[:-1]]  # the last is cut short


def test_two_replicas_a_replicator_and_kill_9_lose_and_double_nothing(tmp_path):
    replicas = {"ann": tmp_path / "replica-a", "bob": tmp_path / "replica-b"}
    homes = {w: home(tmp_path, w, w, r) for w, r in replicas.items()}
    for at in homes.values():
        assert chaser(at, "sync", "-q").returncode == 0
    journal = tmp_path / "replicator.journal"
    sync_cmd = [str(HERE / "sync_replicator.py"), str(replicas["ann"]), str(replicas["bob"]),
                str(journal)]
    rng = random.Random(os.getpid())
    procs = Procs(tmp_path)
    slots = {f"{w}-{n}": w for w in homes for n in range(2)}
    for slot, w in slots.items():
        procs.start(slot, ["-c", WORKER], env(homes[w]))
    procs.start("sync", [*sync_cmd, str(rng.random())], env(tmp_path))
    deadline = time.monotonic() + SECONDS
    try:
        while time.monotonic() < deadline:
            time.sleep(rng.uniform(0.05, 0.35))
            slot = rng.choice([*slots, "sync"])
            procs.kill(slot)
            if slot == "sync":
                procs.start("sync", [*sync_cmd, str(rng.random())], env(tmp_path))
            else:
                procs.start(slot, ["-c", WORKER], env(homes[slots[slot]]))
    finally:
        for slot in list(procs.running):
            procs.kill(slot)
    sync_replicator.final_pass(replicas["ann"], replicas["bob"], journal)

    # Both replicas now hold the same files, byte for byte (conflicted copies included).
    names = sync_replicator.files(replicas["ann"])
    assert names == sync_replicator.files(replicas["bob"])
    for rel in names:
        assert (replicas["ann"] / rel).read_bytes() == (replicas["bob"] / rel).read_bytes(), rel
    # And both admins see the same log, complete.
    seen = {}
    for w, at in homes.items():
        done = chaser(at, "chases", "--format", "json")
        assert done.returncode == 0 and "incomplete" not in done.stderr, done.stderr
        seen[w] = json.loads(done.stdout)
    assert seen["ann"] == seen["bob"]
    rows = {r["id"]: r for r in seen["ann"]}
    totals = {w: (len(s), sum(r["minutes"] for r in s), sum(r["voided"] for r in s))
              for w, s in seen.items()}
    assert totals["ann"] == totals["bob"]

    acked = [line for line in procs.lines if line[0] == "chase"]
    # Every acknowledged chase once, under the id it was given (no number named two chases).
    assert all(rows[cid]["note"] == " ".join(note) for _, cid, *note in acked)
    notes = Counter(r["note"] for r in rows.values())
    assert max(notes.values()) == 1
    # At most one chase per kill of a writer was written but not acknowledged.
    assert len(acked) <= len(rows) <= len(acked) + procs.kills["ann-"] + procs.kills["bob-"]
    # Every acknowledged void and withdrawal once, in its own writer's file.
    changes = [line for line in procs.lines if line[0] in ("void", "unvoid")]
    stored = Counter()
    for w in homes:
        for path in (replicas["ann"] / w).glob("20??-??.json"):
            for e in orjson.loads(path.read_bytes())["events"].values():
                if e["kind"] != "chase":
                    stored[(w, e["kind"], e["chase"], e["reason"])] += 1
    assert max(stored.values(), default=1) == 1
    for kind, cid, *reason in changes:
        assert stored[(reason[0][:3], kind, cid, " ".join(reason))] == 1

    copies = [rel for rel in names if not (rel.endswith("writer.json")
                                           or re.fullmatch(r"[a-z]+/20\d\d-\d\d\.json", rel))]
    caught = sum(line == ["incomplete"] for line in procs.lines)
    print(f"{len(acked)} chases and {len(changes)} voids/withdrawals acknowledged; kills: "
          f"{dict(procs.kills)}; {len(copies)} conflicted copies; reads that caught a file "
          f"mid-copy: {caught}")
    assert len(acked) > 100 and len(changes) > 10 and sum(procs.kills.values()) > 15
    assert caught > 0 and copies  # the rough edges were there: files caught mid-copy, copies
    assert all("conflicted cop" in chaser(at, "chases").stderr for at in homes.values())
    assert {r["writer"] for r in rows.values()} == {"ann", "bob"}
