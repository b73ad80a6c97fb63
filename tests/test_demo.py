"""The built-in demo org: deterministic, realistic, the whole adoption spectrum, and a history
that the chase log explains."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from chaser.audit import Auditor, Thresholds, org_tally, person_rows, teams, tier_of
from chaser.connectors import demo
from chaser.connectors import demo_data as D
from chaser.connectors.base import Cancel, Cancelled, Connector, ConnectorError, Progress
from chaser.model import Bucket, Channel, Outcome, Snapshot, Tier
from chaser.rules import Blank, required_fields

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
OBJECTS = ["Account", "Contact", "Opportunity", "Lead"]
PROFILE = {f"{first} {last}": profile for members in D.TEAMS.values()
           for first, last, profile in members}

# Run in this process and in a fresh one (another hash seed): the same org, byte for byte.
DIGEST = '''
import hashlib, json
from datetime import datetime, timedelta
from chaser.connectors.base import Cancel
from chaser.connectors.demo import DemoConnector, demo_chases

def digest(now_iso):
    now = datetime.fromisoformat(now_iso)
    h = hashlib.sha256()
    for as_of in (now, now - timedelta(weeks=6)):
        c = DemoConnector(now, as_of)
        d = c.directory(Cancel())
        h.update(repr((d.people, sorted(d.queues))).encode())
        for obj in c.objects():
            for batch in c.batches(obj, lambda p: None, Cancel()):
                h.update(json.dumps(batch.rows, ensure_ascii=False).encode())
    h.update(repr(demo_chases(now)).encode())
    return h.hexdigest()
'''


def rows_of(connector: demo.DemoConnector, obj: str) -> list[list]:
    return [list(r) for b in connector.batches(obj, lambda p: None, Cancel()) for r in b.rows]


def snapshot_at(as_of: datetime) -> Snapshot:
    c = demo.DemoConnector(NOW, as_of)
    auditor = Auditor(c.directory(Cancel()), demo.DEMO_RULES, Blank())
    for obj in c.objects():
        for batch in c.batches(obj, lambda p: None, Cancel()):
            auditor.add(batch)
    return auditor.snapshot("t", as_of, c.label())


@pytest.fixture(scope="module")
def now_snapshot() -> Snapshot:
    return snapshot_at(NOW)


@pytest.fixture(scope="module")
def history() -> list[Snapshot]:
    return [snapshot_at(at) for at in demo.weekly_history(NOW)]


@pytest.fixture(scope="module")
def chases() -> list[dict]:
    return demo.demo_chases(NOW)


def by_name(snapshot: Snapshot) -> dict[str, str]:
    return {p.name: p.key for p in snapshot.people}


# ---- the connector contract -------------------------------------------------------------------


def test_speaks_the_connector_protocol():
    c = demo.DemoConnector(NOW)
    assert isinstance(c, Connector)
    assert c.kind == "demo" and c.capabilities.record_urls
    assert c.label() == "demo org (Acme Demo)"
    assert c.objects() == OBJECTS and c.source_rules() == []
    c.close()


def test_batches_page_report_progress_and_honour_cancel():
    c, seen = demo.DemoConnector(NOW), []
    batches = list(c.batches("Contact", seen.append, Cancel()))
    assert all(len(b.rows) <= demo.BATCH_SIZE for b in batches) and len(batches) >= 4
    assert [p.records for p in seen[:-1]] == sorted(p.records for p in seen[:-1])
    assert seen[-1] == Progress("Contact", sum(len(b.rows) for b in batches), len(batches),
                                sum(len(b.rows) for b in batches), done=True)
    cancel = Cancel()
    it = c.batches("Lead", lambda p: None, cancel)
    next(it)
    cancel.set()
    with pytest.raises(Cancelled):
        next(it)
    with pytest.raises(ConnectorError, match="Widget"):
        list(c.batches("Widget", lambda p: None, Cancel()))


def test_layouts_and_ids_look_like_salesforce():
    c = demo.DemoConnector(NOW)
    seen: set[str] = set()
    for obj, prefix in zip(OBJECTS, ("001", "003", "006", "00Q"), strict=True):
        batch = next(c.batches(obj, lambda p: None, Cancel()))
        layout = batch.layout
        assert layout.columns[layout.id] == "Id" and layout.columns[layout.owner] == "OwnerId"
        assert layout.columns[layout.modified] == "SystemModstamp"
        assert layout.url_template == "https://acme-demo.my.salesforce.com/{id}"
        assert set(required_fields(demo.DEMO_RULES, obj)) <= set(layout.columns)
        for row in rows_of(c, obj):
            assert len(row) == len(layout.columns)
            rid = row[layout.id]
            assert rid.startswith(prefix) and len(rid) == 18 and D.sf18(rid[:15]) == rid
            assert rid not in seen
            seen.add(rid)
    people = c.directory(Cancel())
    assert all(p.key.startswith("005") and D.sf18(p.key[:15]) == p.key for p in people.people)
    assert all(q.startswith("00G") and len(q) == 18 for q in people.queues)


def test_sf18_matches_salesforce_checksums():
    assert D.sf18("a0D30000001n7Pi") == "a0D30000001n7PiEAI"
    assert D.sf18("001M000000qfPyS") == "001M000000qfPySIAU"


def test_demo_settings_use_the_demo_rules():
    from chaser.config import demo_settings

    assert demo_settings().rules == demo.DEMO_RULES


# ---- determinism ------------------------------------------------------------------------------


def test_two_instances_give_identical_rows():
    first = {obj: rows_of(demo.DemoConnector(NOW), obj) for obj in OBJECTS}
    demo._org.cache_clear()  # draw the org again from scratch
    again = demo.DemoConnector(NOW)
    assert {obj: rows_of(again, obj) for obj in OBJECTS} == first
    assert again.directory(Cancel()) == demo.DemoConnector(NOW).directory(Cancel())


def test_another_process_gives_the_same_digest():
    ns: dict = {}
    exec(DIGEST, ns)
    here = ns["digest"](NOW.isoformat())
    env = {**os.environ, "PYTHONHASHSEED": "4242"}
    code = DIGEST + f"\nprint(digest({NOW.isoformat()!r}))\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env=env, cwd=Path(__file__).resolve().parents[1])
    assert out.stdout.strip() == here


def test_naive_now_is_utc_and_a_future_as_of_reads_as_now():
    c = demo.DemoConnector(NOW.replace(tzinfo=None), NOW + timedelta(days=3))
    assert c.now == NOW and c.as_of == NOW


# ---- who is in the org ------------------------------------------------------------------------


def test_people_teams_and_records(now_snapshot):
    people = now_snapshot.people
    assert 45 <= len(people) <= 55
    known = teams(people)
    assert len(known) >= 5 and all(t.manager for t in known.values())
    assert all(t.manager in {p.name for p in people} for t in known.values())  # managers are people
    assert all(p.email and p.email.endswith("@acme-demo.example") for p in people)
    assert len({p.name for p in people}) == len(people)
    assert set(now_snapshot.objects) == set(OBJECTS)
    assert 24_000 <= now_snapshot.records <= 26_000
    assert all(n >= 2000 for n in now_snapshot.objects.values())


def test_the_whole_adoption_spectrum(now_snapshot):
    rows = person_rows(now_snapshot, Thresholds())
    tiers = Counter(r.tier for r in rows)
    assert set(tiers) == set(Tier)
    assert tiers[Tier.GRADE_A] >= 3 and tiers[Tier.NONE] >= 2 and tiers[Tier.INEFFECTIVE] >= 3
    buckets = now_snapshot.buckets
    assert buckets[Bucket.INACTIVE.value].records > 100
    assert buckets[Bucket.QUEUE.value].records > 100
    inactive = [p for p in now_snapshot.people if not p.active]
    assert len(inactive) == 1


def test_placeholders_count_as_missing(now_snapshot):
    c = demo.DemoConnector(NOW)
    junk = {"n/a", "tbd", "-", "?", "xxx", "none"}
    found = Counter()
    for obj in OBJECTS:
        layout = next(c.batches(obj, lambda p: None, Cancel())).layout
        cols = [layout.index()[f] for f in required_fields(demo.DEMO_RULES, obj)]
        rows = {r[layout.id]: r for r in rows_of(c, obj)}
        for gap in (g for g in now_snapshot.gaps if g.object == obj):
            row = rows[gap.record_id]
            for f in gap.missing:
                v = row[layout.index()[f]]
                if v is not None:
                    assert v.strip().casefold() in junk
                    found[obj] += 1
        assert sum(1 for r in rows.values() for col in cols
                   if r[col] and r[col].strip().casefold() in junk) == found[obj]
    assert len(found) >= 3 and sum(found.values()) >= 200


def test_stage_conditional_blanks(now_snapshot):
    c = demo.DemoConnector(NOW)
    index = demo.LAYOUTS["Opportunity"].index()
    rows = {r[0]: r for r in rows_of(c, "Opportunity")}
    gaps = {g.record_id: g.missing for g in now_snapshot.gaps if g.object == "Opportunity"}
    early_no_amount = [i for i, r in rows.items()
                       if r[index["StageName"]] == "Prospecting" and r[index["Amount"]] is None]
    assert early_no_amount and not any("Amount" in gaps.get(i, ()) for i in early_no_amount)
    late = {"Proposal", "Negotiation", "Closed Won"}
    assert any("Amount" in m or "CloseDate" in m for i, m in gaps.items()
               if rows[i][index["StageName"]] in late)
    closed = [i for i, r in rows.items() if r[index["StageName"]] in demo.CLOSED]
    assert any(rows[i][index["NextStep"]] is None for i in closed)
    assert not any("NextStep" in gaps.get(i, ()) for i in closed)
    assert any("Loss_Reason__c" in m for m in gaps.values())


# ---- history ----------------------------------------------------------------------------------


def test_weekly_history_dates():
    dates = demo.weekly_history(NOW)
    assert len(dates) >= 6 and dates == sorted(dates) and dates[-1] < NOW
    assert all(b - a == timedelta(weeks=1) for a, b in zip(dates, dates[1:], strict=False))


def test_the_org_changes_week_by_week(history, now_snapshot):
    org = [org_tally(s).completeness_pct for s in history]
    assert len(set(org)) >= len(org) - 2
    assert history[0].records < now_snapshot.records  # the org grows


def test_rows_at_an_earlier_date_are_of_that_date():
    as_of = NOW - timedelta(weeks=5)
    stamp = as_of.strftime("%Y-%m-%dT%H:%M:%S")
    for obj in OBJECTS:
        for row in rows_of(demo.DemoConnector(NOW, as_of), obj):
            assert row[-2][:19] <= stamp and row[-1][:19] <= stamp  # CreatedDate, SystemModstamp
            assert row[-2] <= row[-1]


def test_people_who_were_chased_improve(history, now_snapshot):
    keys = by_name(now_snapshot)
    for name in (n for n, p in PROFILE.items() if p in ("UP", "BAR")):
        then = history[0].tallies[keys[name]].completeness_pct
        now = now_snapshot.tallies[keys[name]].completeness_pct
        assert then is not None and now is not None and then + 5 <= now, name
    grown = [n for n, p in PROFILE.items() if p == "UP"]
    assert any(tier_of(history[0].tallies[keys[n]], Thresholds()) == Tier.INEFFECTIVE
               and tier_of(now_snapshot.tallies[keys[n]], Thresholds()) != Tier.INEFFECTIVE
               for n in grown)


def test_compliance_fades_weeks_after_training(history, now_snapshot):
    keys = by_name(now_snapshot)
    after_training = next(i for i, s in enumerate(history)
                          if s.taken_at > NOW - timedelta(days=D.TRAINING_DAYS_AGO - 7))
    for name in (n for n, p in PROFILE.items() if p == "FADE"):
        before = history[0].tallies[keys[name]].completeness_pct
        trained = history[after_training].tallies[keys[name]].completeness_pct
        now = now_snapshot.tallies[keys[name]].completeness_pct
        assert trained >= 95 and now <= trained - 10 and before <= trained - 10, name


def test_steady_people_stay_in_their_tier(history, now_snapshot):
    keys = by_name(now_snapshot)
    for name, profile in PROFILE.items():
        if profile in ("A", "I"):
            want = Tier.GRADE_A if profile == "A" else Tier.INEFFECTIVE
            assert {tier_of(s.tallies[keys[name]], Thresholds())
                    for s in (history[0], history[-1], now_snapshot)} == {want}, name


# ---- chases -----------------------------------------------------------------------------------


def test_chases_are_valid(chases, now_snapshot):
    assert 300 <= len(chases) <= 600
    assert [c["at"] for c in chases] == sorted(c["at"] for c in chases)
    active = {p.key for p in now_snapshot.people if p.active}
    fields = {f for obj in OBJECTS for f in required_fields(demo.DEMO_RULES, obj)}
    for c in chases:
        assert set(c) == {"at", "person", "channel", "minutes", "outcome", "fields", "note", "by"}
        assert c["at"].tzinfo == UTC and NOW - timedelta(days=90) < c["at"] < NOW
        assert c["at"].weekday() < 5
        assert c["person"] in active
        Channel(c["channel"]), Outcome(c["outcome"])
        assert 1 <= c["minutes"] <= 600
        assert isinstance(c["fields"], tuple) and c["fields"] and set(c["fields"]) <= fields
        assert c["note"].strip() and c["note"][0] not in "=+-@"
    assert 3 <= sorted(c["minutes"] for c in chases)[len(chases) // 2] <= 45
    assert Counter(c["by"] for c in chases).keys() == set(D.ADMINS)
    assert {c["channel"] for c in chases} == {ch.value for ch in Channel}
    barriers = sum(Outcome(c["outcome"]).is_barrier for c in chases) / len(chases)
    assert 0.08 <= barriers <= 0.18
    assert {c["outcome"] for c in chases} == {o.value for o in Outcome}


def test_chases_are_deterministic(chases):
    demo._org.cache_clear()
    assert demo.demo_chases(NOW) == chases


def test_chased_fields_were_missing_and_fixes_show_up_later(chases):
    """A chase names fields the person had missing then; after a "fixed" chase, some of the
    records it was about have those fields filled within the week."""

    def open_gaps(at: datetime, c: dict) -> tuple[Snapshot, set]:
        snap = snapshot_at(at)
        return snap, {(g.object, g.record_id) for g in snap.gaps
                      if g.owner == c["person"] and set(c["fields"]) & set(g.missing)}

    for c in chases[::90]:
        tally = snapshot_at(c["at"]).tallies[c["person"]]
        assert all(tally.by_field.get(f, 0) > 0 for f in c["fields"]), c
    for c in [c for c in chases if c["outcome"] == "fixed"][::30]:
        before, targets = open_gaps(c["at"], c)
        assert all(before.tallies[c["person"]].by_field.get(f, 0) > 0 for f in c["fields"]), c
        assert targets - open_gaps(c["at"] + timedelta(days=7), c)[1], c
