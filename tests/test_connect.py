"""`chaser connect`: settings to the config, secrets to the keyring, a connection test, and no
secret anywhere else. Driven without a TTY: input() and getpass() are monkeypatched."""

from __future__ import annotations

import os
import stat
import tomllib

import keyring
import keyring.backends.fail
import pytest
from servers.guard import loopback_only  # noqa: F401 - autouse: tests stay on loopback
from sf_server import CLIENT_ID, CLIENT_SECRET, REFRESH, TOKEN, SfServer, make_org, scaled

from chaser import config, secrets
from chaser.cli import main
from chaser.connectors import http as http_seam


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setattr(http_seam, "TEST_OPTIONS", scaled(100))
    with SfServer(make_org(20)) as srv:
        yield srv


class Console:
    """Scripted answers for input() and getpass(); records every prompt shown."""

    def __init__(self, monkeypatch, answers, hidden=()):
        self.answers, self.hidden, self.prompts = list(answers), list(hidden), []
        monkeypatch.setattr("builtins.input", self._input)
        monkeypatch.setattr("getpass.getpass", self._getpass)

    def _input(self, prompt=""):
        self.prompts.append(prompt)
        if not self.answers:
            raise EOFError
        return self.answers.pop(0)

    def _getpass(self, prompt=""):
        self.prompts.append(prompt)
        if not self.hidden:
            raise EOFError
        return self.hidden.pop(0)


def sf_answers(url, auth="token", extra=()):
    # instance_url, auth, [client_id, login_url], api_version, objects, team_field,
    # rules_from_describe, bulk_threshold
    return [url, auth, *extra, "", "Opportunity, Lead", "", "no", "20,000"]


def test_connect_salesforce_token(server, tmp_path, monkeypatch, memory_keyring, capsys):
    cfg = tmp_path / "conf" / "chaser.toml"
    console = Console(monkeypatch, sf_answers(server.url), [TOKEN])
    assert main(["connect", "salesforce", "--config", str(cfg)]) == 0
    assert console.answers == [] and console.hidden == []
    assert memory_keyring.secrets[("chaser", "salesforce:token")] == TOKEN
    raw = tomllib.loads(cfg.read_text())
    assert raw["source"] == {"kind": "salesforce", "salesforce": {
        "instance_url": server.url, "auth": "token", "api_version": "62.0",
        "objects": ["Opportunity", "Lead"], "team_field": "UserRole.Name",
        "rules_from_describe": False, "bulk_threshold": 20000}}
    assert stat.S_IMODE(os.stat(cfg).st_mode) == 0o600
    assert TOKEN not in cfg.read_text()
    out = capsys.readouterr()
    assert f"connected to {server.url} as Jane Admin" in out.out
    assert TOKEN not in out.out + out.err
    assert not any("consumer key" in p for p in console.prompts)  # token mode skips OAuth keys
    # and the result syncs
    assert main(["sync", "--config", str(cfg)]) == 0
    assert config.load(cfg).connector.objects == ("Opportunity", "Lead")


def test_connect_keeps_other_sections(server, tmp_path, monkeypatch):
    cfg = tmp_path / "chaser.toml"
    old = ('# my settings\nadmin = "ops"\n\n[source]\nkind = "csv"\n\n[[source.csv.objects]]\n'
           'object = "Deal"\npath = "d.csv"\nid = "ID"\nowner = "Owner"\n\n[costs]\n'
           'admin_hourly_rate = 75\n\n[[rules]]\nobject = "Opportunity"\nrequire = ["NextStep"]\n')
    cfg.write_text(old)
    Console(monkeypatch, sf_answers(server.url), [TOKEN])
    assert main(["connect", "salesforce", "--config", str(cfg)]) == 0
    raw = tomllib.loads(cfg.read_text())
    assert raw["admin"] == "ops" and raw["costs"] == {"admin_hourly_rate": 75}
    assert raw["rules"] == [{"object": "Opportunity", "require": ["NextStep"]}]
    assert raw["source"]["kind"] == "salesforce" and raw["source"]["csv"]["objects"][0]["id"] == "ID"
    assert (tmp_path / "chaser.toml.bak").read_text() == old  # comments survive in the backup
    settings = config.load(cfg)
    assert settings.kind == "salesforce" and settings.admin == "ops"


def test_reconnect_keeps_answers_and_stored_secret(server, tmp_path, monkeypatch, memory_keyring):
    cfg = tmp_path / "chaser.toml"
    Console(monkeypatch, sf_answers(server.url), [TOKEN])
    assert main(["connect", "salesforce", "--config", str(cfg)]) == 0
    first = cfg.read_text()
    console = Console(monkeypatch, [""] * 7, [""])  # Enter everywhere
    assert main(["connect", "salesforce", "--config", str(cfg)]) == 0
    assert cfg.read_text() == first
    assert any("Enter keeps the stored one" in p for p in console.prompts)
    assert memory_keyring.secrets[("chaser", "salesforce:token")] == TOKEN


def test_bad_answers_are_asked_again(server, tmp_path, monkeypatch, capsys):
    cfg = tmp_path / "chaser.toml"
    answers = [server.url, "", "", "", "", "maybe", "yes", "lots", "100"]
    Console(monkeypatch, answers, ["", TOKEN])
    assert main(["connect", "salesforce", "--config", str(cfg)]) == 0
    out = capsys.readouterr().out
    assert "answer yes or no" in out and "whole number" in out and "required" in out
    assert config.load(cfg).connector.bulk_threshold == 100


def test_failed_connection_test_writes_nothing(server, tmp_path, monkeypatch, capsys):
    cfg = tmp_path / "chaser.toml"
    Console(monkeypatch, sf_answers(server.url), ["00Dwrong!token-value"])
    assert main(["connect", "salesforce", "--config", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert "connection test failed, config not changed" in err and "INVALID_SESSION_ID" in err
    assert "00Dwrong" not in err
    assert not cfg.exists()


def test_invalid_settings_are_refused(tmp_path, monkeypatch, capsys):
    cfg = tmp_path / "chaser.toml"
    Console(monkeypatch, sf_answers("http://acme.my.salesforce.com"), [TOKEN])
    assert main(["connect", "salesforce", "--config", str(cfg)]) == 2
    assert "must use https://" in capsys.readouterr().err
    assert not cfg.exists()


def test_connect_refresh_token_mode(server, tmp_path, monkeypatch, memory_keyring):
    server.org.tokens.clear()
    cfg = tmp_path / "chaser.toml"
    Console(monkeypatch, sf_answers(server.url, "refresh_token", [CLIENT_ID, server.url]),
            [REFRESH, CLIENT_SECRET])
    assert main(["connect", "salesforce", "--config", str(cfg)]) == 0
    stored = memory_keyring.secrets
    assert stored[("chaser", "salesforce:refresh_token")] == REFRESH
    assert stored[("chaser", "salesforce:client_secret")] == CLIENT_SECRET
    text = cfg.read_text()
    assert CLIENT_ID in text and REFRESH not in text and CLIENT_SECRET not in text
    assert server.org.count("token") == 1


def test_no_keyring_explains_the_environment_variable(server, tmp_path, monkeypatch, capsys):
    keyring.set_keyring(keyring.backends.fail.Keyring())
    cfg = tmp_path / "chaser.toml"
    console = Console(monkeypatch, sf_answers(server.url))
    assert main(["connect", "salesforce", "--config", str(cfg)]) == 0
    out = capsys.readouterr().out
    assert "no OS keyring" in out and "CHASER_SALESFORCE_TOKEN" in out
    assert "Connection not tested" in out
    assert "Next: set CHASER_SALESFORCE_TOKEN, then `chaser sync`." in out
    assert "export CHASER_SALESFORCE_TOKEN='...'" in out  # single quotes: tokens hold a "!"
    assert not any("token" in p.lower() and "Access" in p for p in console.prompts)
    assert config.load(cfg).kind == "salesforce"
    # with the variable set, the connection is tested and the sync reads it
    monkeypatch.setenv("CHASER_SALESFORCE_TOKEN", TOKEN)
    Console(monkeypatch, [""] * 7)
    assert main(["connect", "salesforce", "--config", str(cfg)]) == 0
    assert "connected to" in capsys.readouterr().out
    assert secrets.get("salesforce") == (TOKEN, "environment")


def test_no_keyring_and_an_oauth_mode_is_refused(tmp_path, monkeypatch, capsys):
    keyring.set_keyring(keyring.backends.fail.Keyring())
    cfg = tmp_path / "chaser.toml"
    Console(monkeypatch, sf_answers("https://acme.my.salesforce.com", "client_credentials",
                                    [CLIENT_ID, "https://acme.my.salesforce.com"]))
    assert main(["connect", "salesforce", "--config", str(cfg)]) == 2
    assert "needs the client_secret kept in a keyring" in capsys.readouterr().err
    assert not cfg.exists()


def test_connect_hubspot_without_test(tmp_path, monkeypatch, memory_keyring):
    pytest.importorskip("chaser.connectors.hubspot", reason="HubSpot connector not built yet")
    cfg = tmp_path / "chaser.toml"
    Console(monkeypatch, [""] * 10, ["pat-na1-secret-token"])
    assert main(["connect", "hubspot", "--no-test", "--config", str(cfg)]) == 0
    assert memory_keyring.secrets[("chaser", "hubspot:token")] == "pat-na1-secret-token"
    assert "pat-na1" not in cfg.read_text()
    assert config.load(cfg).kind == "hubspot"


def test_connect_refuses_demo(capsys):
    assert main(["connect", "salesforce", "--demo"]) == 2
    assert "--demo" in capsys.readouterr().err


def test_default_config_location(server, monkeypatch, chaser_home):
    Console(monkeypatch, sf_answers(server.url), [TOKEN])
    assert main(["connect", "salesforce"]) == 0
    assert (chaser_home / "chaser.toml").exists()
