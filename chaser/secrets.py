"""Secrets live only in the OS keyring, under service "chaser".

On a machine with no keyring backend, the documented environment variables are read instead
(CHASER_SALESFORCE_TOKEN, CHASER_HUBSPOT_TOKEN), and the caller is told so; chaser never
falls back to a plaintext file. Nothing here logs, prints or puts a secret in a message.

`redact` is the one place that scrubs secrets from text. Every secret is registered with it
the moment it is read (keyring, environment) or received (an OAuth access token), and every
message built from a server's answer passes through it: a server may echo a token back in
any spelling, so each secret is masked in every form it could take there (see `forms`).
"""

from __future__ import annotations

import base64
import contextlib
import os
import re
from urllib.parse import quote, quote_plus

from chaser.connectors import registry
from chaser.errors import ChaserError

SERVICE = "chaser"
ENV_TOKENS = registry.ENV_TOKENS  # source kind -> the variable read where there is no keyring
# Secrets that are not a source's token, and their variables: the digest's SMTP password.
SMTP_ENV = "CHASER_SMTP_PASSWORD"
ENV_SECRETS = {("smtp", "password"): SMTP_ENV}
MASK = "***"
MIN_SECRET = 4  # shorter values are not secrets worth masking (and would mask ordinary text)
# Below this a value (a test's "wrong") is masked only as typed: in every form and any case it
# would garble ordinary words. Real tokens and client secrets are far longer.
MIN_FORMS = 8
MIN_PART = 6  # a fragment (one side of `!`, a UUID group run) shorter than this stays
_SEEN: set[str] = set()  # secrets this process has handled, for `redact`
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
_pattern: tuple[frozenset[str], re.Pattern[str] | None] = (frozenset(), None)


def _name(source: str, secret: str) -> str:
    return f"{source}:{secret}"  # e.g. "salesforce:token", "salesforce:refresh_token"


def register(value: str | None) -> None:
    """Make `redact` mask `value` from now on: call it as soon as a secret is in hand."""
    if value and len(value) >= MIN_SECRET:
        _SEEN.add(value)


def _keyring():
    """The keyring package, imported on first use: it costs ~80 ms of start-up (backends,
    entry points), and most commands never touch a secret."""
    import keyring
    import keyring.backends.fail
    import keyring.errors

    return keyring


def keyring_available() -> bool:
    """False on machines where keyring found no backend (headless servers, containers)."""
    keyring = _keyring()
    try:
        return not isinstance(keyring.get_keyring(), keyring.backends.fail.Keyring)
    except keyring.errors.KeyringError:
        return False


def get(source: str, secret: str = "token") -> tuple[str | None, str]:
    """(value or None, where it came from: "keyring" | "environment" | "")."""
    keyring = _keyring()
    try:
        value = keyring.get_password(SERVICE, _name(source, secret))
    except keyring.errors.KeyringError:
        value = None
    if value:
        register(value)
        return value, "keyring"
    env = ENV_TOKENS.get(source) if secret == "token" else ENV_SECRETS.get((source, secret))
    if env and os.environ.get(env):
        register(os.environ[env])
        return os.environ[env], "environment"
    return None, ""


def forms(value: str) -> set[str]:
    """The spellings of `value` a server could echo back: as is, URL-encoded (quote, with and
    without "/" kept, and quote_plus; twice-encoded too), base64, the parts either side of
    `!` (a Salesforce session id is <org id>!<session>), and a UUID inside it (a HubSpot
    token is pat-<region>-<uuid>) with and without hyphens and each run of two or more of its
    groups. A lone 4-hex group carries 16 bits: masking it would garble figures instead.
    Case is ignored when matching, so upper- and lower-cased copies are covered as well."""
    out = {value}
    if "!" in value:
        out.update(p for p in value.split("!") if len(p) >= MIN_PART)
    for m in _UUID.finditer(value):
        groups = m[0].split("-")
        out.add("".join(groups))
        for i in range(len(groups)):
            for j in range(i + 1, len(groups) + 1):
                run = "-".join(groups[i:j])
                if j - i >= 2 or len(run) >= 8:
                    out.add(run)
    for text in list(out):
        for encoded in (quote(text, safe=""), quote(text), quote_plus(text),
                        quote(quote(text, safe=""), safe="")):
            out.add(encoded)
        raw = text.encode()
        for b64 in (base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode()):
            out.update((b64, b64.rstrip("=")))  # the padded one first: it is longer
    return {f for f in out if len(f) >= MIN_PART or f == value}


def _compiled() -> re.Pattern[str] | None:
    global _pattern
    found = frozenset(v for v in _SEEN | {os.environ.get(e, "") for e in
                                          (*ENV_TOKENS.values(), *ENV_SECRETS.values())}
                      if len(v) >= MIN_SECRET)
    if found != _pattern[0]:
        every = {f for v in found if len(v) >= MIN_FORMS for f in forms(v)}
        exact = {v for v in found if len(v) < MIN_FORMS} - every
        alternatives = [re.escape(f) if f in every else f"(?-i:{re.escape(f)})"
                        for f in sorted(every | exact, key=len, reverse=True)]
        _pattern = (found, re.compile("|".join(alternatives), re.I) if alternatives else None)
    return _pattern[1]


def redact(text: str) -> str:
    """`text` with every secret this process has read, stored or received (and the token
    environment variables' values) masked in each of its `forms`, in any case. For every
    message built from a server's answer, and for internal errors and their tracebacks."""
    pattern = _compiled()
    return pattern.sub(MASK, text) if pattern is not None and text else text


def require(source: str, secret: str = "token") -> str:
    return read(source, secret)[0]


def read(source: str, secret: str = "token") -> tuple[str, str]:
    """(value, "keyring" | "environment"): how connectors read a secret. Missing, it raises
    the message that says what to do."""
    value, where = get(source, secret)
    if not value:
        env = ENV_TOKENS.get(source)
        hint = f", or set {env} where no keyring exists" if env and secret == "token" else ""
        raise ChaserError(f"no {source} {secret.replace('_', ' ')} found: run "
                          f"`chaser connect {source}`{hint}")
    return value, where


def put(source: str, secret: str, value: str) -> None:
    register(value)
    keyring = _keyring()
    try:
        keyring.set_password(SERVICE, _name(source, secret), value)
    except keyring.errors.KeyringError as e:
        env = ENV_SECRETS.get((source, secret)) or ENV_TOKENS.get(
            source, "the documented environment variable")
        raise ChaserError(f"this machine has no usable keyring ({type(e).__name__}); chaser "
                          f"will not store the {source} {secret} in a file: set {env} "
                          "in the environment instead") from None


def delete(source: str, secret: str) -> None:
    keyring = _keyring()
    with contextlib.suppress(keyring.errors.PasswordDeleteError, keyring.errors.KeyringError):
        keyring.delete_password(SERVICE, _name(source, secret))
