"""The barrier register (issue 13 point 4): barrier chases open a barrier or join the open one
of their kind, `chaser barriers resolve` removes it with a ledger event (shared with the other
admins of a shared ledger, durable across a kill), a later barrier chase opens a new one, and
field permissions found in the CRM are an "access" barrier until a snapshot no longer shows
them."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import orjson
import pytest
from conftest import csv_org, run_cli

from chaser.barrier_register import crm_barriers, register
from chaser.errors import ChaserError
from chaser.ledger import Ledger, Writer
from chaser.ledger_docs import encode_resolve_event
from chaser.ledger_events import add_resolution, read_resolutions
from chaser.model import Channel, Outcome, Person, Snapshot, Tally
from chaser.store import Store

REPO = Path(__file__).resolve().parent.parent
PEOPLE = "name,team\nAnn Lee,EMEA\nBob Ray,EMEA\n"
DEALS = "id,owner,stage,amount,industry\nD1,Ann Lee,Won,,\nD2,Bob Ray,Won,,x\n"
CANNOT = '[[source.csv.cannot_edit]]\nperson = "Ann Lee"\nobject = "Deal"\nfields = ["industry"]\n'
ADMIN = '[admin]\nid = "{wid}"\nname = "{name}"\n[costs]\ntimezone = "UTC"\n'


def org(folder: Path, wid: str = "ann", name: str = "Ann Admin", extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return csv_org(folder, PEOPLE, DEALS, require=("amount", "industry"), when=None,
                   extra=CANNOT + ADMIN.format(wid=wid, name=name) + extra)


def log(capsys, cfg, who, at, outcome="barrier-access", fields="amount") -> str:
    code, out, err = run_cli(capsys, "log", who, "--config", cfg, "--minutes", 5, "--at", at,
                             "--outcome", outcome, "--fields", fields)
    assert code == 0, err
    return re.search(r"logged chase (\S+):", out).group(1)


def barriers(capsys, cfg, *extra) -> list[dict]:
    code, out, err = run_cli(capsys, "barriers", "--config", cfg, "--format", "json", *extra)
    assert code == 0, err
    return json.loads(out)


def test_open_add_resolve_reopen_through_the_cli(tmp_path, capsys, monkeypatch):
    cfg = org(tmp_path / "org")
    monkeypatch.setenv("CHASER_NOW", "2026-11-10T12:00:00+00:00")
    first = log(capsys, cfg, "Bob Ray", "2026-11-02T10:00")
    second = log(capsys, cfg, "Bob Ray", "2026-11-05T10:00", fields="industry,amount")
    training = log(capsys, cfg, "Bob Ray", "2026-11-06T10:00", outcome="barrier-training")
    log(capsys, cfg, "Bob Ray", "2026-11-07T10:00", outcome="promised")  # no barrier
    rows = barriers(capsys, cfg, "--person", "bob ray")
    assert [(r["id"], r["kind"], r["chases"], r["state"]) for r in rows] == [
        (first, "access", 2, "open"), (training, "training", 1, "open")]
    assert rows[0]["fields"] == "amount, industry" and rows[0]["opened_by"] == "Ann Admin"
    assert rows[0]["opened"] == "2026-11-02T10:00+00:00" and rows[0]["age_days"] == 8
    assert second not in {r["id"] for r in rows}  # it joined the open one

    code, out, err = run_cli(capsys, "barriers", "resolve", first, "--config", cfg, "--note",
                             "granted edit on Amount")
    assert code == 0, err
    assert out.startswith(f"resolved barrier {first} (access) of Bob Ray, open 8 days")
    assert out.rstrip().endswith("by Ann Admin): granted edit on Amount")
    assert [r["id"] for r in barriers(capsys, cfg, "--open", "--person", "Bob Ray")] == [training]
    done = next(r for r in barriers(capsys, cfg) if r["id"] == first)
    assert (done["state"], done["removed"], done["removed_by"], done["note"]) == (
        "removed", "2026-11-10T12:00+00:00", "Ann Admin", "granted edit on Amount")

    # Logged late but dated before the resolution: evidence of the barrier that was removed.
    log(capsys, cfg, "Bob Ray", "2026-11-08T10:00")
    monkeypatch.setenv("CHASER_NOW", "2026-11-20T09:00:00+00:00")
    again = log(capsys, cfg, "Bob Ray", "2026-11-12T10:00", fields="industry")
    rows = [r for r in barriers(capsys, cfg, "--person", "Bob Ray") if r["kind"] == "access"]
    assert [(r["id"], r["state"], r["chases"]) for r in rows] == [(first, "removed", 3),
                                                                   (again, "open", 1)]
    assert rows[0]["age_days"] == 8  # to its removal, not to now

    # The table and CSV faces print the same register.
    code, out, _ = run_cli(capsys, "barriers", "--config", cfg, "--format", "csv", "--open")
    assert out.splitlines()[0].startswith("id,person,kind,source,opened,opened_by,fields")
    assert {line.split(",")[0] for line in out.splitlines()[1:]} >= {training, again}


def test_resolve_refuses_unknown_resolved_crm_and_empty(tmp_path, capsys):
    cfg = org(tmp_path / "org")
    first = log(capsys, cfg, "Bob Ray", "2026-11-02T10:00")
    assert run_cli(capsys, "barriers", "resolve", first, "--config", cfg, "--note", "ok")[0] == 0
    cases = [
        ("ann-202611-99", "x", "no barrier with id 'ann-202611-99'"),
        ("nonsense", "x", "no barrier with id 'nonsense'"),
        (first, "again", f"barrier {first} is already resolved (2026-11-20 09:00 by Ann Admin: "
                         "ok)"),
        (first, "   ", "a resolution needs a note"),
    ]
    crm = next(r["id"] for r in barriers(capsys, cfg) if r["source"] == "crm")
    cases.append((crm, "x", f"barrier {crm} is found in the CRM (field permissions)"))
    for bid, note, said in cases:
        code, out, err = run_cli(capsys, "barriers", "resolve", bid, "--config", cfg, "--note",
                                 note)
        assert (code, out) == (2, ""), (bid, out)
        assert err.startswith("chaser: error: ") and said in err and err.count("\n") == 1, err
    code, _, err = run_cli(capsys, "barriers", "resolve", first, "--config", cfg)
    assert code == 2 and "--note" in err
    code, _, err = run_cli(capsys, "barriers", "--config", cfg, "--person", "Nobody")
    assert code == 2 and "unknown person 'Nobody'" in err


def test_a_crm_access_barrier_while_the_snapshot_shows_it(tmp_path, capsys, monkeypatch):
    cfg = org(tmp_path / "org")
    rows = barriers(capsys, cfg)
    assert [(r["person"], r["kind"], r["source"], r["fields"], r["state"]) for r in rows] == [
        ("Ann Lee", "access", "crm", "Deal.industry", "open")]
    text = cfg.read_text().replace(CANNOT, "")  # permissions fixed: the next sync shows none
    cfg.write_text(text)
    monkeypatch.setenv("CHASER_NOW", "2026-11-21T09:00:00+00:00")
    assert run_cli(capsys, "sync", "--config", cfg, "-q")[0] == 0
    assert barriers(capsys, cfg, "--open") == []
    (gone,) = barriers(capsys, cfg)
    assert (gone["state"], gone["removed_by"], gone["removed"]) == ("removed", "sync",
                                                                    "2026-11-21T09:00+00:00")


T = datetime(2026, 11, 1, 9, tzinfo=UTC)


def snap(day: int, blocked: bool) -> Snapshot:
    people = (Person("ann", "Ann", cannot_edit=("Deal.x",) if blocked else ()), Person("bob", "Bob"))
    return Snapshot(f"s{day}", T.replace(day=day), "t", people, {"ann": Tally(), "bob": Tally()},
                    {}, {})


def test_crm_runs_open_and_close_with_the_snapshots():
    found = crm_barriers([snap(1, True), snap(2, True), snap(3, False), snap(4, True)])
    assert [(b.opened_at.day, b.removed_at and b.removed_at.day) for b in found] == [(1, 3),
                                                                                   (4, None)]
    assert found[0].id != found[1].id and all(b.person == "ann" for b in found)


def chase(n: int, day: int, outcome=Outcome.BARRIER_TIME, voided=False, writer="ann"):
    from chaser.model import Chase

    return Chase(f"{writer}-202611-{n}", T.replace(day=day), "bob", Channel.CALL, 5, outcome,
                 ("amount",), writer=writer, by=writer,
                 voided_at=T.replace(day=25) if voided else None)


def test_a_voided_opener_keeps_the_id_and_all_void_is_no_barrier():
    (b,) = register([chase(1, 2, voided=True), chase(2, 3), chase(3, 4)])
    assert (b.id, b.opened_at.day, len(b.chases)) == ("ann-202611-1", 3, 2)
    assert register([chase(1, 2, voided=True), chase(2, 3, voided=True)]) == []
    # Kinds apart; non-barrier outcomes open nothing.
    found = register([chase(1, 2), chase(2, 3, Outcome.BARRIER_ACCESS), chase(3, 4, Outcome.FIXED)])
    assert [(b.kind, b.id) for b in found] == [("time", "ann-202611-1"), ("access", "ann-202611-2")]


def shared(tmp_path: Path, wid: str) -> Ledger:
    return Ledger(tmp_path / "drive", Writer(wid, wid.title()), f"inst-{wid}",
                  tmp_path / f"local-{wid}")


def test_a_resolution_by_a_second_writer_is_seen_by_the_first(tmp_path):
    ann, bob = shared(tmp_path, "ann"), shared(tmp_path, "bob")
    c = ann.add_chase(at=T.replace(day=2), person="p1", channel=Channel.CALL, minutes=5,
                      outcome=Outcome.BARRIER_ACCESS, fields=("amount",))
    assert register(ann.chases(), read_resolutions(ann))[0].open  # read (and cached) by ann
    r = add_resolution(bob, barrier=c.id, person="p1", note="access granted", by="Bob",
                       at=T.replace(day=5))
    assert r.id == "bob-202611-1" and (tmp_path / "drive" / "bob" / "2026-11.json").exists()
    for reader in (ann, shared(tmp_path, "ann")):  # the same Ledger, and a fresh one
        (b,) = register(reader.chases(), read_resolutions(reader))
        assert (b.open, b.removed_by, b.note, b.resolution) == (False, "Bob", "access granted",
                                                                r.id)
    # A second resolution of the same barrier (two admins at once) is kept, not counted.
    add_resolution(ann, barrier=c.id, person="p1", note="me too", at=T.replace(day=6))
    (b,) = register(ann.chases(), read_resolutions(ann))
    assert (b.note, len(read_resolutions(ann))) == ("access granted", 2)


def test_resolution_events_are_checked_both_ways(tmp_path):
    now = T
    for bad, said in (({"barrier": "x", "person": "p", "note": "n"}, "opening chase's id"),
                      ({"barrier": "ann-202611-1", "person": "", "note": "n"}, "a person"),
                      ({"barrier": "ann-202611-1", "person": "p", "note": " "}, "a note"),
                      ({"barrier": "ann-202611-1", "person": "p", "note": "n", "x": 1}, "unknown")):
        with pytest.raises(ValueError, match=said):
            encode_resolve_event(bad, now)
    ann = shared(tmp_path, "ann")
    add_resolution(ann, barrier="ann-202611-1", person="p", note="fine", at=now)
    path = tmp_path / "drive" / "ann" / "2026-11.json"
    data = orjson.loads(path.read_bytes())
    data["events"]["1"]["note"] = ""  # hand-edited: an own file that does not decode stops
    path.write_bytes(orjson.dumps(data))
    with pytest.raises(ChaserError, match="malformed"):
        read_resolutions(shared(tmp_path, "ann"))
    # Another writer's bad file is left out with an issue, not refused.
    bob = shared(tmp_path, "bob")
    assert read_resolutions(bob) == [] and any(i.kind == "unreadable" for i in bob.issues)


# A writer that resolves (made-up) barriers forever, printing each resolution's id once the
# call has returned, i.e. once it is durable.
WRITER = """
import sys
from datetime import UTC, datetime
from pathlib import Path
from chaser.store import Store
store, i = Store(Path(sys.argv[1])), 0
while True:
    r = store.add_resolution(barrier=f"ann-202611-{i + 1}", person="p", note="n" * 300,
                             at=datetime(2026, 11 - i % 2, 15, tzinfo=UTC))
    print(r.id, flush=True)
    i += 1
"""


@pytest.mark.skipif(os.name != "posix", reason="needs fork/exec and SIGKILL")
def test_a_kill_mid_write_loses_no_acknowledged_resolution(tmp_path):
    root = tmp_path / "data" / "demo"
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path / "home"),
           "CHASER_HOME": str(tmp_path / "home"), "LOGNAME": "ann", "PYTHONPATH": str(REPO),
           "PYTHONDONTWRITEBYTECODE": "1"}
    rng, acked, rounds = random.Random(os.getpid()), [], 0
    deadline = time.monotonic() + 15
    while rounds < 8 and time.monotonic() < deadline:
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(root)], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path)
        first = proc.stdout.readline()
        time.sleep(rng.uniform(0, 0.05))
        proc.send_signal(signal.SIGKILL)
        out, err = proc.communicate(timeout=10)
        assert proc.returncode == -signal.SIGKILL, err.decode()
        acked += [line for line in (first + out).decode().split("\n")[:-1] if line]
        rounds += 1
        for path in (root / "ledger" / "ann").glob("*.json"):
            orjson.loads(path.read_bytes())  # every file whole
        stored = {r.id for r in Store(root).resolutions()}
        assert set(acked) <= stored, sorted(set(acked) - stored)
        assert len(stored) - len(acked) <= rounds
    assert rounds >= 4 and len(acked) > rounds
