"""The ledger (chaser.ledger) as a team shares it: several writers in one folder, what file-sync
tools leave there, and the move from the single-writer chase log. Each admin here is a Ledger
of its own "machine" (installation id, locks, seen-marks) on one shared folder."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest

from chaser import ledger as ledger_mod
from chaser import ledger_migrate, storage
from chaser.errors import ChaserError
from chaser.ledger import Ledger, Writer, installation_id
from chaser.ledger_files import create_claim
from chaser.model import Chase
from chaser.store import Store
from chaser.store_docs import decode_chase

NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _writer(monkeypatch):
    monkeypatch.setenv("LOGNAME", "ann")  # a Store's default writer: the OS user


@pytest.fixture
def shared(tmp_path) -> Path:
    return tmp_path / "shared"


def admin(tmp_path: Path, wid: str, machine: str | None = None) -> Ledger:
    """Admin `wid` on a machine of its own (or `machine`), writing into the shared folder."""
    home = tmp_path / "machines" / (machine or wid)
    return Ledger(tmp_path / "shared", Writer(wid, wid.title()), installation_id(home),
                  home / "local")


def log(ledger: Ledger, at: datetime = NOW, person: str = "005A", **kw) -> Chase:
    args = {"at": at, "person": person, "channel": "call", "minutes": 5, "outcome": "promised"}
    return ledger.add_chase(**(args | kw))


def ids(ledger: Ledger, **kw) -> list[str]:
    return [c.id for c in ledger.chases(**kw)]


def kinds(ledger: Ledger) -> list[str]:
    return [i.kind for i in ledger.issues]


def month_file(shared: Path, wid: str, month: str = "2026-11") -> Path:
    return shared / wid / f"{month}.json"


def events(path: Path) -> dict:
    return orjson.loads(path.read_bytes())["events"]


def add_event(path: Path, n: int, doc: dict) -> None:
    """Put an event in a file by hand, as another (maybe newer) chaser would have."""
    data = orjson.loads(path.read_bytes())
    data["events"][str(n)] = doc
    path.write_bytes(orjson.dumps(data))


# -- writers and their claims -----------------------------------------------------------------


def test_a_second_installation_claiming_a_writer_id_is_refused(tmp_path, shared):
    ann = admin(tmp_path, "ann")
    first = log(ann)
    files = {p: p.read_bytes() for p in (shared / "ann").iterdir()}
    other = admin(tmp_path, "ann", machine="laptop")  # another installation, the same id
    assert other.installation != ann.installation
    for write in (lambda: log(other), lambda: other.change(first.id, "void", "x", NOW),
                  lambda: other.add_chases([{"at": NOW, "person": "p", "channel": "call",
                                             "minutes": 1, "outcome": "fixed"}])):
        with pytest.raises(ChaserError) as e:
            write()
        text = str(e.value)
        assert "\n" not in text and "writer id 'ann'" in text and str(shared) in text
        assert "belongs to another chaser installation" in text and "[admin] id" in text
    assert {p: p.read_bytes() for p in (shared / "ann").iterdir()} == files  # untouched
    assert ids(other) == [first.id]  # reading is fine: only writing is refused
    assert log(ann).id == "ann-202611-2"  # the owner goes on
    # The way the message names to take an id over (a new laptop): the claim moved away.
    (shared / "ann" / "writer.json").rename(tmp_path / "old-claim.json")
    assert log(other).id == "ann-202611-3"  # numbers go on from the file
    with pytest.raises(ChaserError, match="belongs to another chaser installation"):
        log(ann)


def test_claims_are_made_once_whoever_races(tmp_path):
    path = tmp_path / "w" / "writer.json"
    assert create_claim(path, {"writer": "w", "installation": "a"})
    assert not create_claim(path, {"writer": "w", "installation": "b"})  # never replaced
    assert orjson.loads(path.read_bytes())["writer"]["1"]["installation"] == "a"
    assert [p.name for p in path.parent.iterdir()] == ["writer.json"]  # no temp left


# -- many writers in one folder ---------------------------------------------------------------


def test_every_writer_is_read_and_sorted_by_time_writer_and_number(tmp_path):
    ann, bob = admin(tmp_path, "ann"), admin(tmp_path, "bob")
    for n in range(11):
        log(bob, NOW, person=f"b{n}")
    log(ann, NOW)
    log(ann, NOW - timedelta(days=30))
    want = ["ann-202610-1", "ann-202611-1"] + [f"bob-202611-{n}" for n in range(1, 12)]
    assert ids(ann) == want == ids(bob)
    assert [c.writer for c in ann.chases()] == ["ann", "ann"] + ["bob"] * 11
    assert ids(bob, since=NOW - timedelta(days=1)) == want[1:]


def test_voiding_another_admins_chase_writes_into_your_own_file(tmp_path, shared):
    ann, bob = admin(tmp_path, "ann"), admin(tmp_path, "bob")
    c = log(bob)
    before = month_file(shared, "bob").read_bytes()
    voided = ann.change(c.id, "void", "logged twice", NOW)
    assert voided.voided and voided.void_reason == "logged twice" and voided.writer == "bob"
    assert month_file(shared, "bob").read_bytes() == before  # bob's file: only bob writes it
    assert list(events(month_file(shared, "ann")).values()) == [
        {"kind": "void", "chase": c.id, "reason": "logged twice", "at": NOW.isoformat()}]
    for reader in (ann, bob, admin(tmp_path, "cy")):
        assert reader.get(c.id) == voided and reader.chases(include_voided=False) == []
    with pytest.raises(ChaserError, match="already voided"):
        bob.change(c.id, "void", "again", NOW)


def test_withdrawing_a_void_and_voiding_again_across_writers(tmp_path, shared):
    # The clock is pinned (CHASER_NOW): every event is made "at" the same moment, and still
    # each one undoes the one before it.
    ann, bob = admin(tmp_path, "ann"), admin(tmp_path, "bob")
    c = log(ann)
    bob.change(c.id, "void", "wrong person", NOW)
    assert ann.change(c.id, "unvoid", "it was right", NOW).voided is False
    assert not bob.get(c.id).voided and not ann.get(c.id).voided
    again = bob.change(c.id, "void", "really wrong", NOW)
    assert again.voided and ann.get(c.id) == again == bob.get(c.id)
    with pytest.raises(ChaserError, match="is not voided"):
        admin(tmp_path, "cy").change(log(ann).id, "unvoid", "x", NOW)
    with pytest.raises(ValueError, match="needs a reason"):
        ann.change(c.id, "unvoid", " ", NOW)
    # Every event stays: the log can always be audited.
    assert [e["kind"] for e in events(month_file(shared, "bob")).values()] == ["void", "void"]
    assert [e["kind"] for e in events(month_file(shared, "ann")).values()] == [
        "chase", "unvoid", "chase"]


def test_a_withdrawal_on_a_clock_behind_still_comes_after_the_void(tmp_path, shared):
    ann, bob = admin(tmp_path, "ann"), admin(tmp_path, "bob")
    c = log(ann, NOW - timedelta(days=1))
    ann.change(c.id, "void", "dup", NOW)
    bob.change(c.id, "unvoid", "not a dup", NOW - timedelta(hours=2))  # bob's clock is behind
    (unvoid,) = events(month_file(shared, "bob")).values()
    assert datetime.fromisoformat(unvoid["at"]) > NOW
    assert not ann.get(c.id).voided and not admin(tmp_path, "cy").get(c.id).voided


def test_void_and_unvoid_fold_by_time_whoever_wrote_them(tmp_path, shared):
    ann, bob, cy = (admin(tmp_path, w) for w in ("ann", "bob", "cy"))
    c = log(ann)
    t = NOW + timedelta(hours=1)
    # Events made apart (by machines that did not see each other's yet), merged by time: the
    # writers' names sort the other way round from the times.
    for who, n, kind, at in ((cy, 1, "void", t), (bob, 1, "unvoid", t + timedelta(minutes=1)),
                             (ann, 2, "void", t + timedelta(minutes=2))):
        path = month_file(shared, who.writer.id)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(orjson.dumps({"_chaser": {"1": {"schema": 1, "kind": "ledger"}},
                                           "events": {}}))
        add_event(path, n, {"kind": kind, "chase": c.id, "reason": f"by {who.writer.id}",
                            "at": at.isoformat()})
    got = admin(tmp_path, "dee").get(c.id)
    assert (got.voided_at, got.void_reason) == (t + timedelta(minutes=2), "by ann")
    # Two voids apart: the first one in time is the void that counts.
    d = log(bob)
    add_event(month_file(shared, "cy"), 2, {"kind": "void", "chase": d.id, "reason": "late",
                                            "at": (t + timedelta(hours=1)).isoformat()})
    add_event(month_file(shared, "ann"), 3, {"kind": "void", "chase": d.id, "reason": "early",
                                             "at": t.isoformat()})
    assert admin(tmp_path, "dee").get(d.id).void_reason == "early"
    assert ann.get(d.id).void_reason == "early"


def test_a_void_waits_for_its_chase_to_arrive(tmp_path, shared):
    ann, bob = admin(tmp_path, "ann"), admin(tmp_path, "bob")
    c = log(bob)
    ann.change(c.id, "void", "dup", NOW)
    aside = tmp_path / "aside.json"
    month_file(shared, "bob").rename(aside)  # bob's file not synced here yet
    dee = admin(tmp_path, "dee")
    assert dee.chases() == []
    with pytest.raises(ChaserError, match="no chase with id"):
        dee.change(c.id, "void", "x", NOW)
    aside.rename(month_file(shared, "bob"))
    assert dee.get(c.id).void_reason == "dup"


# -- what sync tools leave --------------------------------------------------------------------


@pytest.mark.parametrize("name", [
    "2026-11 (Bob's conflicted copy 2026-11-20).json",  # Dropbox
    "2026-11.sync-conflict-20261120-101010-ABCDEFG.json",  # Syncthing
    "2026-11 (1).json",  # a copy by hand, many tools
    "2026-11-LAPTOP-7.json",  # OneDrive / SharePoint: the machine's name
    "2026-11(1).json",  # Google Drive
    "2026-11 (conflicted copy 2026-11-20 101010).json",  # Nextcloud
    "Copy of 2026-11.json",
    "2026-11.JSON",
])
@pytest.mark.parametrize("whose", ["bob", "ann"])
def test_conflicted_copies_are_reported_and_never_counted(tmp_path, shared, name, whose):
    ann, bob = admin(tmp_path, "ann"), admin(tmp_path, "bob")
    log(ann)
    log(bob)
    want = ids(ann)
    # The copy holds an event the real file does not: counting it would show.
    copy = shared / whose / name
    shutil.copyfile(month_file(shared, whose), copy)
    add_event(copy, 7, {"kind": "chase", "at": NOW.isoformat(), "person": "dup",
                        "channel": "call", "minutes": 600, "outcome": "fixed", "fields": [],
                        "note": "", "by": "", "logged_at": NOW.isoformat()})
    raw = copy.read_bytes()
    for reader in (ann, bob, admin(tmp_path, "cy")):
        assert ids(reader) == want and reader.months() == ["2026-11"]
        (issue,) = reader.issues
        assert issue.kind == "conflict" and issue.writer == whose and name in issue.text
        assert "not counted" in issue.text and not reader.incomplete
    assert log(ann).id == "ann-202611-2" and copy.read_bytes() == raw  # never touched


def test_a_copy_of_a_claim_and_a_stray_folder_are_reported(tmp_path, shared):
    ann = admin(tmp_path, "ann")
    c = log(ann)
    shutil.copyfile(shared / "ann" / "writer.json", shared / "ann" / "writer-LAPTOP-7.json")
    shutil.copytree(shared / "ann", shared / "ann (1)")  # a conflicted folder
    shutil.copytree(shared / "ann", shared / "Ann")  # a case-folding file system's
    assert ids(ann) == [c.id]
    assert sorted(kinds(ann)) == ["conflict", "stray", "stray"] and not ann.incomplete
    assert any("second claim" in i.text for i in ann.issues)


DAMAGE = {
    "half-copied": lambda raw: raw[: len(raw) // 2],
    "empty": lambda raw: b"",
    "zeros": lambda raw: b"\0" * len(raw),  # space taken, not yet written
    "newer chaser": lambda raw: raw.replace(b'"schema":1', b'"schema":2'),
    "bad event": lambda raw: raw.replace(b'"minutes":5', b'"minutes":"5"'),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_an_unreadable_foreign_file_is_skipped_naming_whose_month(tmp_path, shared, damage):
    ann, bob = admin(tmp_path, "ann"), admin(tmp_path, "bob")
    mine = log(ann)
    theirs = [log(bob, NOW - timedelta(days=30)).id, log(bob).id]
    path = month_file(shared, "bob")
    good = path.read_bytes()
    path.write_bytes(raw := DAMAGE[damage](good))
    assert ids(ann) == [theirs[0], mine.id]  # bob's October still counts
    (issue,) = ann.issues
    assert (issue.kind, issue.writer, issue.month) == ("unreadable", "bob", "2026-11")
    assert "bob's chases of 2026-11 are left out" in issue.text and "2026-11.json" in issue.text
    assert ann.incomplete and "\n" not in issue.text
    assert ids(ann, until=datetime(2026, 11, 1, tzinfo=UTC)) == [theirs[0]]
    assert not ann.incomplete  # November was not read
    log(ann)  # writing your own file is not stopped by another writer's
    assert path.read_bytes() == raw  # never rewritten: it is not ours
    path.write_bytes(good)  # the sync finished
    assert ids(ann) == [theirs[0], mine.id, "ann-202611-2", theirs[1]] and not ann.incomplete


def test_an_own_corrupt_file_stops_chaser_and_is_kept(tmp_path, shared):
    ann, bob = admin(tmp_path, "ann"), admin(tmp_path, "bob")
    log(ann)
    log(bob)
    path = month_file(shared, "ann")
    path.write_bytes(raw := path.read_bytes()[:40])
    for op in (ann.chases, lambda: log(ann), lambda: ann.get("ann-202611-1"),
               lambda: ann.change("bob-202611-1", "void", "x", NOW)):
        with pytest.raises(ChaserError, match="corrupt data store") as e:
            op()
        assert str(e.value).startswith(f"{path}: ")
    assert path.read_bytes() == raw
    assert ids(bob) == ["bob-202611-1"] and bob.incomplete  # to bob, it is a foreign file


def test_a_file_that_goes_backwards_is_reported_and_numbers_never_reused(tmp_path, shared):
    ann, bob = admin(tmp_path, "ann"), admin(tmp_path, "bob")
    path = month_file(shared, "bob")
    log(bob)
    older = path.read_bytes()
    log(bob), log(bob)
    assert len(ann.chases()) == 3 and not ann.incomplete  # ann has seen 3 of bob's events
    newer = path.read_bytes()
    path.write_bytes(older)  # a sync tool restores an older copy
    for reader in (ann, admin(tmp_path, "ann", machine="ann")):  # the marks are on the machine
        assert ids(reader) == ["bob-202611-1"]
        (issue,) = reader.issues
        assert (issue.kind, issue.writer, issue.month) == ("backwards", "bob", "2026-11")
        assert "went back from 3 to 1" in issue.text and reader.incomplete
    # Bob's next chase does not take a number another machine has already seen.
    assert log(bob).id == "bob-202611-4"
    assert log(admin(tmp_path, "bob", machine="bob")).id == "bob-202611-5"
    assert ids(ann) == ["bob-202611-1", "bob-202611-4", "bob-202611-5"] and not ann.incomplete
    path.write_bytes(newer)  # the newer copy comes back: only the newest one counts
    assert ids(ann) == ["bob-202611-1", "bob-202611-2", "bob-202611-3"] and ann.incomplete


def test_events_of_unknown_kinds_are_skipped_counted_and_kept(tmp_path, shared):
    ann, bob = admin(tmp_path, "ann"), admin(tmp_path, "bob")
    c = log(bob)
    # A kind of a later chaser ("note" is known since issue 12: barrier resolutions are not).
    note = {"kind": "barrier-resolved", "chase": c.id, "text": "called back",
            "at": NOW.isoformat()}
    add_event(month_file(shared, "bob"), 2, note)
    add_event(month_file(shared, "bob"), 3, note | {"text": "again"})
    assert ids(ann) == [c.id] and ann.get(c.id) == bob.get(c.id)
    (issue,) = ann.issues
    assert (issue.kind, issue.writer) == ("unknown-kinds", "bob") and "2 event(s)" in issue.text
    assert not ann.incomplete
    # In your own file (a newer chaser ran here once): kept by the next write, never renumbered.
    assert log(bob).id == "bob-202611-4"
    assert events(month_file(shared, "bob"))["2"] == note


# -- reading is cheap when nothing changed ------------------------------------------------


def test_an_unchanged_ledger_is_neither_parsed_nor_written_again(tmp_path, shared, monkeypatch):
    writers = [admin(tmp_path, w) for w in ("ann", "bob", "cy")]
    for w in writers:
        for month in (9, 10, 11):
            log(w, datetime(2026, month, 3, tzinfo=UTC))
    dee = admin(tmp_path, "dee")
    decoded, written = [], []
    real_decoded, real_write = ledger_mod.read_file, storage.atomic_write_bytes
    monkeypatch.setattr(ledger_mod, "read_file", lambda *a: (decoded.append(a[0]),
                                                            real_decoded(*a))[1])
    monkeypatch.setattr(storage, "atomic_write_bytes", lambda p, b: (written.append(p),
                                                                     real_write(p, b)))
    first = dee.chases()
    assert len(first) == 9 and len(decoded) == 9
    assert [p.name for p in written] == ["seen.json"]  # nine marks rose: one write
    decoded.clear(), written.clear()
    for _ in range(3):
        assert dee.chases() == first and dee.get(first[4].id) == first[4]
    assert decoded == [] and written == []
    log(writers[1], datetime(2026, 10, 4, tzinfo=UTC))  # one file changes: only it is read
    written.clear()
    assert len(dee.chases()) == 10
    assert decoded == [month_file(shared, "bob", "2026-10")]
    assert [p.name for p in written] == ["seen.json"]


def test_a_file_rewritten_in_place_with_its_old_mtime_is_read_again(tmp_path, shared):
    ann, bob = admin(tmp_path, "ann"), admin(tmp_path, "bob")
    log(bob, note="a")
    assert ann.chases()[0].note == "a"
    path = month_file(shared, "bob")
    st = path.stat()
    time.sleep(0.05)  # past the file system's clock tick
    with open(path, "r+b") as f:  # as a sync tool copying in place: same inode, same size
        raw = f.read()
        f.seek(0)
        f.write(raw.replace(b'"note":"a"', b'"note":"b"'))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # and the source's mtime set back
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (st.st_size, st.st_mtime_ns)
    assert ann.chases()[0].note == "b"


# -- from the single-writer chase log ---------------------------------------------------------


def legacy_doc(day: int, person: str, voided: tuple[datetime, str] | None = None,
               month: int = 11) -> dict:
    at = datetime(2026, month, day, 10, tzinfo=UTC)
    return {"at": at.isoformat(), "person": person, "channel": "email", "minutes": day,
            "outcome": "promised", "fields": ["Amount"], "note": f"about {person}",
            "by": "ann@example.com", "logged_at": (at + timedelta(hours=1)).isoformat(),
            "voided_at": voided and voided[0].isoformat(), "void_reason": voided and voided[1]}


def write_legacy(root: Path, months: dict[str, dict[int, dict]]) -> dict[Path, bytes]:
    folder = root / "chases"
    folder.mkdir(parents=True)
    out = {}
    for month, docs in months.items():
        path = folder / f"{month}.json"
        path.write_bytes(orjson.dumps({"_chaser": {"1": {"schema": 1, "kind": "chases"}},
                                       "chases": {str(n): d for n, d in docs.items()}}))
        out[path] = path.read_bytes()
    return out


def legacy_months() -> dict[str, dict[int, dict]]:
    void = (datetime(2026, 11, 15, tzinfo=UTC), "logged twice")
    return {"2026-10": {1: legacy_doc(1, "a", month=10), 2: legacy_doc(2, "b", month=10)},
            # A hole in the numbers, kept as it is: an id names the same chase ever after.
            "2026-11": {1: legacy_doc(3, "c"), 2: legacy_doc(4, "d", void), 4: legacy_doc(5, "e")}}


def expected(root: Path, months: dict[str, dict[int, dict]]) -> list[Chase]:
    """The old chases as the old store decoded them, under their ledger ids."""
    from dataclasses import replace
    out = [replace(c, id=f"ann-{c.id}", writer="ann")
           for month, docs in months.items() for n, doc in docs.items()
           for c in [decode_chase(root / "chases" / f"{month}.json", month, n, doc)]]
    return sorted(out, key=lambda c: c.at)


def check_migrated(root: Path, months: dict, files: dict[Path, bytes]) -> Store:
    store = Store(root)
    assert store.chases() == expected(root, months)
    assert not (root / "chases").exists()
    moved = root / "chases.migrated"  # kept as it was
    assert {p.name: p.read_bytes() for p in moved.iterdir()} == {
        p.name: raw for p, raw in files.items()}
    for month in months:  # every chase once, every void once
        evs = events(root / "ledger" / "ann" / f"{month}.json")
        voids = [e["chase"] for e in evs.values() if e["kind"] == "void"]
        assert len(voids) == len(set(voids))
        assert sum(e["kind"] == "chase" for e in evs.values()) == len(months[month])
    return store


def test_migration_keeps_every_chase_and_id(tmp_path):
    root = tmp_path / "data" / "src"
    months = legacy_months()
    files = write_legacy(root, months)
    store = check_migrated(root, months, files)
    old = store.get_chase("202611-2")  # an id from before the ledger still works
    assert old.id == "ann-202611-2" and old.void_reason == "logged twice"
    assert old.voided_at == datetime(2026, 11, 15, tzinfo=UTC)
    with pytest.raises(ChaserError, match="no chase with id '202611-3'"):
        store.get_chase("202611-3")  # the hole stays a hole
    assert store.void_chase("202611-4", "wrong person").id == "ann-202611-4"
    assert store.unvoid_chase("202611-2", "not twice").voided is False
    # New chases count on after every old number (and after the migrated void's event).
    new = store.add_chase(at=NOW, person="f", channel="call", minutes=1, outcome="fixed")
    assert new.id == "ann-202611-8"
    assert Store(root).chases() == store.chases()  # and nothing is moved twice


@pytest.mark.parametrize("fail_after", [0, 1])
def test_an_interrupted_migration_finishes_on_the_next_run(tmp_path, monkeypatch, fail_after):
    root = tmp_path / "data" / "src"
    months = legacy_months() | {"2026-12": {1: legacy_doc(6, "g", month=12)}}
    files = write_legacy(root, months)
    real, calls = ledger_migrate._merge, []

    def merge(*a):
        if len(calls) == fail_after:
            raise ChaserError("disk full")
        calls.append(a)
        return real(*a)

    monkeypatch.setattr(ledger_migrate, "_merge", merge)
    store = Store(root)
    with pytest.raises(ChaserError, match="disk full"):
        store.chases()
    assert (root / "chases").is_dir()
    with pytest.raises(ChaserError, match="disk full"):  # not taken for done, in this process
        store.add_chase(at=NOW, person="x", channel="call", minutes=1, outcome="fixed")
    monkeypatch.setattr(ledger_migrate, "_merge", real)
    assert store.chases() == expected(root, months)  # the same Store finishes the job
    check_migrated(root, months, files)


def test_migration_killed_at_any_moment_finishes_without_duplicates(tmp_path):
    root = tmp_path / "data" / "src"
    months = {f"20{y}-{m:02d}": {n: legacy_doc(1 + n % 28, f"p{n}", month=m)
                                 | {"at": f"20{y}-{m:02d}-{1 + n % 28:02d}T10:00:00+00:00"}
                                 for n in range(1, 40)}
              for y in (25, 26) for m in range(1, 13)}
    months["2026-11"][3] = legacy_doc(3, "v", (NOW, "dup"))
    files = write_legacy(root, months)
    # Migrates, saying each month done and waiting for a go before the next: killed after a
    # few months, in the middle of the next one or just before it.
    script = """
import sys
from pathlib import Path
from chaser import ledger_migrate
from chaser.store import Store
real = ledger_migrate._merge
def merge(*a):
    n = real(*a)
    print(a[2], flush=True)
    sys.stdin.readline()
    return n
ledger_migrate._merge = merge
Store(Path(sys.argv[1])).chases()
"""
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path / "home"),
           "CHASER_HOME": str(tmp_path / "home"), "PYTHONPATH": str(REPO), "LOGNAME": "ann",
           "PYTHONDONTWRITEBYTECODE": "1", "CHASER_NOW": NOW.isoformat()}
    done = []
    for k, pause in ((2, 0.0), (5, 0.001), (9, 0.003), (14, 0.0005), (20, 0.002)):
        proc = subprocess.Popen([sys.executable, "-c", script, str(root)], env=env,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        for _ in range(k):
            assert proc.stdout.readline().strip(), proc.communicate()[1].decode()
            proc.stdin.write(b"go\n")
            proc.stdin.flush()
        time.sleep(pause)  # somewhere in the next month's merge, or just before it
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
        assert proc.returncode == -signal.SIGKILL and (root / "chases").is_dir()
        done.append(len(list((root / "ledger" / "ann").glob("20*.json"))))
    assert done == sorted(done) and done[0] >= 2 and done[-1] >= 20  # each one got further
    check_migrated(root, months, files)


def test_two_processes_migrating_at_once_both_finish(tmp_path, monkeypatch):
    root = tmp_path / "data" / "src"
    months = legacy_months()
    files = write_legacy(root, months)
    real, started, done = ledger_migrate.read_locked, [], []

    def other_process_first(*a, **kw):  # the other one does it all while this one starts
        if not started:
            started.append(True)
            done.append(Store(root).chases())
        return real(*a, **kw)

    monkeypatch.setattr(ledger_migrate, "read_locked", other_process_first)
    assert Store(root).chases() == done[0] == expected(root, months)
    monkeypatch.undo()
    check_migrated(root, months, files)


def test_migration_never_drops_an_old_chase_for_an_event_of_its_number(tmp_path):
    root = tmp_path / "data" / "src"
    months = legacy_months()
    files = write_legacy(root, months)
    home = tmp_path / "data"
    early = Ledger(root / "ledger", Writer("ann"), installation_id(home), root / "ledger-local")
    log(early)  # written to the ledger before the old log was moved (a chaser of another kind)
    mine = month_file(root / "ledger", "ann").read_bytes()
    with pytest.raises(ChaserError, match=r"cannot move chase 202611-1 .* holds another event"):
        Store(root).chases()
    assert month_file(root / "ledger", "ann").read_bytes() == mine
    assert all(p.read_bytes() == raw for p, raw in files.items())


def test_housekeeping_clears_only_this_writers_leftovers_in_a_shared_folder(tmp_path, shared):
    ann, bob = admin(tmp_path, "ann"), admin(tmp_path, "bob")
    log(ann), log(bob)
    store = Store(tmp_path / "data" / "src", ann)
    old = time.time() - 3600
    leftovers = {w: shared / w / ".2026-11.json.0123456789ab.tmp" for w in ("ann", "bob")}
    for path in leftovers.values():
        path.write_bytes(b"half")
        os.utime(path, (old, old))
    assert store.housekeep() == 1
    assert not leftovers["ann"].exists() and leftovers["bob"].exists()  # bob's are bob's
