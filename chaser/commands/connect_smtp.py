"""`chaser connect smtp`: ask for the digest's mail settings and, hidden, the SMTP password;
keep the password in the OS keyring (never in a file: without a keyring, chaser reads
CHASER_SMTP_PASSWORD instead), send a test message, then write only the settings to [digest]
of the config file, in place (chaser.tomlplace.edit keeps the rest as written).

A new user without a config file gets one for the demo org ([source] kind = "demo"), so
`chaser digest --send` works on the demo straight away.
"""

from __future__ import annotations

import getpass
import os

from chaser import locations, secrets, tomlplace
from chaser.commands.connect import NEW_FILE_HEADER, TRIES, UNCHANGED, _ask
from chaser.digest_settings import DEFAULT_PORTS, SECURITY, address, parse
from chaser.errors import ChaserError
from chaser.tomlplace import Where

ASKED = ("smtp_host", "security", "smtp_port", "username", "from", "to")


def run(args) -> int:
    path = locations.config_path(args.config) or locations.config_dir() / "chaser.toml"
    raw = tomlplace.read(path, UNCHANGED)
    previous = raw.get("digest") if isinstance(raw.get("digest"), dict) else {}
    print(f"Setting up the digest's mail server; settings go to [digest] in {path}. Press "
          "Enter to keep the value in [brackets].")
    answers = dict(previous)
    answers["smtp_host"] = _ask("SMTP server (e.g. smtp.office365.com)",
                                previous.get("smtp_host"), "")
    answers["security"] = _choice(previous.get("security", "starttls"))
    port = previous.get("smtp_port") if previous.get("security") == answers["security"] else None
    answers["smtp_port"] = _ask("Port", port or DEFAULT_PORTS[answers["security"]], 0)
    user = _ask("User name to sign in with (Enter: none, for a server that needs no login)",
                previous.get("username"), "")
    answers["username"] = user
    answers["from"] = _ask("From (e.g. Sales Ops <ops@acme.example>)", previous.get("from"), "")
    to = _ask("Extra recipients of the org-wide digest, comma-separated (Enter: none)",
              previous.get("to"), [])
    answers["to"] = to
    answers = {k: v for k, v in answers.items() if v not in (None, "", [])}
    settings = parse(answers, Where(path, "", "digest"))

    if settings.username is not None:
        _password(settings.username)
    if not args.no_test:
        from chaser import clock
        from chaser.digest_mime import test_message
        from chaser.digest_smtp import Mailer, SmtpError, password

        target = address(_ask("Send a test message to", settings.sender.addr_spec, ""),
                         "test recipient")
        try:
            with Mailer(settings, password(settings)) as m:
                m.send(test_message(settings.sender, target, settings.smtp_host, clock.now()),
                       [target.addr_spec])
        except SmtpError as e:
            raise ChaserError(f"test message not sent, config not changed: {e} (fix it and "
                              "run `chaser connect smtp` again, or use --no-test)") from None
        print(f"Test message sent to {target.addr_spec} through {m.server}.")
    sets = {}
    if not isinstance(raw.get("source"), dict):
        sets[("source", "kind")] = "demo"  # no config yet: the demo org, with this digest
    sets |= {("digest", k): v for k, v in answers.items() if previous.get(k) != v}
    drops = [("digest", k) for k in ASKED if k in previous and k not in answers]
    tomlplace.edit(path, sets, drops, advice=UNCHANGED, header=NEW_FILE_HEADER)
    print(f"Settings written to {path}. Next: `chaser digest --out DIR` to look, "
          "`chaser digest --send` to send, `chaser digest --schedule 07:30` for every morning.")
    return 0


def _choice(current: str) -> str:
    for _ in range(TRIES):
        answer = (_ask(f"Security ({' | '.join(SECURITY)})", current, "") or "").strip().lower()
        if answer in SECURITY:
            return answer
        print(f"  answer one of {', '.join(SECURITY)}")
    raise ChaserError("no valid answer for the security")


def _password(username: str) -> None:
    """Hidden input into the keyring; Enter keeps a stored one. Without a keyring: say how
    CHASER_SMTP_PASSWORD is read instead, and never write the password anywhere."""
    if not secrets.keyring_available():
        print(f"This machine has no OS keyring backend, so chaser will not store the password "
              f"(it never writes one to a file): set {secrets.SMTP_ENV} in the environment "
              "of every run instead.")
        if not os.environ.get(secrets.SMTP_ENV):
            raise ChaserError(f"set {secrets.SMTP_ENV} (in single quotes: export "
                              f"{secrets.SMTP_ENV}='...'), then run `chaser connect smtp` "
                              "again, or use --no-test")
        return
    stored, where = secrets.get("smtp", "password")
    has = stored is not None and where == "keyring"
    hint = " (Enter keeps the stored one)" if has else ""
    for _ in range(TRIES):
        try:
            value = getpass.getpass(f"SMTP password for {username}{hint}: ")
        except EOFError:
            raise ChaserError("input ended before the password was given") from None
        if value:
            secrets.put("smtp", "password", value)
            print(f"Password stored in the OS keyring (service \"{secrets.SERVICE}\").")
            return
        if has:
            return
        print("  the password is required for a server that signs in")
    raise ChaserError("no SMTP password given")
