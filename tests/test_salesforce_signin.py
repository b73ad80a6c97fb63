"""Salesforce sign-in as real orgs answer it: refresh-token rotation (the new refresh token is
stored at once, the old one is dead), and the token answer's instance_url (used for API calls,
a difference from the config reported, anything but https / loopback refused)."""

from __future__ import annotations

from types import SimpleNamespace

import keyring
import keyring.errors
import pytest
from conftest import MemoryKeyring
from servers.guard import loopback_only  # noqa: F401 - autouse: tests stay on loopback
from sf_server import CLIENT_ID, CLIENT_SECRET, REFRESH, RULES, Fault, SfServer, make_org, scaled
from sf_server import sf_config as _sf_config

from chaser import secrets
from chaser.cli import main
from chaser.connectors import http as http_seam
from chaser.connectors.salesforce import SalesforceSettings
from chaser.connectors.salesforce_api import SalesforceApi

KEY = ("chaser", "salesforce:refresh_token")


@pytest.fixture
def fast(monkeypatch):
    monkeypatch.setattr(http_seam, "TEST_OPTIONS", scaled(100))


def oauth_config(path, url, login_url=None, **extra):
    return _sf_config(path, url, RULES, auth="refresh_token", client_id=CLIENT_ID,
                      login_url=login_url or url, page_size=200, **extra)


@pytest.fixture
def rotating(tmp_path, fast):
    org = make_org(60)
    org.rotate_refresh = True
    org.tokens.clear()  # only OAuth-issued access tokens work
    with SfServer(org) as server:
        secrets.put("salesforce", "refresh_token", REFRESH)
        secrets.put("salesforce", "client_secret", CLIENT_SECRET)
        yield SimpleNamespace(org=org, url=server.url,
                              cfg=oauth_config(tmp_path / "chaser.toml", server.url))


def files_hold(root, values) -> list[str]:
    found = []
    for p in [p for p in root.rglob("*") if p.is_file()]:
        data = p.read_bytes()
        found += [f"{p.name}: {v[:8]}..." for v in values if v.encode() in data]
    return found


def test_two_refresh_token_syncs_in_a_row_under_rotation(rotating, memory_keyring, capsys,
                                                          monkeypatch, chaser_home):
    org = rotating.org
    assert main(["sync", "--config", str(rotating.cfg)]) == 0
    first = memory_keyring.secrets[KEY]
    assert first == org.issued[-1] != REFRESH  # stored at once ...
    assert REFRESH not in org.refresh_tokens  # ... because the old one is dead
    monkeypatch.setenv("CHASER_NOW", "2026-11-20T10:00:00+00:00")
    assert main(["sync", "--config", str(rotating.cfg)]) == 0
    assert len(org.issued) == 2 and memory_keyring.secrets[KEY] == org.issued[-1]
    assert org.refresh_tokens == {org.issued[-1]}
    shown = capsys.readouterr()
    for value in (REFRESH, CLIENT_SECRET, *org.issued, *org.tokens):
        assert value not in shown.out and value not in shown.err
    assert files_hold(chaser_home, [*org.issued, *org.tokens]) == []
    assert "instance" not in shown.out  # same instance as configured: nothing to report


def test_a_refresh_inside_one_sync_uses_the_token_just_issued(rotating, memory_keyring):
    org = rotating.org
    org.faults.append(Fault("query", 401, times=1, object="Opportunity"))
    assert main(["sync", "--config", str(rotating.cfg)]) == 0
    assert org.count("token") == 2 and len(org.issued) == 2  # sign-in, then after the 401
    assert memory_keyring.secrets[KEY] == org.issued[-1]


def test_a_dead_refresh_token_is_refused_as_salesforce_does(rotating, capsys):
    assert main(["sync", "--config", str(rotating.cfg)]) == 0
    secrets.put("salesforce", "refresh_token", REFRESH)  # what a client that did not store has
    assert main(["sync", "--config", str(rotating.cfg)]) == 2
    err = capsys.readouterr().err
    assert "invalid_grant: expired access/refresh token" in err
    assert "chaser connect salesforce" in err and REFRESH not in err


class NoWrites(MemoryKeyring):
    """A keyring that reads but refuses to store (a locked or read-only backend)."""

    def set_password(self, service, username, password):
        raise keyring.errors.PasswordSetError("locked")


def test_a_rotated_token_the_keyring_cannot_store_is_reported(rotating, capsys):
    backend = NoWrites()
    backend.secrets = {("chaser", "salesforce:refresh_token"): REFRESH,
                       ("chaser", "salesforce:client_secret"): CLIENT_SECRET}
    keyring.set_keyring(backend)
    assert main(["sync", "--config", str(rotating.cfg)]) == 0  # the access token still works
    out = capsys.readouterr().out
    assert "could not store it" in out and "run `chaser connect salesforce`" in out
    assert rotating.org.issued[-1] not in out


def test_the_instance_url_of_the_token_answer_is_used_and_reported(tmp_path, fast, capsys):
    org = make_org(30)
    org.tokens.clear()
    with SfServer(org) as login, SfServer(org) as moved:
        org.instance_url = moved.url
        secrets.put("salesforce", "refresh_token", REFRESH)
        secrets.put("salesforce", "client_secret", CLIENT_SECRET)
        cfg = oauth_config(tmp_path / "c.toml", login.url)
        assert main(["sync", "--config", str(cfg)]) == 0
    out = capsys.readouterr().out
    api_calls = [e for e in org.log if e["kind"] != "token"]
    assert api_calls and {e["host"] for e in api_calls} == {moved.url.removeprefix("http://")}
    assert (f"Salesforce sign-in says this org's API is at {moved.url}, not at the configured "
            f"{login.url}; this sync used {moved.url}: set instance_url = \"{moved.url}\" in "
            "chaser.toml") in out


@pytest.mark.parametrize("named", ["http://salesforce.example.com", "ftp://127.0.0.1:1",
                                   "https://user:pw@acme.my.salesforce.com",
                                   "https://acme.my.salesforce.com/services?x=1"])
def test_an_instance_url_chaser_may_not_use_is_ignored(tmp_path, fast, named):
    org = make_org(5)
    org.tokens.clear()
    with SfServer(org) as server:
        org.instance_url = named
        secrets.put("salesforce", "refresh_token", REFRESH)
        settings = SalesforceSettings(instance_url=server.url, login_url=server.url,
                                      auth="refresh_token", client_id=CLIENT_ID)
        api = SalesforceApi(settings, http_options=scaled(100))
        try:
            api.authenticate()
            assert api.userinfo()["name"] == "Jane Admin"  # still the configured instance
        finally:
            api.close()
    assert api.instance_url == server.url
    assert api.notices == [f"Salesforce sign-in named an instance_url chaser will not use (only "
                           f"a bare https://host, or plain http to this machine); API calls "
                           f"stay on {server.url}"]
    assert "pw" not in api.notices[0]


def test_requests_are_counted_across_the_move(tmp_path, fast):
    org = make_org(5)
    org.tokens.clear()
    with SfServer(org) as login, SfServer(org) as moved:
        org.instance_url = moved.url
        secrets.put("salesforce", "refresh_token", REFRESH)
        settings = SalesforceSettings(instance_url=login.url, login_url=login.url,
                                      auth="refresh_token", client_id=CLIENT_ID)
        api = SalesforceApi(settings, http_options=scaled(100))
        try:
            api.authenticate()
            api.userinfo()
            org.tokens.clear()  # the session ends: the next call refreshes once
            api.limits()
        finally:
            api.close()
    assert api.instance_url == moved.url and api.refreshes == 1
    assert api.requests == len(org.log) == 5  # token, userinfo, 401, token, limits
