"""HubSpot's rate limits as its documents state them, against the loopback fake that counts
them for every client: the X-HubSpot-RateLimit-* headers seed and pace the client, search is
paced at four a second, and syncs started back to back draw no 429. Also the two helpers the
"deletions by counting" skeleton uses: Api.count (a search, limit 1, `total`) and Api.ids."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from hubspot_server import RULES_TOML, TOKEN, FakeHubSpot, Limits, seed
from servers.admin import Standalone
from servers.guard import loopback_only  # noqa: F401 - autouse: tests stay on loopback

from chaser.connectors.base import ConnectorError
from chaser.connectors.http import UNLIMITED, Allowance, Http, RateLimiter
from chaser.connectors.hubspot_api import Api, allowance

ROOT = Path(__file__).resolve().parents[1]
AUTH = {"Authorization": f"Bearer {TOKEN}"}


class Clock:
    def __init__(self) -> None:
        self.now, self.slept = 100.0, []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def api_for(url: str) -> Api:
    return Api(Http(url, headers=AUTH, rate_per_10s=250, backoff_base=0.001,
                    backoff_max=0.005), TOKEN)


@pytest.fixture
def fake():
    f = FakeHubSpot(limits=Limits(max=12, interval_ms=1000))  # a fast window: tests in seconds
    seed(f, deals=1000, contacts=20, companies=5)  # 10 list pages of deals
    f.start()
    yield f
    f.stop()


# ---- the client's side, with a fake clock -----------------------------------------------------

def test_allowance_reads_the_three_headers_and_nothing_else():
    def answer(**headers) -> httpx.Response:
        return httpx.Response(200, headers={f"X-HubSpot-RateLimit-{k.replace('_', '-')}": v
                                            for k, v in headers.items()})

    got = allowance(answer(Max="190", Remaining="7", Interval_Milliseconds="10000"))
    assert got == Allowance(190, 7, 10.0)
    assert allowance(answer()) is None  # a search answer carries none of them
    assert allowance(answer(Max="190", Remaining="-1")) is None
    assert allowance(answer(Secondly="19", Secondly_Remaining="0")) is None  # deprecated pair


def test_a_limiter_told_the_window_is_nearly_full_waits_it_out():
    clock = Clock()
    limiter = RateLimiter(UNLIMITED, clock, clock.sleep)
    limiter.wait()  # our first request; the answer says 88 of 100 are used (87 by others)
    limiter.observe(Allowance(100, 12, 10.0))
    assert (limiter.per_window, len(limiter.others)) == (90, 87)  # 10% kept free
    limiter.wait()
    limiter.wait()
    assert clock.slept == []
    limiter.wait()  # the window is spent: wait until its oldest request leaves it
    assert 9.9 < sum(clock.slept) <= 10.01
    limiter.observe(Allowance(100, 97, 10.0))  # 3 used: this request and 2 not ours
    assert len(limiter.others) == 2
    limiter.observe(Allowance(100, 99, 10.0))  # the others are gone: so is the booking
    assert len(limiter.others) == 0


def test_http_paces_by_the_hook_and_stays_generic():
    clock, seen = Clock(), []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(clock.now)
        return httpx.Response(200, json={}, headers={"X-HubSpot-RateLimit-Max": "10",
                                                     "X-HubSpot-RateLimit-Remaining": "0",
                                                     "X-HubSpot-RateLimit-Interval-Milliseconds":
                                                         "1000"})

    plain = Http("https://api.example.com", transport=httpx.MockTransport(handler),
                 clock=clock, sleep=clock.sleep)
    for _ in range(3):  # no hook (Salesforce): the headers mean nothing
        plain.request("GET", "/x", what="x")
    assert clock.slept == []
    plain.pace_by(allowance)
    plain.request("GET", "/x", what="x")  # told: 10 of 10 used in the last second
    plain.request("GET", "/x", what="x")
    assert seen[-1] - seen[-2] >= 1.0


# ---- the fake's side: one window for every client ---------------------------------------------

def test_the_fake_counts_one_window_across_clients_and_answers_as_hubspot(fake):
    a, b = httpx.Client(base_url=fake.url, headers=AUTH), httpx.Client(base_url=fake.url,
                                                                       headers=AUTH)
    answers = [(a if i % 2 else b).get("/crm/v3/owners") for i in range(13)]
    assert [r.status_code for r in answers] == [200] * 12 + [429]
    assert [r.headers["X-HubSpot-RateLimit-Remaining"] for r in answers[:3]] == ["11", "10", "9"]
    assert answers[0].headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "1000"
    body = answers[-1].json()
    assert (body["status"], body["errorType"], body["policyName"]) == \
        ("error", "RATE_LIMIT", "TEN_SECONDLY_ROLLING")
    assert "Retry-After" not in answers[-1].headers  # HubSpot promises none
    searches = [a.post("/crm/v3/objects/deals/search", json={"limit": 1}) for _ in range(5)]
    assert [r.status_code for r in searches] == [200] * 4 + [429]  # four a second
    assert searches[-1].json()["policyName"] == "SECONDLY"
    assert not [k for k in searches[0].headers if k.lower().startswith("x-hubspot-ratelimit")]
    a.close()
    b.close()


def test_a_client_started_inside_another_ones_window_draws_no_429(fake):
    """Two 'processes' one after the other (each its own Http and Api, so its own empty
    window), each reading every deal id: the second starts with the window spent by the
    first. Told so by the headers it waits; a client deaf to them (the control) does not."""
    for _ in range(2):
        api = api_for(fake.url)
        assert len(api.ids("deals")) == 1000  # 10 pages: 10 of the window's 12
        api.http.close()
    deaf = api_for(fake.url)
    deaf.http.pace = None
    with pytest.raises(ConnectorError, match="429 TEN_SECONDLY_ROLLING"):
        deaf.ids("deals")  # bursts into the spent window; quick backoff gives up
    statuses = [h.status for h in fake.hits("/objects/deals")]
    assert statuses[:20] == [200] * 20  # the two paced clients
    assert 429 in statuses[20:]  # the deaf one, inside the window they left


# ---- Api.count and Api.ids ---------------------------------------------------------------------

def test_count_is_one_search_with_limit_one_reading_total(fake):
    api = api_for(fake.url)
    assert api.count("deals") == 1000
    (hit,) = fake.hits("/deals/search")
    assert hit.body["limit"] == 1 and not hit.body["filterGroups"]
    fake.archive("deals", "1001")
    fake.remove("deals", "1002", hard=True)  # a GDPR delete: no trace anywhere
    assert api.count("deals") == 998


def test_ids_lists_every_live_record_asking_for_the_least(fake):
    api = api_for(fake.url)
    fake.archive("deals", "1001")
    fake.remove("deals", "1002", hard=True)
    ids = api.ids("deals")
    assert len(ids) == 998 and not {"1001", "1002"} & ids
    calls = fake.hits("/objects/deals", "GET")
    assert [h.query["properties"] for h in calls] == ["hs_object_id"] * 10
    assert {h.query["limit"] for h in calls} == {"100"}
    archived = {r["id"] for page in api.list_pages("deals", ["hs_object_id"], archived=True)
                for r in page.results}
    assert archived == {"1001"}  # the hard-deleted record is not even in the recycle bin


def test_hard_deletes_and_archive_through_the_vendor_endpoints(fake):
    with httpx.Client(base_url=fake.url, headers=AUTH) as c:
        assert c.delete("/crm/v3/objects/deals/1005").status_code == 204
        assert c.post("/crm/v3/objects/contacts/gdpr-delete",
                      json={"objectId": "5003"}).status_code == 204
        assert c.delete("/crm/v3/objects/deals/1005").status_code == 204  # archived again
        assert c.delete("/crm/v3/objects/deals/77").status_code == 404
    assert fake.records["deals"]["1005"]["archived"] and "5003" not in fake.records["contacts"]


# ---- as a user runs it: `chaser sync`, three times back to back -------------------------------

def test_three_syncs_back_to_back_draw_no_429(tmp_path, chaser_home):
    """The server in its own process, with a 20-per-2-second window (HubSpot's 100 per 10 s,
    sped up), three `chaser sync` processes one after another (two full reads, then an
    incremental one that searches): each starts inside the window the last one spent, reads
    the headers of its first answer and waits; its searches wait out a second it cannot see."""
    with Standalone("hubspot", "--records", "1500") as server:
        server.control("POST", "/_test/ratelimit?max=20&interval_ms=2000")
        cfg = tmp_path / "chaser.toml"
        cfg.write_text(f'[source]\nkind = "hubspot"\n[source.hubspot]\nbase_url = "{server.url}"'
                       f'\n{RULES_TOML}', encoding="utf-8")
        env = {**os.environ, "CHASER_HOME": str(chaser_home), "PYTHONPATH": str(ROOT),
               "CHASER_HUBSPOT_TOKEN": server.token,
               "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}  # not the real one
        mark = server.control("POST", "/_test/mark")["mark"]
        started = time.monotonic()
        for how in (["--full"], ["--full"], []):
            run = subprocess.run([sys.executable, "-m", "chaser", "sync", *how, "--config",
                                  str(cfg)], capture_output=True, text=True, env=env,
                                 timeout=60, cwd=tmp_path)
            assert run.returncode == 0, run.stderr
            assert "(0 retried)" in run.stdout
        stats = server.control("GET", f"/_test/stats?since={mark}&window=2")
    # account, 2 owner pages and 15 list pages twice; then the incremental sync's 9
    assert stats["requests"] == 2 * 18 + 9 and stats["by_kind"]["search"] == 3
    assert stats["by_status"] == {"200": 2 * 18 + 9}
    assert stats["most_in_any_2s"] <= 20
    assert time.monotonic() - started < 30


def test_a_search_refused_for_its_second_is_retried_a_second_later(fake):
    fake.limits.search_per_second = 1  # stricter than the client's four: the server says no
    api = api_for(fake.url)
    assert [api.count("contacts") for _ in range(3)] == [20] * 3
    calls = fake.hits("/contacts/search")
    assert 429 in [h.status for h in calls]
    after = [b.at - a.at for a, b in itertools.pairwise(calls) if a.status == 429]
    assert min(after) >= 1.0  # policyName SECONDLY: its window is a second, so is the wait
    assert api.search_limiter.waited > 0  # the first search sat out a second maybe spent
