"""HubSpot end to end: config, `chaser connect` hooks, rate limits, secrets, and the promise that
`chaser sync` + `chaser gaps` give the same figures as the same data imported as CSV."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import httpx
import keyring
import keyring.backends.fail
import pytest
from hubspot_server import RULES_TOML, TOKEN, FakeHubSpot, seed

from chaser import cli, config, secrets, sync
from chaser.connectors import hubspot
from chaser.connectors.base import AuthError
from chaser.connectors.http import RateLimiter
from chaser.connectors.hubspot import NAME_PARTS, HubSpotConnector, HubSpotSettings, whoami
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

    def factory(settings, store, full):
        c = HubSpotConnector(settings, store, full=full, backoff_base=0.001, backoff_max=0.005,
                             search_cap=out.cap)
        for hook in out.hooks:
            hook(c)
        out.append(c)
        return c

    monkeypatch.setitem(sync.FACTORIES, "hubspot", factory)
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
                                100, 7)
    assert config.SOURCE_SECTIONS["hubspot"] is hubspot.parse_settings
    assert "hubspot" in sync.FACTORIES
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
    assert whoami(s) == f"connected to {fake.url} (portal 4242, app.hubspot.com)"
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
    assert _max_in_window(times, 0.95) <= 5  # server-side arrival times; 5% for jitter
    assert times[-1] - times[0] >= 1.9  # 13 requests at 5/s: the limiter did wait


def test_searches_keep_to_five_a_second(fake, tmp_path, made, memory_keyring):
    secrets.put("hubspot", "token", TOKEN)
    path = write_config(tmp_path, fake.url)
    assert cli.main(["sync", "--config", str(path)]) == 0
    fake.search_cap = made.cap = 10  # many restarts: many searches
    for n in range(60):
        fake.change("deals", str(1000 + n), amount="9")
    assert cli.main(["sync", "--config", str(path)]) == 0
    calls = [h.at for h in fake.hits("/search")]
    assert len(calls) >= 8
    assert _max_in_window(calls, 0.95) <= 5


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
    assert "synced HubSpot portal 4242: 200 records" in capsys.readouterr().out


# ---- the same figures as a CSV import ----------------------------------------------------

def _cell(v) -> str:
    return "" if v is None else str(v)


def export_csv(fake: FakeHubSpot, folder: Path) -> Path:
    """Write the fake's data as CSV exports plus a people file, and a config importing them
    with the same rules: what an admin would get by exporting the same HubSpot views."""
    folder.mkdir()
    with open(folder / "owners.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["Owner ID", "Name", "Team", "Email", "Active"])
        for o in fake.owners:
            name = f"{o['firstName']} {o['lastName']}".strip() or o["email"]
            team = o["teams"][0]["name"] if o["teams"] else ""
            w.writerow([o["id"], name, team, o["email"], "no" if o["archived"] else "yes"])
    props = {"deals": ["amount", "closedate", "dealstage", "hs_next_step"],
             "contacts": ["phone", "jobtitle"], "companies": ["industry"]}
    text = ['[source]\nkind = "csv"\n\n[source.csv.people]\npath = "owners.csv"\n'
            'key = "Owner ID"\nname = "Name"\nteam = "Team"\nemail = "Email"\n'
            'active = "Active"\n']
    for obj, fields in props.items():
        modified = hubspot.modified_property(obj)
        with open(folder / f"{obj}.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["Record ID", "Owner", "Name", modified, *fields])
            for rid in sorted(fake.records[obj], key=int):
                rec = fake.records[obj][rid]
                if rec["archived"]:
                    continue
                p = rec["properties"]
                name = hubspot._name(p, NAME_PARTS[obj])
                w.writerow([rid, _cell(p.get("hubspot_owner_id")), _cell(name),
                            p[modified], *(_cell(p.get(k)) for k in fields)])
        text.append(f'[[source.csv.objects]]\nobject = "{obj}"\npath = "{obj}.csv"\n'
                    f'id = "Record ID"\nowner = "Owner"\nname = "Name"\nmodified = "{modified}"\n')
    path = folder / "csv.toml"
    path.write_text("\n".join(text) + RULES_TOML, encoding="utf-8")
    return path


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
    assert [h.results for h in fake.hits("/deals/search")] == [5]
    capsys.readouterr()
    again = _gaps(hs_config, capsys)
    assert again != from_api
    assert again == _gaps(export_csv(fake, tmp_path / "export2"), capsys)
