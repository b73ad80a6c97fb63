"""No secret in any output, in any spelling: the loopback servers echo the caller's token (and
refresh token, client secret) back in every form a server could (servers/echo.py: exact,
URL-encoded, upper- and lower-cased, base64, either side of a Salesforce `!`, a HubSpot token's
UUID and its parts) and in every field a message is built from; stdout, stderr, every file under
CHASER_HOME and the stored last-sync notes must hold none of them. Then plain http: only to
loopback, judged by the address a name resolves to, and connected to that same address."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest
from conftest import run_cli
from hubspot_server import RULES_TOML, FakeHubSpot, seed
from hubspot_server import TOKEN as HS_TOKEN
from servers.echo import forms, leaks
from servers.guard import loopback_only  # noqa: F401 - autouse: tests stay on loopback
from sf_server import (
    CLIENT_ID,
    CLIENT_SECRET,
    REFRESH,
    RULES,
    Fault,
    SfServer,
    make_org,
    scaled,
    sf_config,
)
from sf_server import TOKEN as SF_TOKEN

from chaser import secrets
from chaser.connectors import http as http_seam
from chaser.connectors import hubspot, salesforce_api
from chaser.connectors.http import Http, check_url, resolve_loopback
from chaser.errors import ChaserError
from chaser.sync import LAST_SYNC
from chaser.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]
COUNTS = {"Opportunity": 30, "Account": 10, "Contact": 10, "Lead": 10}
SF_SECRETS = (SF_TOKEN, REFRESH, CLIENT_SECRET)
SF_FORMS = sorted(forms(SF_TOKEN))
HS_FORMS = sorted(forms(HS_TOKEN))


def test_the_forms_cover_what_the_brief_names():
    # the fixtures' own tokens have the shapes whose parts must be scrubbed
    assert {"bang_left", "bang_right"} <= set(SF_FORMS)
    assert {"uuid", "uuid_hex", "uuid_first", "uuid_last"} <= set(HS_FORMS)
    assert {"exact", "quote", "quote_plus", "upper", "lower"} <= set(SF_FORMS) & set(HS_FORMS)


def _everything(out: str, err: str, home: Path, cfg: Path) -> dict[str, str]:
    """Every place a secret could end up: the output, each file, the last-sync notes."""
    places = {"stdout": out, "stderr": err}
    for p in sorted(home.rglob("*")):
        if p.is_file():
            places[str(p)] = p.read_bytes().decode("latin-1")
    last = Workspace.open(str(cfg)).store.get_meta(LAST_SYNC)
    places["last sync notes"] = "\n".join((last or {}).get("notes", []))
    return places


def _assert_clean(places: dict[str, str], secrets_: tuple[str, ...] | list[str]) -> None:
    found = {where: hit for where, text in places.items() if (hit := leaks(text, secrets_))}
    assert found == {}


# ---- Salesforce -------------------------------------------------------------------------------

@pytest.fixture
def org(monkeypatch):
    monkeypatch.setattr(http_seam, "TEST_OPTIONS", scaled(200))
    org = make_org(COUNTS)
    with SfServer(org) as server:
        org.url = server.url
        yield org


SIGN_IN = {"auth": "refresh_token", "client_id": CLIENT_ID, "login_url": "{url}"}
# (fault, extra [source.salesforce] keys, exit code, what the message still says)
SF_CASES = {
    # 5xx with the token as errorCode: the retry reason, and the "gave up" message quoting it
    "errorCode in a retry reason": (dict(kind="query", object="Opportunity", action=503, times=99, field="code"), {},
                                    2, "Opportunity page 1: gave up after 9 attempts"),
    # one 5xx, then success: the sync's notes are stored, and must be clean too
    "errorCode, recovered": (dict(kind="query", object="Opportunity", action=503, times=1, field="code"), {}, 0,
                             "synced"),
    "message of a 400": (dict(kind="query", object="Opportunity", action=400, field="message"), {}, 2,
                         "Opportunity page 1: INVALID_SESSION_ID: Session *** is not valid"),
    "nextRecordsUrl?access_token=": (dict(kind="query", object="Opportunity", action=200, field="next"), {}, 2,
                                     "Opportunity page 2: Salesforce sent a nextRecordsUrl"),
    "bulk job errorMessage": (dict(kind="bulk-poll", action=200, field="bulk"),
                              {"bulk_threshold": 5}, 2, "bulk job failed: job failed for"),
    "sign-in error_description": (dict(kind="token", action=400, field="message"),
                                  SIGN_IN, 2, "Salesforce refused the sign-in (invalid_grant: ***"),
    "sign-in error code": (dict(kind="token", action=400, field="code"),
                           SIGN_IN, 2, "Salesforce refused the sign-in (bad)"),
}


@pytest.mark.parametrize("form", SF_FORMS)
@pytest.mark.parametrize("case", SF_CASES)
def test_salesforce_echoes_are_scrubbed(org, tmp_path, chaser_home, capsys, case, form):
    fault, extra, code, says = SF_CASES[case]
    secrets.put("salesforce", "token", SF_TOKEN)
    secrets.put("salesforce", "refresh_token", REFRESH)
    secrets.put("salesforce", "client_secret", CLIENT_SECRET)
    org.faults.append(Fault(**fault, echo=form))
    extra = {k: v.format(url=org.url) if isinstance(v, str) else v for k, v in extra.items()}
    cfg = sf_config(tmp_path / "chaser.toml", org.url, RULES, page_size=200, **extra)
    got, out, err = run_cli(capsys, "sync", "--config", cfg)
    assert got == code, err
    assert says in out + err
    assert any(e.get("kind") == fault["kind"] for e in org.log)  # the echo was served
    _assert_clean(_everything(out, err, chaser_home, cfg), [*SF_SECRETS, *org.tokens])


# ---- HubSpot ----------------------------------------------------------------------------------

@pytest.fixture
def fake(monkeypatch):
    f = FakeHubSpot()
    seed(f, deals=30, contacts=10, companies=5)
    f.start()

    def factory(settings, *, cache_root, now, full=False):  # quick backoff: the policy's timing is tested elsewhere
        return hubspot.HubSpotConnector(settings, cache_root, now=now, full=full, backoff_base=0.001,
                                        backoff_max=0.002)

    monkeypatch.setattr(hubspot, "connector", factory)
    yield f
    f.stop()


HS_CASES = {
    "message": (dict(field="message"), 2, "HubSpot deals page 1: HubSpot answered HTTP 400 "
                "VALIDATION_ERROR: Invalid authentication ***"),
    "category": (dict(field="category"), 2, "HubSpot answered HTTP 400: Property values"),
    "policyName in a retry reason": (dict(field="policy", times=99), 2,
                                     "HubSpot deals page 1: gave up after 9 attempts (HTTP 429"),
    "policyName, recovered": (dict(field="policy", times=1), 0, "synced"),
    "a repeated paging cursor": (dict(field="cursor", times=2), 2,
                                 "HubSpot repeated the paging cursor"),
    "a body not in HubSpot's shape": (dict(field="text"), 2, "HubSpot answered HTTP 400: "),
}


@pytest.mark.parametrize("form", HS_FORMS)
@pytest.mark.parametrize("case", HS_CASES)
def test_hubspot_echoes_are_scrubbed(fake, tmp_path, chaser_home, capsys, case, form):
    fault, code, says = HS_CASES[case]
    secrets.put("hubspot", "token", HS_TOKEN)
    fake.fail("/crm/v3/objects/deals", "400", echo=form, **fault)
    cfg = tmp_path / "chaser.toml"
    cfg.write_text(f'[source]\nkind = "hubspot"\n[source.hubspot]\nbase_url = "{fake.url}"\n'
                   f'objects = ["deals", "contacts", "companies"]\n{RULES_TOML}', encoding="utf-8")
    got, out, err = run_cli(capsys, "sync", "--config", cfg)
    assert got == code, err
    assert says in out + err
    _assert_clean(_everything(out, err, chaser_home, cfg), [HS_TOKEN])


# ---- tracebacks, in-process and in a real process ----------------------------------------------

@pytest.mark.parametrize("form", SF_FORMS)
def test_an_internal_error_quoting_the_token_is_scrubbed_with_its_traceback(
        org, tmp_path, chaser_home, capsys, monkeypatch, form):
    secrets.put("salesforce", "token", SF_TOKEN)
    said = forms(SF_TOKEN)[form]

    def describe(self, obj):
        raise RuntimeError(f"unexpected answer for {said}")

    monkeypatch.setattr(salesforce_api.SalesforceApi, "describe", describe)
    monkeypatch.setenv("CHASER_DEBUG", "1")
    cfg = sf_config(tmp_path / "chaser.toml", org.url, RULES)
    got, out, err = run_cli(capsys, "sync", "--config", cfg)
    assert got == 1
    assert "chaser: internal error: RuntimeError: unexpected answer for ***" in err
    assert "Traceback (most recent call last)" in err
    _assert_clean(_everything(out, err, chaser_home, cfg), SF_SECRETS)


@pytest.mark.parametrize("field", ["message", "code"])
def test_a_real_process_with_debug_on_shows_no_secret(org, tmp_path, chaser_home, field):
    """As a user runs it: the token from the environment (no keyring), CHASER_DEBUG=1, the
    error on the real stderr; the server echoes every form at once."""
    org.faults.append(Fault("query", 400, field=field, echo="all", object="Opportunity"))
    cfg = sf_config(tmp_path / "chaser.toml", org.url, RULES)
    env = {**os.environ, "CHASER_DEBUG": "1", "CHASER_SALESFORCE_TOKEN": SF_TOKEN,
           "CHASER_HOME": str(chaser_home), "PYTHONPATH": str(ROOT),
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    run = subprocess.run([sys.executable, "-m", "chaser", "sync", "--config", str(cfg)],
                         capture_output=True, text=True, env=env, timeout=60, cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    assert run.stderr.startswith("chaser: error: Opportunity page 1:")
    assert "Traceback" not in run.stderr
    _assert_clean(_everything(run.stdout, run.stderr, chaser_home, cfg), [SF_TOKEN])


def test_every_form_is_masked_by_redact_itself():
    # the unit under the end-to-end tests: each form of each kind of secret, in any case
    for value in (SF_TOKEN, HS_TOKEN, REFRESH, CLIENT_SECRET):
        secrets.register(value)
        for name, spelled in forms(value).items():
            for text in (spelled, spelled.swapcase(), f"a{spelled}b"):
                assert leaks(secrets.redact(f"said: {text}."), [value]) == [], (value, name)
    assert secrets.redact("the 2222 deals of 3333") == "the 2222 deals of 3333"  # a lone group


def test_a_short_secret_is_masked_only_as_typed():
    secrets.register("wrong")  # a test's throwaway secret: "Wrong" in prose must survive
    assert secrets.redact("Wrong: wrong") == f"Wrong: {secrets.MASK}"


def test_a_secret_from_the_environment_is_registered_as_it_is_read(monkeypatch):
    keyring.set_keyring(keyring.backends.fail.Keyring())
    value = "pat-eu1-99999999-8888-7777-6666-abcdefabcdef"
    monkeypatch.setenv("CHASER_HUBSPOT_TOKEN", value)
    assert secrets.get("hubspot") == (value, "environment")
    monkeypatch.delenv("CHASER_HUBSPOT_TOKEN")  # registered: masked even once the variable is gone
    assert secrets.redact("id 99999999-8888-7777-6666-ABCDEFABCDEF") == f"id {secrets.MASK}"


# ---- plain http only to loopback, by the resolved address --------------------------------------

@pytest.fixture
def resolver(monkeypatch):
    """socket.getaddrinfo with made-up answers for some names; `asked` lists every name asked.
    Literal loopback addresses resolve for real (the servers live there); anything else is
    refused, as the loopback guard does."""
    real = socket.getaddrinfo
    answers: dict[str, list] = {}
    asked: list[str] = []

    def fake(host, port, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else str(host)
        asked.append(name)
        if name in answers:
            now = answers[name].pop(0) if len(answers[name]) > 1 else answers[name][0]
            return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "",
                     (a, port or 0)) for a in now]
        if name.startswith("127.") or name == "::1":
            return real(host, port, *args, **kwargs)
        raise OSError(f"test resolver: {name!r} is not for this test")

    monkeypatch.setattr(socket, "getaddrinfo", fake)
    fake.answers, fake.asked = answers, asked
    return fake


def test_a_localhost_name_resolving_elsewhere_is_refused(org, tmp_path, capsys, resolver):
    resolver.answers["foo.localhost"] = [["192.0.2.2"]]
    secrets.put("salesforce", "token", SF_TOKEN)
    port = org.url.rsplit(":", 1)[1]
    cfg = sf_config(tmp_path / "chaser.toml", f"http://foo.localhost:{port}", RULES)
    got, out, err = run_cli(capsys, "sync", "--config", cfg)
    assert got == 2
    assert err.strip() == ("chaser: error: plain http to foo.localhost refused: it resolves to "
                           "192.0.2.2, not loopback; use https://")
    assert resolver.asked == ["foo.localhost"] and org.log == []  # nothing was sent anywhere


@pytest.mark.parametrize("answer", [["127.0.0.1", "192.0.2.2"], ["::1", "2001:db8::1"], []])
def test_every_address_of_the_name_must_be_loopback(resolver, answer):
    resolver.answers["localhost"] = [answer]
    with pytest.raises(ChaserError, match="plain http to localhost refused"):
        Http("http://localhost:8080")


def test_a_name_is_resolved_once_and_the_client_connects_to_that_address(
        org, tmp_path, capsys, resolver):
    # the second answer would be a rebinding attack: it must never be used
    resolver.answers["crm.localhost"] = [["127.0.0.1"], ["192.0.2.2"]]
    secrets.put("salesforce", "token", SF_TOKEN)
    port = org.url.rsplit(":", 1)[1]
    cfg = sf_config(tmp_path / "chaser.toml", f"http://crm.localhost:{port}", RULES)
    got, out, err = run_cli(capsys, "sync", "--config", cfg)
    assert got == 0, err
    assert resolver.asked.count("crm.localhost") == 1
    assert org.count("query", "Opportunity") == 1  # served by the server at 127.0.0.1


def test_the_host_header_keeps_the_name(resolver):
    resolver.answers["localhost"] = [["::1"]]
    http = Http("http://localhost:8080/")
    request = http.client.build_request("GET", "/x")
    assert (str(request.url), request.headers["host"]) == ("http://[::1]:8080/x", "localhost:8080")
    http.close()


def test_literal_loopback_addresses_need_no_resolution(resolver):
    for url in ("http://127.0.0.1:1", "http://127.9.8.7:1", "http://[::1]:1"):
        Http(url).close()
    assert resolver.asked == []
    assert resolve_loopback("127.0.0.2", 80) == "127.0.0.2"


@pytest.mark.parametrize("url", ["http://192.0.2.2", "http://10.0.0.1:8080", "http://[2001:db8::1]",
                                 "http://localhost.evil.example", "http://example.com",
                                 "http://0.0.0.0:80"])
def test_plain_http_elsewhere_is_refused_before_any_lookup(resolver, url):
    with pytest.raises(ChaserError, match="must use https://"):
        check_url(url)
    with pytest.raises(ChaserError):
        Http(url)
    assert resolver.asked == []
