"""Salesforce connector pieces: settings, describe -> plan, row flattening, sign-in, limits.
Whole syncs are in test_salesforce_sync.py."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import httpx
import keyring
import keyring.backends.fail
import pytest
from servers.guard import loopback_only  # noqa: F401 - autouse: tests stay on loopback
from sf_server import RULES, TOKEN, SfServer, make_org, scaled, sf_config

from chaser import __version__, config, secrets
from chaser.cli import main
from chaser.connectors import http as http_seam
from chaser.connectors.base import ConnectorError
from chaser.connectors.http import Http
from chaser.connectors.salesforce import SalesforceSettings, make_plan, whoami
from chaser.connectors.salesforce_api import Flattener, SalesforceApi, csv_rows, text
from chaser.errors import ChaserError
from chaser.rules import Rule
from chaser.workspace import Workspace

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "salesforce"


def real_describe(obj: str) -> dict:
    path = FIXTURES / f"describe_{obj}.json"
    if not path.exists():
        pytest.skip(f"real Salesforce describe fixtures not found at {FIXTURES}")
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def fast(monkeypatch):
    monkeypatch.setattr(http_seam, "TEST_OPTIONS", scaled(100))


@pytest.fixture
def server(fast):
    org = make_org(30)
    with SfServer(org) as srv:
        secrets.put("salesforce", "token", TOKEN)
        yield srv


def parse(text: str, tmp_path: Path) -> config.Settings:
    path = tmp_path / "chaser.toml"
    path.write_text('[source]\nkind = "salesforce"\n\n[source.salesforce]\n' + text)
    return config.load(path)


# ---- settings ------------------------------------------------------------------------------

def test_settings_defaults(tmp_path):
    s = parse('instance_url = "https://acme.my.salesforce.com/"\n', tmp_path).connector
    assert s == SalesforceSettings(instance_url="https://acme.my.salesforce.com")
    assert s.objects == ("Opportunity", "Account", "Contact", "Lead")
    assert (s.auth, s.bulk_threshold, s.page_size, s.api_version) == ("token", 50_000, 2000, "62.0")


@pytest.mark.parametrize("text,message", [
    ('', "key 'source.salesforce.instance_url': is required"),
    ('instance_url = "http://acme.my.salesforce.com"', "must use https://"),
    ('instance_url = "https://x.example"\nlogin_url = "ftp://x"', "not an http(s) URL"),
    ('instance_url = "https://x.example"\nauth = "password"', "must be one of token"),
    ('instance_url = "https://x.example"\nauth = "refresh_token"', "client_id': is required"),
    ('instance_url = "https://x.example"\napi_version = "v62"', 'must look like "62.0"'),
    ('instance_url = "https://x.example"\nobjects = ["Opportunity", "Opp ty"]', "objects[1]"),
    ('instance_url = "https://x.example"\nobjects = ["Lead", "Lead"]', "each once"),
    ('instance_url = "https://x.example"\npage_size = 5000', "from 200 to 2000"),
    ('instance_url = "https://x.example"\nteam_field = "User Role"', "not a User field"),
    ('instance_url = "https://x.example"\ncolour = "red"', "unknown key"),
])
def test_settings_errors_name_file_line_and_key(tmp_path, text, message):
    with pytest.raises(ChaserError) as e:
        parse(text + "\n", tmp_path)
    assert message in str(e.value) and "chaser.toml" in str(e.value)


def test_a_secret_in_the_config_is_refused_without_echoing_it(tmp_path):
    with pytest.raises(ChaserError) as e:
        parse('instance_url = "https://x.example"\ntoken = "00Dsecret!value"\n', tmp_path)
    assert "chaser.toml:6" in str(e.value) and "keyring" in str(e.value)
    assert "00Dsecret" not in str(e.value)


def test_credentials_in_a_url_are_refused_without_echo(tmp_path):
    with pytest.raises(ChaserError) as e:
        parse('instance_url = "http://admin:hunter2@acme.example"\n', tmp_path)
    assert "must not contain credentials" in str(e.value) and "hunter2" not in str(e.value)


def test_plain_http_only_for_loopback(tmp_path):
    s = parse('instance_url = "http://127.0.0.1:8080"\n', tmp_path).connector
    assert s.instance_url == "http://127.0.0.1:8080"


# ---- describe -> plan ----------------------------------------------------------------------

SF = SalesforceSettings(instance_url="https://acme.my.salesforce.com")


def test_plan_from_real_describe():
    opp = make_plan("Opportunity", real_describe("Opportunity"), RULES_PARSED, SF)
    assert opp.required == ("Name", "StageName", "CloseDate")
    assert opp.layout.columns[:4] == ("Id", "OwnerId", "Name", "SystemModstamp")
    assert {"Amount", "NextStep", "Account.Name", "StageName", "CloseDate"} <= set(
        opp.layout.columns)
    assert opp.layout.url_template == "https://acme.my.salesforce.com/{id}"
    lead = make_plan("Lead", real_describe("Lead"), (), SF)
    assert lead.required == ("LastName", "Company")
    assert lead.layout.columns[lead.layout.name] == "Name"
    assert make_plan("Contact", real_describe("Contact"), (), SF).required == ("LastName",)
    assert make_plan("Account", real_describe("Account"), (), SF).required == ("Name",)


def test_plan_rejects_unknown_and_misspelt_fields():
    rules = (Rule("Opportunity", ("NextStep", "Nxt__c", "Acount.Name", "account.name")),)
    with pytest.raises(ConnectorError, match=r"Nxt__c, Acount\.Name not found on Opportunity"):
        make_plan("Opportunity", real_describe("Opportunity"), rules, SF)


def test_plan_without_owner_is_refused():
    describe = {"fields": [{"name": "Id"}, {"name": "SystemModstamp"}, {"name": "Name",
                                                                       "nameField": True}]}
    with pytest.raises(ConnectorError, match="no OwnerId"):
        make_plan("OpportunityLineItem", describe, (), SF)


def test_describe_rules_can_be_switched_off():
    sf = SalesforceSettings(instance_url="https://x.example", rules_from_describe=False)
    plan = make_plan("Lead", real_describe("Lead"), (), sf)
    assert plan.layout.columns == ("Id", "OwnerId", "Name", "SystemModstamp")


RULES_PARSED = (Rule("Opportunity", ("Amount", "NextStep", "Account.Name")),)


def test_a_compound_field_is_refused_naming_its_parts():
    rules = (Rule("Account", ("Industry", "BillingAddress", "shippingaddress")),)
    with pytest.raises(ConnectorError) as e:
        make_plan("Account", real_describe("Account"), rules, SF)
    assert str(e.value) == (
        'Account: BillingAddress is a compound (address) field, which Bulk API queries cannot '
        'read; require its parts instead: require = ["BillingStreet", "BillingCity", '
        '"BillingState", "BillingPostalCode", "BillingCountry"]; ShippingAddress is a compound '
        '(address) field, which Bulk API queries cannot read; require its parts instead: '
        'require = ["ShippingStreet", "ShippingCity", "ShippingState", "ShippingPostalCode", '
        '"ShippingCountry"] (each part is then checked on its own)')
    with pytest.raises(ConnectorError, match=r'require = \["Street", "City", "State", '
                                             r'"PostalCode", "Country"\]'):
        make_plan("Lead", real_describe("Lead"), (Rule("Lead", ("Address",)),), SF)
    # the parts themselves are ordinary fields, and a person's Name is no address
    plan = make_plan("Account", real_describe("Account"),
                     (Rule("Account", ("BillingCity", "BillingCountry")),), SF)
    assert {"BillingCity", "BillingCountry"} <= set(plan.layout.columns)
    make_plan("Contact", real_describe("Contact"), (Rule("Contact", ("Name",)),), SF)


def test_a_geolocation_is_refused_naming_latitude_and_longitude():
    org = make_org(1)
    with pytest.raises(ConnectorError, match=r'Location__c is a compound \(location\) field.*'
                                             r'require = \["Location__Latitude__s", '
                                             r'"Location__Longitude__s"\]'):
        make_plan("Account", org.describes["Account"], (Rule("Account", ("Location__c",)),), SF)


@pytest.mark.parametrize("threshold", [10, 50_000])  # Bulk and REST alike
def test_a_compound_rule_fails_before_any_record_is_read(server, tmp_path, capsys, threshold):
    rules = RULES + '\n[[rules]]\nobject = "Account"\nrequire = ["BillingAddress"]\n'
    cfg = sf_config(tmp_path / "c.toml", server.url, rules, bulk_threshold=threshold)
    assert main(["sync", "--config", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert "BillingAddress is a compound (address) field" in err and "BillingCity" in err
    assert server.org.count(("query", "bulk-create"), "Account", ok_only=False) == 0


# ---- rows ----------------------------------------------------------------------------------

def test_flattening_nested_relationships_with_null():
    flat = Flattener(["Id", "Account.Name", "Account.Owner.Name", "amount", "IsWon", "Addr"])
    rec = {"attributes": {"type": "Opportunity"}, "Id": "006A",
           "Account": {"attributes": {}, "Name": "Acme", "Owner": None}, "Amount": 1200.0,
           "IsWon": False, "Addr": {"street": None, "city": "Oslo"}}
    assert flat(rec) == ["006A", "Acme", None, "1200", "false", "Oslo"]
    assert flat({"Id": "006B", "Account": None}) == ["006B", None, None, None, None, None]
    assert text(12.5) == "12.5" and text({"street": None}) is None


def test_bulk_csv_rows():
    body = "Id,Account.Name,NextStep\n006A,Acme,\n006B,,Call\n"
    assert csv_rows(body, ["Id", "NextStep", "account.name"], "x") == [
        ["006A", None, "Acme"], ["006B", "Call", None]]
    assert csv_rows("", ["Id"], "x") == []
    with pytest.raises(ConnectorError, match="x: column 'Amount' missing"):
        csv_rows(body, ["Amount"], "x")


# ---- sign-in, limits, policy ---------------------------------------------------------------

def test_whoami(server):
    line = whoami(SalesforceSettings(instance_url=server.url))
    assert line.startswith(f"connected to {server.url} as Jane Admin (jane.admin@example.com)")
    assert "API usage: 1,002 / 15,000 (7%)" in line
    assert all(e["ua"] == f"chaser/{__version__}" for e in server.org.log)


def test_whoami_without_a_token_says_what_to_do(server):
    secrets.delete("salesforce", "token")
    with pytest.raises(ChaserError, match="chaser connect salesforce.*CHASER_SALESFORCE_TOKEN"):
        whoami(SalesforceSettings(instance_url=server.url))
    assert server.org.log == []


def test_token_from_the_environment_without_keyring(server, tmp_path, monkeypatch, capsys):
    keyring.set_keyring(keyring.backends.fail.Keyring())
    monkeypatch.setenv("CHASER_SALESFORCE_TOKEN", TOKEN)
    cfg = sf_config(tmp_path / "c.toml", server.url, RULES)
    assert main(["sync", "--config", str(cfg)]) == 0
    out = capsys.readouterr().out
    assert "token read from CHASER_SALESFORCE_TOKEN" in out and TOKEN not in out


def test_usage_warning_above_80_percent(server, tmp_path, capsys):
    server.org.used = 12_400
    cfg = sf_config(tmp_path / "c.toml", server.url, RULES)
    assert main(["sync", "--config", str(cfg)]) == 0
    out = capsys.readouterr().out
    assert "API usage: 12,4" in out and "/ 15,000 (83%)" in out
    assert "warning: over 80% of the daily API allowance" in out


def test_usage_below_80_percent_has_no_warning(server, tmp_path, capsys):
    cfg = sf_config(tmp_path / "c.toml", server.url, RULES)
    assert main(["sync", "--config", str(cfg)]) == 0
    assert "warning" not in capsys.readouterr().out


def test_an_absolute_next_records_url_is_not_followed():
    # Narrow case, so a MockTransport: a cursor pointing off the instance would carry the token.
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.host)
        return httpx.Response(200, json={"totalSize": 4000, "done": False, "records": [],
                                         "nextRecordsUrl": "https://evil.example/services/data/"
                                                           "v62.0/query/01g-2000"})

    secrets.put("salesforce", "token", TOKEN)
    api = SalesforceApi(SalesforceSettings(instance_url="https://acme.my.salesforce.com"),
                        transport=httpx.MockTransport(handler))
    api.authenticate()
    with pytest.raises(ConnectorError, match="Lead page 2: .*outside the instance"):
        list(api.rows("SELECT Id FROM Lead", "Lead", ["Id"]))
    assert seen == ["acme.my.salesforce.com"]


def test_old_bookmark_reads_everything_again(server, tmp_path, monkeypatch, capsys):
    cfg = sf_config(tmp_path / "c.toml", server.url, RULES)
    assert main(["sync", "--config", str(cfg)]) == 0
    monkeypatch.setenv("CHASER_NOW", "2026-12-20T09:00:00+00:00")  # a month later
    server.org.log.clear()
    assert main(["sync", "--config", str(cfg)]) == 0
    assert all("WHERE SystemModstamp" not in e["query"]["q"] for e in server.org.log
               if e["kind"] == "query")
    assert "full read (the last sync is over 14 days old)" in capsys.readouterr().out


def test_changed_rules_force_a_full_read(server, tmp_path):
    cfg = sf_config(tmp_path / "c.toml", server.url, RULES)
    assert main(["sync", "--config", str(cfg)]) == 0
    cfg.write_text(cfg.read_text() + '\n[[rules]]\nobject = "Account"\nrequire = ["Website"]\n')
    server.org.log.clear()
    assert main(["sync", "--config", str(cfg)]) == 0
    acct = [e for e in server.org.log if e["kind"] == "query" and e["object"] == "Account"]
    assert "WHERE" not in acct[0]["query"]["q"] and "Website" in acct[0]["query"]["q"]
    opp = [e for e in server.org.log if e["kind"] == "query" and e["object"] == "Opportunity"]
    assert "WHERE SystemModstamp" in opp[0]["query"]["q"]


def test_sync_with_real_describes_merges_required_fields(tmp_path, fast):
    org = make_org(60)
    for obj in ("Opportunity", "Account", "Contact", "Lead"):
        org.describes[obj] = real_describe(obj)
    with SfServer(org) as srv:
        secrets.put("salesforce", "token", TOKEN)
        cfg = sf_config(tmp_path / "c.toml", srv.url, RULES)
        assert main(["sync", "--config", str(cfg)]) == 0
    snap = Workspace.open(str(cfg)).store.latest_snapshot()
    by_field = {}
    for t in [*snap.tallies.values(), *snap.buckets.values()]:
        for f, n in t.by_field.items():
            by_field[f] = by_field.get(f, 0) + n
    # Company and CloseDate come from describe only; TBD placeholders count as missing
    assert by_field.get("Company", 0) > 0 and by_field.get("CloseDate", 0) > 0
    assert {"Amount", "NextStep", "Email"} <= set(by_field)


# ---- the shared HTTP policy ----------------------------------------------------------------

def test_backoff_outlasts_a_short_outage_and_stays_bounded():
    http = Http("https://acme.my.salesforce.com", seed=1)
    for _ in range(50):
        waits = [http.backoff(a, None) for a in range(http.max_retries)]
        ceilings = [min(30.0, 0.5 * 2 ** a) for a in range(http.max_retries)]
        assert all(c / 2 <= w <= c for w, c in zip(waits, ceilings, strict=True))
        assert 45 <= sum(waits) <= 92  # sits out ~45 s of 429/503 whatever the dice say
    assert http.backoff(0, 7.0) == 7.0  # a Retry-After hint is a floor
    http.close()


def test_an_unreachable_url_fails_fast_and_says_so():
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    slept = []
    http = Http(f"http://127.0.0.1:{port}", sleep=slept.append)
    with pytest.raises(ConnectorError) as e:
        http.request("GET", "/x", what="User page 1")
    assert str(e.value) == (f"User page 1: cannot connect to 127.0.0.1:{port} (connection "
                            "refused); check the URL in the config and the network")
    assert http.requests == 2 and sum(slept) < 1  # one quick retry, not a minute of backoff


def test_a_host_that_answered_once_is_retried_through_an_outage():
    answers = iter(["ok", "down", "down", "down", "ok"])

    def handler(request: httpx.Request) -> httpx.Response:
        if next(answers) == "down":
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200, json={})

    http = Http("https://acme.my.salesforce.com", transport=httpx.MockTransport(handler),
                sleep=lambda s: None)
    assert http.request("GET", "/a", what="a").status_code == 200
    assert http.request("GET", "/b", what="b").status_code == 200
    assert (http.requests, http.retries) == (5, 3)


def test_no_test_can_reach_the_internet():
    from servers.guard import InternetAccess

    with Http("https://acme.my.salesforce.com") as http, pytest.raises(InternetAccess):
        http.request("GET", "/services/data", what="x")
