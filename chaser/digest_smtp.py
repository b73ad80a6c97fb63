"""Sending mail: TLS with the certificate verified (ssl.create_default_context), never plain
SMTP except to this machine, the password only in memory. Every refusal is one line naming
the server and its reply; the password is registered with chaser.secrets.redact the moment it
is read, and every message built here passes through redact, so it reaches no log or screen.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage

from chaser import secrets
from chaser.digest_settings import DigestSettings, is_loopback
from chaser.errors import ChaserError

TIMEOUT = 30.0  # seconds per SMTP command: a hung server must not hang a cron job forever
# Test seam: a CA file trusted instead of the system's (tests trust their self-signed cert
# through it). None in real use: the system's trust store.
TRUST: str | None = None


class SmtpError(ChaserError):
    """A refusal or failure; `fatal` when no other message can get through either (cannot
    connect, TLS, login), so the run stops instead of trying every recipient."""

    def __init__(self, message: str, fatal: bool) -> None:
        super().__init__(secrets.redact(message))
        self.fatal = fatal


def tls_context() -> ssl.SSLContext:
    return ssl.create_default_context(cafile=TRUST)


def password(settings: DigestSettings) -> str | None:
    """The SMTP password (keyring, else CHASER_SMTP_PASSWORD); None without a username."""
    if settings.username is None:
        return None
    value, _ = secrets.get("smtp", "password")
    if not value:
        raise ChaserError(f"no SMTP password for {settings.username}: run `chaser connect "
                          f"smtp`, or set {secrets.SMTP_ENV} where no keyring exists")
    return value


def _reply(e: smtplib.SMTPResponseException) -> str:
    text = e.smtp_error.decode("utf-8", "replace") if isinstance(e.smtp_error, bytes) \
        else str(e.smtp_error)
    return f"{e.smtp_code} {' '.join(text.split())}"


class Mailer:
    """One SMTP session: `with Mailer(settings, password) as m: m.send(msg, to)`."""

    def __init__(self, settings: DigestSettings, password: str | None) -> None:
        self.s = settings
        self._password = password
        secrets.register(password)
        self.server = f"{settings.smtp_host}:{settings.smtp_port}"
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        s = self.s
        if s.security == "none" and not is_loopback(s.smtp_host):  # config refuses it too
            raise SmtpError(f"SMTP server {self.server}: plain SMTP only to this machine", True)
        try:
            if s.security == "ssl":
                self.smtp = smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=TIMEOUT,
                                             context=tls_context())
            else:
                self.smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=TIMEOUT)
                if s.security == "starttls":
                    self.smtp.ehlo()
                    if not self.smtp.has_extn("starttls"):
                        raise SmtpError(f"SMTP server {self.server} does not offer STARTTLS; "
                                        "chaser will not send in clear text", True)
                    self.smtp.starttls(context=tls_context())
                    self.smtp.ehlo()
            if s.username is not None:
                self.smtp.login(s.username, self._password or "")
        except SmtpError:
            self._drop()
            raise
        except smtplib.SMTPAuthenticationError as e:
            self._drop()
            raise SmtpError(f"SMTP server {self.server} refused the login of {s.username}: "
                            f"{_reply(e)}", True) from None
        except smtplib.SMTPNotSupportedError:
            self._drop()
            raise SmtpError(f"SMTP server {self.server} offers no login (AUTH) on this "
                            "connection; leave username out, or use starttls or ssl", True) from None
        except smtplib.SMTPResponseException as e:
            self._drop()
            raise SmtpError(f"SMTP server {self.server} refused the session: {_reply(e)}",
                            True) from None
        except ssl.SSLCertVerificationError as e:
            self._drop()
            raise SmtpError(f"SMTP server {self.server}: its TLS certificate is not trusted "
                            f"({e.verify_message}); chaser will not send over an unverified "
                            "connection", True) from None
        except (ssl.SSLError, smtplib.SMTPException, OSError) as e:
            self._drop()
            detail = getattr(e, "strerror", None) or str(e) or type(e).__name__
            raise SmtpError(f"SMTP server {self.server}: cannot connect: {detail}", True) from None
        return self

    def send(self, msg: EmailMessage, to: Sequence[str]) -> None:
        assert self.smtp is not None
        try:
            refused = self.smtp.send_message(msg, to_addrs=list(to))
        except smtplib.SMTPRecipientsRefused as e:
            who = "; ".join(f"{a}: {c} {_text(m)}" for a, (c, m) in e.recipients.items())
            raise SmtpError(f"SMTP server {self.server} refused the recipient {who}",
                            False) from None
        except smtplib.SMTPSenderRefused as e:
            raise SmtpError(f"SMTP server {self.server} refused the sender {e.sender}: "
                            f"{_reply(e)}", True) from None
        except smtplib.SMTPResponseException as e:
            raise SmtpError(f"SMTP server {self.server} refused the message to "
                            f"{', '.join(to)}: {_reply(e)}", False) from None
        except (smtplib.SMTPException, OSError) as e:
            detail = getattr(e, "strerror", None) or str(e) or type(e).__name__
            raise SmtpError(f"SMTP server {self.server}: sending failed: {detail}", True) from None
        if refused:  # some of several recipients: the message went to the others
            who = "; ".join(f"{a}: {c} {_text(m)}" for a, (c, m) in refused.items())
            raise SmtpError(f"SMTP server {self.server} refused the recipient {who}", False)

    def _drop(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.close()
            except OSError:
                pass
            self.smtp = None

    def __exit__(self, *exc) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
        self._drop()


def _text(m: bytes | str) -> str:
    return " ".join((m.decode("utf-8", "replace") if isinstance(m, bytes) else m).split())
