"""The bad-input corpus of issue 9: every case that gave a traceback ends in exit 2 with one
line `chaser: error: ...`, and a store file refused as corrupt is byte-identical afterwards."""

from __future__ import annotations

import json
import os
from types import SimpleNamespace

import pytest
from conftest import csv_org, run_cli
from servers.guard import loopback_only  # noqa: F401 - autouse: tests stay on loopback
from sf_server import RULES, TOKEN, SfServer, make_org, scaled, sf_config

from chaser import secrets
from chaser.connectors import http as http_seam
from chaser.workspace import Workspace

PEOPLE = "name,team\nAnn Lee,West\n"
DEALS = "id,owner,stage,amount\n1,Ann Lee,Won,\n"


def one_line_error(code: int, out: str, err: str, *words: str) -> None:
    assert code == 2, (code, out, err)
    assert err.startswith("chaser: error: ") and err.count("\n") == 1, err
    assert "Traceback" not in out + err
    for w in words:
        assert w in err, (w, err)


@pytest.mark.parametrize("argv, says", [
    (["chases", "--since", "0001-01-01"], "out of range"),
    (["chases", "--since", "9999-12-31"], "out of range"),
    (["chases", "--until", "9999-12-31"], "out of range"),
    (["costs", "--period", "9999"], "out of range"),
    (["costs", "--period", "0000"], "out of range"),
    (["costs", "--period", "0001"], "out of range"),
    (["report", "--period", "2026-11-01..9999-12-31"], "out of range"),
    (["report", "--period", "2027-01"], "after today"),
    (["log", "Ann Lee", "--minutes", "5", "--at", "0001-01-01T00:00"], "out of range"),
    (["log", "Ann Lee", "--minutes", "5", "--at", "0206-11-20"], "out of range"),
])
def test_out_of_range_dates(tmp_path, capsys, argv, says):
    cfg = csv_org(tmp_path, PEOPLE, DEALS)
    one_line_error(*run_cli(capsys, *argv, "--config", cfg), says)
    assert not list(Workspace.open(str(cfg)).store.ledger.root.glob("*/0*.json"))


@pytest.mark.parametrize("env", ["garbage", "0001-01-01T00:00:00Z", "9999-12-31"])
def test_bad_chaser_now(capsys, monkeypatch, env):
    monkeypatch.setenv("CHASER_NOW", env)
    one_line_error(*run_cli(capsys, "gaps", "--demo"), "CHASER_NOW")


@pytest.mark.parametrize("extra, says", [
    ("[costs]\nteams = 5\n", "must be a table"),
    ("[costs]\nadmin_hourly_rate = 1e308\n", "from 0 to 10,000"),
    ("[costs]\nrep_hourly_rate = -1\n", "from 0 to 10,000"),
    ("[costs.teams.West]\nadmin_hourly_rate = 20000\n", "from 0 to 10,000"),
    ("x = " + "[" * 50_000 + "]" * 50_000 + "\n", "nested too deep"),
])
def test_bad_config_values(tmp_path, capsys, extra, says):
    cfg = csv_org(tmp_path, PEOPLE, DEALS, extra=extra)
    if extra.startswith("x = "):  # a top-level key: the config must be only that
        cfg.write_text(extra)
    one_line_error(*run_cli(capsys, "gaps", "--config", cfg), says)


STORE_EDITS = {  # "chases": this installation's own ledger file of the month
    "doc id ²": ("chases", lambda d: d["events"].update({"²": d["events"]["1"]})),
    "minutes abc": ("chases", lambda d: d["events"]["1"].update(minutes="abc")),
    "minutes -50": ("chases", lambda d: d["events"]["1"].update(minutes=-50)),
    "person 5": ("chases", lambda d: d["events"]["1"].update(person=5)),
    "snapshot id": ("index", lambda d: next(iter(d["snapshots"].values())).update(
        id="../../etc/passwd")),
    "people 5": ("index", lambda d: next(iter(d["snapshots"].values())).update(people=5)),
}


@pytest.mark.parametrize("case", list(STORE_EDITS))
def test_semantically_corrupt_store_files(tmp_path, capsys, case):
    cfg = csv_org(tmp_path, PEOPLE, DEALS)
    assert run_cli(capsys, "log", "Ann Lee", "--config", cfg, "--minutes", "5",
                   "--at", "2026-11-19T10:00")[0] == 0
    ws = Workspace.open(str(cfg))
    which, edit = STORE_EDITS[case]
    path = ws.store.ledger.root / ws.writer.id / "2026-11.json" if which == "chases" else \
        ws.store.root / "snapshots" / "index.json"
    doc = json.loads(path.read_bytes())
    edit(doc)
    path.write_bytes(raw := json.dumps(doc).encode())
    for argv in (["chases"], ["costs"], ["log", "Ann Lee", "--minutes", "5", "--at",
                                          "2026-11-19T11:00"], ["sync"]):
        code, out, err = run_cli(capsys, *argv, "--config", cfg)
        if which == "index" or argv[0] != "sync":
            one_line_error(code, out, err, str(path), "corrupt")
        assert path.read_bytes() == raw, argv  # never rewritten by a later write


def test_export_force_refuses_a_fifo(tmp_path, capsys):
    cfg = csv_org(tmp_path, PEOPLE, DEALS)
    fifo = tmp_path / "hr.csv"
    os.mkfifo(fifo)
    one_line_error(*run_cli(capsys, "export", "hr", "--config", cfg, "--period", "2026-11",
                            "--out", fifo, "--force"), "not a regular file")
    assert fifo.is_fifo()


@pytest.fixture
def sf(tmp_path, monkeypatch):
    monkeypatch.setattr(http_seam, "TEST_OPTIONS", scaled(100))
    org = make_org({"Opportunity": 5, "Account": 3, "Contact": 2, "Lead": 2})
    with SfServer(org) as server:
        secrets.put("salesforce", "token", TOKEN)
        yield SimpleNamespace(org=org, cfg=sf_config(tmp_path / "chaser.toml", server.url, RULES))


def test_a_describe_field_named_5_is_skipped_not_a_traceback(sf, capsys):
    sf.org.describes["Account"]["fields"].append({"name": 5, "type": "string"})
    sf.org.describes["Account"]["fields"].append({"name": "X", "relationshipName": 7})
    code, out, err = run_cli(capsys, "sync", "--config", sf.cfg)
    assert code == 0, err
    assert "Traceback" not in out + err
