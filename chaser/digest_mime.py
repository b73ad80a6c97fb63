"""One digest as an email: multipart/alternative (text first, then HTML, as RFC 2046 orders
them: a client shows the last part it can), UTF-8 names and subjects encoded by the email
package (RFC 2047), quoted-printable bodies so that no 8-bit data depends on the server's
8BITMIME. `write_eml` saves a message as a .eml file (0600) any mail client opens.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from chaser.digest_build import Digest
from chaser.digest_html import render as render_html
from chaser.digest_text import render as render_text
from chaser.digest_text import subject
from chaser.errors import ChaserError
from chaser.storage import atomic_write_bytes, ensure_dir

TEST_PREFIX = "[test] "


def message(digest: Digest, sender: Address, to: Sequence[Address], now: datetime, *,
            test: bool = False) -> EmailMessage:
    msg = EmailMessage(policy=policy.SMTP)
    msg["Subject"] = (TEST_PREFIX if test else "") + subject(digest)
    msg["From"] = sender
    msg["To"] = list(to)
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid("digest", domain=sender.domain or None)
    # An automatic message (RFC 3834): no out-of-office replies, no auto-forward loops.
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Auto-Response-Suppress"] = "All"
    msg.set_content(render_text(digest), charset="utf-8", cte="quoted-printable")
    msg.add_alternative(render_html(digest), subtype="html", charset="utf-8",
                        cte="quoted-printable")
    return msg


def test_message(sender: Address, to: Address, host: str, now: datetime) -> EmailMessage:
    """What `chaser connect smtp` sends to check the settings."""
    msg = EmailMessage(policy=policy.SMTP)
    msg["Subject"] = "chaser: test message"
    msg["From"], msg["To"] = sender, to
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid("test", domain=sender.domain or None)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(f"This is a test from chaser, sent through {host}. The morning digest "
                    "will come the same way.\n", charset="utf-8")
    return msg


def eml_name(digest: Digest) -> str:
    """digest-2026-11-19-sophie.laurent@acme.example.eml: one file per period and recipient,
    safe on every file system."""
    who = digest.recipient.key or digest.recipient.name
    text = f"digest-{digest.period.first_day}"
    if digest.period.last_day != digest.period.first_day:
        text += f"--{digest.period.last_day}"
    return re.sub(r"[^A-Za-z0-9@._-]+", "_", f"{text}-{who}")[:150] + ".eml"


def write_eml(folder: Path, name: str, msg: EmailMessage) -> Path:
    try:
        ensure_dir(folder)
        path = folder / name
        atomic_write_bytes(path, msg.as_bytes())
    except OSError as e:
        raise ChaserError(f"{folder}: cannot write the digest there: {e.strerror or e}") from None
    return path
