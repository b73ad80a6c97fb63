"""`chaser digest --send` against a real SMTP server on 127.0.0.1 (aiosmtpd): routing to each
manager, the figures of `chaser report --format json --team T`, UTF-8, the multipart
structure, sent once, retried after a failure, and clean errors."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from tests.conftest import run_cli
from tests.digest_support import PASSWORD, USER, digest_org, smtp_server

# implicit TLS is TLS; aiosmtpd warns as it counts only STARTTLS
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
DAY = "2026-11-19..2026-11-19"  # "yesterday" at the pinned clock (2026-11-20 09:00 UTC)
MANAGERS = {"zoe.muller@acme.example": ["Ventes Île-de-France"],
            "ann.lee@acme.example": ["North", "South"],
            "gone@acme.example": ["West"]}


def _org(tmp_path, capsys, monkeypatch, port, **kw):
    """The CSV org with two snapshots (the 18th and the 20th) and chases on the 19th."""
    config = digest_org(tmp_path, port, **kw)
    monkeypatch.setenv("CHASER_NOW", "2026-11-18T09:00:00+00:00")
    assert run_cli(capsys, "--config", config, "sync")[0] == 0
    deals = (tmp_path / "deals.csv").read_text(encoding="utf-8")
    # d2 filled, d1 and d6 blanked: one gap closed and two opened since the 18th
    deals = deals.replace("d2,u2,Won,\n", "d2,u2,Won,50\n").replace("d1,u1,Won,100", "d1,u1,Won,")
    deals = deals.replace("d6,u4,Won,7", "d6,u4,Won,")
    (tmp_path / "deals.csv").write_text(deals, encoding="utf-8")
    monkeypatch.setenv("CHASER_NOW", "2026-11-20T09:00:00+00:00")
    assert run_cli(capsys, "--config", config, "sync")[0] == 0
    for who, minutes, outcome in (("u2", 10, "barrier-time"), ("u4", 20, "promised"),
                                  ("u5", 15, "fixed"), ("u2", 5, "no-response")):
        code, _, err = run_cli(capsys, "--config", config, "log", who, "--minutes", minutes,
                               "--outcome", outcome, "--at", "2026-11-19T10:00")
        assert code == 0, err
    return config


def _text(msg) -> str:
    return msg.get_body(("plain",)).get_content().replace("\r\n", "\n")


def _html(msg) -> str:
    return msg.get_body(("html",)).get_content().replace("\r\n", "\n")


def _money(value: float, cur: str) -> str:
    return f"{cur} {Decimal(str(value)).quantize(Decimal('0.01')):,}"


def test_one_message_per_manager_with_their_teams_figures(tmp_path, capsys, monkeypatch):
    with smtp_server(tmp_path) as (inbox, port, _):
        config = _org(tmp_path, capsys, monkeypatch, port)
        code, out, err = run_cli(capsys, "--config", config, "digest", "--send")
        assert code == 0, err
    # the manager with no person row is named, never skipped in silence
    assert "no email address known for manager 'Nobody Known'" in err
    got = {r[0]: m for rcpt, m, _ in inbox.messages for r in [rcpt]}
    assert sorted(got) == sorted([*MANAGERS, "vp@acme.example"])
    assert all(len(rcpt) == 1 for rcpt, _, _ in inbox.messages)
    for address, teams in MANAGERS.items():
        msg = got[address]
        text = _text(msg)
        for team in teams:
            code, report, _ = run_cli(capsys, "--config", config, "report", "--format", "json",
                                      "--team", team, "--period", DAY)
            assert code == 0
            j = json.loads(report)
            section = text.split(f"Team {team}\n")[1].split("\nTeam ")[0]
            cur = j["currency"]
            assert f"Hidden cost: {_money(j['cost'], cur)}" in section
            assert f"Chases: {j['chases']} chase{'s' if j['chases'] != 1 else ''}, " \
                   f"{j['minutes']} min; {j['barrier_chases']} hit a barrier" in section
            assert f"Completeness: {j['completeness_pct']:.1f}%" in section
            assert f"Open gaps: {j['open_gaps']} record{'s' if j['open_gaps'] != 1 else ''}" \
                in section
            assert _money(j["cost"], cur) in _html(msg)
        others = set(t for ts in MANAGERS.values() for t in ts) - set(teams)
        assert not any(f"Team {t}\n" in text for t in others)  # only their own teams
    # the org-wide digest covers every team
    assert "All teams\n" in _text(got["vp@acme.example"])
    # and the figures are those of `chaser report` to the last key (the real CLI both sides)
    code, report, _ = run_cli(capsys, "--config", config, "report", "--format", "json",
                              "--period", DAY)
    j = json.loads(report)
    assert f"Hidden cost: {_money(j['cost'], 'USD')}" in _text(got["vp@acme.example"])
    assert j["chases"] == 4 and j["minutes"] == 50  # logged above: the test can fail


def test_the_digest_figures_are_the_report_json(tmp_path, capsys, monkeypatch):
    from chaser.digest_build import build, recipients
    from chaser.digest_sent import SentLog
    from chaser.output import to_json
    from chaser.workspace import Workspace

    with smtp_server(tmp_path) as (_, port, _):
        config = _org(tmp_path, capsys, monkeypatch, port)
    ws = Workspace.open(str(config))
    log = SentLog(ws.store.root)
    for r in recipients(ws.settings.digest, ws.snapshot().people):
        if r.address is None:
            continue
        digest = build(ws, r, DAY, log)
        for section in digest.sections:
            argv = ["--config", config, "report", "--format", "json", "--period", DAY]
            if section.team is not None:
                argv += ["--team", section.team]
            code, report, _ = run_cli(capsys, *argv)
            assert code == 0
            assert json.loads(to_json(section.figures)) == json.loads(report)
    # gaps opened and closed since the snapshot of the 18th, counted by hand from the CSVs
    zoe = next(r for r in recipients(ws.settings.digest, ws.snapshot().people)
               if r.name == "Zoë Müller")
    section = build(ws, zoe, DAY, log).sections[0]
    assert (section.opened, section.closed) == (1, 1)  # d1 blanked, d2 filled
    assert section.most_gaps == (("Jérôme Dupré", 1, 2), ("Zoë Müller", 1, 1))


def test_utf8_names_subjects_and_multipart(tmp_path, capsys, monkeypatch):
    with smtp_server(tmp_path) as (inbox, port, _):
        config = _org(tmp_path, capsys, monkeypatch, port)
        assert run_cli(capsys, "--config", config, "digest", "--send")[0] == 0
    msg = inbox.to("zoe.muller@acme.example")[0]
    raw = next(r for rcpt, _, r in inbox.messages if "zoe.muller@acme.example" in rcpt)
    assert msg["Subject"] == "CRM data digest 2026-11-19: Ventes Île-de-France"
    assert b"=?utf-8?" in raw.lower() and "Île".encode() not in raw.split(b"\r\n\r\n")[0]
    assert msg["From"].addresses[0].display_name == "Sales Ops — Zoë"
    assert msg["To"].addresses[0].display_name == "Zoë Müller"
    assert msg.get_content_type() == "multipart/alternative"
    parts = list(msg.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" for p in parts)
    assert all(p["Content-Transfer-Encoding"] == "quoted-printable" for p in parts)
    assert msg["Message-ID"].endswith("@acme.example>")
    assert msg["Auto-Submitted"] == "auto-generated"
    assert "Good morning Zoë Müller," in _text(msg)


def test_sent_once_then_nothing_new(tmp_path, capsys, monkeypatch):
    with smtp_server(tmp_path) as (inbox, port, _):
        config = _org(tmp_path, capsys, monkeypatch, port)
        assert run_cli(capsys, "--config", config, "digest", "--send")[0] == 0
        first = len(inbox.messages)
        code, out, err = run_cli(capsys, "--config", config, "digest", "--send")
        assert code == 0, err
        assert len(inbox.messages) == first == 4
        assert "already sent for 2026-11-19..2026-11-19: 4" in out
        code, out, _ = run_cli(capsys, "--config", config, "status")
    assert "digest:     last sent 2026-11-20 09:00" in out
    assert "Nobody Known: not sent: no email address known" in out


def test_a_refused_recipient_fails_cleanly_and_is_retried(tmp_path, capsys, monkeypatch):
    with smtp_server(tmp_path) as (inbox, port, _):
        config = _org(tmp_path, capsys, monkeypatch, port)
        inbox.refused.add("gone@acme.example")
        code, out, err = run_cli(capsys, "--config", config, "digest", "--send")
        assert code == 2
        line = err.strip().splitlines()[-1]
        assert line.startswith(f"chaser: error: SMTP server 127.0.0.1:{port} refused the "
                               "recipient gone@acme.example: 550 5.1.1")
        assert "Traceback" not in err
        assert len(inbox.messages) == 3  # the others went
        _, status, _ = run_cli(capsys, "--config", config, "status")
        assert "Gail Gone <gone@acme.example>: FAILED" in status and "550" in status
        inbox.refused.clear()
        code, out, err = run_cli(capsys, "--config", config, "digest", "--send")
        assert code == 0, err
        assert [r for r, _, _ in inbox.messages[3:]] == [["gone@acme.example"]]
        _, status, _ = run_cli(capsys, "--config", config, "status")
    assert "FAILED" not in status


def test_a_failure_of_an_earlier_day_is_retried_the_next_day(tmp_path, capsys, monkeypatch):
    with smtp_server(tmp_path) as (inbox, port, _):
        config = _org(tmp_path, capsys, monkeypatch, port)
        inbox.refused.add("gone@acme.example")
        assert run_cli(capsys, "--config", config, "digest", "--send")[0] == 2
        inbox.refused.clear()
        monkeypatch.setenv("CHASER_NOW", "2026-11-21T07:30:00+00:00")
        code, _, err = run_cli(capsys, "--config", config, "digest", "--send")
        assert code == 0, err
    late = [m for r, m, _ in inbox.messages[3:] if r == ["gone@acme.example"]]
    assert sorted(m["Subject"] for m in late) == [
        "CRM data digest 2026-11-19: West", "CRM data digest 2026-11-20: West"]


def test_starttls_and_auth_with_a_verified_certificate(tmp_path, capsys, monkeypatch,
                                                       memory_keyring):
    from chaser import digest_smtp

    with smtp_server(tmp_path, tls="starttls", auth=True) as (inbox, port, cert):
        config = _org(tmp_path, capsys, monkeypatch, port, security="starttls", auth=True)
        # not trusted yet: refused, and nothing sent in clear text
        memory_keyring.set_password("chaser", "smtp:password", PASSWORD)
        code, _, err = run_cli(capsys, "--config", config, "digest", "--send")
        assert code == 2 and "certificate is not trusted" in err and not inbox.messages
        monkeypatch.setattr(digest_smtp, "TRUST", str(cert))
        code, _, err = run_cli(capsys, "--config", config, "digest", "--send")
        assert code == 0, err
        assert len(inbox.messages) == 4
        code, _, err = run_cli(capsys, "--config", config, "digest", "--out", tmp_path / "eml",
                               "--to", "me@acme.example", "--send")
        assert code == 0, err
    _no_password_anywhere(tmp_path, err)


def test_a_wrong_password_is_one_clean_line(tmp_path, capsys, monkeypatch, memory_keyring):
    from chaser import digest_smtp

    with smtp_server(tmp_path, tls="starttls", auth=True) as (inbox, port, cert):
        config = _org(tmp_path, capsys, monkeypatch, port, security="starttls", auth=True)
        monkeypatch.setattr(digest_smtp, "TRUST", str(cert))
        memory_keyring.set_password("chaser", "smtp:password", "not-the-password-xyz")
        code, _, err = run_cli(capsys, "--config", config, "digest", "--send")
        assert code == 2 and not inbox.messages
    lines = err.strip().splitlines()
    assert lines[-1].startswith(f"chaser: error: SMTP server 127.0.0.1:{port} refused the "
                                f"login of {USER}: 535")
    assert "not-the-password-xyz" not in err and "Traceback" not in err
    _, status, _ = run_cli(capsys, "--config", config, "status")
    assert status.count("FAILED") == 4  # each digest that did not go, to try again


def test_implicit_tls_with_the_password_from_the_environment(tmp_path, capsys, monkeypatch):
    from chaser import digest_smtp

    with smtp_server(tmp_path, tls="ssl", auth=True) as (inbox, port, cert):
        config = _org(tmp_path, capsys, monkeypatch, port, security="ssl", auth=True)
        monkeypatch.setattr(digest_smtp, "TRUST", str(cert))
        code, _, err = run_cli(capsys, "--config", config, "digest", "--send")
        assert code == 2 and "CHASER_SMTP_PASSWORD" in err  # none stored: says where to put it
        monkeypatch.setenv("CHASER_SMTP_PASSWORD", PASSWORD)
        code, _, err = run_cli(capsys, "--config", config, "digest", "--send")
        assert code == 0, err
        assert len(inbox.messages) == 4
    _no_password_anywhere(tmp_path, err)


def test_starttls_refused_when_the_server_offers_none(tmp_path, capsys, monkeypatch):
    with smtp_server(tmp_path) as (inbox, port, _):
        config = _org(tmp_path, capsys, monkeypatch, port, security="starttls")
        code, _, err = run_cli(capsys, "--config", config, "digest", "--send")
    assert code == 2 and not inbox.messages
    assert "does not offer STARTTLS; chaser will not send in clear text" in err


def _no_password_anywhere(tmp_path, *texts: str) -> None:
    import base64

    forms = [PASSWORD.encode(), base64.b64encode(PASSWORD.encode()),
             base64.b64encode(f"\0{USER}\0{PASSWORD}".encode())]
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.suffix == ".eml" for p in files) or not (tmp_path / "eml").exists()
    for p in files:
        data = p.read_bytes()
        for f in forms:
            assert f not in data, p
    for t in texts:
        assert PASSWORD not in t


@pytest.mark.parametrize("period", ["since-last"])
def test_since_last_covers_the_days_after_the_last_digest(tmp_path, capsys, monkeypatch,
                                                          period):
    with smtp_server(tmp_path) as (inbox, port, _):
        config = _org(tmp_path, capsys, monkeypatch, port, extra="")
        text = config.read_text(encoding="utf-8").replace(
            "[digest]\n", f'[digest]\nperiod = "{period}"\n')
        config.write_text(text, encoding="utf-8")
        assert run_cli(capsys, "--config", config, "digest", "--send")[0] == 0
        monkeypatch.setenv("CHASER_NOW", "2026-11-23T07:30:00+00:00")
        assert run_cli(capsys, "--config", config, "digest", "--send")[0] == 0
        assert run_cli(capsys, "--config", config, "digest", "--send")[0] == 0
    subjects = [m["Subject"] for r, m, _ in inbox.messages if r == ["vp@acme.example"]]
    assert subjects == ["CRM data digest 2026-11-19: all teams",
                        "CRM data digest 2026-11-20 – 2026-11-22: all teams"]
