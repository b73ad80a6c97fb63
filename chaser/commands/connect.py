"""`chaser connect salesforce|hubspot`: ask for the settings and, hidden, the secrets; keep the
secrets in the OS keyring (service "chaser"), test the connection, and write only the settings
to the config file. The file is edited in place (chaser.tomlplace.edit): the admin's comments,
order and spacing stay, and only [source] kind and the asked keys of [source.<kind>] change.

Driven by each connector module's CONNECT_FIELDS and SECRETS, so adding a CRM adds no code
here. CONNECT_FIELDS: (key, prompt, default[, when(answers) -> bool]); the default's type says
how an answer is read (list = comma-separated, bool = yes/no, int = whole number). SECRETS:
[(name, prompt[, required])], or a dict of such lists keyed by the `auth` answer.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import Any

from chaser import config, locations, secrets, tomlplace
from chaser.connectors import registry
from chaser.errors import ChaserError

TRIES = 3  # a wrong answer is asked again this many times, then connect stops
UNCHANGED = "fix it, then run `chaser connect` again (the file was not changed)"
NEW_FILE_HEADER = (
    "chaser settings. `chaser connect` edits [source] in place and keeps the rest as written.",
    "Secrets are kept in the OS keyring, never in this file.",
)


def register(sub, common) -> None:
    p = sub.add_parser("connect", parents=[common],
                       help="set up Salesforce, HubSpot or the digest's SMTP server: settings "
                            "to the config file, secrets to the OS keyring")
    p.add_argument("kind", choices=(*registry.API, "smtp"),
                   help="the CRM to connect, or smtp: the mail server of `chaser digest`")
    p.add_argument("--no-test", action="store_true",
                   help="write the settings without testing the connection")
    p.set_defaults(func=run)


def run(args) -> int:
    if args.demo:
        raise ChaserError("connect writes a config file; it cannot be used with --demo")
    if args.kind == "smtp":  # not a CRM: its questions live with the digest
        from chaser.commands.connect_smtp import run as connect_smtp

        return connect_smtp(args)
    kind = args.kind
    module = _connector(kind)
    path = locations.config_path(args.config) or locations.config_dir() / "chaser.toml"
    raw = _read(path)
    source = raw.get("source") if isinstance(raw.get("source"), dict) else {}
    previous = source.get(kind) if isinstance(source.get(kind), dict) else {}
    needed_all = _secret_specs(module.SECRETS, None)
    secret_names = {name for name, _, _ in needed_all}
    print(f"Connecting chaser to {kind}; settings go to {path}. Press Enter to keep the value "
          "in [brackets].")

    answers = {k: v for k, v in previous.items() if k not in secret_names}
    for spec in module.CONNECT_FIELDS:
        key, prompt, default, *rest = spec
        when = rest[0] if rest else None
        if when is not None and not when(answers):
            continue
        value = _ask(prompt, previous.get(key, default), default)
        if value is None:
            answers.pop(key, None)
        else:
            answers[key] = value
    settings = module.parse_settings(answers, config.Where(path, "", f"source.{kind}"))

    needed = _secret_specs(module.SECRETS, answers.get("auth"))
    skip_test = args.no_test
    next_step = "`chaser sync`"
    if secrets.keyring_available():
        typed = {}
        for name, prompt, required in needed:
            value = _ask_secret(kind, name, prompt, required)
            if value:
                typed[name] = value
        for name, value in typed.items():
            secrets.put(kind, name, value)
        if typed:
            print(f"Secrets stored in the OS keyring (service \"{secrets.SERVICE}\").")
    else:
        env = secrets.ENV_TOKENS.get(kind, "")
        print(f"This machine has no OS keyring backend, so chaser will not store secrets: it "
              f"never writes them to a file. It reads the access token from {env} in the "
              "environment instead, on every run.")
        others = [name for name, _, _ in needed if name != "token"]
        if others:
            raise ChaserError(f"auth = {answers.get('auth')!r} needs the {', '.join(others)} "
                              f"kept in a keyring; use auth = \"token\" with {env}, or run "
                              "`chaser connect` where a keyring is available")
        if not os.environ.get(env):
            # Salesforce session ids hold a "!", which double quotes in bash would expand.
            print(f"Connection not tested: {env} is not set. Set it (in single quotes: "
                  f"export {env}='...'), then run `chaser sync`.")
            skip_test = True  # nothing to test with: write the settings, as --no-test would
            next_step = f"set {env}, then `chaser sync`"

    if not skip_test:
        try:
            print(module.whoami(settings))
        except ChaserError as e:
            raise ChaserError(f"connection test failed, config not changed: {e} "
                              "(fix it and run connect again, or use --no-test)") from None
    _write(path, kind, previous, answers, secret_names)
    print(f"Settings written to {path}. Next: {next_step}.")
    return 0


def _connector(kind: str):
    return registry.get(kind).load()


def _read(path: Path) -> dict:
    """Read before the first question: a file that cannot be edited is refused up front."""
    return tomlplace.read(path, UNCHANGED)


def _write(path: Path, kind: str, previous: dict, table: dict, secret_names: set[str]) -> None:
    """Set [source] kind and the [source.<kind>] keys whose answer differs from what the file
    held when connect started; drop the keys answered away, and any secret found there. The
    file is read again now, so an edit made while the questions were asked is kept."""
    sets = {("source", "kind"): kind}
    sets |= {("source", kind, k): v for k, v in table.items()
             if k not in secret_names and (k not in previous or previous[k] != v)}
    drops = [("source", kind, k) for k in previous if k not in table or k in secret_names]
    tomlplace.edit(path, sets, drops, advice=UNCHANGED, header=NEW_FILE_HEADER)


def _secret_specs(spec: Any, auth: str | None) -> list[tuple[str, str, bool]]:
    if isinstance(spec, dict):
        if auth is None:  # every mode's secrets: used to keep them out of the config
            return [s for specs in spec.values() for s in _secret_specs(specs, "")]
        spec = spec.get(auth, [])
    return [(s[0], s[1], s[2] if len(s) > 2 else True) for s in spec]


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def _ask(prompt: str, current: Any, default: Any) -> Any:
    """One setting, read as the type of its default."""
    shown = f" [{_show(current)}]" if current is not None else ""
    for _ in range(TRIES):
        try:
            text = input(f"{prompt}{shown}: ").strip()
        except EOFError:
            raise ChaserError("input ended before every setting was answered") from None
        if not text:
            return list(current) if isinstance(current, tuple) else current
        try:
            return _convert(text, default if default is not None else current)
        except ValueError as e:
            print(f"  {e}")
    raise ChaserError(f"no valid answer to {prompt!r}")


def _convert(text: str, like: Any) -> Any:
    if isinstance(like, bool):
        folded = text.casefold()
        if folded in ("y", "yes", "true", "1"):
            return True
        if folded in ("n", "no", "false", "0"):
            return False
        raise ValueError("answer yes or no")
    if isinstance(like, int):
        digits = text.replace(",", "").replace("_", "")
        if not digits.isdigit():
            raise ValueError("answer with a whole number")
        return int(digits)
    if isinstance(like, list | tuple):
        items = [t.strip() for t in text.split(",") if t.strip()]
        if not items:
            raise ValueError("name at least one")
        return items
    return text


def _ask_secret(kind: str, name: str, prompt: str, required: bool) -> str | None:
    """Hidden input. Enter keeps the secret already in the keyring, if there is one."""
    stored, where = secrets.get(kind, name)
    has = stored is not None and where == "keyring"
    hint = " (Enter keeps the stored one)" if has else ("" if required else " (optional)")
    for _ in range(TRIES):
        try:
            value = getpass.getpass(f"{prompt}{hint}: ").strip()
        except EOFError:
            raise ChaserError("input ended before every secret was answered") from None
        if value or has or not required:
            return value or None
        print("  this one is required")
    raise ChaserError(f"no {name.replace('_', ' ')} given")
