"""Two installations (two CHASER_HOMEs, admins "ann" and "bob") sharing one ledger folder
([ledger] path), four processes logging chases in each at the same time, as two admins on
one shared drive would: every acknowledged chase is there exactly once, and both see the same
chase log. The processes are real: each runs chaser's own CLI (`chaser log`) over and over."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import NOW, csv_org

REPO = Path(__file__).resolve().parent.parent
PEOPLE = "name,team,email\nAnn Lee,East,ann@x.test\nBob Roy,West,bob@x.test\n"
DEALS = "id,owner,stage,amount\n1,Ann Lee,Won,\n2,Bob Roy,Won,5\n"
ROUNDS = 12  # chases per process
# Logs ROUNDS chases through the CLI, in this one process (so 4 processes, not 48, per home),
# printing what `chaser log` prints: a line is an acknowledgement, the chase is on disk.
WORKER = """
import sys
from chaser.cli import main
for i in range(int(sys.argv[2])):
    person = "Ann Lee" if i % 2 else "Bob Roy"
    code = main(["log", person, "--minutes", str(1 + i % 9), "--note", f"{sys.argv[1]} {i}"])
    if code:
        sys.exit(code)
"""

pytestmark = pytest.mark.skipif(os.name != "posix", reason="needs fork/exec")


def env(home: Path) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "CHASER_HOME": str(home),
            "PYTHONPATH": str(REPO), "PYTHONDONTWRITEBYTECODE": "1", "CHASER_NOW": NOW}


def home(tmp_path: Path, name: str, writer: str, shared: Path) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    csv_org(folder, PEOPLE, DEALS, extra=f'[admin]\nid = "{writer}"\nname = "{writer.title()}"\n'
                                         f'[ledger]\npath = "{shared}"\n')
    return folder


def chaser(at: Path, *argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "chaser", *argv], env=env(at),
                          capture_output=True, text=True, timeout=60)


def chases(at: Path) -> list[dict]:
    done = chaser(at, "chases", "--format", "json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_two_homes_four_processes_each_every_chase_once_for_both(tmp_path):
    shared = tmp_path / "drive" / "chaser-ledger"
    homes = {"ann": home(tmp_path, "a", "ann", shared), "bob": home(tmp_path, "b", "bob", shared)}
    for at in homes.values():  # the first snapshot: so the writers only log
        assert chaser(at, "sync", "-q").returncode == 0
    procs = [(wid, subprocess.Popen([sys.executable, "-c", WORKER, f"{wid}{n}", str(ROUNDS)],
                                    env=env(at), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    text=True))
             for n in range(4) for wid, at in homes.items()]
    acked: dict[str, list[str]] = {"ann": [], "bob": []}
    for wid, proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        got = re.findall(r"^logged chase (\S+):", out, re.M)
        assert len(got) == ROUNDS, out
        acked[wid] += got
    for wid, got in acked.items():  # each installation writes as its own admin, numbers 1..48
        assert sorted(got, key=lambda i: int(i.rsplit("-", 1)[1])) == [
            f"{wid}-202611-{n}" for n in range(1, 4 * ROUNDS + 1)]
    seen = {wid: chases(at) for wid, at in homes.items()}
    assert seen["ann"] == seen["bob"]  # the same log, row for row
    rows = seen["ann"]
    assert sorted(r["id"] for r in rows) == sorted(acked["ann"] + acked["bob"])  # each once
    notes = sorted(r["note"] for r in rows)
    assert notes == sorted(f"{w}{n} {i}" for w in homes for n in range(4) for i in range(ROUNDS))
    assert {r["writer"] for r in rows} == {"ann", "bob"}
    assert all(r["id"].startswith(r["writer"] + "-") for r in rows)

    # One voids the other's chase; the other withdraws a void of its own chase: both see both.
    theirs, mine = acked["bob"][0], acked["bob"][1]
    assert chaser(homes["ann"], "chases", "void", theirs, "--reason", "dup").returncode == 0
    assert chaser(homes["bob"], "chases", "void", mine, "--reason", "wrong").returncode == 0
    assert chaser(homes["ann"], "chases", "unvoid", mine, "--reason", "right").returncode == 0
    seen = {wid: chases(at) for wid, at in homes.items()}
    assert seen["ann"] == seen["bob"]
    assert [(r["id"], r["void_reason"]) for r in seen["ann"] if r["voided"]] == [(theirs, "dup")]
    assert sorted(p.name for p in (shared / "bob").iterdir()) == ["2026-11.json", "writer.json"]
    # The locks stay on each machine: nothing but the writers' files is in the shared folder.
    assert sorted(p.name for p in shared.iterdir()) == ["ann", "bob"]
    assert sorted(p.name for p in (shared / "ann").iterdir()) == ["2026-11.json", "writer.json"]


def test_a_second_home_with_the_same_admin_id_is_refused(tmp_path):
    shared = tmp_path / "drive" / "ledger"
    first = home(tmp_path, "a", "ann", shared)
    second = home(tmp_path, "b", "ann", shared)
    assert chaser(first, "log", "Ann Lee", "--minutes", "5").returncode == 0
    before = {p: p.read_bytes() for p in (shared / "ann").iterdir()}
    done = chaser(second, "log", "Bob Roy", "--minutes", "5")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("chaser: error: writer id 'ann' in ")
    assert done.stderr.count("\n") == 1 and "set another [admin] id" in done.stderr
    assert {p: p.read_bytes() for p in (shared / "ann").iterdir()} == before
    assert [r["id"] for r in chases(second)] == ["ann-202611-1"]  # it may still read
