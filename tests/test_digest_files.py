"""`chaser digest --out DIR` (.eml files a mail client opens), the HTML's safety (escaped CRM
text, no scripts, no remote images), `--to` test sends, the preview, and the [digest] config's
validation."""

from __future__ import annotations

import stat
from email import message_from_bytes, policy

import pytest

from tests.conftest import csv_org, run_cli
from tests.digest_support import DEALS, PEOPLE, digest_org, smtp_server
from tests.test_digest import _html, _org, _text


def test_out_writes_eml_files_a_mail_client_opens(tmp_path, capsys, monkeypatch):
    config = _org(tmp_path, capsys, monkeypatch, 2525)
    out = tmp_path / "mail"
    code, stdout, err = run_cli(capsys, "--config", config, "digest", "--out", out)
    assert code == 0, err
    files = sorted(out.glob("*.eml"))
    assert [f.name for f in files] == [
        "digest-2026-11-19-ann.lee@acme.example.eml", "digest-2026-11-19-gone@acme.example.eml",
        "digest-2026-11-19-vp@acme.example.eml", "digest-2026-11-19-zoe.muller@acme.example.eml"]
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    assert stdout.count("wrote ") == 4
    raw = (out / "digest-2026-11-19-ann.lee@acme.example.eml").read_bytes()
    assert b"\r\n" in raw and raw.startswith(b"Subject:")  # RFC 5322 line ends
    msg = message_from_bytes(raw, policy=policy.default)
    assert msg["To"].addresses[0].addr_spec == "ann.lee@acme.example"
    assert msg.get_content_type() == "multipart/alternative"
    assert "Team North\n" in _text(msg) and "Team South\n" in _text(msg)
    # --out only writes: nothing is recorded as sent, so --send still sends all of them
    with smtp_server(tmp_path) as (inbox, port, _):
        config.write_text(config.read_text(encoding="utf-8").replace(
            "smtp_port = 2525", f"smtp_port = {port}"), encoding="utf-8")
        assert run_cli(capsys, "--config", config, "digest", "--send")[0] == 0
    assert len(inbox.messages) == 4


def test_html_is_plain_tables_with_every_crm_string_escaped(tmp_path, capsys, monkeypatch):
    config = _org(tmp_path, capsys, monkeypatch, 2525)
    assert run_cli(capsys, "--config", config, "digest", "--out", tmp_path / "m")[0] == 0
    msg = message_from_bytes((tmp_path / "m" / "digest-2026-11-19-ann.lee@acme.example.eml")
                             .read_bytes(), policy=policy.default)
    html = _html(msg)
    assert "<script" not in html.lower()
    assert "Cy &lt;script&gt;alert(1)&lt;/script&gt; &amp; Díaz" in html
    assert "<img" not in html.lower() and "http://" not in html and "https://" not in html
    assert "<style" not in html.lower() and "<table" in html
    assert 'background:#' in html  # the inline CSS bars
    assert "Cy <script>alert(1)</script> & Díaz" in _text(msg)  # plain text shows it as typed


def test_to_overrides_every_recipient_and_is_not_recorded(tmp_path, capsys, monkeypatch):
    with smtp_server(tmp_path) as (inbox, port, _):
        config = _org(tmp_path, capsys, monkeypatch, port)
        code, out, err = run_cli(capsys, "--config", config, "digest", "--send", "--to",
                                 "me@acme.example")
        assert code == 0, err
        assert {tuple(r) for r, _, _ in inbox.messages} == {("me@acme.example",)}
        assert len(inbox.messages) == 4
        assert all(m["Subject"].startswith("[test] CRM data digest") for _, m, _ in inbox.messages)
        assert run_cli(capsys, "--config", config, "digest", "--send")[0] == 0
    assert len(inbox.messages) == 8  # the real ones still went: a test send is not a send


def test_preview_without_digest_settings(tmp_path, capsys):
    config = csv_org(tmp_path, PEOPLE, DEALS, key="key")
    code, out, err = run_cli(capsys, "--config", config, "digest")
    assert code == 0, err
    assert "To: Zoë Müller <zoe.muller@acme.example>" in out and "Team North" in out
    code, _, err = run_cli(capsys, "--config", config, "digest", "--send")
    assert code == 2 and "no [digest] table in" in err and "chaser connect smtp" in err


@pytest.mark.parametrize(("table", "key", "says"), [
    ('from = "ops@acme.example"\nsmtp_host = "smtp.acme.example"\nsecurity = "none"',
     "digest.security", "allowed only for a server on this machine"),
    ('from = "not an address"\nsmtp_host = "127.0.0.1"', "digest.from",
     "is not an email address"),
    ('from = "ops@acme.example"\nsmtp_host = "127.0.0.1"\nsecurity = "tls"',
     "digest.security", "must be one of starttls, ssl, none"),
    ('from = "ops@acme.example"\nsmtp_host = "127.0.0.1"\nsmtp_port = 0',
     "digest.smtp_port", "must be a whole number from 1 to 65535"),
    ('from = "ops@acme.example"\nsmtp_host = "127.0.0.1"\nto = ["a@b.example", "nope"]',
     "digest.to[1]", "is not an email address"),
    ('from = "ops@acme.example"\nsmtp_host = "127.0.0.1"\nperiod = "last-fortnight"',
     "digest.period", "is not one of"),
    ('from = "ops@acme.example"\nsmtp_host = "127.0.0.1"\npassword = "x"',
     "digest.password", "unknown key"),
    ('from = "ops@acme.example"', "digest.smtp_host", "is required"),
    ('from = "ops@acme.example"\nsmtp_host = "smtp.acme.example:587"', "digest.smtp_host",
     "the port goes in smtp_port"),
])
def test_digest_config_errors_name_file_line_and_key(tmp_path, capsys, table, key, says):
    config = csv_org(tmp_path, PEOPLE, DEALS, key="key", extra=f"[digest]\n{table}\n")
    code, _, err = run_cli(capsys, "--config", config, "digest")
    assert code == 2
    line = err.strip().splitlines()[-1]
    assert line.startswith(f"chaser: error: {config}:") and f"key '{key}'" in line, line
    assert says in line


def test_loopback_may_use_plain_smtp_and_settings_parse(tmp_path):
    from chaser import config as cfg

    path = digest_org(tmp_path, 2525, to='["VP <vp@acme.example>", "cfo@acme.example"]')
    s = cfg.load(path).digest
    assert (s.smtp_host, s.smtp_port, s.security, s.period, s.per_manager) == \
        ("127.0.0.1", 2525, "none", "yesterday", True)
    assert [a.addr_spec for a in s.to] == ["vp@acme.example", "cfo@acme.example"]
    assert s.sender.display_name == "Sales Ops — Zoë"


def test_the_sent_record_is_private_and_stops_retrying_after_a_week(tmp_path):
    from datetime import UTC, datetime, timedelta

    from chaser.digest_sent import FAILED, RETRY_DAYS, SENT, Entry, SentLog

    log = SentLog(tmp_path / "data")
    day = datetime(2026, 11, 1, 7, 30, tzinfo=UTC)
    failed = Entry("2026-10-31..2026-10-31", "ann@acme.example", "Ann", ("North",), FAILED,
                   day.isoformat(), error="550 no")
    log.record(failed, day)
    assert stat.S_IMODE(log.path.stat().st_mode) == 0o600
    later = day + timedelta(days=RETRY_DAYS - 1)
    log.record(Entry(**{**failed.to_doc(), "teams": ("North",), "at": later.isoformat()}),
               later)
    assert len(log.entries()) == 1  # one per period and recipient
    assert [e.period for e in log.to_retry(later, "2026-11-07..2026-11-07")] == [failed.period]
    # the first failure's time counts, not the last retry's: a week on, it is no news
    assert log.to_retry(day + timedelta(days=RETRY_DAYS + 1), "x") == []
    log.record(Entry(failed.period, "ann@acme.example", "Ann", ("North",), SENT,
                     later.isoformat(), "<id@x>"), later)
    assert log.last_sent().message_id == "<id@x>" and log.open_failures() == []
