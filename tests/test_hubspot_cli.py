"""HubSpot end to end: config, `chaser connect` hooks, rate limits, secrets, and the promise that
`chaser sync` + `chaser gaps` give the same figures as the same data imported as CSV."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import keyring
import keyring.backends.fail
import pytest
from hubspot_server import RULES_TOML, TOKEN, FakeHubSpot, seed
from servers.admin import Standalone
from servers.guard import loopback_only  # noqa: F401 - autouse: tests stay on loopback
from servers.hs_export import export_csv

from chaser import cli, config, secrets
from chaser.connectors import hubspot, registry
from chaser.connectors.base import AuthError
from chaser.connectors.http import RateLimiter
from chaser.connectors.hubspot import HubSpotConnector, HubSpotSettings, whoami
from chaser.errors import ChaserError


@pytest.fixture
def fake():
    f = FakeHubSpot()
    seed(f, deals=120, contacts=60, companies=20)
    f.start()
    yield f
    f.stop()


class Made(list):
    """The connectors sync.py built; `hooks` run on each new one, `cap` is the search cap."""

    def __init__(self) -> None:
        super().__init__()
        self.hooks: list = []
        self.cap = 10_000


@pytest.fixture
def made(monkeypatch) -> Made:
    out = Made()

    def factory(settings, *, cache_root, now, full=False):
        c = HubSpotConnector(settings, cache_root, now=now, full=full, backoff_base=0.001, backoff_max=0.005,
                             search_cap=out.cap)
        for hook in out.hooks:
            hook(c)
        out.append(c)
        return c

    monkeypatch.setattr(hubspot, "connector", factory)
    return out


def write_config(tmp_path: Path, url: str, rate: int = 250) -> Path:
    path = tmp_path / "hubspot.toml"
    path.write_text(f'[source]\nkind = "hubspot"\n\n[source.hubspot]\nbase_url = "{url}"\n'
                    f'objects = ["deals", "contacts", "companies"]\n'
                    f'rate_limit_per_10s = {rate}\n{RULES_TOML}', encoding="utf-8")
    return path


def parse(table: dict) -> HubSpotSettings:
    return config.parse({"source": {"kind": "hubspot", "hubspot": table}},
                        Path("chaser.toml")).connector


# ---- settings and connect hooks -------------------------------------------------------------

def test_settings_defaults_and_registration():
    s = parse({})
    assert s == HubSpotSettings("https://api.hubapi.com", ("deals", "contacts", "companies"),
                                100, None)
    assert registry.get("hubspot").load() is hubspot
    assert registry.ENV_TOKENS["hubspot"] == "CHASER_HUBSPOT_TOKEN"
    assert [k for k, *_ in hubspot.CONNECT_FIELDS] == ["base_url", "objects",
                                                       "rate_limit_per_10s"]
    assert hubspot.SECRETS == [("token", "HubSpot private app access token")]
    assert parse({"base_url": "http://127.0.0.1:8080/", "objects": ["tickets", "2-123"],
                  "rate_limit_per_10s": 190}).base_url == "http://127.0.0.1:8080"


@pytest.mark.parametrize("table, message", [
    ({"base_url": "http://api.hubapi.com"}, "must use https://"),
    ({"base_url": "ftp://x"}, "is not an http(s) URL"),
    ({"objects": []}, "at least one object"),
    ({"objects": ["deals", "Deals!"]}, "is not a HubSpot object type"),
    ({"objects": ["deals", "deals"]}, "names an object twice"),
    ({"rate_limit_per_10s": 0}, "from 1 to 250"),
    ({"rate_limit_per_10s": 500}, "from 1 to 250"),
    ({"full_sync_days": 0}, "from 1 to 365"),
    ({"colour": "blue"}, "unknown key"),
    ({"token": "pat-na1-x"}, "secrets never go in the config"),
])
def test_settings_errors_name_the_key(table, message):
    with pytest.raises(ChaserError) as e:
        parse(table)
    assert message in str(e.value)
    assert "source.hubspot." in str(e.value)
    assert "pat-na1-x" not in str(e.value)


def test_whoami(fake, memory_keyring):
    secrets.put("hubspot", "token", TOKEN)
    s = parse({"base_url": fake.url})
    assert whoami(s) == (f"connected to {fake.url} (portal 4242, app.hubspot.com); "
                         "API usage: 1,001 / 250,000 (0%)")
    fake.portal = None  # a token without the account-info scope still proves itself
    assert "owners readable" in whoami(s)
    secrets.put("hubspot", "token", "pat-na1-nope")
    with pytest.raises(AuthError, match="refused the token"):
        whoami(s)


def test_whoami_over_a_mock_transport(memory_keyring):
    secrets.put("hubspot", "token", TOKEN)
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["Authorization"])
        return httpx.Response(200, json={"portalId": 7, "uiDomain": "app-eu1.hubspot.com"})

    got = whoami(parse({}), transport=httpx.MockTransport(handler))
    assert got == "connected to https://api.hubapi.com (portal 7, app-eu1.hubspot.com)"
    assert seen == [f"Bearer {TOKEN}"]


def test_no_token_anywhere_says_how_to_give_one(fake, tmp_path, made, capsys):
    assert cli.main(["sync", "--config", str(write_config(tmp_path, fake.url))]) == 2
    err = capsys.readouterr().err
    assert "run `chaser connect hubspot`" in err and "CHASER_HUBSPOT_TOKEN" in err


def test_connect_keeps_the_token_in_the_keyring_and_the_settings_in_the_config(
        fake, tmp_path, memory_keyring, monkeypatch, capsys):
    pytest.importorskip("chaser.commands.connect")
    answers = iter([fake.url, "deals, contacts", "150"])
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    monkeypatch.setattr("getpass.getpass", lambda prompt: TOKEN)
    path = tmp_path / "chaser.toml"
    assert cli.main(["connect", "hubspot", "--config", str(path)]) == 0
    assert f"connected to {fake.url} (portal 4242" in capsys.readouterr().out
    assert memory_keyring.secrets[("chaser", "hubspot:token")] == TOKEN
    assert TOKEN not in path.read_text()
    s = config.load(path).connector
    assert (s.base_url, s.objects, s.rate_limit_per_10s) == (fake.url, ("deals", "contacts"), 150)


# ---- rate limits ---------------------------------------------------------------------------

def _max_in_window(times: list[float], window: float) -> int:
    times = sorted(times)
    return max((sum(1 for u in times[i:] if u - t < window) for i, t in enumerate(times)),
               default=0)


def test_bursts_of_429_and_503_slow_the_sync_but_never_break_the_rate(fake, tmp_path, made,
                                                                      memory_keyring, capsys):
    secrets.put("hubspot", "token", TOKEN)
    path = write_config(tmp_path, fake.url, rate=5)
    # The same limiter, over a 1-second window instead of 10, so the test takes seconds.
    made.hooks.append(lambda c: setattr(
        c.http, "limiter", RateLimiter(c.http.limiter.per_window, time.monotonic, time.sleep,
                                       window=1.0)))
    fake.fail("/objects/deals", "429", times=3, after=1)
    fake.fail("/objects/contacts", "503", times=2)
    fake.fail("/objects/companies", "429", times=1)
    assert cli.main(["sync", "--config", str(path)]) == 0
    assert made[0].http.limiter.per_window == 5  # rate_limit_per_10s reached the client
    assert "(6 retried)" in capsys.readouterr().out
    times = [h.at for h in fake.log]
    assert len(times) == 7 + 6  # account, 2 owner pages, 2+1+1 record pages; 6 retries
    assert _max_in_window(times, 1.0) <= 5  # by the server's arrival times
    assert times[-1] - times[0] >= 1.9  # 13 requests at 5/s: the limiter did wait


def test_searches_keep_to_four_a_second(fake, tmp_path, made, memory_keyring):
    """HubSpot's usage details page: the Search API is limited to four requests per second
    per token; the fake refuses a fifth with a 429, and search answers carry no rate-limit
    headers to pace by, so the client keeps to four on its own."""
    secrets.put("hubspot", "token", TOKEN)
    path = write_config(tmp_path, fake.url)
    assert cli.main(["sync", "--config", str(path)]) == 0
    fake.search_cap = made.cap = 10  # many restarts: many searches
    for n in range(60):
        fake.change("deals", str(1000 + n), amount="9")
    assert cli.main(["sync", "--config", str(path)]) == 0
    calls = [h.at for h in fake.hits("/search")]
    assert len(calls) >= 8
    assert _max_in_window(calls, 1.0) <= 4
    assert {h.status for h in fake.hits("/search")} == {200}


# ---- secrets -------------------------------------------------------------------------------

def _files_holding(root: Path, needle: bytes) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and needle in p.read_bytes()]


def test_no_token_in_any_file_after_syncs(fake, tmp_path, made, memory_keyring, chaser_home,
                                          capsys):
    secrets.put("hubspot", "token", TOKEN)
    path = write_config(tmp_path, fake.url)
    assert cli.main(["sync", "--config", str(path)]) == 0
    fake.change("deals", "1003", amount="1")
    assert cli.main(["sync", "--config", str(path)]) == 0
    fake.fail("/objects/deals", "daily")
    assert cli.main(["sync", "--config", str(path), "--full"]) == 2
    assert cli.main(["gaps", "--config", str(path), "--records", "--format", "json"]) == 0
    out = capsys.readouterr()
    assert "daily API limit" in out.err
    assert TOKEN not in out.out + out.err
    assert list((chaser_home / "data").rglob("cache/*.json"))  # the cache was written...
    assert _files_holding(chaser_home, TOKEN.encode()) == []  # ...without the token
    assert _files_holding(tmp_path, TOKEN.encode()) == []


def test_without_a_keyring_the_token_comes_from_the_environment(fake, tmp_path, made,
                                                                monkeypatch, capsys):
    keyring.set_keyring(keyring.backends.fail.Keyring())  # a machine with no backend
    monkeypatch.setenv("CHASER_HUBSPOT_TOKEN", TOKEN)
    assert cli.main(["sync", "--config", str(write_config(tmp_path, fake.url))]) == 0
    out = capsys.readouterr().out
    assert "synced HubSpot portal 4242: 200 records" in out
    assert "token read from CHASER_HUBSPOT_TOKEN, not from the OS keyring" in out
    assert TOKEN not in out


def test_daily_usage_is_shown_with_a_warning_above_80_percent(fake, tmp_path, made,
                                                              memory_keyring, capsys):
    secrets.put("hubspot", "token", TOKEN)
    path = write_config(tmp_path, fake.url)
    assert cli.main(["sync", "--config", str(path)]) == 0
    out = capsys.readouterr().out
    assert "API usage: 1,00" in out and "/ 250,000 (0%)" in out and "daily API allowance" not in out
    fake.daily_used = 210_000
    assert cli.main(["sync", "--config", str(path)]) == 0
    out = capsys.readouterr().out
    assert "/ 250,000 (84%)" in out
    assert "warning: over 80% of the daily API allowance is used" in out


# ---- the same figures as a CSV import ----------------------------------------------------

VIEWS = [["--by", "person"], ["--by", "team"], ["--by", "field"], ["--by", "bucket"],
         ["--records"]]


def _gaps(path: Path, capsys) -> list[str]:
    out = []
    for view in VIEWS:
        assert cli.main(["gaps", "--config", str(path), "--format", "csv", *view]) == 0
        out.append(capsys.readouterr().out)
    return out


def test_sync_then_gaps_equals_the_same_data_imported_as_csv(fake, tmp_path, made,
                                                             memory_keyring, capsys):
    pytest.importorskip("chaser.connectors.csv")
    secrets.put("hubspot", "token", TOKEN)
    hs_config = write_config(tmp_path, fake.url)
    assert cli.main(["sync", "--config", str(hs_config)]) == 0
    capsys.readouterr()
    from_api = _gaps(hs_config, capsys)
    csv_config = export_csv(fake, tmp_path / "export")
    from_csv = _gaps(csv_config, capsys)
    assert from_api == from_csv
    assert from_api[0].count("\n") == 1 + 5  # five active owners
    assert "Ada Lovelace,East," in from_api[0]

    # after changes, an incremental sync still agrees with a fresh export
    for n in (0, 1, 2, 9, 14):
        fake.change("deals", str(1000 + n), amount="12", closedate="2026-12-24")
    fake.change("contacts", "5000", phone="555", jobtitle="CEO", hubspot_owner_id="102")
    fake.archive("companies", "9001")
    assert cli.main(["sync", "--config", str(hs_config)]) == 0
    assert [h.results for h in fake.hits("/deals/search") if h.body.get("filterGroups")] == [5]
    capsys.readouterr()
    again = _gaps(hs_config, capsys)
    assert again != from_api
    assert again == _gaps(export_csv(fake, tmp_path / "export2"), capsys)


def test_done_when_against_the_standalone_server(tmp_path, made, memory_keyring, capsys):
    """Issue 5's "Done when", as the README's walk-through does it: the server in its own
    process, sync, the same figures as the CSV export, 50 changes fetch only those, a burst
    of 429/503 slows a sync without failing it or passing the configured rate."""
    csv_dir = tmp_path / "csv"
    with Standalone("hubspot", "--records", "300", "--export-csv", str(csv_dir)) as server:
        secrets.put("hubspot", "token", server.token)
        path = write_config(tmp_path, server.url, rate=5)
        assert (csv_dir / "rules.toml").read_text() == RULES_TOML
        # the configured 5 per 10 s, over 0.2 s so the test takes a second
        made.hooks.append(lambda c: setattr(c.http, "limiter", RateLimiter(
            c.http.limiter.per_window, time.monotonic, time.sleep, window=0.2)))
        assert cli.main(["sync", "--config", str(path)]) == 0
        capsys.readouterr()
        assert _gaps(path, capsys) == _gaps(csv_dir / "chaser.toml", capsys)
        mark = server.control("GET", "/_test/stats")["next"]
        assert server.control("POST", "/_test/change?count=50")["changed"] == 50
        assert cli.main(["sync", "--config", str(path)]) == 0
        stats = server.control("GET", f"/_test/stats?since={mark}")
        # one count per object instead of the archived lists; nothing deleted: no sweep
        assert stats["by_kind"] == {"account": 1, "owners": 2, "search": 3, "count": 3}
        # the changes, six owners and a queue, and the one record each count search returns
        assert stats["records_returned"] == 50 + 7 + 3
        mark = stats["next"]
        server.control("POST", "/_test/burst?count=6")
        assert cli.main(["sync", "--config", str(path), "--full"]) == 0
        stats = server.control("GET", f"/_test/stats?since={mark}&window=0.2")
        assert stats["by_status"] == {"429": 3, "503": 3, "200": 6}
        assert stats["most_in_any_0.2s"] <= 5
