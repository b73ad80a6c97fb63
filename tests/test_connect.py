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

from chaser import config, secrets, tomlplace
from chaser.cli import main
from chaser.connectors import http as http_seam
from chaser.errors import ChaserError


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
    assert stat.S_IMODE(os.stat(cfg).st_mode) == 0o600  # a new file, like every chaser file
    assert TOKEN not in cfg.read_text()
    assert cfg.read_text().startswith("# chaser settings.")
    assert sorted(p.name for p in cfg.parent.iterdir()) == ["chaser.toml"]
    out = capsys.readouterr()
    assert f"connected to {server.url} as Jane Admin" in out.out
    assert TOKEN not in out.out + out.err
    assert not any("consumer key" in p for p in console.prompts)  # token mode skips OAuth keys
    # and the result syncs
    assert main(["sync", "--config", str(cfg)]) == 0
    assert config.load(cfg).connector.objects == ("Opportunity", "Lead")


# An admin's config as people write them: comments, blank lines, aligned values, its own key
# order, other tables, and a [source.salesforce] holding keys connect does not ask about.
ADMIN_CONFIG = """\
# chaser config for Acme: ask Priya before changing the rules
admin = "ops@acme.example"

[costs]   # figures from finance, 2024
rep_hourly_rate    = 45
admin_hourly_rate  = 75


[[rules]]
object = "Opportunity"
require = [
    "NextStep",   # the one sales leadership asked for
    "Amount",
]

[source]
kind = "csv"   # salesforce from March

[source.salesforce]
team_field = "UserRole.Name"
timeout = 45          # the sandbox is slow
# the org itself
instance_url = "URL"
token = "00Dstale!secret"  # pasted here by mistake
objects = [ "Account" ]
rules_from_describe = true
bulk_threshold = 50_000

[[source.csv.objects]]
object = "Deal"
path = "deals.csv"
id = "ID"
owner = "Owner"
"""


def test_connect_edits_the_config_in_place(server, tmp_path, monkeypatch):
    cfg = tmp_path / "chaser.toml"
    old = ADMIN_CONFIG.replace("URL", server.url)
    cfg.write_text(old)
    os.chmod(cfg, 0o644)
    Console(monkeypatch, sf_answers(server.url), [TOKEN])
    assert main(["connect", "salesforce", "--config", str(cfg)]) == 0
    # Byte for byte as written, but for the answers that changed, the two keys added at the
    # end of the table and the secret taken out of the file.
    expected = (old.replace('kind = "csv"', 'kind = "salesforce"')
                .replace('token = "00Dstale!secret"  # pasted here by mistake\n', "")
                .replace('objects = [ "Account" ]', 'objects = ["Opportunity", "Lead"]')
                .replace("rules_from_describe = true", "rules_from_describe = false")
                .replace("bulk_threshold = 50_000\n",
                         'bulk_threshold = 20000\nauth = "token"\napi_version = "62.0"\n'))
    assert cfg.read_text() == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chaser.toml"]  # no .bak, no temp
    assert stat.S_IMODE(os.stat(cfg).st_mode) == 0o644
    # config.load (tomllib) reads the same Settings as from the values a rewrite would write
    planned = tomllib.loads(old)
    table = planned["source"]["salesforce"]
    del table["token"]
    table.update(objects=["Opportunity", "Lead"], rules_from_describe=False,
                 bulk_threshold=20000, auth="token", api_version="62.0")
    planned["source"]["kind"] = "salesforce"
    assert tomllib.loads(cfg.read_text()) == planned
    settings = config.load(cfg)
    assert settings == config.parse(planned, cfg, old)  # even the rules' line numbers
    assert settings.admin.name == "ops@acme.example" and settings.connector.timeout == 45


def test_corrupt_config_is_refused_and_left_alone(tmp_path, monkeypatch, capsys):
    cfg = tmp_path / "chaser.toml"
    old = b'# mine\n[source]\nkind = "csv"\n\n[costs]\nadmin_hourly_rate = = 75\n'
    cfg.write_bytes(old)
    os.chmod(cfg, 0o640)
    console = Console(monkeypatch, sf_answers("https://acme.my.salesforce.com"), [TOKEN])
    assert main(["connect", "salesforce", "--config", str(cfg)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"chaser: error: {cfg}:6: invalid TOML") and err.count("\n") == 1
    assert "the file was not changed" in err
    assert console.prompts == []  # refused before the first question
    assert cfg.read_bytes() == old and stat.S_IMODE(os.stat(cfg).st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chaser.toml"]


def test_an_edit_made_during_the_questions_is_kept(server, tmp_path, monkeypatch):
    cfg = tmp_path / "chaser.toml"
    cfg.write_text('[source]\nkind = "csv"\n\n[costs]\nadmin_hourly_rate = 75\n')
    console = Console(monkeypatch, sf_answers(server.url), [TOKEN])
    ask = console._input

    def admin_edits_meanwhile(prompt=""):
        if not console.prompts:
            cfg.write_text(cfg.read_text().replace("= 75", "= 80  # new rate"))
        return ask(prompt)

    monkeypatch.setattr("builtins.input", admin_edits_meanwhile)
    assert main(["connect", "salesforce", "--config", str(cfg)]) == 0
    text = cfg.read_text()
    assert "admin_hourly_rate = 80  # new rate\n" in text and 'kind = "salesforce"' in text


def test_reconnect_keeps_answers_and_stored_secret(server, tmp_path, monkeypatch, memory_keyring):
    cfg = tmp_path / "chaser.toml"
    Console(monkeypatch, sf_answers(server.url), [TOKEN])
    assert main(["connect", "salesforce", "--config", str(cfg)]) == 0
    first = cfg.read_text()
    inode = os.stat(cfg).st_ino
    console = Console(monkeypatch, [""] * 7, [""])  # Enter everywhere
    assert main(["connect", "salesforce", "--config", str(cfg)]) == 0
    assert cfg.read_text() == first
    assert os.stat(cfg).st_ino == inode  # nothing changed, so nothing was written
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


SETS = {("source", "kind"): "hubspot", ("source", "hubspot", "objects"): ["deals"]}
HUB = '\n[source.hubspot]\nobjects = ["deals"]\n'


@pytest.mark.parametrize("old, new", [
    # CRLF line ends stay CRLF, also in what is added
    (b'[source]\r\nkind = "csv"\r\n',
     b'[source]\r\nkind = "hubspot"\r\n' + HUB.replace("\n", "\r\n").encode()),
    # a byte-order mark stays
    (b'\xef\xbb\xbf[source]\nkind = "csv"\n', b'\xef\xbb\xbf[source]\nkind = "hubspot"\n' + HUB.encode()),
    # the last line gets its end, so the new table starts on a line of its own
    (b'[source]\nkind = "csv"', b'[source]\nkind = "hubspot"\n' + HUB.encode()),
    # an inline [source] grows inline
    (b'source = { kind = "csv" }  # one line\n',
     b'source = { kind = "hubspot", hubspot = {objects = ["deals"]}}  # one line\n'),
    # no [source] yet: added after the rest
    (b'[costs]\nadmin_hourly_rate = 75\n',
     b'[costs]\nadmin_hourly_rate = 75\n\n[source]\nkind = "hubspot"\n' + HUB.encode()),
])
def test_edit_keeps_the_file_s_own_form(tmp_path, old, new):
    cfg = tmp_path / "chaser.toml"
    cfg.write_bytes(old)
    assert tomlplace.edit(cfg, SETS, advice="") is True
    assert cfg.read_bytes() == new
    assert tomlplace.edit(cfg, SETS, advice="") is False  # already so: not written again


def test_edit_follows_a_symlink_and_refuses_what_it_cannot_keep(tmp_path, capsys):
    real = tmp_path / "dotfiles" / "chaser.toml"
    real.parent.mkdir()
    real.write_text('[source]\nkind = "csv"\n')
    link = tmp_path / "chaser.toml"
    link.symlink_to(real)
    assert tomlplace.edit(link, SETS, advice="")
    assert link.is_symlink() and 'kind = "hubspot"' in real.read_text()
    # tomlkit cannot add [source.hubspot] below dotted keys without moving what follows into
    # it: the edit is checked with tomllib and refused, leaving the file as it was.
    dotted = b'source.kind = "csv"\nsource.csv.path = "d.csv"\n\n[costs]\nadmin_hourly_rate = 75\n'
    real.write_bytes(dotted)
    with pytest.raises(ChaserError, match="dotted keys"):
        tomlplace.edit(link, SETS, advice="")
    assert real.read_bytes() == dotted
