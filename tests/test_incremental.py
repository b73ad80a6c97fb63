"""The incremental skeleton both API connectors share: bookmarks, full-read reasons, merging,
deletions by counting, replay and commit-after-store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chaser.connectors.incremental import CHUNK, Bookmark, Incremental
from chaser.model import Layout

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
COLS = ("Id", "OwnerId", "Name", "SystemModstamp", "NextStep")
LAYOUT = Layout(object="Opportunity", columns=COLS, id=0, owner=1, name=2, modified=3)


def row(i: int, step: str | None = "call") -> list:
    return [f"r{i}", "u1", f"Deal {i}", "2026-11-01T00:00:00Z", step]


def first_sync(tmp_path, n: int = 3, now: datetime = NOW) -> None:
    inc = Incremental(tmp_path, "salesforce", now)
    start = inc.start("Opportunity", COLS, "https://acme")
    assert start.full_reason.startswith("full read (first sync")
    inc.stage(start, "2026-11-01T00:00:00Z", {f"r{i}": row(i) for i in range(n)})
    inc.commit()


def test_bookmark_round_trip_and_refusals():
    b = Bookmark("123", NOW.isoformat(), NOW.isoformat(), "https://acme")
    assert Bookmark.load(b.dump()) == b
    assert b.age(NOW + timedelta(days=2)) == 2
    for bad in (None, "", "not json", "[]", '{"v": 1, "since_ms": 5}', '{"v": 2}',
                '{"v": 2, "since": "x", "synced_at": "yesterday", "full_at": "x", "origin": ""}',
                '{"v": 2, "since": 5, "synced_at": "2026-01-01", "full_at": "2026-01-01", '
                '"origin": "o"}'):
        assert Bookmark.load(bad) is None


def test_second_sync_is_incremental_and_keeps_the_rows(tmp_path):
    first_sync(tmp_path)
    inc = Incremental(tmp_path, "salesforce", NOW + timedelta(hours=1))
    start = inc.start("Opportunity", COLS, "https://acme")
    assert start.incremental and len(start.rows) == 3
    assert start.bookmark.since == "2026-11-01T00:00:00Z"


def test_full_read_reasons(tmp_path):
    first_sync(tmp_path)
    later = NOW + timedelta(hours=1)
    assert "(--full)" in Incremental(tmp_path, "salesforce", later, full=True).start(
        "Opportunity", COLS, "https://acme").full_reason
    assert "another org" in Incremental(tmp_path, "salesforce", later).start(
        "Opportunity", COLS, "https://other").full_reason
    assert "first sync, rules" in Incremental(tmp_path, "salesforce", later).start(
        "Opportunity", (*COLS, "Amount"), "https://acme").full_reason
    start = Incremental(tmp_path, "salesforce", later).start(
        "Opportunity", COLS, "https://acme", horizon=lambda b: "too old" if b.age(later) > 0.01
        else None)
    assert start.full_reason == "too old" and start.rows == {}


def test_counting_finds_what_the_changes_cannot(tmp_path):
    first_sync(tmp_path, n=5)
    inc = Incremental(tmp_path, "salesforce", NOW + timedelta(hours=1))
    start = inc.start("Opportunity", COLS, "https://acme")
    inc.merge(start, [row(1, None), row(2), row(9)])  # r1 changed, r2 read again, r9 new
    inc.drop(start, "r0")  # marked deleted by the source
    swept = []
    # the source has r1, r2, r9 and a record created after the changes were read (r10);
    # r3 and r4 were hard-deleted: the count (4) differs from the merged rows (5)
    inc.reconcile(start, count=lambda: 4, ids=lambda: swept.append(1) or
                  ["r1", "r2", "r9", "r10"])
    assert swept == [1]
    assert sorted(start.rows) == ["r1", "r2", "r9"]
    assert inc.change_notes() == ["changes since the last sync: Opportunity 2 changed, "
                                  "1 deleted, 2 gone (found by counting)"]


def test_a_matching_count_costs_no_sweep(tmp_path):
    first_sync(tmp_path)
    inc = Incremental(tmp_path, "salesforce", NOW + timedelta(hours=1))
    start = inc.start("Opportunity", COLS, "https://acme")
    inc.reconcile(start, count=lambda: 3, ids=lambda: (_ for _ in ()).throw(AssertionError))
    assert len(start.rows) == 3
    assert inc.change_notes() == ["changes since the last sync: Opportunity 0 changed"]


def test_replay_in_chunks_and_pages_on_the_first(tmp_path):
    inc = Incremental(tmp_path, "salesforce", NOW)
    start = inc.start("Opportunity", COLS, "https://acme")
    start.rows = {f"r{i}": row(i) for i in range(CHUNK + 1)}
    batches = list(inc.replay(start, LAYOUT, pages=7))
    assert [len(b.rows) for b in batches] == [CHUNK, 1]
    assert [b.pages for b in batches] == [7, 0]
    start.rows = {}
    assert [len(b.rows) for b in inc.replay(start, LAYOUT, pages=1)] == [0]


def test_nothing_moves_until_commit(tmp_path):
    first_sync(tmp_path)
    later = NOW + timedelta(days=1)
    inc = Incremental(tmp_path, "salesforce", later)
    start = inc.start("Opportunity", COLS, "https://acme")
    inc.merge(start, [row(7)])
    inc.stage(start, "2026-11-21T00:00:00Z")
    again = Incremental(tmp_path, "salesforce", later).start("Opportunity", COLS, "https://acme")
    assert len(again.rows) == 3 and again.bookmark.since == "2026-11-01T00:00:00Z"
    inc.commit()
    after = Incremental(tmp_path, "salesforce", later).start("Opportunity", COLS, "https://acme")
    assert len(after.rows) == 4 and after.bookmark.since == "2026-11-21T00:00:00Z"
    # the last successful sync is now, the last full read is still the first sync's
    assert after.bookmark.synced_at == later.isoformat()
    assert after.bookmark.full_at == NOW.isoformat()


def test_a_full_read_that_found_nothing_leaves_no_bookmark(tmp_path):
    inc = Incremental(tmp_path, "hubspot", NOW)
    start = inc.start("deals", COLS, "https://api#1")
    inc.stage(start, None, {})
    inc.commit()
    assert not Incremental(tmp_path, "hubspot", NOW).start("deals", COLS, "https://api#1"
                                                           ).incremental
    assert inc.notes == ["deals: full read (first sync, rules that need other fields, or a "
                         "cache from an older chaser), 0 records"]
