"""Unit tests of chaser.store / chaser.storage against real TinyDB files under tmp_path. The
chase log is the ledger (chaser.ledger), written here as admin "ann" (the OS user, LOGNAME):
these are its own files, held to the store's rules; tests/test_ledger.py has the rest."""

from __future__ import annotations

import dataclasses
import os
import stat
import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import orjson
import pytest
from filelock import FileLock

from chaser import storage
from chaser.errors import ChaserError
from chaser.model import Channel, Chase, Gap, Outcome, Person, Snapshot, Tally
from chaser.store import Store

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("CHASER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CHASER_NOW", "2026-11-20T09:00:00Z")
    monkeypatch.setenv("LOGNAME", "ann")  # the writer id, by default the OS user


def ledger(store: Store, month: str = "2026-11") -> Path:
    """This installation's own file of `month`: ledger/<writer>/YYYY-MM.json."""
    return store.root / "ledger" / "ann" / f"{month}.json"


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "data" / "demo")


def log(store: Store, at: datetime, person: str = "005A", **kw) -> Chase:
    args = {"channel": Channel.CALL, "minutes": 5, "outcome": Outcome.PROMISED} | kw
    return store.add_chase(at=at, person=person, **args)


def snapshot(sid: str = "20261120T090000Z", taken_at: datetime = NOW, gaps: int = 2) -> Snapshot:
    return Snapshot(
        id=sid,
        taken_at=taken_at,
        source="salesforce",
        people=(
            Person("005A", "Ana Ávila", "EMEA", "Mo Manager", "ana@example.com", True),
            Person("005B", "Bo", manager=None, email=None, active=False),
        ),
        tallies={"005B": Tally(0, 0, 0, {}), "005A": Tally(10, 3, 4, {"Amount": 3, "NextStep": 1})},
        buckets={"queue": Tally(2, 1, 1, {"Industry": 1}), "inactive owner": Tally()},
        objects={"Opportunity": 10, "Lead": 2},
        gaps=tuple(
            Gap("Opportunity", f"006{i:05d}", f"Deal “{i}”", "005A", ("Amount", "NextStep"),
                modified="2026-11-19T10:00:00Z" if i % 2 else None,
                url=f"https://acme.my.salesforce.com/006{i:05d}" if i % 3 else None)
            for i in range(gaps)
        ),
    )


# -- chase log --------------------------------------------------------------------------------


def test_add_and_get_round_trip_every_field(store):
    at = datetime(2026, 11, 3, 10, 30, 15, 123456, tzinfo=timezone(timedelta(hours=-5)))
    logged = datetime(2026, 11, 3, 16, 0, tzinfo=UTC)
    c = store.add_chase(at=at, person="005A", channel=Channel.MEETING, minutes=600,
                        outcome=Outcome.BARRIER_ACCESS, fields=("Amount", "CloseDate"),
                        note="no licence — ask IT", by="admin@example.com", logged_at=logged)
    assert c.id == "ann-202611-1" and c.writer == "ann"
    assert c.at == at and c.at.tzinfo == UTC
    assert (c.channel, c.outcome) == (Channel.MEETING, Outcome.BARRIER_ACCESS)
    assert c.outcome.is_barrier and isinstance(c.channel, Channel)
    assert c.fields == ("Amount", "CloseDate") and c.note == "no licence — ask IT"
    assert c.by == "admin@example.com" and c.logged_at == logged
    assert c.voided_at is None and c.void_reason is None
    assert store.get_chase(c.id) == c
    assert Store(store.root).get_chase(c.id) == c  # from disk, through a new instance
    assert store.get_chase("202611-1") == c  # an id from before the ledger names the same


def test_logged_at_defaults_to_clock(store):
    assert log(store, NOW).logged_at == NOW  # CHASER_NOW


@pytest.mark.parametrize("minutes", [0, 601, -5, True, 1.5, "5", None])
def test_minutes_out_of_range_refused(store, minutes):
    with pytest.raises(ValueError, match="minutes"):
        log(store, NOW, minutes=minutes)
    assert store.chases() == []


@pytest.mark.parametrize("kw", [
    {"at": datetime(2026, 11, 3)},  # naive
    {"channel": "fax"},
    {"outcome": "maybe"},
    {"fields": "Amount"},  # a bare string would be split into letters
    {"person": "  "},
])
def test_bad_chase_refused(store, kw):
    args = {"at": NOW, "person": "005A", "channel": "call", "minutes": 5, "outcome": "fixed"} | kw
    with pytest.raises(ValueError):
        store.add_chase(**args)


def test_plain_strings_for_enums_are_accepted(store):
    c = store.add_chase(at=NOW, person="005A", channel="email", minutes=3, outcome="no-response")
    assert (c.channel, c.outcome) == (Channel.EMAIL, Outcome.NO_RESPONSE)


def test_ids_name_the_utc_month_and_count_up(store):
    # 23:30 on 30 Nov in New York is 04:30 on 1 Dec in UTC.
    late = datetime(2026, 11, 30, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    ids = [log(store, NOW).id, log(store, NOW).id, log(store, late).id, log(store, NOW).id]
    assert ids == ["ann-202611-1", "ann-202611-2", "ann-202612-1", "ann-202611-3"]
    names = sorted(p.name for p in ledger(store).parent.glob("*.json"))
    assert names == ["2026-11.json", "2026-12.json", "writer.json"]
    doc = orjson.loads(ledger(store, "2026-12").read_bytes())
    assert doc["_chaser"] == {"1": {"schema": 1, "kind": "ledger"}}
    assert doc["events"]["1"]["at"] == "2026-12-01T04:30:00+00:00"
    assert doc["events"]["1"]["kind"] == "chase"


def test_two_instances_never_reuse_an_id(store):
    other = Store(store.root)
    ids = [log(s, NOW).id for s in (store, other, store, other, store)]
    assert ids == [f"ann-202611-{n}" for n in range(1, 6)]


def test_threads_sharing_one_store(store):
    def work():
        for _ in range(10):
            log(store, NOW)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ids = [c.id for c in store.chases()]
    assert len(ids) == 40 == len(set(ids))


def test_chases_since_inclusive_until_exclusive(store):
    dec1 = datetime(2026, 12, 1, tzinfo=UTC)
    a = log(store, dec1 - timedelta(microseconds=1))
    b = log(store, dec1)
    c = log(store, dec1 + timedelta(days=1))
    assert store.chases(since=dec1) == [b, c]
    assert store.chases(until=dec1) == [a]
    assert store.chases(since=dec1, until=dec1 + timedelta(days=1)) == [b]
    assert store.chases(since=dec1, until=dec1) == []
    assert store.chases() == [a, b, c]


def test_chases_reads_only_partitions_in_range(store):
    nov, dec = datetime(2026, 11, 5, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)
    log(store, nov)
    ledger(store, "2026-12").write_bytes(b"not read unless needed")
    ledger(store, "2026-10").write_bytes(b"not read unless needed")
    nov1 = datetime(2026, 11, 1, tzinfo=UTC)
    assert len(store.chases(since=nov1, until=dec)) == 1
    with pytest.raises(ChaserError, match="2026-12.json"):
        store.chases(since=nov1, until=dec + timedelta(microseconds=1))
    with pytest.raises(ChaserError, match="2026-10.json"):
        store.chases(since=datetime(2026, 10, 31, 23, tzinfo=UTC))


def test_chases_sorted_by_at_then_id(store):
    t = NOW
    ids = [log(store, t + timedelta(hours=2)).id, log(store, t).id, log(store, t).id]
    for n in range(8):  # ids 4..11: "ann-202611-10" must sort after "ann-202611-9"
        log(store, t + timedelta(hours=1), person=f"p{n}")
    got = [c.id for c in store.chases()]
    assert got[:2] == [ids[1], ids[2]] and got[-1] == ids[0]
    assert got[2:10] == [f"ann-202611-{n}" for n in range(4, 12)]
    assert [c.id for c in Store(store.root).chases()] == got  # the same from a fresh read


@pytest.mark.parametrize("kw", [{"since": datetime(2026, 11, 1)},
                                {"until": datetime(2026, 12, 1)}, {"since": "2026-11-01"}])
def test_naive_range_refused(store, kw):
    log(store, NOW)  # with a chase to compare against, and without
    with pytest.raises(ValueError, match="timezone-aware"):
        store.chases(**kw)
    with pytest.raises(ValueError, match="timezone-aware"):
        Store(store.root / "empty").chases(**kw)


def test_void_keeps_the_record(store):
    c = log(store, NOW)
    keep = log(store, NOW)
    when = datetime(2026, 11, 21, 8, tzinfo=UTC)
    v = store.void_chase(c.id, "logged twice", at=when)
    assert v == dataclasses.replace(c, voided_at=when, void_reason="logged twice") and v.voided
    assert store.get_chase(c.id) == v
    assert store.chases() == [v, keep]
    assert store.chases(include_voided=False) == [keep]
    assert store.void_chase(keep.id, "wrong person").voided_at == NOW  # defaults to the clock


def test_void_twice_is_an_error_naming_the_id(store):
    c = log(store, NOW)
    store.void_chase(c.id, "dup")
    with pytest.raises(ChaserError, match=f"chase {c.id} is already voided"):
        store.void_chase(c.id, "again")
    assert store.get_chase(c.id).void_reason == "dup"


def test_void_needs_a_reason(store):
    c = log(store, NOW)
    with pytest.raises(ValueError):
        store.void_chase(c.id, " ")
    assert not store.get_chase(c.id).voided


@pytest.mark.parametrize("bad", ["", "abc", "202611", "202613-1", "202611-0", "202611-01",
                                 "202611-2", "202612-1", "2026-11-1", " 202611-1",
                                 "ann-202611-2", "bob-202611-1", "ann-202611-01", "Ann-202611-1",
                                 "ann-202611-1 ", "ann-202611", "-202611-1", "ann--202611-1"])
def test_unknown_or_malformed_id(store, bad):
    log(store, NOW)
    with pytest.raises(ChaserError, match="no chase with id"):
        store.get_chase(bad)
    with pytest.raises(ChaserError, match="no chase with id"):
        store.void_chase(bad, "x")


def test_add_chases_bulk_writes_each_month_once(store, monkeypatch):
    writes = []
    real = storage.atomic_write_bytes
    monkeypatch.setattr(storage, "atomic_write_bytes", lambda p, b: (writes.append(p), real(p, b)))
    log(store, NOW)
    writes.clear()
    rows = [{"at": datetime(2026, m, d, tzinfo=UTC), "person": "005B", "channel": "chat",
             "minutes": 2, "outcome": "fixed", "fields": ["Amount"]}
            for m in (9, 10, 11) for d in (1, 2, 3)]
    rows.append(rows[0] | {"voided_at": NOW, "void_reason": "imported void"})
    assert store.add_chases(iter(rows)) == 10
    # Each month's file once, its void in the same write (plus this machine's seen-marks).
    assert sorted(p.name for p in writes if p.parent == ledger(store).parent) == [
        "2026-09.json", "2026-10.json", "2026-11.json"]
    assert {p.name for p in writes if p.parent != ledger(store).parent} <= {"seen.json"}
    got = store.chases()
    assert len(got) == 11 and len({c.id for c in got}) == 11
    assert [(c.id, c.void_reason) for c in got if c.voided] == [("ann-202609-4", "imported void")]
    assert store.get_chase("ann-202611-4").fields == ("Amount",) == store.get_chase("202611-4").fields
    events = orjson.loads(ledger(store, "2026-09").read_bytes())["events"]
    assert [e["kind"] for _, e in sorted(events.items(), key=lambda kv: int(kv[0]))] == [
        "chase"] * 4 + ["void"]


def test_add_chases_validates_everything_before_writing(store):
    rows = [{"at": NOW, "person": "a", "channel": "call", "minutes": 5, "outcome": "fixed"},
            {"at": NOW, "person": "b", "channel": "call", "minutes": 0, "outcome": "fixed"}]
    with pytest.raises(ValueError, match="chase #2"):
        store.add_chases(rows)
    with pytest.raises(ValueError, match="unknown chase field"):
        store.add_chases([rows[0] | {"colour": "red"}])
    with pytest.raises(ValueError, match="chase #1: a void needs a reason"):
        store.add_chases([rows[0] | {"voided_at": NOW, "void_reason": " "}])
    with pytest.raises(ValueError, match="chase #1: voided_at must be a timezone-aware"):
        store.add_chases([rows[0] | {"voided_at": datetime(2026, 11, 3), "void_reason": "x"}])
    assert store.chases() == []


def test_empty_store(store):
    assert store.chases() == [] and store.latest_snapshot() is None
    assert store.snapshot_history() == [] and store.get_meta("x", 7) == 7


# -- snapshots --------------------------------------------------------------------------------


def test_snapshot_round_trips_every_field(store):
    snap = snapshot(gaps=7)
    stored = store.save_snapshot(snap)
    # As stored, each gap starts its run of snapshots with gaps here (issue 13, Gap.since).
    assert stored == dataclasses.replace(snap, gaps=tuple(
        g._replace(since=snap.taken_at.isoformat()) for g in snap.gaps))
    snap = stored
    again = Store(store.root)
    for got in (again.latest_snapshot(), again.load_snapshot(snap.id)):
        assert got == snap
        assert got.taken_at.tzinfo == UTC
        assert list(got.tallies) == list(snap.tallies)  # order kept
        assert all(type(g.missing) is tuple for g in got.gaps)
        assert isinstance(got.people, tuple) and isinstance(got.gaps, tuple)
    assert again.snapshot_history() == [dataclasses.replace(snap, gaps=())]


def test_history_oldest_first_latest_is_newest(store):
    t = NOW
    store.save_snapshot(snapshot("b", t))
    store.save_snapshot(snapshot("a", t - timedelta(days=7)))
    store.save_snapshot(snapshot("c", t + timedelta(days=7), gaps=0))
    assert [s.id for s in store.snapshot_history()] == ["a", "b", "c"]
    assert all(s.gaps == () for s in store.snapshot_history())
    latest = store.latest_snapshot()
    assert latest.id == "c" and latest.gaps == ()
    assert len(store.load_snapshot("b").gaps) == 2


def test_latest_is_the_one_stored_last_whatever_its_time(store):
    store.save_snapshot(snapshot("now", NOW))
    store.save_snapshot(snapshot("behind", NOW - timedelta(days=1), gaps=1))  # clock behind
    assert store.latest_snapshot().id == "behind" and len(store.latest_snapshot().gaps) == 1
    assert store.latest_summary().id == "behind"
    assert [s.id for s in store.stored_snapshots()] == ["now", "behind"]
    assert [s.id for s in store.snapshot_history()] == ["behind", "now"]  # trends: by time


def test_fingerprint_round_trips(store):
    snap = dataclasses.replace(snapshot("s"), fingerprint={"rules": "ab12", "file x.csv": "cd"})
    snap = store.save_snapshot(snap)
    assert store.latest_summary().fingerprint == {"rules": "ab12", "file x.csv": "cd"}
    assert store.latest_snapshot() == snap


def test_drop_snapshot_removes_index_entry_then_gaps(store):
    store.save_snapshot(snapshot("a", NOW - timedelta(days=1)))
    store.save_snapshot(snapshot("b", NOW))
    dropped = store.drop_snapshot("b")
    assert dropped.id == "b" and dropped.gaps == ()
    assert [s.id for s in store.stored_snapshots()] == ["a"]
    assert store.latest_snapshot().id == "a"
    assert not (store.root / "snapshots" / "b.json").exists()
    store.save_snapshot(snapshot("c", NOW + timedelta(days=1)))
    assert store.latest_summary().id == "c"  # a doc id reused after a drop is still last
    with pytest.raises(ChaserError, match="no snapshot with id 'b'"):
        store.drop_snapshot("b")


def test_saving_the_same_id_replaces_it(store):
    store.save_snapshot(snapshot("s", gaps=3))
    store.save_snapshot(snapshot("s", gaps=1))
    assert len(store.snapshot_history()) == 1 and len(store.load_snapshot("s").gaps) == 1


def test_unknown_snapshot(store):
    store.save_snapshot(snapshot("s"))
    with pytest.raises(ChaserError, match="no snapshot with id 'nope'"):
        store.load_snapshot("nope")


@pytest.mark.parametrize("sid", ["index", "../evil", "a/b", "", ".hidden", "a:b"])
def test_unsafe_snapshot_id_refused(store, sid):
    with pytest.raises(ValueError):
        store.save_snapshot(snapshot(sid))
    assert store.snapshot_history() == []


def test_crash_before_index_leaves_previous_snapshot_current(store, monkeypatch):
    store.save_snapshot(snapshot("old", NOW - timedelta(days=1)))
    real = storage.atomic_write_bytes

    def fail_index(path, payload):
        if path.name == "index.json":
            raise OSError(28, "No space left on device")
        real(path, payload)

    monkeypatch.setattr(storage, "atomic_write_bytes", fail_index)
    with pytest.raises(ChaserError, match="No space left"):
        store.save_snapshot(snapshot("new"))
    monkeypatch.undo()
    assert store.latest_snapshot().id == "old"
    assert (store.root / "snapshots" / "new.json").exists()  # written first, unreferenced


def test_missing_gap_file_is_a_clear_error(store):
    store.save_snapshot(snapshot("s"))
    (store.root / "snapshots" / "s.json").unlink()
    with pytest.raises(ChaserError, match="gaps of snapshot s are missing"):
        store.latest_snapshot()


def test_gap_file_is_compact(store):
    snap = store.save_snapshot(snapshot(gaps=50_000))
    path = store.root / "snapshots" / f"{snap.id}.json"
    body = orjson.loads(path.read_bytes())["snapshots"]["1"]
    assert isinstance(body["rows"][0], list) and len(body["rows"]) == 50_000
    assert path.stat().st_size < 50_000 * 130  # ~110 bytes a gap with these long urls
    assert store.load_snapshot(snap.id) == snap


# -- meta -------------------------------------------------------------------------------------


def test_meta_round_trip(store):
    assert store.get_meta("bookmark") is None
    for value in ("2026-11-20T09:00:00Z", 3, 2.5, True, None, [1, "a"], {"Lead": "x", "n": [1]}):
        store.set_meta("bookmark", value)
        assert Store(store.root).get_meta("bookmark", "default") == value
    store.set_meta("demo seeded", True)
    assert store.get_meta("demo seeded") is True and store.get_meta("bookmark") == {"Lead": "x", "n": [1]}


def test_meta_refuses_values_json_cannot_hold(store):
    store.set_meta("k", 1)
    before = (store.root / "meta.json").read_bytes()
    with pytest.raises(ValueError, match="JSON"):
        store.set_meta("k", {1, 2})
    assert (store.root / "meta.json").read_bytes() == before


# -- files: modes, atomicity, schema, corruption ---------------------------------------------


def test_construction_only_makes_the_folder(tmp_path):
    root = tmp_path / "a" / "b" / "demo"
    Store(root)
    assert root.is_dir() and list(root.iterdir()) == []
    assert list(root.parent.iterdir()) == [root]  # no installation id before the ledger is used


def test_modes_0600_and_0700_whatever_the_umask(tmp_path):
    old = os.umask(0)  # the most permissive umask: modes must come from the code
    try:
        store = Store(tmp_path / "x" / "demo")
        log(store, NOW)
        store.save_snapshot(snapshot())
        store.set_meta("k", "v")
    finally:
        os.umask(old)
    for p in [tmp_path / "x", *(tmp_path / "x").rglob("*")]:
        want = 0o700 if p.is_dir() else 0o600
        assert stat.S_IMODE(p.stat().st_mode) == want, p


def test_temp_file_is_0600_in_the_same_folder_and_fsynced(store, monkeypatch):
    seen, synced = [], []
    real_replace, real_fsync = os.replace, os.fsync
    monkeypatch.setattr(os, "replace", lambda a, b: (
        seen.append((Path(a), Path(b), stat.S_IMODE(os.stat(a).st_mode))), real_replace(a, b)))
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd)))
    log(store, NOW)
    [(tmp, mode)] = [(a, m) for a, b, m in seen if b == ledger(store)]
    assert tmp.parent == ledger(store).parent and tmp.name.startswith(".2026-11.json.")
    assert {m for *_, m in seen} == {0o600}  # the seen-marks and installation id too
    assert len(synced) >= 2  # the temp file and the folder


def test_failed_replace_keeps_old_file_and_leaves_no_temp(store, monkeypatch):
    log(store, NOW)
    path = ledger(store)
    before = path.read_bytes()

    def boom(a, b):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(ChaserError, match="cannot write .*2026-11.json"):
        log(store, NOW)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]
    assert log(store, NOW).id == "ann-202611-2"


def test_orphan_temp_files_are_removed_under_the_lock(store):
    log(store, NOW)
    folder = ledger(store).parent
    mine = folder / ".2026-11.json.deadbeef0000.tmp"
    others = folder / ".2026-12.json.deadbeef0000.tmp"
    for p in (mine, others):
        p.write_bytes(b'{"half a fi')
    assert len(store.chases()) == 1  # reading works and leaves them
    log(store, NOW)
    assert not mine.exists()
    assert others.exists()  # another file's temp is cleaned under that file's lock
    log(store, datetime(2026, 12, 2, tzinfo=UTC))
    assert not others.exists()


def test_orphan_cleanup_spares_files_with_a_longer_name(store):
    folder = store.root / "snapshots"
    store.save_snapshot(snapshot("a"))
    theirs = folder / ".a.json.json.0123456789ab.tmp"  # a temp of snapshot "a.json"
    mine = folder / ".a.json.0123456789ab.tmp"
    theirs.write_bytes(b"in flight")
    mine.write_bytes(b"orphan")
    store.save_snapshot(snapshot("a"))
    assert theirs.exists() and not mine.exists()


def test_lock_held_elsewhere_times_out_with_a_message(store, monkeypatch):
    log(store, NOW)
    monkeypatch.setattr(storage, "LOCK_TIMEOUT", 0.2)
    # The lock is on this machine, not beside the (maybe shared) file.
    holder = FileLock(str(store.root / "ledger-local" / "locks" / "ann-2026-11.lock"))
    with holder, pytest.raises(ChaserError, match="locked by another chaser process"):
        log(store, NOW)


def _files(store: Store) -> dict[str, Path]:
    log(store, NOW)
    store.save_snapshot(snapshot("s"))
    store.set_meta("k", 1)
    snaps = store.root / "snapshots"
    return {"chases": ledger(store), "index": snaps / "index.json",
            "gaps": snaps / "s.json", "meta": store.root / "meta.json"}


def _touch_all(store: Store, which: str) -> list:
    """Every read and write path that goes through the file `which`."""
    return {
        "chases": [store.chases, lambda: store.get_chase("ann-202611-1"),
                   lambda: store.void_chase("ann-202611-1", "x"), lambda: log(store, NOW),
                   lambda: store.add_chases([{"at": NOW, "person": "a", "channel": "call",
                                              "minutes": 1, "outcome": "fixed"}]),
                   lambda: store.get_chase("202611-1"),
                   lambda: store.unvoid_chase("ann-202611-1", "x"),
                   lambda: Store(store.root).chases(since=NOW)],
        "index": [store.latest_snapshot, store.snapshot_history,
                  lambda: store.load_snapshot("s"), lambda: store.save_snapshot(snapshot("t"))],
        "gaps": [store.latest_snapshot, lambda: store.load_snapshot("s"),
                 lambda: store.save_snapshot(snapshot("s"))],
        "meta": [lambda: store.get_meta("k"), lambda: store.set_meta("k", 2)],
    }[which]


@pytest.mark.parametrize("which", ["chases", "index", "gaps", "meta"])
def test_newer_schema_refused_and_left_byte_identical(store, which):
    path = _files(store)[which]
    doc = orjson.loads(path.read_bytes())
    doc["_chaser"]["1"]["schema"] = 2
    doc["new_table"] = {"1": {"shape": "we cannot know"}}
    path.write_bytes(raw := orjson.dumps(doc))
    for op in _touch_all(store, which):
        with pytest.raises(ChaserError) as e:
            op()
        assert str(e.value) == (f"{path}: written by a newer chaser (schema 2; this one reads "
                                "up to 1); upgrade chaser")
        assert path.read_bytes() == raw


CORRUPT = {
    "truncated": lambda raw: raw[: len(raw) // 2],
    "empty": lambda raw: b"",
    "binary": lambda raw: b"\x00\xff\xfe garbage",
    "a list": lambda raw: b"[1, 2]",
    "no header": lambda raw: orjson.dumps({k: v for k, v in orjson.loads(raw).items()
                                           if k != "_chaser"}),
    "wrong kind": lambda raw: raw.replace(b'"kind":"', b'"kind":"x'),
    "bad doc": lambda raw: raw.replace(b'"_chaser":{', b'"junk":{"1":7},"_chaser":{', 1),
}


@pytest.mark.parametrize("damage", sorted(CORRUPT))
@pytest.mark.parametrize("which", ["chases", "index", "gaps", "meta"])
def test_corrupt_file_refused_and_left_byte_identical(store, which, damage):
    path = _files(store)[which]
    path.write_bytes(raw := CORRUPT[damage](path.read_bytes()))
    for op in _touch_all(store, which):
        with pytest.raises(ChaserError, match="corrupt data store") as e:
            op()
        assert str(e.value).startswith(f"{path}: corrupt data store (")
        assert str(e.value).endswith("it was left untouched — restore it from a backup or "
                                     "move it away")
        assert path.read_bytes() == raw


@pytest.mark.parametrize("edit", [
    lambda d: d["events"]["1"].pop("at"),
    lambda d: d["events"]["1"].update(channel="fax"),
    lambda d: d["events"]["1"].update(at="yesterday"),
])
def test_malformed_chase_document_is_corrupt(store, edit):
    path = _files(store)["chases"]
    doc = orjson.loads(path.read_bytes())
    edit(doc)
    path.write_bytes(raw := orjson.dumps(doc))
    reads_and_void = _touch_all(store, "chases")[:3]
    for op in reads_and_void:
        with pytest.raises(ChaserError, match=r"corrupt data store \(event ann-202611-1 is"):
            op()
    assert path.read_bytes() == raw
    # A file a reader refuses is never rewritten by a later write either (issue 9): the
    # next `chaser log` into that month stops with the same message and keeps it byte-exact.
    with pytest.raises(ChaserError, match=r"corrupt data store \(event ann-202611-1 is"):
        log(store, NOW)
    assert path.read_bytes() == raw


VOID = {"kind": "void", "chase": "ann-202611-1", "reason": "dup", "at": "2026-11-21T12:00:00+00:00"}


@pytest.mark.parametrize("edit", [
    lambda d: d["events"]["1"].update(minutes="abc"),
    lambda d: d["events"]["1"].update(minutes=-50),
    lambda d: d["events"]["1"].update(minutes=True),
    lambda d: d["events"]["1"].update(person=5),
    lambda d: d["events"]["1"].update(fields="Phone"),
    lambda d: d["events"]["1"].update(at="0206-11-20T12:00:00+00:00"),
    lambda d: d["events"]["1"].update(at="2026-10-20T12:00:00+00:00"),  # in another month's file
    lambda d: d["events"]["1"].update(voided_at="2026-11-21T12:00:00+00:00"),  # not a field
    lambda d: d["events"]["1"].update(kind=None),
    lambda d: d["events"]["1"].update(kind=""),
    lambda d: d["events"].update({"²": d["events"]["1"]}),
    lambda d: d["events"].update({"01": d["events"]["1"]}),  # a second event number 1
    lambda d: d["events"].update({"0": d["events"]["1"]}),
    lambda d: d["events"].update({"2": VOID | {"reason": " "}}),
    lambda d: d["events"].update({"2": VOID | {"chase": "ann-202610-1"}}),  # its month's file
    lambda d: d["events"].update({"2": VOID | {"chase": "202611-1"}}),  # ids name the writer
    lambda d: d["events"].update({"2": VOID | {"at": "soon"}}),
    lambda d: d["events"].update({"2": VOID | {"by": "ann"}}),
    lambda d: d["events"].update({"2": {k: v for k, v in VOID.items() if k != "reason"}}),
])
def test_semantically_corrupt_chase_is_refused_and_kept(store, edit):
    path = _files(store)["chases"]
    doc = orjson.loads(path.read_bytes())
    edit(doc)
    path.write_bytes(raw := orjson.dumps(doc))
    for op in (store.chases, lambda: log(store, NOW)):
        with pytest.raises(ChaserError, match="corrupt data store"):
            op()
    assert path.read_bytes() == raw


@pytest.mark.parametrize("edit", [
    lambda d: d["snapshots"]["1"].update(id="../../etc/passwd"),
    lambda d: d["snapshots"]["1"].update(taken_at=5),
    lambda d: d["snapshots"]["1"]["people"][0].__setitem__(0, 5),
    lambda d: d["snapshots"]["1"]["tallies"].update(x=[-1, 0, 0, {}]),
    lambda d: d["snapshots"]["1"]["objects"].update(Deal="many"),
])
def test_semantically_corrupt_snapshot_index_is_refused_and_kept(store, edit):
    path = _files(store)["index"]
    doc = orjson.loads(path.read_bytes())
    edit(doc)
    path.write_bytes(raw := orjson.dumps(doc))
    for op in (store.snapshot_history, lambda: store.save_snapshot(snapshot("other"))):
        with pytest.raises(ChaserError, match="corrupt data store"):
            op()
    assert path.read_bytes() == raw
