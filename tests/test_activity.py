"""Issue 13's data layer, audit and store: Activity counted per person, object and quarter
hour from generated records with known dates (counted again here, independently), across
quarter boundaries and a DST change; the csv_split path agrees with one pass; snapshots
round-trip the new facts, older documents still load, and Gap.since follows runs of
snapshots."""

from __future__ import annotations

import json
import os
import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import chaser.connectors.csv_read as csvread
import chaser.connectors.csv_split as csvsplit
from chaser.audit import Auditor
from chaser.audit_dates import iso_utc, moment
from chaser.config import CsvObject, CsvPeople, CsvSource
from chaser.connectors.base import Cancel
from chaser.connectors.csv import CsvConnector
from chaser.model import Activity, Directory, Gap, Layout, Person, RecordBatch, Snapshot, Tally
from chaser.rules import Blank, Rule
from chaser.store import Store

NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
RULES = (Rule("Deal", ("Amount",)),)
OWNERS = ["Ann", "Bob", "Cy", "Queue1", "Gone", "Zed"]  # Queue1 a queue, Gone inactive, Zed unknown


def qh(at: datetime) -> int:
    """The quarter hour of a moment, worked out apart from chaser.model.quarter."""
    return int((at - EPOCH).total_seconds()) // 900


# Moments around the edges: a quarter boundary to the second, the Berlin DST end (02:30 on
# 2026-10-25 happens twice; fold 0, the first, is CEST) and start (2026-03-29 02:30 does not
# exist locally), midnight of a day.
EDGES = [datetime(2026, 11, 12, 9, 14, 59), datetime(2026, 11, 12, 9, 15, 0),
         datetime(2026, 10, 25, 2, 30), datetime(2026, 10, 25, 3, 10),
         datetime(2026, 3, 29, 1, 59), datetime(2026, 3, 29, 3, 0), datetime(2026, 11, 1)]


def generated(n: int, seed: int = 3) -> list[tuple[str, str, datetime, datetime, bool]]:
    """(id, owner, created local, modified UTC, blank amount) with known dates."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        created = EDGES[i] if i < len(EDGES) else datetime(2026, 8, 1) + timedelta(
            seconds=rng.randrange(0, 110 * 86400))
        modified = datetime(2026, 9, 1, tzinfo=UTC) + timedelta(seconds=rng.randrange(0, 80 * 86400))
        out.append((f"D{i:05d}", rng.choice(OWNERS), created, modified, rng.random() < 0.3))
    return out


def write_csv(path: Path, records) -> Path:
    lines = ["Id,Owner,Amount,Created,Modified"]
    for rid, owner, created, modified, blank in records:
        # the created column as a US report writes it (local time); modified ISO UTC
        made = created.strftime("%m/%d/%Y %I:%M:%S %p") if created.second else \
            created.strftime("%m/%d/%Y %I:%M %p")
        lines.append(f"{rid},{owner},{'' if blank else '5'},{made},"
                     f"{modified.strftime('%Y-%m-%dT%H:%M:%SZ')}")
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def expected(records) -> dict[str, Activity]:
    """The independent count: people Ann, Bob, Cy only (the rest are buckets)."""
    created: dict[str, Counter] = {}
    modified: dict[str, Counter] = {}
    for _, owner, made, mod, _ in records:
        if owner not in ("Ann", "Bob", "Cy"):
            continue
        created.setdefault(owner, Counter())[qh(made.replace(tzinfo=BERLIN))] += 1
        modified.setdefault(owner, Counter())[qh(mod)] += 1
    return {o: Activity(dict(created[o]), dict(modified[o])) for o in created}


def people_file(tmp_path: Path) -> Path:
    path = tmp_path / "people.csv"
    path.write_text("Name,Active,Type\r\nAnn,yes,\r\nBob,yes,\r\nCy,yes,\r\nGone,no,\r\n"
                    "Queue1,yes,queue\r\n", encoding="utf-8")
    return path


def source(tmp_path: Path, records) -> CsvSource:
    return CsvSource((CsvObject("Deal", write_csv(tmp_path / "deals.csv", records), "Id",
                                "Owner", modified="Modified", created="Created"),),
                     CsvPeople(people_file(tmp_path), "Name", active="Active",
                               exclude=(("Type", False, ("queue",)),)))


def run_audit(src: CsvSource, dates_for=("Deal",), updates_for=("Deal",)
              ) -> tuple[Snapshot, list[str]]:
    connector = CsvConnector(src, RULES, BERLIN)
    auditor = Auditor(connector.directory(Cancel()), RULES, Blank(), dates_for=dates_for,
                      updates_for=updates_for)
    for batch in connector.batches("Deal", lambda p: None, Cancel()):
        auditor.add(batch)
    return auditor.snapshot("s", NOW, "test"), auditor.notes()


def sorted_activity(snap: Snapshot) -> dict[str, Activity]:
    return {k: v["Deal"] for k, v in snap.activity.items()}


def test_activity_equals_an_independent_count_across_quarter_edges_and_dst(tmp_path):
    records = generated(600)
    snap, notes = run_audit(source(tmp_path, records))
    assert sorted_activity(snap) == expected(records)
    assert set(snap.activity) == {"Ann", "Bob", "Cy"}  # buckets' records are nobody's activity
    assert sum(sum(a.created.values()) for a in sorted_activity(snap).values()) == sum(
        1 for r in records if r[1] in ("Ann", "Bob", "Cy"))
    assert not [n for n in notes if "not a date" in n]
    # the edges by hand: the quarter boundary, and DST's repeated and skipped hours
    assert qh(datetime(2026, 11, 12, 9, 14, 59, tzinfo=BERLIN)) + 1 == qh(
        datetime(2026, 11, 12, 9, 15, tzinfo=BERLIN))
    assert moment("10/25/2026 2:30 AM", None, BERLIN) is False  # a report format needs its reader
    assert moment("2026-10-25T02:30:00", None, BERLIN) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert moment("2026-10-25T03:10:00", None, BERLIN) == datetime(2026, 10, 25, 2, 10, tzinfo=UTC)
    assert moment("2026-11-01", None, BERLIN) == datetime(2026, 10, 31, 23, tzinfo=UTC)


def test_gap_created_is_iso_utc_and_only_for_dated_objects(tmp_path):
    records = generated(80)
    snap, _ = run_audit(source(tmp_path, records))
    by_id = {r[0]: r for r in records}
    gaps = [g for g in snap.gaps if g.owner in ("Ann", "Bob", "Cy")]
    assert gaps and all(g.created == by_id[g.record_id][2].replace(tzinfo=BERLIN).astimezone(
        UTC).isoformat() for g in gaps)
    plain, _ = run_audit(source(tmp_path, records), dates_for=())
    assert plain.activity == {} and all(g.created is None for g in plain.gaps)
    assert [g._replace(created=None) for g in snap.gaps] == list(plain.gaps)


def test_bad_dates_are_counted_with_file_and_line(tmp_path):
    records = generated(30)
    path = write_csv(tmp_path / "deals.csv", records)
    text = path.read_text().splitlines()
    text[5] = text[5].replace(text[5].split(",")[3], "next week")  # line 6 of the file
    text[9] = text[9].replace(text[9].split(",")[3], "next week")
    path.write_text("\r\n".join(text) + "\r\n")
    src = CsvSource((CsvObject("Deal", path, "Id", "Owner", created="Created"),), None)
    snap, notes = run_audit(src)
    bad = [n for n in notes if "not a date" in n]
    assert bad == [f"warning: {path}:6: 2 'Created' values of Deal are not a date chaser reads "
                   "(e.g. 'next week'); their created date is left out of goals"]
    assert sum(sum(a["Deal"].created.values()) for a in snap.activity.values()) == 28


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_the_split_path_agrees_with_one_pass(tmp_path, monkeypatch):
    monkeypatch.setattr(csvread, "BATCH", 11)
    records = generated(900, seed=5)
    src = source(tmp_path, records)
    monkeypatch.setattr(csvread, "SPLIT_MIN", 1 << 40)
    one, notes1 = run_audit(src)
    monkeypatch.setattr(csvread, "SPLIT_MIN", 1)
    monkeypatch.setattr(csvsplit, "can_fork", lambda: True)
    kinds = []
    real_add = Auditor.add

    def spy(self, batch):
        kinds.append(type(batch.rows).__name__)
        real_add(self, batch)

    monkeypatch.setattr(Auditor, "add", spy)
    two, notes2 = run_audit(src)
    assert "Audited" in kinds  # the second part really was counted in the child
    assert two.activity == one.activity and repr(two) == repr(one) and notes2 == notes1
    assert sorted_activity(two) == expected(records)


# ---- the store ---------------------------------------------------------------------------


def snap_with(sid: str, at: datetime, gap_ids: list[str], *, unblamed: list[str] = ()
              ) -> Snapshot:
    people = (Person("ann", "Ann", started=datetime(2026, 10, 1, 9, tzinfo=UTC),
                     last_login=datetime(2026, 11, 19, 8, 30, tzinfo=UTC)),
              Person("bob", "Bob", started=datetime(2025, 1, 2, tzinfo=UTC)),  # never logged in
              Person("cy", "Cy"))
    gaps = tuple(Gap("Deal", r, r, "ann", ("Amount",), created="2026-11-02T10:00:00+00:00")
                 for r in gap_ids)
    return Snapshot(sid, at, "test", people, {"ann": Tally(5, len(gaps), len(gaps))}, {},
                    {"Deal": 5}, gaps,
                    cannot_edit_gaps=tuple(Gap("Deal", r, r, "ann", ("Stage",)) for r in unblamed),
                    activity={"ann": {"Deal": Activity({2_000_000: 3, 2_000_004: 1},
                                                       {2_000_100: 4})}},
                    person_facts=frozenset({"started", "last_login"}))


def test_store_round_trips_people_dates_facts_activity_and_gap_dates(tmp_path):
    store = Store(tmp_path / "s")
    snap = snap_with("a", NOW, ["D1", "D2"], unblamed=["D3"])
    stored = store.save_snapshot(snap)
    back = Store(tmp_path / "s").latest_snapshot()
    assert back == stored
    assert back.person("ann").last_login == datetime(2026, 11, 19, 8, 30, tzinfo=UTC)
    assert back.person("bob").last_login is None and back.person("cy").started is None
    assert back.person_facts == {"started", "last_login"}
    assert back.activity == snap.activity
    assert [g.created for g in back.gaps] == ["2026-11-02T10:00:00+00:00"] * 2
    assert {g.since for g in (*back.gaps, *back.cannot_edit_gaps)} == {NOW.isoformat()}
    summary = store.latest_summary()  # people facts come with the cheap summary too
    assert summary.person("ann").started == datetime(2026, 10, 1, 9, tzinfo=UTC)
    assert summary.activity == {}  # activity is read with the gaps (load_snapshot)


def test_older_documents_without_the_new_keys_still_load(tmp_path):
    store = Store(tmp_path / "s")
    store.save_snapshot(snap_with("a", NOW, ["D1"]))
    index = tmp_path / "s" / "snapshots" / "index.json"
    doc = json.loads(index.read_text())
    for d in doc["snapshots"].values():
        d.pop("person_dates"), d.pop("person_facts")
    index.write_text(json.dumps(doc))
    gaps_file = tmp_path / "s" / "snapshots" / "a.json"
    body = json.loads(gaps_file.read_text())
    for k in ("dates", "activity"):
        body["snapshots"]["1"].pop(k)
    gaps_file.write_text(json.dumps(body))
    old = Store(tmp_path / "s").latest_snapshot()
    assert old.activity == {} and old.person_facts == frozenset()
    assert all(p.started is None and p.last_login is None for p in old.people)
    assert [(g.created, g.since) for g in old.gaps] == [(None, None)]
    # and a new snapshot after it carries the old one's taken_at as the start of its run
    new = store.save_snapshot(snap_with("b", NOW + timedelta(days=7), ["D1"]))
    assert new.gaps[0].since == NOW.isoformat()


def test_a_malformed_activity_is_corrupt_not_guessed(tmp_path):
    from chaser.errors import ChaserError

    store = Store(tmp_path / "s")
    store.save_snapshot(snap_with("a", NOW, ["D1"]))
    gaps_file = tmp_path / "s" / "snapshots" / "a.json"
    body = json.loads(gaps_file.read_text())
    assert body["snapshots"]["1"]["activity"]["ann"]["Deal"] == [
        [2_000_000, 3, 2_000_004, 1], [2_000_100, 4]]  # compact: quarter, count, ...
    body["snapshots"]["1"]["activity"]["ann"]["Deal"][0] = [2_000_000, -3]
    gaps_file.write_text(json.dumps(body))
    with pytest.raises(ChaserError, match="a.json.*activity"):
        Store(tmp_path / "s").latest_snapshot()


def test_gap_since_follows_runs_across_three_snapshots(tmp_path):
    store = Store(tmp_path / "s")
    t1, t2, t3, t4 = (NOW + timedelta(days=7 * k) for k in range(4))
    # D1 open throughout; D2 closes in the second and reopens in the third; D3 new in the
    # third; D9 a cannot-edit gap open in all
    s1 = store.save_snapshot(snap_with("s1", t1, ["D1", "D2"], unblamed=["D9"]))
    s2 = store.save_snapshot(snap_with("s2", t2, ["D1"], unblamed=["D9"]))
    s3 = store.save_snapshot(snap_with("s3", t3, ["D1", "D2", "D3"], unblamed=["D9"]))
    since = lambda s: {g.record_id: g.since for g in (*s.gaps, *s.cannot_edit_gaps)}  # noqa: E731
    assert since(s1) == {"D1": t1.isoformat(), "D2": t1.isoformat(), "D9": t1.isoformat()}
    assert since(s2) == {"D1": t1.isoformat(), "D9": t1.isoformat()}
    assert since(s3) == {"D1": t1.isoformat(), "D2": t3.isoformat(), "D3": t3.isoformat(),
                         "D9": t1.isoformat()}
    assert since(store.load_snapshot("s3")) == since(s3)
    # a snapshot stored late but taken between s1 and s2 continues from s1 (the previous by
    # time), not from the latest stored
    late = store.save_snapshot(snap_with("late", t1 + timedelta(days=1), ["D2"]))
    assert since(late) == {"D2": t1.isoformat()}
    s4 = store.save_snapshot(snap_with("s4", t4, ["D3"]))
    assert since(s4) == {"D3": t3.isoformat()}


def test_iso_utc_reads_vendor_formats():
    assert iso_utc("2026-11-12T09:30:00.000+0000") == "2026-11-12T09:30:00+00:00"  # SF REST
    assert iso_utc("2026-11-12T09:30:00.000Z") == "2026-11-12T09:30:00+00:00"  # Bulk, HubSpot
    assert iso_utc("1794475800000") == "2026-11-12T09:30:00+00:00"  # HubSpot epoch ms
    assert iso_utc("") is None and iso_utc(None) is None and iso_utc("soon") is None


def test_a_layout_without_date_columns_counts_nothing():
    layout = Layout("Deal", ("Id", "Owner", "Amount"), 0, 1)
    auditor = Auditor(Directory((Person("Ann", "Ann"),)), RULES, Blank(), dates_for=["Deal"])
    auditor.add(RecordBatch(layout, [["D1", "Ann", ""]]))
    snap = auditor.snapshot("s", NOW, "t")
    assert snap.activity == {} and snap.gaps[0].created is None


def test_modified_dates_are_read_only_for_an_updated_goal(tmp_path):
    """Only an "updated" goal counts modified dates (Settings.updates_for): without one a
    big sync does not pay a date per row for them; created dates are kept still."""
    records = generated(200)
    both, _ = run_audit(source(tmp_path, records))
    created_only, _ = run_audit(source(tmp_path, records), updates_for=())
    assert any(a.modified for a in sorted_activity(both).values())
    assert all(not a.modified for a in sorted_activity(created_only).values())
    assert {k: a.created for k, a in sorted_activity(created_only).items()} == \
        {k: a.created for k, a in sorted_activity(both).items()}
