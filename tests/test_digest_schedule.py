"""`chaser digest --schedule`: the four renderings (faked platforms), --install with a fake
crontab and systemctl on PATH (never the real ones), and an entry that really runs; then
`chaser connect smtp` as a new user would, ending with the demo org's digest delivered."""

from __future__ import annotations

import os
import plistlib
import shlex
import subprocess
from pathlib import Path

import pytest

from chaser import digest_schedule as sched
from tests.conftest import run_cli
from tests.digest_support import PASSWORD, USER, smtp_server

ARGV = ["/opt/py 3/bin/python", "-m", "chaser", "--config", "/etc/chaser/chaser.toml", "digest",
        "--send"]
ENV = {"CHASER_HOME": "/srv/chaser home", "PATH": "/bin"}
LOG = Path("/srv/chaser home/data/digest.log")


def test_cron_line():
    e = sched.entry("cron", (7, 30), ARGV, ENV, Path("/home/ann"), LOG)
    assert e.text == ("30 7 * * * CHASER_HOME='/srv/chaser home' '/opt/py 3/bin/python' -m "
                      "chaser --config /etc/chaser/chaser.toml digest --send "
                      ">>'/srv/chaser home/data/digest.log' 2>&1 # chaser digest")


def test_systemd_user_timer():
    e = sched.entry("systemd", (7, 5), ARGV, {**ENV, "XDG_CONFIG_HOME": "/home/ann/.cfg"},
                    Path("/home/ann"), LOG)
    (service_path, service), (timer_path, timer) = e.files
    assert service_path == Path("/home/ann/.cfg/systemd/user/chaser-digest.service")
    assert timer_path.name == "chaser-digest.timer"
    assert 'Environment="CHASER_HOME=/srv/chaser home"\n' in service
    assert ('ExecStart="/opt/py 3/bin/python" -m chaser --config /etc/chaser/chaser.toml '
            "digest --send\n") in service and "Type=oneshot" in service
    assert "OnCalendar=*-*-* 07:05:00\nPersistent=true\n" in timer
    assert "WantedBy=timers.target" in timer
    assert e.commands[-1] == ("systemctl", "--user", "enable", "--now", "chaser-digest.timer")


def test_launchd_agent():
    e = sched.entry("launchd", (18, 0), ARGV, ENV, Path("/Users/ann"), LOG)
    (path, content), = e.files
    assert path == Path("/Users/ann/Library/LaunchAgents/com.chaser.digest.plist")
    plist = plistlib.loads(content.encode())
    assert plist["ProgramArguments"] == ARGV
    assert plist["StartCalendarInterval"] == {"Hour": 18, "Minute": 0}
    assert plist["EnvironmentVariables"] == {"CHASER_HOME": "/srv/chaser home"}
    assert plist["Label"] == "com.chaser.digest" and plist["StandardErrorPath"] == str(LOG)


def test_windows_schtasks():
    argv = [r"C:\Program Files\Python\python.exe", "-m", "chaser", "digest", "--send"]
    e = sched.entry("schtasks", (7, 30), argv, {}, Path("C:/Users/ann"), LOG)
    assert e.text == ('schtasks /Create /F /SC DAILY /TN "chaser digest" /TR '
                      '"\\"C:\\Program Files\\Python\\python.exe\\" -m chaser digest --send" '
                      "/ST 07:30")


@pytest.mark.parametrize(("platform", "marker", "command"), [
    ("darwin", "<key>StartCalendarInterval</key>",
     "<string>--demo</string>\n        <string>digest</string>\n        <string>--send</string>"),
    ("win32", "schtasks /Create", "-m chaser --demo digest --send"),
])
def test_the_cli_prints_this_systems_entry(capsys, monkeypatch, platform, marker, command):
    monkeypatch.setattr(sched, "this_system", lambda: platform)
    code, out, _ = run_cli(capsys, "--demo", "digest", "--schedule", "07:30")
    assert code == 0 and marker in out and command in out


def test_a_bad_time_is_refused(capsys):
    code, _, err = run_cli(capsys, "--demo", "digest", "--schedule", "7.30")
    assert code == 2 and "is not a time like 07:30" in err


def _fake(bin_dir: Path, name: str, body: str) -> None:
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / name).write_text("#!/bin/sh\n" + body, encoding="utf-8")
    (bin_dir / name).chmod(0o755)


def test_install_into_a_fake_crontab_replaces_our_line(tmp_path, capsys, monkeypatch):
    tab = tmp_path / "crontab.txt"
    _fake(tmp_path / "bin", "crontab",
          f'if [ "$1" = "-l" ]; then [ -f {tab} ] || {{ echo "no crontab for u" >&2; exit 1; }}; '
          f'cat {tab}; else cat > {tab}; fi\n')
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    code, out, err = run_cli(capsys, "--demo", "digest", "--schedule", "07:30", "--via", "cron",
                             "--install")
    assert code == 0, err
    assert "installed in your crontab" in out
    tab.write_text("0 1 * * * backup\n" + tab.read_text(), encoding="utf-8")
    assert run_cli(capsys, "--demo", "digest", "--schedule", "06:45", "--via", "cron",
                   "--install")[0] == 0
    lines = tab.read_text().splitlines()
    assert lines[0] == "0 1 * * * backup" and len(lines) == 2
    assert lines[1].startswith("45 6 * * * ") and lines[1].endswith("# chaser digest")


def test_install_a_systemd_user_timer_with_a_fake_systemctl(tmp_path, capsys, monkeypatch):
    calls = tmp_path / "calls.txt"
    _fake(tmp_path / "bin", "systemctl", f'echo "$@" >> {calls}\n')
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    code, out, err = run_cli(capsys, "--demo", "digest", "--schedule", "07:30", "--via",
                             "systemd", "--install")
    assert code == 0, err
    units = tmp_path / "cfg" / "systemd" / "user"
    assert "OnCalendar=*-*-* 07:30:00" in (units / "chaser-digest.timer").read_text()
    assert "digest --send" in (units / "chaser-digest.service").read_text()
    assert calls.read_text().splitlines() == ["--user daemon-reload",
                                              "--user enable --now chaser-digest.timer"]


def test_the_cron_entry_really_sends(tmp_path, capsys, monkeypatch):
    from tests.test_digest import _org

    with smtp_server(tmp_path) as (inbox, port, _):
        config = _org(tmp_path, capsys, monkeypatch, port)
        code, out, _ = run_cli(capsys, "--config", config, "digest", "--schedule", "07:30",
                               "--via", "cron")
        assert code == 0
        line = out.strip().splitlines()[0]
        assert line.startswith("30 7 * * * ")
        command = line[len("30 7 * * * "):].removesuffix(sched.MARK)
        env = {"PATH": "/usr/bin:/bin", "HOME": os.environ["HOME"],
               "CHASER_NOW": "2026-11-20T09:00:00+00:00"}  # cron's bare environment
        done = subprocess.run(["/bin/sh", "-c", command], env=env, timeout=120)
        assert done.returncode == 0
    assert len(inbox.messages) == 4
    log = Path(os.environ["CHASER_HOME"]) / "data" / "digest.log"
    assert "sent to" in log.read_text(encoding="utf-8")
    assert shlex.split(command)[0].startswith("CHASER_HOME=")


def test_connect_smtp_then_the_demo_digest(tmp_path, capsys, monkeypatch, memory_keyring):
    """A new user: no config; connect smtp writes one for the demo org with [digest]."""
    from chaser import digest_smtp
    from chaser.audit import teams
    from chaser.connectors.base import Cancel
    from chaser.connectors.demo import DemoConnector

    with smtp_server(tmp_path, tls="starttls", auth=True) as (inbox, port, cert):
        monkeypatch.setattr(digest_smtp, "TRUST", str(cert))
        answers = iter(["127.0.0.1", "starttls", str(port), USER,
                        "Sales Ops <ops@acme.example>", "vp@acme.example", ""])
        monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
        monkeypatch.setattr("getpass.getpass", lambda prompt="": PASSWORD)
        code, out, err = run_cli(capsys, "connect", "smtp")
        assert code == 0, err
        assert "Test message sent to ops@acme.example" in out
        assert [m["Subject"] for _, m, _ in inbox.messages] == ["chaser: test message"]
        config = Path(os.environ["CHASER_HOME"]) / "chaser.toml"
        text = config.read_text(encoding="utf-8")
        assert 'kind = "demo"' in text and f"smtp_port = {port}" in text
        assert PASSWORD not in text
        assert memory_keyring.get_password("chaser", "smtp:password") == PASSWORD
        code, out, err = run_cli(capsys, "digest", "--send")
        assert code == 0, err
        code, again, err = run_cli(capsys, "digest", "--send")
        assert code == 0 and "already sent" in again
    people = DemoConnector(__import__("chaser.clock", fromlist=["now"]).now()) \
        .directory(Cancel()).people
    expected = {p.email: p.team for t in teams(people).values() for m in t.managers
                for p in people if p.name == m}
    got = {r[0]: m for r, m, _ in inbox.messages[1:]}
    assert set(got) == {*expected, "vp@acme.example"}
    for address, team in expected.items():
        assert got[address]["Subject"].endswith(f": {team}")
    for p in Path(os.environ["CHASER_HOME"]).rglob("*"):
        if p.is_file():
            assert PASSWORD.encode() not in p.read_bytes(), p
