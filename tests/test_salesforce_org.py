"""The loopback Salesforce org behaves as the vendor documents, for "deletions by counting" and
Bulk API 2.0: COUNT() answers, Id sweeps page, soft deletes sit in the recycle bin (queryAll),
purges take the oldest first, hard deletes vanish at once, rows can be aged, and every Bulk
query job chaser makes is deleted once read (or aborted, then deleted)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import httpx
import pytest
from servers.guard import loopback_only  # noqa: F401 - autouse: tests stay on loopback
from servers.sf_org import HISTORY, parse_stamp
from sf_server import RULES, TOKEN, VERSION, Fault, SfServer, make_org, scaled, sf_config

from chaser import secrets
from chaser.cli import main
from chaser.connectors import http as http_seam
from chaser.connectors.base import Cancel, Cancelled
from chaser.connectors.salesforce import SalesforceSettings
from chaser.connectors.salesforce_api import SalesforceApi

COUNTS = {"Opportunity": 450, "Account": 60, "Contact": 40, "Lead": 30}
DATA = f"/services/data/v{VERSION}"


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


def raw(sf, method: str, path: str, **kwargs) -> httpx.Response:
    return httpx.request(method, sf.url + path, headers={"Authorization": f"Bearer {TOKEN}"},
                         timeout=5, **kwargs)


def ids_of(sf, obj: str, all_rows: bool = False) -> set[str]:
    return {i for page in sf.api.ids(obj, all_rows=all_rows) for i in page}


# ---- COUNT() and Id sweeps ------------------------------------------------------------------

def test_count_answers_as_salesforce_does(sf):
    body = raw(sf, "GET", f"{DATA}/query", params={"q": "SELECT COUNT() FROM Opportunity"}).json()
    assert body == {"totalSize": 450, "done": True, "records": []}
    assert sf.api.count("Opportunity") == 450
    stage = sum(r["StageName"] == "Negotiation" for r in sf.org.data["Opportunity"].values())
    assert sf.api.count("Opportunity", "StageName = 'Negotiation'") == stage > 0
    assert sf.org.count("count", "Opportunity") == 3  # logged apart from record reads
    assert sf.org.record_queries("Opportunity") == 0


def test_id_sweep_pages_through_every_live_row(sf):
    pages = list(sf.api.ids("Opportunity"))
    assert [len(p) for p in pages] == [200, 200, 50]
    assert set().union(*pages) == set(sf.org.data["Opportunity"])
    assert sf.org.count("query-more", "Opportunity") == 2


# ---- deletions: recycle bin, purge, hard delete -----------------------------------------------

def test_a_soft_delete_goes_to_the_recycle_bin(sf):
    gone = list(sf.org.data["Account"])[:3]
    for rec_id in gone:
        sf.org.delete("Account", rec_id)
    assert sf.api.count("Account") == 57 and sf.api.count("Account", all_rows=True) == 60
    assert not ids_of(sf, "Account") & set(gone)
    deleted = [r for rows, _, _ in sf.api.rows("SELECT Id, IsDeleted FROM Account WHERE "
                                               "IsDeleted = true", "Account", ["Id", "IsDeleted"],
                                               all_rows=True) for r in rows]
    assert sorted(deleted) == sorted([i, "true"] for i in gone)
    assert sf.org.binned("Account") == gone  # oldest deletion first


def test_a_purge_takes_the_oldest_rows_out_of_the_bin(sf):
    first, second, third = list(sf.org.data["Lead"])[:3]
    for rec_id in (second, first, third):  # deleted in this order
        sf.org.delete("Lead", rec_id)
    assert sf.org.purge("Lead", count=2) == 2
    assert ids_of(sf, "Lead", all_rows=True) & {first, second, third} == {third}
    assert sf.org.purge() == 1  # an emptied bin, once queryAll no longer sees it
    assert sf.api.count("Lead", all_rows=True) == sf.api.count("Lead") == 27


def test_a_hard_delete_vanishes_from_query_and_query_all_at_once(sf):
    gone = sf.org.hard_delete("Contact", count=4)
    assert len(gone) == 4
    assert not (ids_of(sf, "Contact", all_rows=True) | ids_of(sf, "Contact")) & set(gone)
    assert sf.api.count("Contact", all_rows=True) == 36
    new = sf.org.add("Contact", LastName="New")
    assert new["Id"] not in gone  # a hard-deleted id is never handed out again


def test_controls_delete_purge_and_hard_delete(sf):
    def control(path):
        return httpx.post(sf.url + path, timeout=5).json()

    assert len(control("/_test/delete?object=Lead&count=5")["deleted"]) == 5
    assert sf.api.count("Lead") == 25 and sf.api.count("Lead", all_rows=True) == 30
    assert control("/_test/purge?object=Lead&count=2") == {"purged": 2}
    assert len(control("/_test/delete?object=Lead&count=3&hard=1")["hard_deleted"]) == 3
    records = httpx.get(sf.url + "/_test/records", timeout=5).json()["Lead"]
    assert (records["live"], records["bin"]) == (22, 3)
    assert control("/_test/delete?object=Nope")[0]["errorCode"] == "INVALID_INPUT"


# ---- time: realistic stamps, aged objects ----------------------------------------------------

def test_sample_rows_were_modified_over_months_newest_last(sf):
    stamps = [parse_stamp(r["SystemModstamp"]) for r in sf.org.data["Opportunity"].values()]
    assert stamps == sorted(stamps)
    assert stamps[-1] - stamps[0] > HISTORY - timedelta(days=2)


def test_an_object_can_be_aged_so_its_newest_row_is_a_year_old(sf):
    now = datetime(2026, 11, 20, 9, tzinfo=UTC)
    newest = sf.org.age("Account", 365, now=now)
    assert parse_stamp(newest) == now - timedelta(days=365)
    month_ago = (now - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert sf.api.count("Account", f"SystemModstamp > {month_ago}") == 0
    assert sf.api.count("Account") == 60
    top = next(sf.api.rows("SELECT SystemModstamp FROM Account ORDER BY SystemModstamp DESC "
                           "LIMIT 1", "Account", ["SystemModstamp"]))[0]
    assert top == [[newest]]


# ---- Bulk API 2.0 jobs ------------------------------------------------------------------------

def bulk_config(sf, **extra):
    return sf_config(sf.tmp / "bulk.toml", sf.url, RULES, page_size=200, bulk_threshold=50,
                     **extra)


def test_every_bulk_job_is_deleted_once_read(sf):
    sf.org.bulk_page = 200
    assert main(["sync", "--config", str(bulk_config(sf))]) == 0
    made = sf.org.count("bulk-create")
    assert made == sf.org.jobs_made == 2  # Opportunity and Account are over 50 rows
    assert sf.org.count("bulk-delete") == made and sf.org.count("bulk-abort", ok_only=False) == 0
    assert sf.org.jobs == {}
    kinds = [e["kind"] for e in sf.org.log if e["object"] == "Opportunity"]
    assert kinds.index("bulk-delete") > max(i for i, k in enumerate(kinds) if k == "bulk-results")


def test_a_job_whose_results_fail_is_deleted_not_aborted(sf, capsys):
    sf.org.faults.append(Fault("bulk-results", 500, times=99, object="Opportunity"))
    assert main(["sync", "--config", str(bulk_config(sf))]) == 2
    assert "Opportunity bulk results page 1" in capsys.readouterr().err
    # JobComplete cannot be aborted ("Abort a Query Job"), only deleted
    assert sf.org.count("bulk-abort", ok_only=False) == 0 and sf.org.jobs == {}


def test_a_job_still_running_is_aborted_then_deleted(sf, capsys):
    sf.org.faults.append(Fault("bulk-poll", 500, times=99, object="Opportunity"))
    assert main(["sync", "--config", str(bulk_config(sf))]) == 2
    assert sf.org.count("bulk-abort") == 1 and sf.org.count("bulk-delete") == 1
    assert sf.org.jobs == {}


def test_a_failed_job_is_named_and_deleted(sf, capsys):
    sf.org.bulk_fail = "InvalidBatch : Failed to process query"
    assert main(["sync", "--config", str(bulk_config(sf))]) == 2
    assert "Opportunity bulk job failed: InvalidBatch : Failed to process query" in \
        capsys.readouterr().err
    assert sf.org.count("bulk-abort", ok_only=False) == 0 and sf.org.jobs == {}


def test_a_cancelled_bulk_read_leaves_no_job(sf):
    sf.org.bulk_page = 100
    cancel = Cancel()
    sf.api.set_cancel(cancel)
    pages = sf.api.bulk_rows("SELECT Id FROM Opportunity", "Opportunity", ["Id"],
                             all_rows=False, total=450)
    next(pages)
    cancel.set()
    with pytest.raises(Cancelled):
        next(pages)
    assert sf.org.jobs == {} and sf.org.count("bulk-delete") == 1


def test_a_job_that_cannot_be_deleted_is_reported(sf):
    sf.org.faults.append(Fault("bulk-delete", 500, object="Opportunity"))
    rows = [r for page, _, _ in sf.api.bulk_rows("SELECT Id FROM Opportunity", "Opportunity",
                                                 ["Id"], all_rows=False, total=450) for r in page]
    assert len(rows) == 450 and len(sf.org.jobs) == 1
    assert sf.api.notices == ["Opportunity: a Bulk API query job could not be deleted (HTTP 500); "
                              "it stays listed under Bulk Data Load Jobs until Salesforce "
                              "removes it"]


def test_the_server_refuses_what_bulk_cannot_do(sf):
    def create(soql):
        return raw(sf, "POST", f"{DATA}/jobs/query", json={"operation": "query", "query": soql})

    answer = create("SELECT Id, BillingAddress FROM Account")
    assert answer.status_code == 400
    assert answer.json()[0]["message"] == "Selecting compound data not supported in Bulk Query"
    assert create("SELECT COUNT() FROM Account").status_code == 400
    job = create("SELECT Id, BillingCity FROM Account").json()  # the components are fine
    url = f"{DATA}/jobs/query/{job['id']}"
    refused = raw(sf, "DELETE", url)  # "the job is not terminated"
    assert refused.status_code == 400 and "not terminated" in refused.json()[0]["message"]
    assert raw(sf, "PATCH", url, json={"state": "Aborted"}).json()["state"] == "Aborted"
    deleted = raw(sf, "DELETE", url)
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert raw(sf, "GET", url).status_code == 404 and sf.org.jobs == {}


def test_rest_reads_a_compound_as_one_value(sf):
    rows = next(sf.api.rows("SELECT Id, BillingAddress FROM Account", "Account",
                            ["Id", "BillingAddress"]))[0]
    filled = [r for r in rows if r[1]]
    assert filled and filled[0][1].endswith(", Norway")
    assert any(r[1] is None for r in rows)  # every part empty: null
