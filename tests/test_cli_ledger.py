"""The ledger's faces in the CLI: two admins (two CHASER_HOMEs, as two machines) share one
ledger folder; `chases` shows and filters by writer, `unvoid` withdraws a void, `costs --by
admin` prices each admin's time at their own rate, the report names whose ledgers it read,
a skipped file marks every figure incomplete, and `ledger status` says what is there."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal

import pytest
from conftest import csv_org, run_cli

run = run_cli

COSTS = """
[costs]
currency = "EUR"
admin_hourly_rate = 60
timezone = "UTC"
[costs.teams.EMEA]
admin_hourly_rate = 30             # for admins with no rate of their own
[costs.admins.ann]
hourly_rate = 90                   # ann's own rate wins over EMEA's admin rate
[ledger]
path = "shared-ledger"
"""


class Team:
    """Two installations of one org: ann's and tom's, each with its own home and config,
    both pointing at `shared-ledger/` beside the configs (a synced folder)."""

    def __init__(self, tmp_path, monkeypatch, capsys):
        self.folder, self.monkeypatch, self.capsys = tmp_path, monkeypatch, capsys
        base = csv_org(tmp_path, "id,name,team\nu1,Ann Lee,EMEA\nu2,Bob Roy,NA\n",
                       "id,owner,amount\nD1,u1,\nD2,u2,\n", key="id", when=None, extra=COSTS)
        text = base.read_text()
        self.configs = {}
        for wid, name in (("ann", "Ann Admin"), ("tom", "Tom Admin")):
            cfg = tmp_path / f"chaser-{wid}.toml"
            cfg.write_text(text + f'[admin]\nid = "{wid}"\nname = "{name}"\n'
                           f'email = "{wid}@corp.test"\n', encoding="utf-8")
            self.configs[wid] = cfg

    @property
    def ledger(self):
        return self.folder / "shared-ledger"

    def cli(self, who: str, *argv) -> tuple[int, str, str]:
        self.monkeypatch.setenv("CHASER_HOME", str(self.folder / f"home-{who}"))
        return run(self.capsys, *argv, "--config", self.configs[who])

    def log(self, who: str, person: str, minutes: int, at: str) -> str:
        code, out, err = self.cli(who, "log", person, "--minutes", minutes, "--at", at)
        assert code == 0, err
        return re.search(r"logged chase (\S+):", out).group(1)


@pytest.fixture
def team(tmp_path, monkeypatch, capsys) -> Team:
    """ann: 20 min of Ann (EMEA) at her own 90/h = 30.00, 7 min of Bob (NA) at 90/h = 10.50;
    tom: 30 min of Ann (EMEA) at EMEA's admin rate 30/h = 15.00, 10 min of Bob at 60/h =
    10.00, and one more of Bob that ann voids (a void in ann's own file)."""
    t = Team(tmp_path, monkeypatch, capsys)
    t.ids = [t.log("ann", "Ann Lee", 20, "2026-11-02T10:00"),
             t.log("ann", "Bob Roy", 7, "2026-11-03T10:00"),
             t.log("tom", "Ann Lee", 30, "2026-11-04T10:00"),
             t.log("tom", "Bob Roy", 10, "2026-11-05T10:00"),
             t.log("tom", "Bob Roy", 45, "2026-11-06T10:00")]
    code, _, err = t.cli("ann", "chases", "void", t.ids[4], "--reason", "logged twice")
    assert code == 0, err
    return t


def rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_both_admins_see_one_log_with_a_writer_column(team):
    ann = team.cli("ann", "chases", "--format", "csv")[1]
    tom = team.cli("tom", "chases", "--format", "csv")[1]
    assert ann == tom
    assert ann.splitlines()[0] == ("id,at,person,team,channel,minutes,outcome,fields,note,by,"
                                   "voided,void_reason,writer,batch")  # added at the end
    got = [(r["id"], r["writer"], r["by"], r["voided"]) for r in rows(ann)]
    assert got == [(team.ids[0], "ann", "Ann Admin", "false"),
                   (team.ids[1], "ann", "Ann Admin", "false"),
                   (team.ids[2], "tom", "Tom Admin", "false"),
                   (team.ids[3], "tom", "Tom Admin", "false"),
                   (team.ids[4], "tom", "Tom Admin", "true")]
    assert all(i.startswith(("ann-202611-", "tom-202611-")) for i in team.ids)
    data = json.loads(team.cli("ann", "chases", "--format", "json")[1])
    assert list(data[0])[-2:] == ["writer", "batch"] and data[2]["writer"] == "tom"
    table = team.cli("tom", "chases")[1].splitlines()
    assert table[0].split() == ["id", "at", "person", "team", "channel", "minutes", "outcome",
                                "fields", "note", "writer", "voided"]
    assert table[-1].split()[-2:] == ["tom", "VOID"]


@pytest.mark.parametrize("who", ["tom", "TOM", "Tom Admin", "tom@corp.test"])
def test_chases_by_writer(team, who):
    code, out, _ = team.cli("ann", "chases", "--by", who, "--format", "csv")
    assert code == 0
    assert [r["id"] for r in rows(out)] == team.ids[2:]


@pytest.mark.parametrize("argv, fragment", [
    (["chases", "--by", "zed"], "unknown writer 'zed' (writers: ann (Ann Admin), tom (Tom Admin))"),
    (["chases", "--by", ""], "unknown writer ''"),
    (["chases", "unvoid", "ann-202611-1", "--reason", "x"], "chase ann-202611-1 is not voided"),
    (["chases", "unvoid", "ann-202611-99", "--reason", "x"], "no chase with id 'ann-202611-99'"),
    (["chases", "unvoid", "ann-202611-1", "--reason", "  "], "--reason must say why"),
    (["chases", "unvoid", "ann-202611-1"], "--reason"),
    (["chases", "void", "nonsense", "--reason", "x"], "no chase with id 'nonsense'"),
    (["costs", "--by", "planet"], "invalid choice: 'planet'"),
    (["ledger"], "`chaser ledger` needs an action: status"),
    (["ledger", "status", "--stale-days", "0"], "--stale-days must be a number of days"),
    (["ledger", "status", "--format", "xml"], "invalid choice: 'xml'"),
])
def test_bad_input_is_one_line_exit_2(team, argv, fragment):
    code, _, err = team.cli("ann", *argv)
    assert code == 2 and err.startswith("chaser: error: ") and err.count("\n") == 1, err
    assert fragment in err


def test_unvoid_makes_a_chase_count_again_for_everyone(team):
    before = rows(team.cli("tom", "costs", "--by", "admin", "--format", "csv")[1])
    code, out, err = team.cli("tom", "chases", "unvoid", team.ids[4], "--reason", "not a dup")
    assert code == 0, err
    assert out == f"withdrew the void of chase {team.ids[4]}: not a dup; it counts again\n"
    for who in ("ann", "tom"):
        after = rows(team.cli(who, "costs", "--by", "admin", "--format", "csv")[1])
        tom = next(r for r in after if r["admin"] == "tom")
        assert tom["chases"] == "3" and tom["minutes"] == "85"
        assert next(r for r in before if r["admin"] == "tom")["chases"] == "2"
    code, _, err = team.cli("ann", "chases", "unvoid", team.ids[4], "--reason", "again")
    assert code == 2 and "is not voided" in err


def test_old_ids_are_accepted_by_void_and_unvoid(team):
    old = team.ids[1].removeprefix("ann-")  # "202611-2": an id from before the ledger
    code, out, err = team.cli("ann", "chases", "void", old, "--reason", "wrong person")
    assert code == 0, err
    assert out == f"voided chase {team.ids[1]}: wrong person\n"
    code, out, err = team.cli("ann", "chases", "unvoid", old, "--reason", "right after all")
    assert code == 0 and team.ids[1] in out, err


def test_costs_by_admin_at_each_admins_rate(team):
    code, out, err = team.cli("tom", "costs", "--by", "admin", "--format", "csv")
    assert code == 0 and err == "", err
    assert rows(out) == [
        {"admin": "ann", "name": "Ann Admin", "people": "2", "chases": "2", "minutes": "27",
         "cost": "40.50", "barrier_chases": "0"},
        {"admin": "tom", "name": "Tom Admin", "people": "2", "chases": "2", "minutes": "40",
         "cost": "25.00", "barrier_chases": "0"}]
    data = json.loads(team.cli("ann", "costs", "--by", "admin", "--format", "json")[1])
    assert [(r["admin"], r["cost"]) for r in data] == [("ann", 40.5), ("tom", 25.0)]
    # the same chases by person: ann's 30.00 + tom's 15.00 for Ann Lee, 10.50 + 10.00 for Bob
    people = rows(team.cli("ann", "costs", "--format", "csv")[1])
    assert [(r["person"], r["cost"]) for r in people] == [("Ann Lee", "45.00"),
                                                         ("Bob Roy", "20.50")]
    _, table, _ = team.cli("ann", "costs", "--by", "admin")
    assert re.search(r"TOTAL\s+4\s+67\s+65\.50\s+0", table), table
    assert "total EUR 65.50 for 4 chases (67 min)" in table


def test_a_rate_for_no_writer_is_warned_about(team):
    cfg = team.configs["ann"]
    cfg.write_text(cfg.read_text() + "[costs.admins.anne]\nhourly_rate = 10\n", encoding="utf-8")
    code, _, err = team.cli("ann", "costs", "--by", "admin")
    assert code == 0
    assert ("chaser: warning: [costs.admins.anne] in " in err
            and "names no writer of the ledger, so its rate is not used (writers: ann, tom)"
            in err), err


def test_the_report_names_the_ledgers_it_read(team):
    code, out, err = team.cli("ann", "report", "--period", "2026-11")
    assert code == 0 and err == "", err
    flat = " ".join(out.split())
    assert "Ledgers 2 admins' ledgers read (ann, tom); complete" in flat
    assert re.search(r"ann\s+Ann Admin\s+2\s+2\s+27\s+40\.50", out), out
    data = json.loads(team.cli("tom", "report", "--period", "2026-11", "--format", "json")[1])
    assert (data["ledgers_read"], data["ledger_writers"], data["incomplete"],
            data["left_out"]) == (2, ["ann", "tom"], False, [])
    assert [(a["admin"], a["cost"]) for a in data["admins"]] == [("ann", 40.5), ("tom", 25.0)]
    assert data["cost"] == 65.5


def test_a_half_synced_file_marks_every_figure_incomplete(team):
    """tom's November arrives on ann's machine half-copied: ann's figures leave it out and
    say so, once, on stderr; tom's own machine still reads it (and would refuse it if it
    were really corrupt: it is his)."""
    path = team.ledger / "tom" / "2026-11.json"
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    warning = re.compile(r"^chaser: warning: figures are incomplete: tom's chases of 2026-11 "
                         r"are left out: .*`chaser ledger status` lists them\)$")
    for argv in (["chases"], ["costs"], ["costs", "--by", "admin", "--format", "csv"],
                 ["report", "--period", "2026-11"], ["chases", "--by", "ann"]):
        code, out, err = team.cli("ann", *argv)
        assert code == 0, err
        lines = err.splitlines()
        assert len(lines) == 1 and warning.match(lines[0]), err
        assert "tom-202611" not in out
    data = json.loads(team.cli("ann", "report", "--period", "2026-11", "--format", "json")[1])
    assert data["incomplete"] is True and data["cost"] == 40.5
    assert data["left_out"] == [{"writer": "tom", "month": "2026-11", "kind": "unreadable"}]
    text = " ".join(team.cli("ann", "report", "--period", "2026-11")[1].split())
    assert ("2 admins' ledgers read (ann, tom); INCOMPLETE, left out: tom's 2026-11 "
            "(unreadable or half-synced file)") in text
    out = team.folder / "hr.csv"
    code, _, err = team.cli("ann", "export", "hr", "--period", "2026-11", "--out", out)
    assert code == 0 and warning.match(err.strip()) and err.count("\n") == 1, err
    about = (team.folder / "hr-about.txt").read_text(encoding="utf-8-sig")
    assert "INCOMPLETE: figures are incomplete: tom's chases of 2026-11 are left out" in about
    path.write_bytes(whole)  # the sync finishes: whole again, and nothing is said
    code, out, err = team.cli("ann", "chases")
    assert code == 0 and err == "" and "tom-202611" in out


def test_ledger_status_with_a_conflicted_copy_and_an_unreadable_file(team, monkeypatch):
    (team.ledger / "ann" / "2026-11 (Ann's conflicted copy 2026-11-20).json").write_bytes(
        (team.ledger / "ann" / "2026-11.json").read_bytes())
    (team.ledger / "tom" / "2026-10.json").write_text("{not json", encoding="utf-8")
    code, out, err = team.cli("ann", "ledger", "status")
    assert code == 0 and err == "", err
    lines = out.splitlines()
    assert lines[0] == f"ledger: {team.ledger} (shared: [ledger] path)"
    assert re.match(r"this installation \(\w+\) writes as ann \(Ann Admin, <ann@corp\.test>\); "
                    r"a writer is STALE after 14 days without an event$", lines[1]), lines[1]
    assert lines[2].split() == ["writer", "name", "email", "files", "events", "chases", "voids",
                                "last", "event", "stale"]
    assert re.match(r"ann \*\s+Ann Admin\s+ann@corp\.test\s+1\s+3\s+2\s+1\s+2026-11-20 09:00$",
                    lines[4]), lines[4]
    assert re.match(r"tom\s+Tom Admin\s+tom@corp\.test\s+2\s+3\s+3\s+0\s+2026-11-20 09:00$",
                    lines[5]), lines[5]
    assert lines[6] == "2 warnings (figures are INCOMPLETE):"
    assert lines[7].startswith("  conflict: ann/2026-11 (Ann's conflicted copy 2026-11-20).json")
    assert lines[8].startswith("  unreadable: tom's chases of 2026-10 are left out: "
                               "2026-10.json cannot be read")

    code, out, err = team.cli("ann", "ledger", "status", "--format", "json")
    data = json.loads(out)
    assert (data["ledger"], data["shared"], data["writer"], data["incomplete"]) == (
        str(team.ledger), True, "ann", True)
    assert [(w["writer"], w["this"], w["claimed"], w["files"], w["chases"], w["left_out"])
            for w in data["writers"]] == [("ann", True, True, 1, 2, []),
                                          ("tom", False, True, 2, 3, ["2026-10"])]
    assert sorted(w["kind"] for w in data["warnings"]) == ["conflict", "unreadable"]

    code, out, err = team.cli("ann", "ledger", "status", "--format", "csv")
    assert out.splitlines()[0].startswith("writer,name,email,host,this,claimed,files,")
    assert [r["writer"] for r in rows(out)] == ["ann", "tom"]
    assert [line.split(":")[1] for line in err.splitlines()] == [" warning", " warning"]


def test_a_quiet_writer_is_stale(team, monkeypatch):
    monkeypatch.setenv("CHASER_NOW", "2026-12-10T09:00:00+00:00")  # 20 days on
    data = json.loads(team.cli("ann", "ledger", "status", "--format", "json")[1])
    assert [(w["writer"], w["days_since"], w["stale"]) for w in data["writers"]] == [
        ("ann", 20, True), ("tom", 20, True)]
    data = json.loads(team.cli("ann", "ledger", "status", "--format", "json",
                               "--stale-days", "30")[1])
    assert not any(w["stale"] for w in data["writers"])
    assert "STALE" in team.cli("ann", "ledger", "status")[1].splitlines()[4]


def test_costs_by_admin_arithmetic_is_in_costs():
    """Rate precedence on plain data: the admin's own rate, then the team's admin rate, then
    the default; rep time stays the team's."""
    from datetime import UTC, datetime

    from chaser.config import CostSettings, TeamRates
    from chaser.costs import rates_for, summarise
    from chaser.model import Channel, Chase, Outcome, Person
    from chaser.periods import parse_period

    costs = CostSettings(admin_hourly_rate=Decimal(60), rep_hourly_rate=Decimal(90),
                         rep_minutes_per_chase=10,
                         teams={"EMEA": TeamRates(admin_hourly_rate=Decimal(30))},
                         admins={"ann": Decimal("45.5")})
    assert rates_for(costs, "EMEA", "ann").admin_hourly_rate == Decimal("45.5")
    assert rates_for(costs, "EMEA", "tom").admin_hourly_rate == Decimal(30)
    assert rates_for(costs, "NA", "tom").admin_hourly_rate == Decimal(60)
    assert rates_for(costs, "EMEA", "ann").rep_hourly_rate == Decimal(90)
    at = datetime(2026, 11, 3, 10, tzinfo=UTC)
    people = [Person("p1", "P One", "EMEA"), Person("p2", "P Two", "NA")]

    def chase(n, person, minutes, writer, by=""):
        return Chase(f"{writer}-202611-{n}", at, person, Channel.CALL, minutes, Outcome.PROMISED,
                     writer=writer, by=by or writer.title())

    chases = [chase(1, "p1", 1, "ann"), chase(2, "p1", 1, "ann"), chase(3, "p1", 1, "ann"),
              chase(1, "p2", 7, "tom"), chase(2, "p1", 13, "tom", by="Tom T.")]
    s = summarise(chases, people, costs, parse_period("2026-11", at, UTC))
    # ann: 3 x (1 x 45.5 + 10 x 90) / 60 = 47.275 (rounded once: 47.28, not 3 x 15.76)
    # tom: (7 x 60 + 900) / 60 = 22.00 and (13 x 30 + 900) / 60 = 21.50
    assert s.by_admin["ann"].cost == Decimal("47.275")
    assert (s.by_admin["tom"].cost, s.by_admin["tom"].name, s.by_admin["tom"].people) == (
        Decimal("43.5"), "Tom T.", 2)
    assert list(s.by_admin) == ["ann", "tom"]  # most expensive first
    assert sum((line.cost for line in s.by_admin.values()), Decimal(0)) == s.total.cost


def test_a_writer_id_claimed_by_another_installation(team, monkeypatch, capsys):
    """tom's machine configured with ann's id: refused when logging, and status says why."""
    monkeypatch.setenv("CHASER_HOME", str(team.folder / "home-tom"))
    code, _, err = run(capsys, "log", "Ann Lee", "--minutes", "5", "--config",
                       team.configs["ann"])
    assert code == 2 and "writer id 'ann'" in err and "another chaser installation" in err, err
    code, out, err = run(capsys, "ledger", "status", "--config", team.configs["ann"])
    assert code == 0, err
    assert "  claimed: writer id 'ann' belongs to another installation" in out
