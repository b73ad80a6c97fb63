"""Secrets live only in the OS keyring, under service "chaser".

On a machine with no keyring backend, the documented environment variables are read instead
(CHASER_SALESFORCE_TOKEN, CHASER_HUBSPOT_TOKEN), and the caller is told so; chaser never
falls back to a plaintext file. Nothing here logs, prints or puts a secret in a message.
"""

from __future__ import annotations

import contextlib
import os

import keyring
import keyring.backends.fail
from keyring.errors import KeyringError, PasswordDeleteError

from chaser.errors import ChaserError

SERVICE = "chaser"
ENV_TOKENS = {"salesforce": "CHASER_SALESFORCE_TOKEN", "hubspot": "CHASER_HUBSPOT_TOKEN"}
MASK = "***"
_SEEN: set[str] = set()  # secrets this process has handled, for `redact`


def _name(source: str, secret: str) -> str:
    return f"{source}:{secret}"  # e.g. "salesforce:token", "salesforce:refresh_token"


def keyring_available() -> bool:
    """False on machines where keyring found no backend (headless servers, containers)."""
    try:
        return not isinstance(keyring.get_keyring(), keyring.backends.fail.Keyring)
    except KeyringError:
        return False


def get(source: str, secret: str = "token") -> tuple[str | None, str]:
    """(value or None, where it came from: "keyring" | "environment" | "")."""
    try:
        value = keyring.get_password(SERVICE, _name(source, secret))
    except KeyringError:
        value = None
    if value:
        _SEEN.add(value)
        return value, "keyring"
    env = ENV_TOKENS.get(source) if secret == "token" else None
    if env and os.environ.get(env):
        _SEEN.add(os.environ[env])
        return os.environ[env], "environment"
    return None, ""


def redact(text: str) -> str:
    """`text` with every secret this process has read or stored (and the token environment
    variables' values) masked: for messages about the unexpected, such as an internal error."""
    found = set(_SEEN) | {os.environ.get(env, "") for env in ENV_TOKENS.values()}
    for value in sorted((v for v in found if len(v) >= 4), key=len, reverse=True):
        text = text.replace(value, MASK)
    return text


def require(source: str, secret: str = "token") -> str:
    value, _ = get(source, secret)
    if not value:
        env = ENV_TOKENS.get(source)
        hint = f", or set {env} where no keyring exists" if env and secret == "token" else ""
        raise ChaserError(f"no {source} {secret.replace('_', ' ')} found: run "
                          f"`chaser connect {source}`{hint}")
    return value


def put(source: str, secret: str, value: str) -> None:
    _SEEN.add(value)
    try:
        keyring.set_password(SERVICE, _name(source, secret), value)
    except KeyringError as e:
        env = ENV_TOKENS.get(source, "the documented environment variable")
        raise ChaserError(f"this machine has no usable keyring ({type(e).__name__}); chaser "
                          f"will not store the {source} {secret} in a file: set {env} "
                          "in the environment instead") from None


def delete(source: str, secret: str) -> None:
    with contextlib.suppress(PasswordDeleteError, KeyringError):
        keyring.delete_password(SERVICE, _name(source, secret))
