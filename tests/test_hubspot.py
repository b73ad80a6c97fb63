"""The HubSpot connector against a loopback server that speaks CRM v3 (tests/hubspot_server.py):
request counts, paging, incremental search, faults, and atomic syncs."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from hubspot_server import RULES_TOML, TOKEN, FakeHubSpot, iso, seed
from servers.guard import loopback_only  # noqa: F401 - autouse: tests stay on loopback

from chaser import clock, config, secrets, sync
from chaser.connectors import hubspot
from chaser.connectors.base import (
    AuthError,
    Cancel,
    Cancelled,
    Connector,
    ConnectorError,
    LimitError,
)
from chaser.connectors.hubspot import HubSpotConnector
from chaser.model import Bucket
from chaser.store import Store

DEALS, CONTACTS, COMPANIES = 250, 120, 30


class Tuning:
    """What the tests change on the connector sync.py builds: quick backoff, a small search
    cap, and hooks run on the new connector."""

    def __init__(self) -> None:
        self.options: dict = {"backoff_base": 0.001, "backoff_max": 0.005}
        self.hooks: list = []
        self.made: list[HubSpotConnector] = []


@pytest.fixture
def tuning(monkeypatch) -> Tuning:
    t = Tuning()

    def factory(settings, *, cache_root, now, full=False):
        c = HubSpotConnector(settings, cache_root, now=now, full=full, **t.options)
        for hook in t.hooks:
            hook(c)
        t.made.append(c)
        return c

    monkeypatch.setattr(hubspot, "connector", factory)
    return t


@pytest.fixture
def fake():
    f = FakeHubSpot()
    seed(f, DEALS, CONTACTS, COMPANIES)
    f.start()
    yield f
    f.stop()


@pytest.fixture
def token(memory_keyring) -> str:
    secrets.put("hubspot", "token", TOKEN)
    return TOKEN


def settings_for(tmp_path, url: str, rules: str = RULES_TOML, rate: int = 250):
    path = tmp_path / "chaser.toml"
    path.write_text(f'[source]\nkind = "hubspot"\n[source.hubspot]\nbase_url = "{url}"\n'
                    f'rate_limit_per_10s = {rate}\n{rules}', encoding="utf-8")
    return config.load(path)


@pytest.fixture
def env(tmp_path, fake, token, tuning):
    settings = settings_for(tmp_path, fake.url)
    store = Store(tmp_path / "store")

    def run(full: bool = False, **kw):
        return sync.sync(settings, store, now=clock.now(), full=full, **kw)

    return settings, store, run


def lists(fake: FakeHubSpot, obj: str, archived: str = "false"):
    return [h for h in fake.hits(f"/crm/v3/objects/{obj}", "GET")
            if h.query.get("archived") == archived]


def _key(gap):
    return gap.object, gap.record_id


def searches(fake: FakeHubSpot, obj: str):
    """The searches for changes (not the one-record searches that count the object)."""
    return [h for h in fake.hits(f"/crm/v3/objects/{obj}/search", "POST")
            if not _is_count(h)]


def counts(fake: FakeHubSpot, obj: str):
    return [h for h in fake.hits(f"/crm/v3/objects/{obj}/search", "POST") if _is_count(h)]


def _is_count(hit) -> bool:
    return (hit.body or {}).get("limit") == 1 and not (hit.body or {}).get("filterGroups")


def sweeps(fake: FakeHubSpot, obj: str):
    return [h for h in lists(fake, obj) if h.query.get("properties") == "hs_object_id"]


# ---- full sync ------------------------------------------------------------------------------

def test_full_sync_issues_one_list_call_per_page(env, fake, tuning):
    _, store, run = env
    result = run()
    snap = result.snapshot
    for obj, n in (("deals", DEALS), ("contacts", CONTACTS), ("companies", COMPANIES)):
        calls = lists(fake, obj)
        assert len(calls) == math.ceil(n / 100), obj
        assert all(h.query["limit"] == "100" for h in calls)
        assert snap.objects[obj] == n
    # only the properties the rules and names need, never everything
    asked = set(lists(fake, "deals")[0].query["properties"].split(","))
    # (and createdate, for goals: no goal set, so every rule object's dates, issue 13)
    assert asked == {"hubspot_owner_id", "hs_lastmodifieddate", "dealname", "amount",
                     "closedate", "hs_next_step", "dealstage", "createdate"}
    assert "lastmodifieddate" in lists(fake, "contacts")[0].query["properties"]
    assert [h.query["archived"] for h in fake.hits("/crm/v3/owners")] == ["false", "true"]
    assert not searches(fake, "deals")
    assert store.latest_snapshot().id == snap.id
    assert snap.source == "HubSpot portal 4242"
    assert isinstance(tuning.made[0], Connector)


def test_people_teams_buckets_and_blanks(env):
    _, _, run = env
    snap = run().snapshot
    people = {p.key: p for p in snap.people}
    assert people["101"].name == "Ada Lovelace" and people["101"].team == "East"
    assert people["104"].team == "(no team)"
    assert people["106"].name == "nobody@example.com"  # no names: the email
    assert people["105"].active is False  # archived owner: kept, so its records are placed
    assert snap.buckets[Bucket.INACTIVE.value].records > 0
    assert snap.buckets[Bucket.UNKNOWN.value].records > 0  # no owner, or one never listed
    # owner 107 is of type QUEUE (the owners spec: "either PERSON or QUEUE"): a bucket
    assert "107" not in people
    assert snap.buckets[Bucket.QUEUE.value].records == DEALS // 10 + CONTACTS // 10 + 3
    assert "107" not in snap.tallies  # counted apart, never charged to anyone
    deal_gaps = {g.record_id: g for g in snap.gaps if g.object == "deals"}
    # n % 7: 0 key missing, 1 null, 2 "", 3 "n/a" -> all blank; 4..6 filled
    for n, blank in ((0, True), (1, True), (2, True), (3, True), (4, False), (5, False)):
        gap = deal_gaps.get(str(1000 + n))
        assert (gap is not None and "amount" in gap.missing) is blank, n
    g = deal_gaps["1000"]
    assert g.record_name == "Deal 0"
    assert g.url == "https://app.hubspot.com/contacts/4242/record/0-3/1000"
    assert g.modified.startswith("2026-01-05T08:00")
    contact = next(g for g in snap.gaps if g.object == "contacts" and g.record_id == "5000")
    assert contact.record_name == "c0@example.com"
    assert contact.url.endswith("/record/0-1/5000")


def test_an_empty_page_with_a_cursor_is_not_the_end(env, fake):
    _, _, run = env
    fake.empty_page_before["deals"] = {"1100"}  # the start of the second page
    snap = run().snapshot
    calls = lists(fake, "deals")
    assert [h.results for h in calls] == [100, 0, 100, 50]
    assert snap.objects["deals"] == DEALS


# ---- incremental sync ------------------------------------------------------------------------

def test_incremental_sync_fetches_only_the_changes(env, fake):
    _, store, run = env
    run()
    before = len(fake.log)
    for n in (0, 1, 7, 13, 20, 33, 41):  # fill amounts on 7 deals
        fake.change("deals", str(1000 + n), amount="5000")
    for n in (2, 3, 4):
        fake.change("contacts", str(5000 + n), phone="555-0199")
    fake.add_record("deals", "2000", {"hubspot_owner_id": "101", "dealname": "New deal"})
    fake.change("deals", "2000")  # created now: a change like any other
    fake.archive("companies", "9003")
    result = run()
    snap = result.snapshot
    new = fake.log[before:]
    # no full list: one count per object, and an ids sweep only where the count was off
    assert not [h for h in new if h.query.get("archived") == "false" and "/objects/" in h.path
                and h.query.get("properties") != "hs_object_id"]
    assert [len(counts(fake, o)) for o in ("deals", "contacts", "companies")] == [1, 1, 1]
    assert [len(sweeps(fake, o)) for o in ("deals", "contacts", "companies")] == [0, 0, 1]
    assert [h.results for h in searches(fake, "deals")] == [8]
    assert [h.results for h in searches(fake, "contacts")] == [3]
    assert [h.results for h in searches(fake, "companies")] == [0]
    body = searches(fake, "deals")[0].body
    assert body["filterGroups"][0]["filters"][0]["operator"] == "GT"
    assert body["filterGroups"][0]["filters"][0]["propertyName"] == "hs_lastmodifieddate"
    assert body["sorts"] == [{"propertyName": "hs_lastmodifieddate", "direction": "ASCENDING"}]
    assert searches(fake, "contacts")[0].body["sorts"][0]["propertyName"] == "lastmodifieddate"
    assert not lists(fake, "companies", archived="true")  # counting replaced the archive list
    assert snap.objects == {"deals": DEALS + 1, "contacts": CONTACTS,
                            "companies": COMPANIES - 1}
    assert any("deals 8 changed" in n and "companies 0 changed, 1 gone (found by counting)" in n
               for n in result.notes), result.notes
    # the merged snapshot equals what a full read of the same data gives
    full = run(full=True).snapshot
    assert len(lists(fake, "deals")) == 3 + 0 + 3  # full, incremental, full
    assert {k: v.to_dict() for k, v in snap.tallies.items()} == \
           {k: v.to_dict() for k, v in full.tallies.items()}
    assert sorted(snap.gaps, key=_key) == sorted(full.gaps, key=_key)
    # and a sync with nothing changed reads nothing but empty searches
    mark = len(fake.log)
    run()
    assert {h.results for h in fake.log[mark:] if h.path.endswith("/search")
            and not _is_count(h)} == {0}
    assert not [h for h in fake.log[mark:] if "/objects/" in h.path and h.method == "GET"]


def test_search_restarts_from_the_last_date_at_the_result_cap(env, fake, tuning):
    _, _, run = env
    fake.search_cap = 50
    tuning.options["search_cap"] = 50
    run()
    changed = [str(1000 + n) for n in range(0, 240, 2)]  # 120 changes
    for rid in changed:
        fake.change("deals", rid, amount="1")
    run()
    calls = searches(fake, "deals")
    assert all(h.status == 200 for h in calls)  # never asked past the cap
    ops = [h.body["filterGroups"][0]["filters"][0]["operator"] for h in calls]
    assert ops == ["GT", "GTE", "GTE"]
    assert [h.results for h in calls] == [50, 50, 22]  # one overlap per restart
    assert all(h.body["limit"] <= 50 for h in calls)


def test_search_stuck_on_one_timestamp_reads_the_object_in_full(env, fake, tuning):
    _, _, run = env
    fake.search_cap = 50
    tuning.options["search_cap"] = 50
    run()
    same = iso(clock.now() - timedelta(days=1))
    for n in range(60):
        fake.records["deals"][str(1000 + n)]["properties"].update(
            {"hs_lastmodifieddate": same, "amount": "7"})
    result = run()
    assert len(lists(fake, "deals")) == 2 * math.ceil(DEALS / 100)
    assert any("share the modified time" in n for n in result.notes)
    assert "amount" not in {f for g in result.snapshot.gaps if g.record_id == "1000"
                            for f in g.missing}


def test_changed_rules_read_in_full_but_age_alone_does_not(env, fake, tmp_path, monkeypatch):
    settings, store, run = env
    run()
    run()
    assert len(lists(fake, "deals")) == 3  # the second sync searched
    other = settings_for(tmp_path, fake.url, RULES_TOML.replace('"closedate"', '"pipeline"'))
    sync.sync(other, store, now=clock.now())
    assert len(lists(fake, "deals")) == 6  # columns changed: the cache is not trusted
    assert len(lists(fake, "contacts")) == 2  # contacts' rules did not change
    # A week later nothing forces a full read any more: deletions are found by counting
    # (this replaced the weekly full read).
    monkeypatch.setenv("CHASER_NOW", (clock.now() + timedelta(days=8)).isoformat())
    result = sync.sync(other, store, now=clock.now())
    assert len(lists(fake, "contacts")) == 2
    assert len(counts(fake, "contacts")) == 3
    assert not any("full read" in n for n in result.notes)


# ---- faults ------------------------------------------------------------------------------------

def test_429_503_and_dropped_connections_are_retried(env, fake):
    _, _, run = env
    fake.fail("/objects/deals", "429", times=2, after=1)
    fake.fail("/objects/deals", "503", times=2, after=2)
    fake.fail("/objects/contacts", "drop", times=1, after=1)
    fake.fail("/objects/companies", "truncate", times=1)
    fake.fail("/crm/v3/owners", "500", times=1)
    result = run()
    assert result.snapshot.objects == {"deals": DEALS, "contacts": CONTACTS,
                                       "companies": COMPANIES}
    statuses = [h.status for h in lists(fake, "deals")]
    assert statuses.count(429) == 2 and statuses.count(503) == 2 and statuses.count(200) == 3
    assert any("(7 retried)" in n for n in result.notes)


def test_daily_limit_stops_at_once_and_keeps_the_previous_snapshot(env, fake):
    _, store, run = env
    first = run(full=True).snapshot
    fake.fail("/objects/deals", "daily", times=5, after=1)
    before = len(lists(fake, "deals"))
    with pytest.raises(LimitError) as e:
        run(full=True)
    assert "HubSpot deals page 2" in str(e.value) and "DAILY" in str(e.value)
    assert len(lists(fake, "deals")) - before == 2  # page 1, then page 2 once: no retry
    assert store.latest_snapshot().id == first.id
    assert store.latest_snapshot().gaps == first.gaps


def test_a_failed_sync_names_object_and_page_and_moves_nothing(env, fake, tmp_path):
    _, store, run = env
    first = run().snapshot
    cache = {p.name: p.read_bytes() for p in (store.root / "cache").iterdir()}
    fake.change("contacts", "5001", phone="1")
    fake.fail("/objects/contacts/search", "503", times=50)
    with pytest.raises(ConnectorError) as e:
        run()
    assert "HubSpot contacts changes page 1: gave up after 9 attempts (HTTP 503)" in str(e.value)
    assert store.latest_snapshot().id == first.id
    assert {p.name: p.read_bytes() for p in (store.root / "cache").iterdir()} == cache
    fake.faults.clear()
    run()  # the bookmark did not move: the change is still found
    assert searches(fake, "contacts")[-1].results == 1


def test_a_cancelled_sync_keeps_the_previous_snapshot_and_cache(env, fake):
    _, store, run = env
    first = run().snapshot
    cache = {p.name: p.read_bytes() for p in (store.root / "cache").iterdir()}
    cancel = Cancel()

    def progress(p):
        if p.object == "deals" and p.pages >= 2:
            cancel.set()

    with pytest.raises(Cancelled):
        run(full=True, progress=progress, cancel=cancel)
    assert store.latest_snapshot().id == first.id
    assert {p.name: p.read_bytes() for p in (store.root / "cache").iterdir()} == cache
    assert len(lists(fake, "deals")) == 3 + 2  # stopped after the second page


def test_a_refused_token_says_what_to_do_and_never_shows_the_token(env, fake):
    _, _, run = env
    secrets.put("hubspot", "token", "pat-na1-wrong-token")
    with pytest.raises(AuthError) as e:
        run()
    assert "HubSpot refused the token (401): run `chaser connect hubspot`" in str(e.value)
    assert "pat-na1" not in str(e.value)


def test_an_error_body_echoing_the_token_is_scrubbed(env, fake, monkeypatch):
    _, _, run = env
    from servers import hs_routes

    monkeypatch.setattr(hs_routes, "fault", lambda kind: (
        400, {"status": "error", "message": f"bad header: Bearer {TOKEN}",
              "category": "VALIDATION_ERROR"}, None))
    fake.fail("/objects/deals", "echo")
    with pytest.raises(ConnectorError) as e:
        run()
    assert TOKEN not in str(e.value) and f"Bearer {secrets.MASK}" in str(e.value)
    assert "HubSpot deals page 1: HubSpot answered HTTP 400 VALIDATION_ERROR" in str(e.value)
