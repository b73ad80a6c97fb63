"""Deletions found by counting, not by hoping (issue 10 point 2), on both API sources.

A hard delete, or a recycle bin purged before the next sync, leaves no trace the changes can
show. After each incremental sync one count per object is compared with the merged rows; only
on a mismatch are the ids swept. The recycle-bin horizon is measured from the last successful
sync, so an object nobody edited for a year still syncs incrementally.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from hubspot_server import RULES_TOML, TOKEN, FakeHubSpot, seed
from servers.guard import loopback_only  # noqa: F401 - autouse: tests stay on loopback
from sf_server import RULES, SfServer, make_org, scaled, sf_config
from sf_server import TOKEN as SF_TOKEN

from chaser import clock, secrets
from chaser.cli import main
from chaser.connectors import http as http_seam
from chaser.workspace import Workspace

COUNTS = {"Opportunity": 300, "Account": 120, "Contact": 80, "Lead": 60}


@pytest.fixture
def sf(tmp_path, monkeypatch):
    monkeypatch.setattr(http_seam, "TEST_OPTIONS", scaled(100))
    org = make_org(COUNTS)
    with SfServer(org) as server:
        secrets.put("salesforce", "token", SF_TOKEN)
        yield org, sf_config(tmp_path / "chaser.toml", server.url, RULES)


def kinds(org, since: int) -> dict[str, int]:
    out: dict[str, int] = {}
    for e in org.log[since:]:
        out[e["kind"]] = out.get(e["kind"], 0) + 1
    return out


def sweeps(org, since: int) -> list[str]:
    """The objects whose ids were swept (the directory's own `SELECT Id FROM Group` aside)."""
    return [e["object"] for e in org.log[since:] if e["kind"] == "query"
            and e["query"]["q"].startswith("SELECT Id FROM") and e["object"] in COUNTS]


def latest(cfg):
    return Workspace.open(str(cfg)).store.latest_snapshot()


def test_hard_deletes_and_a_purged_bin_vanish_at_the_cost_of_one_count_and_one_sweep(sf, capsys):
    org, cfg = sf
    assert main(["sync", "--config", str(cfg)]) == 0
    gone = org.hard_delete("Opportunity", count=3)
    org.delete("Account", next(iter(org.data["Account"])))  # soft: in the bin...
    org.purge("Account")  # ...and purged before the next sync: queryAll cannot see it
    mark = len(org.log)
    assert main(["sync", "--config", str(cfg)]) == 0
    snap = latest(cfg)
    assert snap.objects["Opportunity"] == COUNTS["Opportunity"] - 3
    assert snap.objects["Account"] == COUNTS["Account"] - 1
    assert not {g.record_id for g in snap.gaps} & set(gone)
    assert sorted(sweeps(org, mark)) == ["Account", "Opportunity"]
    assert kinds(org, mark)["count"] == 4  # one per object, whatever was deleted
    out = capsys.readouterr().out
    assert "Opportunity 0 changed, 3 gone (found by counting)" in out
    assert "Account 0 changed, 1 gone (found by counting)" in out
    # the merged snapshot equals a full read of the same org
    assert main(["sync", "--full", "--config", str(cfg)]) == 0
    full = latest(cfg)
    assert full.objects == snap.objects
    assert {k: t.to_dict() for k, t in full.tallies.items()} == \
           {k: t.to_dict() for k, t in snap.tallies.items()}


def test_nothing_deleted_costs_one_count_per_object_and_no_sweep(sf):
    org, cfg = sf
    assert main(["sync", "--config", str(cfg)]) == 0
    mark = len(org.log)
    assert main(["sync", "--config", str(cfg)]) == 0
    assert kinds(org, mark).get("count") == 4
    assert sweeps(org, mark) == []


def test_an_object_whose_newest_record_is_a_year_old_syncs_incrementally(sf, capsys):
    org, cfg = sf
    org.age("Lead", days=365)
    assert main(["sync", "--config", str(cfg)]) == 0
    capsys.readouterr()
    mark = len(org.log)
    assert main(["sync", "--config", str(cfg)]) == 0
    lead = [e for e in org.log[mark:] if e["kind"] == "query" and e["object"] == "Lead"]
    assert lead and all("WHERE SystemModstamp >" in e["query"]["q"] for e in lead)
    assert "full read" not in capsys.readouterr().out


def test_a_sync_after_more_than_the_recycle_horizon_reads_in_full(sf, monkeypatch, capsys):
    org, cfg = sf
    assert main(["sync", "--config", str(cfg)]) == 0
    monkeypatch.setenv("CHASER_NOW", (clock.now() + timedelta(days=15)).isoformat())
    capsys.readouterr()
    assert main(["sync", "--config", str(cfg)]) == 0
    assert "full read (the last sync is over 14 days old)" in capsys.readouterr().out


# ---- HubSpot ---------------------------------------------------------------------------------

@pytest.fixture
def hs(tmp_path, monkeypatch):
    monkeypatch.setattr(http_seam, "TEST_OPTIONS", {"backoff_base": 0.001, "backoff_max": 0.002})
    fake = FakeHubSpot()
    seed(fake, deals=120, contacts=40, companies=20)
    fake.start()
    secrets.put("hubspot", "token", TOKEN)
    cfg = tmp_path / "hs.toml"
    cfg.write_text(f'[source]\nkind = "hubspot"\n[source.hubspot]\nbase_url = "{fake.url}"\n'
                   f"rate_limit_per_10s = 250\n{RULES_TOML}", encoding="utf-8")
    yield fake, cfg
    fake.stop()


def test_hubspot_gdpr_deletes_vanish_by_counting(hs, capsys):
    fake, cfg = hs
    assert main(["sync", "--config", str(cfg)]) == 0
    first = latest(cfg).objects
    victim = next(iter(fake.records["deals"]))
    fake.remove("deals", victim, hard=True)  # a GDPR delete: in no list, archived or not
    mark = len(fake.log)
    assert main(["sync", "--config", str(cfg)]) == 0
    snap = latest(cfg)
    assert snap.objects["deals"] == first["deals"] - 1
    assert victim not in {g.record_id for g in snap.gaps}
    new = fake.log[mark:]
    counts = [h for h in new if h.path.endswith("/search") and h.body.get("limit") == 1
              and not h.body.get("filterGroups")]
    sweeps = [h for h in new if h.method == "GET" and h.path == "/crm/v3/objects/deals"]
    assert len(counts) == 3 and sweeps and all(
        h.query.get("properties") == "hs_object_id" for h in sweeps)
    assert "deals 0 changed, 1 gone (found by counting)" in capsys.readouterr().out
