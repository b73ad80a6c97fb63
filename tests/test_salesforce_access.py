"""Who may edit which rule field, from Salesforce field-level security (issue 10, point 6):
FieldPermissions joined with PermissionSetAssignment against the loopback org, and a sync in
which a person whose profile cannot edit Account.Industry is not blamed for blank Industry."""

from __future__ import annotations

import json
import math
from types import SimpleNamespace

import pytest
from servers import sf_perms
from servers.guard import loopback_only  # noqa: F401 - autouse: tests stay on loopback
from sf_server import RULES, TOKEN, Fault, SfServer, make_org, scaled, sf_config

from chaser import secrets
from chaser.cli import main
from chaser.connectors import http as http_seam
from chaser.connectors import salesforce_access
from chaser.connectors.base import LimitError
from chaser.connectors.salesforce import SalesforceSettings
from chaser.connectors.salesforce_access import field_access, rule_fields
from chaser.connectors.salesforce_api import SalesforceApi
from chaser.model import Person
from chaser.rules import Rule
from chaser.workspace import Workspace

COUNTS = {"Opportunity": 60, "Account": 120, "Contact": 30, "Lead": 30}
FIELDS = {"Account": ["Industry", "Phone"], "Opportunity": ["Amount", "NextStep"]}


def users(org) -> dict[str, dict]:
    return {u["Name"]: u for u in org.data["User"].values()}


def people(org) -> list[Person]:
    return [Person(u["Id"], u["Name"], active=u["IsActive"]) for u in org.data["User"].values()
            if u["UserType"] == "Standard"]


@pytest.fixture
def sf(tmp_path, monkeypatch):
    monkeypatch.setattr(http_seam, "TEST_OPTIONS", scaled(100))
    org = make_org(COUNTS)
    with SfServer(org) as server:
        secrets.put("salesforce", "token", TOKEN)
        api = SalesforceApi(SalesforceSettings(instance_url=server.url, page_size=200),
                            http_options=scaled(100))
        api.authenticate()
        yield SimpleNamespace(org=org, url=server.url, api=api, tmp=tmp_path)
        api.close()


def queries(org, obj: str) -> list[str]:
    return [e["query"]["q"] for e in org.log if e["kind"] == "query" and e["object"] == obj]


def test_rule_fields_leave_relationship_paths_out():
    rules = [Rule("Opportunity", ("Amount", "Account.Name")), Rule("Account", ("Industry",)),
             Rule("Lead", ("Email",))]
    assert rule_fields(rules, ["Opportunity", "Account"]) == {
        "Opportunity": ["Amount"], "Account": ["Industry"]}


def test_profiles_and_permission_sets_are_joined(sf):
    u = users(sf.org)
    ids = sf_perms.seed(sf.org, read_only={u["Rep 03"]["Id"]: ["Account.Industry"],
                                           u["Rep 04"]["Id"]: ["Account.Industry", "Account.Phone"]})
    # A permission set adds what the profile lacks: Rep 04 may edit Industry after all.
    sf_perms.assign(sf.org, u["Rep 04"]["Id"], ids["Industry Editors"])
    before = sf.api.requests
    got = field_access(sf.api, people(sf.org), FIELDS)
    assert got.cannot_edit == {u["Rep 03"]["Id"]: ("Account.Industry",),
                               u["Rep 04"]["Id"]: ("Account.Phone",)}
    assert "2 people may not edit some rule fields" in got.notes[0]
    # One query per object kind, each counted in the sync's request figures.
    assert sf.api.requests - before == 2
    (fp,) = queries(sf.org, "FieldPermissions")
    assert "SobjectType IN ('Account', 'Opportunity')" in fp and "'Account.Industry'" in fp
    (psa,) = queries(sf.org, "PermissionSetAssignment")
    assert "AssigneeId IN (" in psa


def test_inactive_people_are_not_asked_about(sf):
    u = users(sf.org)
    sf_perms.seed(sf.org, read_only={u["Rep 08"]["Id"]: ["Account.Industry"]})  # inactive
    assert field_access(sf.api, people(sf.org), FIELDS).cannot_edit == {}
    assert u["Rep 08"]["Id"] not in queries(sf.org, "PermissionSetAssignment")[0]


def test_a_field_without_any_rows_is_editable(sf):
    # No row in any permission set: field-level security does not govern the field (as for a
    # field the schema requires), so nobody is excused and no assignment needs reading.
    got = field_access(sf.api, people(sf.org), FIELDS)
    assert got == salesforce_access.Access({})
    assert len(queries(sf.org, "FieldPermissions")) == 1
    assert queries(sf.org, "PermissionSetAssignment") == []


def test_no_row_for_a_governed_field_means_no_access(sf):
    u = users(sf.org)
    sf_perms.seed(sf.org)
    # A permission set of Rep 05's own, but the profile is gone: no row for Industry at all.
    for a in list(sf.org.data["PermissionSetAssignment"].values()):
        if a["AssigneeId"] == u["Rep 05"]["Id"]:
            del sf.org.data["PermissionSetAssignment"][a["Id"]]
    sf_perms.assign(sf.org, u["Rep 05"]["Id"], sf_perms.permission_set(
        sf.org, "Phone Only", edit=["Account.Phone"]))
    got = field_access(sf.api, people(sf.org), FIELDS)
    assert got.cannot_edit == {u["Rep 05"]["Id"]: ("Account.Industry", "Opportunity.Amount",
                                                   "Opportunity.NextStep")}


def test_in_lists_are_chunked(sf, monkeypatch):
    monkeypatch.setattr(salesforce_access, "CHUNK", 4)
    sf_perms.seed(sf.org)
    active = [p for p in people(sf.org) if p.active]
    field_access(sf.api, people(sf.org), FIELDS)
    assert len(queries(sf.org, "PermissionSetAssignment")) == math.ceil(len(active) / 4)
    assert len(queries(sf.org, "FieldPermissions")) == 1  # 4 fields: one chunk


def test_a_user_whose_assignments_cannot_be_seen_is_not_excused(sf):
    u = users(sf.org)
    sf_perms.seed(sf.org, read_only={u["Rep 03"]["Id"]: ["Account.Industry"]})
    for a in list(sf.org.data["PermissionSetAssignment"].values()):
        if a["AssigneeId"] == u["Rep 03"]["Id"]:
            del sf.org.data["PermissionSetAssignment"][a["Id"]]
    got = field_access(sf.api, people(sf.org), FIELDS)
    assert got.cannot_edit == {}
    assert "no permission set assignment seen for 1 active users" in got.notes[0]


def test_unreadable_permissions_excuse_nobody_and_say_why(sf):
    sf.org.faults.append(Fault("query", 400, object="FieldPermissions", code="INVALID_TYPE"))
    got = field_access(sf.api, people(sf.org), FIELDS)
    assert got.cannot_edit == {}
    assert "field permissions not read" in got.notes[0] and "View Setup" in got.notes[0]


def test_a_spent_allowance_still_stops_the_sync(sf):
    sf.org.faults.append(Fault("query", 403, object="FieldPermissions",
                               code="REQUEST_LIMIT_EXCEEDED"))
    with pytest.raises(LimitError):
        field_access(sf.api, people(sf.org), FIELDS)


# ---- the whole sync -------------------------------------------------------------------------

def run(cfg, *args: str) -> int:
    return main([*args, "--config", str(cfg)])


def test_a_person_who_cannot_edit_industry_is_not_blamed_for_it(sf, capsys):
    org = sf.org
    rep = users(org)["Rep 03"]
    sf_perms.seed(org, read_only={rep["Id"]: ["Account.Industry"]})
    accounts = [a for a in org.data["Account"].values() if a["OwnerId"] == rep["Id"]]
    blank = [a for a in accounts if a["Industry"] in (None, "TBD")]
    assert blank, "the sample org gives Rep 03 accounts with blank Industry"
    cfg = sf_config(sf.tmp / "chaser.toml", sf.url, RULES, page_size=200)
    assert run(cfg, "sync") == 0
    out = capsys.readouterr().out
    assert "field permissions: 1 person may not edit some rule fields (Account.Industry" in out
    assert "with blanks their owner cannot edit" in out

    snap = Workspace.open(str(cfg)).store.latest_snapshot()
    assert snap.person(rep["Id"]).cannot_edit == ("Account.Industry",)
    assert "Industry" not in snap.tallies[rep["Id"]].by_field
    assert not any(g.owner == rep["Id"] and "Industry" in g.missing for g in snap.gaps)
    assert {g.record_id for g in snap.cannot_edit_gaps} == {a["Id"] for a in blank}
    # Others are still blamed for their blank Industry.
    assert any("Industry" in g.missing for g in snap.gaps)

    assert run(cfg, "gaps", "--by", "bucket", "--format", "json") == 0
    rows = {r["bucket"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["cannot-edit"]["records"] == len(blank)
    assert rows["cannot-edit"]["fields"] == {"Account.Industry": len(blank)}
    assert run(cfg, "gaps", "--person", "Rep 03") == 0
    assert "Rep 03 cannot edit Industry: fix access first" in capsys.readouterr().out


def test_the_hand_control_moves_a_user_to_a_read_only_profile(sf):
    rep = users(sf.org)["Rep 02"]
    assert sf_perms.control(sf.org, {"user": "Rep 02", "fields": "Account.Industry"})[0] == 200
    assert field_access(sf.api, people(sf.org), FIELDS).cannot_edit == {
        rep["Id"]: ("Account.Industry",)}
    assert sf_perms.control(sf.org, {"user": "Nobody"})[0] == 400
