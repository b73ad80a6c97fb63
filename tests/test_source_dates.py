"""Issue 13's source facts: each source gives people's start and login dates and records'
created and modified dates as its vendor formats them, and the snapshot keeps them. The
expected figures are counted here from the loopback servers' own data, apart from the code
under test."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from hubspot_server import TOKEN as HS_TOKEN
from hubspot_server import FakeHubSpot, seed
from servers.guard import loopback_only  # noqa: F401 - autouse: tests stay on loopback
from servers.sf_org import USER_LOGIN, USER_STARTED, VERSION
from sf_server import RULES, TOKEN, SfServer, make_org, scaled, sf_config

from chaser import clock, config, secrets, sync
from chaser.cli import main
from chaser.config import CsvObject, CsvPeople, CsvSource
from chaser.connectors import http as http_seam
from chaser.connectors.base import Cancel, ConnectorError
from chaser.connectors.csv import CsvConnector
from chaser.errors import ChaserError
from chaser.store import Store
from chaser.workspace import Workspace

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def updated_goals(monkeypatch):
    """As if an "updated" goal were set on every dated object: modified dates become Activity
    only for those (Settings.updates_for; tests/test_activity.py checks the default)."""
    monkeypatch.setattr(config.Settings, "updates_for", property(lambda s: s.dates_for))


def when(text: str) -> datetime:
    """A vendor date-time read apart from chaser: "...000+0000" or "...000Z"."""
    text = text.replace("Z", "+0000")
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")


def qh(at: datetime) -> int:
    return int((at - EPOCH).total_seconds()) // 900


def count(pairs) -> dict[str, dict[int, int]]:
    out: dict[str, Counter] = {}
    for owner, at in pairs:
        out.setdefault(owner, Counter())[qh(at)] += 1
    return {k: dict(v) for k, v in out.items()}


def activity_of(snap, obj: str, kind: str) -> dict[str, dict[int, int]]:
    return {k: dict(getattr(objs[obj], kind)) for k, objs in snap.activity.items()
            if obj in objs and getattr(objs[obj], kind)}


# ---- Salesforce ------------------------------------------------------------------------


@pytest.fixture
def fast(monkeypatch):
    monkeypatch.setattr(http_seam, "TEST_OPTIONS", scaled(100))


def sf_expected(org, obj: str, field: str) -> dict[str, dict[int, int]]:
    users = org.data["User"]
    people = {k for k, u in users.items() if u.get("UserType") == "Standard" and u["IsActive"]}
    return count((r["OwnerId"], when(r[field])) for r in org.data[obj].values()
                 if not r["IsDeleted"] and r["OwnerId"] in people)


@pytest.mark.parametrize("bulk", [False, True])
def test_salesforce_gives_user_dates_and_record_dates(tmp_path, fast, bulk):
    org = make_org({"Opportunity": 90, "Account": 40, "Contact": 20, "Lead": 30})
    with SfServer(org) as server:
        secrets.put("salesforce", "token", TOKEN)
        extra = {"bulk_threshold": 10} if bulk else {}
        cfg = sf_config(tmp_path / "c.toml", server.url, RULES, page_size=200, **extra)
        assert main(["sync", "-q", "--config", str(cfg)]) == 0
        snap = Workspace.open(str(cfg)).store.latest_snapshot()
        user_q = next(e["query"]["q"] for e in org.log if e.get("object") == "User"
                      and e["kind"] == "query")
        opp_q = next(e["query"]["q"] for e in org.log if e.get("object") == "Opportunity"
                     and e["kind"] in ("query", "bulk-create"))
    assert "CreatedDate" in user_q and "LastLoginDate" in user_q
    assert opp_q.count("CreatedDate") == 1 and opp_q.count("LastModifiedDate") == 1
    assert snap.person_facts == {"started", "last_login"}
    by_name = {p.name: p for p in snap.people}
    for i in range(9):
        rep = by_name[f"Rep {i:02d}"]
        assert rep.started == USER_STARTED[i].replace(microsecond=0)
        assert rep.last_login == USER_LOGIN[i]
    assert by_name["Rep 05"].last_login is None  # never logged in: null LastLoginDate
    for obj in ("Opportunity", "Account", "Lead"):
        assert activity_of(snap, obj, "created") == sf_expected(org, obj, "CreatedDate"), obj
        assert activity_of(snap, obj, "modified") == sf_expected(org, obj, "LastModifiedDate")
    records = {r["Id"]: r for obj in ("Opportunity", "Account") for r in org.data[obj].values()}
    for g in snap.gaps:
        if g.record_id in records:
            assert g.created == when(records[g.record_id]["CreatedDate"]).isoformat()


def test_salesforce_server_refuses_a_field_that_does_not_exist(fast):
    with SfServer(make_org(5)) as server:
        r = httpx.get(f"{server.url}/services/data/v{VERSION}/query",
                      params={"q": "SELECT Id, LastLoginDate FROM Account"},
                      headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 400 and r.json()[0]["errorCode"] == "INVALID_FIELD"


def test_salesforce_incremental_sync_moves_a_changed_record_to_its_new_quarter(tmp_path, fast):
    org = make_org({"Opportunity": 60, "Account": 10, "Contact": 0, "Lead": 0})
    with SfServer(org) as server:
        secrets.put("salesforce", "token", TOKEN)
        cfg = sf_config(tmp_path / "c.toml", server.url, RULES)
        assert main(["sync", "-q", "--config", str(cfg)]) == 0
        rep = next(r for r in org.data["Opportunity"].values()
                   if org.data["User"][r["OwnerId"]]["IsActive"])
        org.clock = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
        org.change("Opportunity", rep["Id"], NextStep="Call on Monday")
        assert main(["sync", "-q", "--config", str(cfg)]) == 0
        snap = Workspace.open(str(cfg)).store.latest_snapshot()
    assert activity_of(snap, "Opportunity", "modified") == sf_expected(
        org, "Opportunity", "LastModifiedDate")
    assert qh(when(rep["LastModifiedDate"])) in snap.activity[rep["OwnerId"]][
        "Opportunity"].modified


# ---- HubSpot ---------------------------------------------------------------------------


@pytest.fixture
def fake():
    f = FakeHubSpot()
    seed(f, 60, 30, 10)
    f.start()
    yield f
    f.stop()


def test_hubspot_gives_owner_created_at_and_record_dates(tmp_path, fake, memory_keyring):
    from hubspot_server import RULES_TOML

    secrets.put("hubspot", "token", HS_TOKEN)
    path = tmp_path / "chaser.toml"
    path.write_text(f'[source]\nkind = "hubspot"\n[source.hubspot]\nbase_url = "{fake.url}"\n'
                    f'rate_limit_per_10s = 250\n{RULES_TOML}', encoding="utf-8")
    settings = config.load(path)
    snap = sync.sync(settings, Store(tmp_path / "store"), now=clock.now()).snapshot
    assert snap.person_facts == {"started"}  # HubSpot has no login date
    owners = {o["id"]: o for o in fake.owners}
    for p in snap.people:
        assert p.started == when(owners[p.key]["createdAt"]) and p.last_login is None
    people = {k for k, o in owners.items() if o.get("type") == "PERSON" and not o["archived"]}
    modified = {"contacts": "lastmodifieddate"}
    for obj in ("deals", "contacts", "companies"):
        recs = [r["properties"] for r in fake.records[obj].values() if not r["archived"]]
        mine = [p for p in recs if p.get("hubspot_owner_id") in people]
        assert activity_of(snap, obj, "created") == count(
            (p["hubspot_owner_id"], when(p["createdate"])) for p in mine), obj
        assert activity_of(snap, obj, "modified") == count(
            (p["hubspot_owner_id"], when(p[modified.get(obj, "hs_lastmodifieddate")]))
            for p in mine), obj
    made = {rid: r["properties"]["createdate"] for obj in fake.records
            for rid, r in fake.records[obj].items()}
    assert snap.gaps and all(g.created == when(made[g.record_id]).isoformat()
                             for g in snap.gaps)


# ---- CSV people --------------------------------------------------------------------------


def csv_source(tmp_path, people_text: str, **people) -> CsvSource:
    (tmp_path / "deals.csv").write_text("Id,Owner\r\nD1,Ann\r\n", encoding="utf-8")
    (tmp_path / "people.csv").write_text(people_text, encoding="utf-8")
    return CsvSource((CsvObject("Deal", tmp_path / "deals.csv", "Id", "Owner"),),
                     CsvPeople(tmp_path / "people.csv", "Name", **people))


def test_csv_people_started_and_last_login_in_report_formats(tmp_path):
    from zoneinfo import ZoneInfo

    berlin = ZoneInfo("Europe/Berlin")
    src = csv_source(tmp_path, "Name,Start,Login\r\nAnn,12.11.2026,20.11.2026 09:30\r\n"
                               "Bob,01.03.2026,\r\n", started="Start", last_login="Login")
    d = CsvConnector(src, (), berlin).directory(Cancel())
    ann, bob = d.people
    assert d.facts == {"started", "last_login"}
    assert ann.started == datetime(2026, 11, 12, tzinfo=berlin)  # a date alone: local midnight
    assert ann.started.astimezone(UTC) == datetime(2026, 11, 11, 23, tzinfo=UTC)
    assert ann.last_login == datetime(2026, 11, 20, 8, 30, tzinfo=UTC)
    assert bob.last_login is None  # blank: never logged in (the column is given)
    only = csv_source(tmp_path, "Name,Start\r\nAnn,2026-11-12\r\n", started="Start")
    assert CsvConnector(only, (), UTC).directory(Cancel()).facts == {"started"}


def test_csv_people_bad_date_names_file_and_line(tmp_path):
    src = csv_source(tmp_path, "Name,Start\r\nAnn,2026-11-12\r\nBob,next week\r\n",
                     started="Start")
    with pytest.raises(ConnectorError, match=r"people\.csv:3: column 'Start' is 'next week', "
                                             "not a date"):
        CsvConnector(src, (), UTC).directory(Cancel())


def test_csv_config_reads_the_new_columns_and_checks_formats(tmp_path):
    (tmp_path / "d.csv").write_text("Id,Owner\r\n")
    text = ('[source]\nkind = "csv"\n[source.csv.people]\npath = "p.csv"\nkey = "Name"\n'
            'started = "Start"\nlast_login = "Login"\n[[source.csv.objects]]\nobject = "Deal"\n'
            'path = "d.csv"\nid = "Id"\nowner = "Owner"\ncreated = "Created"\n'
            'created_format = "%d/%m/%Y"\n[[rules]]\nobject = "Deal"\nrequire = ["Id"]\n')
    path = tmp_path / "c.toml"
    path.write_text(text)
    s = config.load(path)
    assert s.csv.objects[0].created == "Created" and s.csv.objects[0].created_format == "%d/%m/%Y"
    assert (s.csv.people.started, s.csv.people.last_login) == ("Start", "Login")
    path.write_text(text.replace('created = "Created"\n', ""))
    with pytest.raises(ChaserError, match="created_format.*needs `created`"):
        config.load(path)


# ---- the demo org --------------------------------------------------------------------------


def test_demo_people_and_record_dates():
    from chaser.config import demo_settings
    from chaser.connectors.demo import DemoConnector

    now = datetime(2026, 11, 20, 9, tzinfo=UTC)
    snap = sync.take_snapshot(DemoConnector(now=now), demo_settings(), now=now)
    assert snap.person_facts == {"started", "last_login"}
    people = {p.name: p for p in snap.people}
    assert people["Cody Walsh"].last_login is None  # never logged in
    stale = [n for n, p in people.items() if p.active and p.last_login is not None
             and now - p.last_login > timedelta(days=30)]
    assert sorted(stale) == ["Diego Ramírez", "Jonas Weber"]
    new = {n: (now - p.started).days for n, p in people.items() if now - p.started < timedelta(61)}
    assert new == {"Olivia Park": 20, "Nicole Barnes": 45, "Sean Murphy": 3}
    # Olivia created nothing since she started; Nicole did
    assert people["Olivia Park"].key not in snap.activity
    nicole = snap.activity[people["Nicole Barnes"].key]
    since = qh(people["Nicole Barnes"].started)
    assert any(q >= since for a in nicole.values() for q in a.created)
    # created dates spread over the last 12 weeks, deterministically
    created = Counter(q // (7 * 96) for objs in snap.activity.values() for a in objs.values()
                      for q, n in a.created.items() for _ in range(n))
    last = qh(now) // (7 * 96)
    assert all(created[last - k] > 0 for k in range(12))
    again = sync.take_snapshot(DemoConnector(now=now), demo_settings(), now=now)
    assert again.activity == snap.activity and again.people == snap.people
