"""A real SMTP server for the digest tests (aiosmtpd on 127.0.0.1, with or without STARTTLS,
implicit TLS and AUTH), a self-signed certificate made with `cryptography`, and a small CSV
org whose managers, emails and names exercise routing and UTF-8."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
from contextlib import contextmanager
from email import message_from_bytes, policy
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.conftest import csv_org

PASSWORD = "s3cret-Hunter2-smtp"
USER = "ops@acme.example"
REFUSED = "gone@acme.example"

PEOPLE = ("key,name,team,manager,email\n"
          "u1,Zoë Müller,Ventes Île-de-France,Morgan Ellis,zoe.muller@acme.example\n"
          "u2,Jérôme Dupré,Ventes Île-de-France,Zoë Müller,jerome@acme.example\n"
          "u3,Ann Lee,North,Morgan Ellis,ann.lee@acme.example\n"
          "u4,Bo Chen,North,Ann Lee,bo@acme.example\n"
          "u5,Cy <script>alert(1)</script> & Díaz,South,Ann Lee,cy@acme.example\n"
          "u6,Dee Evans,East,Nobody Known,dee@acme.example\n"
          "u7,Gone Away,West,Gail Gone,gone-rep@acme.example\n"
          "u8,Gail Gone,West,Morgan Ellis,gone@acme.example\n")
# Won deals need an amount: blanks are gaps. Every person owns some.
DEALS = ("id,owner,stage,amount\n"
         "d1,u1,Won,100\nd2,u2,Won,\nd3,u2,Won,\nd4,u3,Won,5\nd5,u4,Won,\nd6,u4,Won,7\n"
         "d7,u5,Won,\nd8,u6,Won,\nd9,u7,Won,\nd10,u8,Won,3\n")


def make_cert(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost (cert, key)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "chaser test SMTP")])
    now = dt.datetime.now(dt.UTC)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, False, False, False, False, True, False, False,
                                         False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .add_extension(ski, critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski),
                           critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class Inbox:
    """The aiosmtpd handler: keeps every message, refuses the addresses in `refused`."""

    def __init__(self) -> None:
        self.refused: set[str] = set()
        self.messages: list = []  # (envelope recipients, parsed EmailMessage, raw bytes)
        self.sessions = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refused:
            return "550 5.1.1 <gone@acme.example>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        self.messages.append((list(envelope.rcpt_tos),
                              message_from_bytes(raw, policy=policy.default), raw))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        return [m for rcpt, m, _ in self.messages if address in rcpt]


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = (isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode()
          and auth_data.password == PASSWORD.encode())
    return AuthResult(success=ok, handled=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def smtp_server(tmp_path: Path, *, tls: str = "none", auth: bool = False):
    """(Inbox, port, cert path or None): tls is "none", "starttls" or "ssl"."""
    inbox = Inbox()
    kwargs: dict = {"server_hostname": "localhost", "enable_SMTPUTF8": True}
    cert = None
    if tls != "none":
        cert, key = make_cert(tmp_path)
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(cert, key)
        if tls == "starttls":
            kwargs |= {"tls_context": ctx, "require_starttls": True}
        else:
            kwargs["ssl_context"] = ctx
    if auth:
        kwargs |= {"authenticator": _authenticator, "auth_required": True,
                   # implicit TLS is TLS, but aiosmtpd only counts STARTTLS for this check
                   "auth_require_tls": tls == "starttls"}
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port(), **kwargs)
    controller.start()
    try:
        yield inbox, controller.port, cert
    finally:
        controller.stop()


def digest_org(folder: Path, port: int, *, security: str = "none", auth: bool = False,
               to: str = '["VP Sales <vp@acme.example>"]', extra: str = "") -> Path:
    table = ["[digest]", 'from = "Sales Ops — Zoë <ops@acme.example>"', f"to = {to}",
             'smtp_host = "127.0.0.1"', f"smtp_port = {port}", f'security = "{security}"']
    if auth:
        table.append(f'username = "{USER}"')
    return csv_org(folder, PEOPLE, DEALS, key="key",
                   extra="\n".join(table) + "\n" + extra)
