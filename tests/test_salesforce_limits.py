"""403 REQUEST_LIMIT_EXCEEDED told apart ("API Request Limits and Allocations"): the concurrent
long-running request limit is backed off and retried; only the spent day stops a sync, and
its message says so."""

from __future__ import annotations

from types import SimpleNamespace

import httpx
import pytest
from servers.guard import loopback_only  # noqa: F401 - autouse: tests stay on loopback
from sf_server import (
    CONCURRENT_LIMIT,
    RULES,
    TOKEN,
    Fault,
    SfServer,
    concurrent_limit,
    make_org,
    scaled,
    sf_config,
)

from chaser import secrets
from chaser.cli import main
from chaser.connectors import http as http_seam
from chaser.connectors.base import ConnectorError, LimitError
from chaser.connectors.salesforce import SalesforceSettings
from chaser.connectors.salesforce_api import SalesforceApi


@pytest.fixture
def sf(tmp_path, monkeypatch):
    monkeypatch.setattr(http_seam, "TEST_OPTIONS", scaled(100))
    org = make_org({"Opportunity": 450, "Account": 60, "Contact": 40, "Lead": 30})
    with SfServer(org) as server:
        secrets.put("salesforce", "token", TOKEN)
        yield SimpleNamespace(org=org, url=server.url, cfg=sf_config(
            tmp_path / "chaser.toml", server.url, RULES, page_size=200))


def limited(org) -> list[dict]:
    return [e for e in org.log if e["status"] == 403]


def test_the_concurrent_request_limit_is_ridden_out(sf, capsys):
    sf.org.faults += [concurrent_limit("query", 2, "Opportunity"),
                      concurrent_limit("query-more", 1, "Opportunity"),
                      concurrent_limit("describe", 1, "Lead")]
    assert main(["sync", "--config", str(sf.cfg)]) == 0
    out = capsys.readouterr().out
    assert "4 retried" in out and "daily" not in out
    assert all(f.seen == f.times for f in sf.org.faults)
    assert len(limited(sf.org)) == 4


def test_a_concurrent_limit_that_never_clears_gives_up_naming_it(sf, capsys):
    sf.org.faults.append(concurrent_limit("query", 99, "Account"))
    assert main(["sync", "--config", str(sf.cfg)]) == 2
    err = capsys.readouterr().err
    assert ("Account page 1: gave up after 9 attempts (HTTP 403 REQUEST_LIMIT_EXCEEDED: too many "
            "concurrent long-running requests in the org)") in err
    assert "daily" not in err


def test_the_spent_day_stops_at_once_and_says_so(sf, capsys):
    sf.org.faults.append(Fault("query", 403, times=9, object="Account"))  # TotalRequests
    assert main(["sync", "--config", str(sf.cfg)]) == 2
    err = capsys.readouterr().err
    assert "Account page 1: Salesforce REQUEST_LIMIT_EXCEEDED (1,0" in err
    assert "the org's daily API allowance is spent; chaser stopped without retrying" in err
    assert len(limited(sf.org)) == 1


def test_usage_at_the_allowance_stops_whatever_the_message(sf, capsys):
    sf.org.spend_allowance()  # every call now answers 403 TotalRequests
    assert main(["sync", "--config", str(sf.cfg)]) == 2
    err = capsys.readouterr().err
    assert "(15,000 of 15,000 calls used): the org's daily API allowance is spent" in err
    assert len(sf.org.log) == 1 and sf.org.used == 15_000  # refused calls are not counted


def test_a_limit_message_chaser_does_not_know_is_retried_while_usage_is_low(sf, capsys):
    sf.org.faults.append(Fault("query", 403, times=2, object="Lead", code="REQUEST_LIMIT_EXCEEDED",
                               message="Limit exceeded."))
    assert main(["sync", "--config", str(sf.cfg)]) == 0
    assert "2 retried" in capsys.readouterr().out


def mock_api(*answers: httpx.Response) -> SalesforceApi:
    queue = list(answers)
    secrets.put("salesforce", "token", TOKEN)
    api = SalesforceApi(SalesforceSettings(instance_url="https://acme.my.salesforce.com"),
                        transport=httpx.MockTransport(lambda request: queue.pop(0)),
                        http_options={"sleep": lambda s: None})
    api.authenticate()
    return api


def limit_answer(message: str, usage: str | None) -> httpx.Response:
    headers = {"Sforce-Limit-Info": f"api-usage={usage}"} if usage else {}
    return httpx.Response(403, json=[{"errorCode": "REQUEST_LIMIT_EXCEEDED", "message": message}],
                          headers=headers)


@pytest.mark.parametrize("message,usage,stops", [
    (CONCURRENT_LIMIT, "1200/150000", False),
    ("ConcurrentPerOrgLongTxn Limit exceeded.", None, False),  # Apex's name for it
    ("TotalRequests Limit exceeded.", "1200/150000", True),  # Salesforce said so
    ("TotalRequests Limit exceeded.", None, True),
    (CONCURRENT_LIMIT, "150000/150000", True),  # the usage header settles it
    ("Limit exceeded.", "1200/150000", False),  # unknown words, usage far from the allowance
    ("Limit exceeded.", None, True),  # unknown words and nothing to go by: do not hammer
])
def test_which_limit_it_is(message, usage, stops):
    api = mock_api(limit_answer(message, usage), httpx.Response(200, json={"fields": []}))
    try:
        if stops:
            with pytest.raises(LimitError, match="daily API allowance is spent"):
                api.describe("Lead")
        else:
            assert api.describe("Lead") == {"fields": []}
            assert api.retries == 1
    finally:
        api.close()


def test_the_give_up_message_is_one_line_and_secret_free():
    api = mock_api(*[limit_answer(f"{CONCURRENT_LIMIT} session {TOKEN}", "5/100")] * 9)
    with pytest.raises(ConnectorError) as e:
        api.describe("Lead")
    api.close()
    assert "\n" not in str(e.value) and TOKEN not in str(e.value)
