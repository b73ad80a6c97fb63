"""The [digest] table of chaser.toml: who gets the morning digest, from whom, and through which
SMTP server. Parsed here (config.parse calls `parse`), validated key by key through
chaser.tomlplace.Where so that every error names the file, line and key.

The password is never a key here: it lives in the OS keyring (`chaser connect smtp`) or in
CHASER_SMTP_PASSWORD, so a config file can be shared or committed without leaking it.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from datetime import UTC
from email.headerregistry import Address
from email.utils import parseaddr

from chaser.errors import ChaserError
from chaser.tomlplace import Where

SECURITY = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
DEFAULT_PERIOD = "yesterday"
SINCE_LAST = "since-last"
KEYS = {"period", "from", "to", "per_manager", "smtp_host", "smtp_port", "security", "username",
        "top"}
_HOST = re.compile(r"[A-Za-z0-9._-]+|\[?[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*\]?")
# A plain address: one @, no spaces or angle brackets, a dotted domain (or a bracketed IP).
_ADDR = re.compile(r"[^\s@<>\"(),;:]+@(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9.:a-fA-F]+\])")


@dataclass(frozen=True, slots=True)
class DigestSettings:
    sender: Address  # the From: header
    to: tuple[Address, ...] = ()  # extra recipients of the org-wide digest
    period: str = DEFAULT_PERIOD
    per_manager: bool = True
    smtp_host: str = "localhost"
    smtp_port: int = 587
    security: str = "starttls"
    username: str | None = None
    top: int = 5  # people listed under "most open gaps" and "costing most"


def is_loopback(host: str) -> bool:
    """localhost or a loopback IP: the only hosts plain SMTP may be spoken to."""
    name = host.strip().strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def address(text: str, what: str) -> Address:
    """"Sales Ops <ops@acme.example>" or "ops@acme.example" as an Address; ChaserError naming
    `what` when it is not one."""
    name, addr = parseaddr(text.strip())
    if not addr or not _ADDR.fullmatch(addr):
        raise ChaserError(f"{what}: {text!r} is not an email address like "
                          "\"Sales Ops <ops@acme.example>\" or \"ops@acme.example\"")
    user, _, domain = addr.rpartition("@")
    return Address(display_name=name, username=user, domain=domain)


def parse(raw: object, where: Where) -> DigestSettings:
    where.table(raw, KEYS, {"from", "smtp_host"})
    sender = _checked(where.at("from"), where.string(raw, "from"))
    to = tuple(_checked(where.at("to").item(i), text)
               for i, text in enumerate(where.strings(raw, "to", ()) or ()))
    period = (where.string(raw, "period", DEFAULT_PERIOD) or DEFAULT_PERIOD).strip().lower()
    _check_period(period, where.at("period"))
    host = where.string(raw, "smtp_host").strip()
    if not _HOST.fullmatch(host):
        raise where.at("smtp_host").fail(f"must be a host name like \"smtp.office365.com\" "
                                         f"(the port goes in smtp_port), not {host!r}")
    security = where.string(raw, "security", "starttls").strip().lower()
    if security not in SECURITY:
        raise where.at("security").fail(f"must be one of {', '.join(SECURITY)}, not {security!r}")
    if security == "none" and not is_loopback(host):
        raise where.at("security").fail(
            f"\"none\" sends the password and the figures in clear text: it is allowed only "
            f"for a server on this machine (localhost, 127.0.0.1), not {host!r}; use "
            "\"starttls\" or \"ssl\"")
    port = where.integer(raw, "smtp_port", DEFAULT_PORTS[security], 1, 65535)
    username = where.string(raw, "username")
    return DigestSettings(sender=sender, to=to, period=period,
                          per_manager=where.boolean(raw, "per_manager", True), smtp_host=host,
                          smtp_port=port, security=security,
                          username=username.strip() if username else None,
                          top=where.integer(raw, "top", 5, 1, 50))


def _checked(w: Where, text: str) -> Address:
    try:
        return address(text, "address")
    except ChaserError:
        raise w.fail(f"{text!r} is not an email address like \"Sales Ops "
                     "<ops@acme.example>\" or \"ops@acme.example\"") from None


def _check_period(text: str, where: Where) -> None:
    """Any period chaser reads, plus "yesterday" and "since-last". Checked for its form only:
    whether it has begun depends on the day the digest runs."""
    from datetime import datetime

    from chaser.clock import MAX_YEAR
    from chaser.periods import parse_period

    if text in (DEFAULT_PERIOD, SINCE_LAST):
        return
    try:
        parse_period(text, datetime(MAX_YEAR, 12, 31, tzinfo=UTC), UTC)
    except ChaserError as e:
        raise where.fail(f"{e} (or \"yesterday\", \"since-last\")") from None
