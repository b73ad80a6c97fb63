"""Issue 10's Salesforce API behaviours tried as a new user would: the loopback server in its
own process (`python -m tests.servers salesforce --rotate-refresh-tokens`), driven through its
/_test/ controls, chaser through its CLI."""

from __future__ import annotations

import pytest
from servers.admin import Standalone
from servers.guard import loopback_only  # noqa: F401 - autouse: tests stay on loopback
from sf_server import CLIENT_ID, CLIENT_SECRET, REFRESH, scaled, sf_config

from chaser import secrets
from chaser.cli import main
from chaser.connectors import http as http_seam


@pytest.fixture
def fast(monkeypatch):
    monkeypatch.setattr(http_seam, "TEST_OPTIONS", scaled(100))


def test_rotation_limits_and_bulk_jobs_against_the_standalone_server(tmp_path, fast, capsys,
                                                                     memory_keyring, monkeypatch):
    rules = '[[rules]]\nobject = "Account"\nrequire = ["Industry", "Phone"]\n'
    with Standalone("salesforce", "--records", "400", "--rotate-refresh-tokens") as server:
        assert "refresh-token rotation on" in server.proc.stdout.readline()
        secrets.put("salesforce", "refresh_token", REFRESH)
        secrets.put("salesforce", "client_secret", CLIENT_SECRET)
        cfg = sf_config(tmp_path / "c.toml", server.url, rules, auth="refresh_token",
                        client_id=CLIENT_ID, login_url=server.url, page_size=200,
                        bulk_threshold=50)
        # two refresh-token syncs in a row under rotation
        assert main(["sync", "--config", str(cfg)]) == 0
        first = memory_keyring.secrets[("chaser", "salesforce:refresh_token")]
        assert first != REFRESH
        monkeypatch.setenv("CHASER_NOW", "2026-11-20T10:00:00+00:00")
        assert main(["sync", "--config", str(cfg), "--full"]) == 0
        assert memory_keyring.secrets[("chaser", "salesforce:refresh_token")] not in (first,
                                                                                     REFRESH)
        # the Bulk jobs of both syncs are gone from the server
        assert server.control("GET", "/_test/jobs") == {"jobs": []}
        # the concurrent-request limit is ridden out; the spent day is not
        mark = server.control("POST", "/_test/mark")["mark"]
        server.control("POST", "/_test/limit?which=concurrent&times=3")
        monkeypatch.setenv("CHASER_NOW", "2026-11-20T11:00:00+00:00")
        assert main(["sync", "--config", str(cfg), "--full"]) == 0
        stats = server.control("GET", f"/_test/stats?since={mark}")
        assert stats["by_status"].get("403") == 3
        capsys.readouterr()
        server.control("POST", "/_test/limit?which=daily")
        assert main(["sync", "--config", str(cfg)]) == 2
        assert "daily API allowance is spent" in capsys.readouterr().err
        server.control("POST", "/_test/usage?used=2000")
        # deletions and age as the controls make them
        hard = server.control("POST", "/_test/delete?object=Account&count=4&hard=1")
        soft = server.control("POST", "/_test/delete?object=Account&count=2")
        assert len(hard["hard_deleted"]) == 4 and soft["recycle_bin"] == 2
        aged = server.control("POST", "/_test/age?object=Account&days=365")
        records = server.control("GET", "/_test/records")["Account"]
        assert (records["live"], records["bin"], records["newest"]) == (94, 2, aged["newest"])
        assert server.control("POST", "/_test/purge?object=Account") == {"purged": 2}
        assert main(["sync", "--config", str(cfg)]) == 0
