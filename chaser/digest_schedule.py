"""`chaser digest --schedule HH:MM`: the entry that runs `chaser digest --send` every day at that
time on this system, and `--install`, which installs it for the current user.

Linux: a systemd user timer where systemd runs (Persistent=true, so a morning the machine was
off is caught up: the sent-record makes a late or second run harmless), else a user crontab
line; macOS: a launchd agent; Windows: a `schtasks` command. The time is the machine's local
time. Every entry runs this very Python with `-m chaser`, so it works outside a shell's PATH
and virtualenv, and carries CHASER_HOME / CHASER_CONFIG when they are set.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from chaser.errors import ChaserError

MARK = "# chaser digest"  # ends our crontab line: how --install finds and replaces it
UNIT = "chaser-digest"
AGENT = "com.chaser.digest"
TASK = "chaser digest"
ENV_KEPT = ("CHASER_HOME", "CHASER_CONFIG")
VIAS = ("cron", "systemd", "launchd", "schtasks")


@dataclass(frozen=True, slots=True)
class Entry:
    via: str  # one of VIAS
    text: str  # what to show: the line, the unit files, the plist, the command
    files: tuple[tuple[Path, str], ...] = ()  # files --install writes (path, content)
    commands: tuple[tuple[str, ...], ...] = ()  # then runs, in order


def parse_time(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*", text)
    if not m or int(m[1]) > 23 or int(m[2]) > 59:
        raise ChaserError(f"--schedule {text!r} is not a time like 07:30 (24-hour, local time)")
    return int(m[1]), int(m[2])


def command(config: Path | None, demo: bool) -> list[str]:
    """The scheduled command line: this Python, `-m chaser`, the config file in full."""
    argv = [sys.executable, "-m", "chaser"]
    if demo:
        argv.append("--demo")
    elif config is not None:
        argv += ["--config", str(Path(config).expanduser().resolve())]
    return [*argv, "digest", "--send"]


def this_system() -> str:
    """sys.platform, behind a seam: tests fake macOS and Windows with it."""
    return sys.platform


def default_via(system: str) -> str:
    if system == "darwin":
        return "launchd"
    if system.startswith("win"):
        return "schtasks"
    systemd = shutil.which("systemctl") is not None and Path("/run/systemd/system").is_dir()
    return "systemd" if systemd else "cron"


def entry(via: str, at: tuple[int, int], argv: Sequence[str], env: Mapping[str, str],
          home: Path, log: Path) -> Entry:
    """The entry of `via` for `argv` at `at`; `env` holds the variables to carry over, `log`
    the file cron and launchd append the run's output to (systemd keeps it in the journal,
    the Task Scheduler its last result)."""
    hour, minute = at
    kept = {k: env[k] for k in ENV_KEPT if env.get(k)}
    if via == "cron":
        prefix = "".join(f"{k}={shlex.quote(v)} " for k, v in kept.items())
        line = (f"{minute} {hour} * * * {prefix}{shlex.join(argv)} >>{shlex.quote(str(log))} 2>&1 {MARK}")
        # cron treats % as a newline: escape it wherever a path holds one
        line = line.replace("%", "\\%")
        return Entry(via, line, commands=(("crontab", "-"),))
    if via == "systemd":
        folder = Path(env.get("XDG_CONFIG_HOME") or home / ".config") / "systemd" / "user"
        service = ("[Unit]\nDescription=chaser morning digest\n\n[Service]\nType=oneshot\n"
                   + "".join(f"Environment={_sd_quote(f'{k}={v}')}\n" for k, v in kept.items())
                   + f"ExecStart={' '.join(_sd_quote(a) for a in argv)}\n")
        timer = (f"[Unit]\nDescription=chaser morning digest at {hour:02d}:{minute:02d}\n\n"
                 f"[Timer]\nOnCalendar=*-*-* {hour:02d}:{minute:02d}:00\nPersistent=true\n\n"
                 "[Install]\nWantedBy=timers.target\n")
        files = ((folder / f"{UNIT}.service", service), (folder / f"{UNIT}.timer", timer))
        text = "".join(f"# {p}\n{c}\n" for p, c in files)
        text += (f"# then: systemctl --user daemon-reload && systemctl --user enable --now "
                 f"{UNIT}.timer\n")
        return Entry(via, text, files, (("systemctl", "--user", "daemon-reload"),
                                        ("systemctl", "--user", "enable", "--now",
                                         f"{UNIT}.timer")))
    if via == "launchd":
        path = home / "Library" / "LaunchAgents" / f"{AGENT}.plist"
        args = "".join(f"\n        <string>{escape(a)}</string>" for a in argv)
        envs = "".join(f"\n        <key>{escape(k)}</key><string>{escape(v)}</string>"
                       for k, v in kept.items())
        plist = ('<?xml version="1.0" encoding="UTF-8"?>\n'
                 '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" '
                 '"http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n'
                 '<plist version="1.0">\n<dict>\n'
                 f"    <key>Label</key><string>{AGENT}</string>\n"
                 f"    <key>ProgramArguments</key>\n    <array>{args}\n    </array>\n"
                 + (f"    <key>EnvironmentVariables</key>\n    <dict>{envs}\n    </dict>\n"
                    if kept else "")
                 + f"    <key>StandardOutPath</key><string>{escape(str(log))}</string>\n"
                 f"    <key>StandardErrorPath</key><string>{escape(str(log))}</string>\n"
                 "    <key>StartCalendarInterval</key>\n"
                 f"    <dict><key>Hour</key><integer>{hour}</integer>"
                 f"<key>Minute</key><integer>{minute}</integer></dict>\n"
                 "</dict>\n</plist>\n")
        text = f"# {path}\n{plist}# then: launchctl load -w {shlex.quote(str(path))}\n"
        return Entry(via, text, ((path, plist),), (("launchctl", "load", "-w", str(path)),))
    if via == "schtasks":
        run = subprocess.list2cmdline(list(argv))
        if kept:  # a task has no environment of its own: set it in cmd first
            sets = " && ".join(f"set \"{k}={v}\"" for k, v in kept.items())
            run = f"cmd /c \"{sets} && {run}\""
        cmd = ("schtasks", "/Create", "/F", "/SC", "DAILY", "/TN", TASK, "/TR", run, "/ST",
               f"{hour:02d}:{minute:02d}")
        return Entry(via, subprocess.list2cmdline(list(cmd)), commands=(cmd,))
    raise ChaserError(f"unknown schedule kind {via!r} (use one of: {', '.join(VIAS)})")


def _sd_quote(arg: str) -> str:
    """An ExecStart/Environment word as systemd reads it: % doubled, quoted when needed."""
    arg = arg.replace("%", "%%")
    if re.fullmatch(r"[A-Za-z0-9_@%+=:,./-]+", arg):
        return arg
    return '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"'


def install(e: Entry) -> str:
    """Install `e` for the current user; a one-line description of what was done."""
    if e.via == "cron":
        current = _run(("crontab", "-l"), check=False)
        lines = [] if current.returncode else current.stdout.splitlines()
        kept = [ln for ln in lines if not ln.rstrip().endswith(MARK)]
        _run(("crontab", "-"), stdin="\n".join([*kept, e.text]) + "\n")
        return "installed in your crontab" + (" (replacing the previous chaser digest line)"
                                              if len(kept) < len(lines) else "")
    for path, content in e.files:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
        except OSError as err:
            raise ChaserError(f"{path}: cannot write: {err.strerror or err}") from None
    for cmd in e.commands:
        _run(cmd)
    where = ", ".join(str(p) for p, _ in e.files) or "the Task Scheduler"
    return f"installed ({e.via}): {where}"


def _run(cmd: Sequence[str], stdin: str | None = None, check: bool = True
         ) -> subprocess.CompletedProcess:
    try:
        done = subprocess.run(list(cmd), input=stdin, capture_output=True, text=True,
                              timeout=60, env=os.environ.copy())
    except FileNotFoundError:
        raise ChaserError(f"`{cmd[0]}` is not installed here: use --via to pick another "
                          "kind, or add the printed entry by hand") from None
    except subprocess.TimeoutExpired:
        raise ChaserError(f"`{' '.join(cmd)}` did not finish in 60 s") from None
    if check and done.returncode:
        reply = " ".join((done.stderr or done.stdout).split())[:300]
        raise ChaserError(f"`{' '.join(cmd)}` failed (exit {done.returncode}): {reply}")
    return done
