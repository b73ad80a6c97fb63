"""Fault tests of the store with real processes: kill -9 in the middle of writes, and several
processes writing the same month at once."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest

from chaser.store import Store

REPO = Path(__file__).resolve().parent.parent

# Logs chases forever (or `count` of them), printing each id once add_chase has returned,
# i.e. once the chase is durable. With months=2 it alternates October and November, so both
# partitions see kills; with months=1 every chase goes to November.
WRITER = """
import sys
from datetime import UTC, datetime
from pathlib import Path
from chaser.store import Store
store, count, tag, months = Store(Path(sys.argv[1])), int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
i = 0
while count < 0 or i < count:
    c = store.add_chase(at=datetime(2026, 11 - i % months, 15, 9, tzinfo=UTC), person=tag,
                        channel="call", minutes=1 + i % 30, outcome="promised",
                        fields=("Amount", "NextStep"), note=f"{tag} chase {i} " + "x" * 200)
    print(c.id, flush=True)
    i += 1
"""

pytestmark = pytest.mark.skipif(os.name != "posix", reason="needs fork/exec and SIGKILL")


@pytest.fixture(autouse=True)
def _writer(monkeypatch):
    monkeypatch.setenv("LOGNAME", "ann")  # this process writes as the writers spawned do


def spawn(tmp_path: Path, root: Path, count: int, tag: str, months: int) -> subprocess.Popen:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path / "home"),  # nothing may reach the real home
        "CHASER_HOME": str(tmp_path / "home"),
        "LOGNAME": "ann",  # the ledger writer: by default the OS user
        "PYTHONPATH": str(REPO),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    return subprocess.Popen([sys.executable, "-c", WRITER, str(root), str(count), tag,
                             str(months)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=tmp_path)


def acknowledged(out: bytes) -> list[str]:
    # A line cut short by the kill was never acknowledged.
    lines = out.decode().split("\n")
    return [line for line in lines[:-1] if line]


def test_sigkill_mid_write_loses_no_acknowledged_chase(tmp_path):
    root = tmp_path / "data" / "demo"
    own = root / "ledger" / "ann"  # this installation's own files
    rng = random.Random(os.getpid())
    acked: list[str] = []
    deadline = time.monotonic() + 25
    rounds = orphans = 0
    while rounds < 20 and time.monotonic() < deadline:
        proc = spawn(tmp_path, root, -1, "005KILL", 2)
        first = proc.stdout.readline()  # wait until it is writing, then kill at a random moment
        time.sleep(rng.uniform(0, 0.08))
        proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate(timeout=10)
        assert proc.returncode == -signal.SIGKILL, err.decode()
        acked += acknowledged(first + out)
        rounds += 1

        orphans += sum(p.name.endswith(".tmp") for p in own.iterdir())
        # Every file parses, and every acknowledged chase is there.
        for path in [*own.glob("*.json"), root / "ledger-local" / "seen.json"]:
            orjson.loads(path.read_bytes())
        stored = {c.id for c in Store(root).chases()}
        assert set(acked) <= stored, sorted(set(acked) - stored)
        # At most one chase per kill was written but not acknowledged.
        assert len(stored) - len(acked) <= rounds
        assert len(acked) == len(set(acked))
        assert all(i.startswith(("ann-202610-", "ann-202611-")) for i in acked)

    assert rounds >= 10 and len(acked) > rounds
    print(f"{rounds} kills, {len(acked)} acknowledged, {orphans} temp files left by kills")
    # Temp files a killed writer left behind go with the next write to that file.
    store = Store(root)
    for month in (10, 11):
        store.add_chase(at=datetime(2026, month, 1, tzinfo=UTC), person="005KILL",
                        channel="call", minutes=1, outcome="fixed")
    assert not [p for p in own.iterdir() if p.name.endswith(".tmp")]
    # Numbers count up without a hole or a repeat, whatever the kills interrupted.
    for month in ("202610", "202611"):
        numbers = sorted(int(c.id.rsplit("-", 1)[1]) for c in store.chases() if month in c.id)
        assert numbers == list(range(1, len(numbers) + 1))


def test_four_processes_writing_one_month_at_once(tmp_path):
    root = tmp_path / "data" / "demo"
    procs = [spawn(tmp_path, root, 100, f"005P{n}", 1) for n in range(4)]
    outs = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
        outs.append(acknowledged(out))
    assert all(len(ids) == 100 for ids in outs)
    every = [i for ids in outs for i in ids]
    assert len(set(every)) == 400
    chases = Store(root).chases()
    assert len(chases) == 400 and {c.id for c in chases} == set(every)
    assert {c.id for c in chases} == {f"ann-202611-{n}" for n in range(1, 401)}
    assert {c.person: 0 for c in chases}.keys() == {f"005P{n}" for n in range(4)}
    for n in range(4):  # each writer's own chases are all there, with the right content
        mine = [c for c in chases if c.person == f"005P{n}"]
        assert sorted(int(c.note.split()[2]) for c in mine) == list(range(100))
