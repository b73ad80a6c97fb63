"""Chase many (issue 12 point 2) and undo and notes (point 3), in the core: the minutes split,
a bulk log in one durable write with a shared batch reference, withdrawals of many chases,
notes as ledger events, and the undo of a log, a bulk log and a void."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chaser import ledger_events
from chaser.bulk import Batch, split_minutes, too_few, who_got_what
from chaser.errors import ChaserError
from chaser.ledger import Ledger
from chaser.undo import REASON, UndoLog, undo
from chaser.workspace import Workspace

pytest_plugins = ["tui_fixtures"]  # demo_ws: the demo org, seeded once per session


@pytest.fixture
def ws(demo_ws) -> Workspace:
    return demo_ws


def team(ws: Workspace, name: str = "APAC"):
    return [r.person for r in ws.people() if r.person.team == name]


# ---- the split -------------------------------------------------------------------------------


def test_split_examples():
    assert split_minutes(30, 7) == [5, 5, 4, 4, 4, 4, 4]
    assert split_minutes(12, 3) == [4, 4, 4]
    assert split_minutes(1, 1) == [1]
    assert split_minutes(5, 8) == [1, 1, 1, 1, 1, 0, 0, 0]  # adds up; log_chases refuses it
    with pytest.raises(ValueError):
        split_minutes(10, 0)


@given(st.integers(min_value=0, max_value=100_000), st.integers(min_value=1, max_value=500))
def test_split_adds_up_fairly(total, people):
    shares = split_minutes(total, people)
    assert len(shares) == people and sum(shares) == total
    assert max(shares) - min(shares) <= 1  # fair: nobody gets two minutes more than another
    assert shares == sorted(shares, reverse=True)  # the larger shares first, in order given
    assert shares.count(min(shares) + 1) == total % people or min(shares) == max(shares)
    assert all(s >= 1 for s in shares) == (total >= people)  # at least a minute where possible
    assert (too_few(total, people) is None) == (total >= people)


def test_who_got_what_groups_and_cuts():
    text = who_got_what([("Ann", 5), ("Bo", 5), ("Cy", 4), ("Di", 4), ("Ed", 4)], limit=3)
    assert text == "5 min Ann, Bo; 4 min Cy, +2 more"
    assert who_got_what([("Ann", 5)], limit=0) == "5 min +1 more"


# ---- a bulk log --------------------------------------------------------------------------------


def test_bulk_log_splits_shares_note_and_batch(ws, monkeypatch):
    people = team(ws)
    writes = []
    real = Ledger._append
    monkeypatch.setattr(Ledger, "_append", lambda self, month, build, writer=None: (
        writes.append(month), real(self, month, build, writer))[1])
    batch = ws.log_chases(people, minutes=30, channel="email", outcome="no-response",
                          fields=["Amount"], note="team email about amounts")
    assert len(writes) == 1  # one durable write for the whole act
    assert [c.person for c in batch.chases] == [p.key for p in people]
    assert [c.minutes for c in batch.chases] == split_minutes(30, len(people))
    assert batch.minutes == 30
    first = batch.chases[0]
    assert batch.ref == first.id and {c.batch for c in batch.chases} == {first.id}
    assert {(c.note, c.fields, c.at, c.channel.value, c.outcome.value) for c in batch.chases} \
        == {("team email about amounts", ("Amount",), first.at, "email", "no-response")}
    stored = {c.id: c for c in ws.chases()}
    assert all(stored[c.id] == c for c in batch.chases)  # read back exactly, batch included
    summary = batch.summary()
    assert summary.startswith(f"30 min email with {len(people)} people (batch {first.id}): ")
    assert people[0].name in summary


def test_bulk_log_refuses_fewer_minutes_than_people_and_writes_nothing(ws):
    people = team(ws)
    before = len(ws.chases())
    with pytest.raises(ChaserError, match=f"log at least {len(people)} minutes"):
        ws.log_chases(people, minutes=len(people) - 1)
    with pytest.raises(ChaserError, match="unknown field"):
        ws.log_chases(people, minutes=60, fields=["NoSuchField"])
    with pytest.raises(ChaserError, match="mark some"):
        ws.log_chases([], minutes=10)
    assert len(ws.chases()) == before


def test_bulk_log_of_one_person_is_a_plain_chase_and_people_count_once(ws):
    p = team(ws)[0]
    batch = ws.log_chases([p, p], minutes=7)
    assert len(batch.chases) == 1 and batch.chases[0].batch == "" and batch.ref == ""
    assert batch.chases[0].minutes == 7


def test_batch_field_survives_the_decoded_copy_and_old_events_read_as_before(ws):
    batch = ws.log_chases(team(ws), minutes=14)
    # A second installation's view of the same folder: decoded copies or the file itself.
    again = Ledger(ws.store.ledger.root, ws.writer, ws.store.ledger.installation,
                   ws.store.ledger.local)
    got = {c.id: c.batch for c in again.chases()}
    assert all(got[c.id] == batch.ref for c in batch.chases)
    assert sum(1 for b in got.values() if b) == len(batch.chases)  # the demo's have none


def test_a_malformed_batch_is_refused_naming_the_file(ws):
    batch = ws.log_chases(team(ws), minutes=14)
    path = next((ws.store.ledger.root / ws.writer.id).glob("2026-11.json"))
    data = orjson.loads(path.read_bytes())
    data["events"][batch.ref.rsplit("-", 1)[1]]["batch"] = 17
    path.write_bytes(orjson.dumps(data))
    fresh = Workspace.open(demo=True)
    with pytest.raises(ChaserError, match="batch must be a chase id"):
        fresh.chases()


# ---- withdrawals and undo -----------------------------------------------------------------------


def test_change_many_voids_once_and_leaves_what_is_already_void(ws):
    batch = ws.log_chases(team(ws), minutes=21)
    ids = [c.id for c in batch.chases]
    ws.store.void_chase(ids[0], "wrong person")
    changed, left = ws.store.change_chases(ids, "void", "undone")
    assert [c.id for c in changed] == ids[1:] and [c.id for c in left] == ids[:1]
    stored = {c.id: c for c in ws.chases()}
    assert stored[ids[0]].void_reason == "wrong person"
    assert all(stored[i].void_reason == "undone" for i in ids[1:])
    changed, left = ws.store.change_chases(ids, "unvoid", "undone")
    assert len(changed) == len(ids) and not left
    assert not any(c.voided for c in ws.chases() if c.id in ids)
    with pytest.raises(ValueError, match="needs a reason"):
        ws.store.change_chases(ids, "void", " ")


def test_undo_a_log_a_bulk_log_and_a_void(ws):
    log = UndoLog()
    p = team(ws)[0]
    single = ws.log_chase(p, minutes=5)
    log.logged(single, p.name)
    batch = ws.log_chases(team(ws, "EMEA"), minutes=40)
    log.logged_batch(batch)
    old = next(c for c in ws.chases() if not c.voided and c.writer != ws.writer.id)
    voided = ws.store.void_chase(old.id, "logged twice")
    log.voided(voided, "someone")
    assert len(log) == 3

    text = undo(ws, log.take())  # the void: withdrawn, the chase counts again
    assert "withdrew the void" in text
    back = ws.store.get_chase(old.id)
    assert not back.voided

    text = undo(ws, log.take())  # the bulk log: every chase of the batch voided
    assert f"voided {len(batch.chases)} chases" in text
    assert all(c.void_reason == REASON for c in ws.chases() if c.batch == batch.ref)

    assert "voided the chase" in undo(ws, log.take())  # the single log
    assert ws.store.get_chase(single.id).void_reason == REASON
    assert log.take() is None
    # Nothing is ever deleted: every chase is still listed, and the events are in the ledger.
    ids = {c.id for c in ws.chases()}
    assert {single.id, old.id, *(c.id for c in batch.chases)} <= ids


def test_undo_of_a_log_voided_meanwhile_says_so(ws):
    log = UndoLog()
    p = team(ws)[0]
    chase = ws.log_chase(p, minutes=5)
    log.logged(chase, p.name)
    ws.store.void_chase(chase.id, "another admin did")
    assert undo(ws, log.take()).startswith("Nothing to undo")
    assert ws.store.get_chase(chase.id).void_reason == "another admin did"


def test_a_batch_of_one_is_undone_as_a_log():
    log = UndoLog()
    from datetime import UTC, datetime

    from chaser.model import Channel, Chase, Outcome

    c = Chase("ann-202611-1", datetime(2026, 11, 1, tzinfo=UTC), "k", Channel.CALL, 3,
              Outcome.FIXED)
    log.logged_batch(Batch((c,), {"k": "Kim"}))
    assert log.last.kind == "log" and "Kim" in log.last.what


# ---- notes -----------------------------------------------------------------------------------


def test_notes_are_dated_signed_events_and_leave_the_chases_alone(ws):
    kevin, other = team(ws)[:2]
    chases = ws.chases()
    first = ws.add_note(kevin, "  on leave until the 15th ")
    ws.add_note(other, "prefers Teams")
    second = ws.add_note(kevin, "back; prefers calls")
    assert first.text == "on leave until the 15th" and first.by == (ws.writer.name or ws.writer.id)
    assert first.at == ws.now() and first.writer == ws.writer.id
    assert [n.id for n in ws.notes(kevin)] == [first.id, second.id]
    assert len(ws.notes()) == 3
    assert ws.chases() == chases  # notes are not chases, and fold with nothing
    # They are events of the writer's own month file, as chases are.
    path = ws.store.ledger.root / ws.writer.id / "2026-11.json"
    kinds = [e["kind"] for e in orjson.loads(path.read_bytes())["events"].values()]
    assert kinds.count("note") == 3
    # Read back by a fresh Workspace (decoded copies on disk) and by a fresh Ledger.
    assert [n.text for n in Workspace.open(demo=True).notes(kevin)] == [
        "on leave until the 15th", "back; prefers calls"]


def test_notes_are_checked(ws):
    p = team(ws)[0]
    with pytest.raises(ChaserError, match="needs some text"):
        ws.add_note(p, "   ")
    with pytest.raises(ChaserError, match="at most"):
        ws.add_note(p, "x" * 5000)
    assert ws.notes(p) == []


def test_a_reader_that_does_not_know_notes_skips_them(ws, monkeypatch):
    """What an older chaser does with a note: an unknown kind, skipped and said, never a
    corrupt file (so notes can be shared with admins who have not upgraded)."""
    from chaser import ledger_docs

    p = team(ws)[0]
    ws.add_note(p, "on leave")
    monkeypatch.setattr(ledger_docs, "KNOWN", {k: v for k, v in ledger_docs.KNOWN.items()
                                               if k != "note"})
    old = Ledger(ws.store.ledger.root, ws.writer, "other-installation",
                 ws.store.ledger.local.parent / "elsewhere")
    assert len(old.chases()) == len(ws.chases())
    assert any(i.kind == "unknown-kinds" for i in old.issues)
    assert ledger_events.read_notes(old) == []
