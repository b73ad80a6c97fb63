"""One run of `chaser digest`: plan the recipients, skip what was sent already, build, then
write .eml files or send, and keep the sent-record. Failed sends are recorded and tried again
on the next run (older periods' too, for RETRY_DAYS); a manager with no known address is
named in a note every run and recorded, never skipped in silence.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.headerregistry import Address
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from chaser.digest_build import Digest, Recipient, build, period_text, recipients
from chaser.digest_mime import eml_name, message, write_eml
from chaser.digest_sent import FAILED, NO_ADDRESS, SENT, Entry, SentLog
from chaser.digest_settings import DigestSettings
from chaser.digest_smtp import Mailer, SmtpError, password
from chaser.errors import ChaserError
from chaser.secrets import redact

if TYPE_CHECKING:
    from chaser.workspace import Workspace

KEEP_SNAPSHOTS = 24  # decoded snapshots kept during one run


@dataclass
class Result:
    period: str
    built: list[Digest] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)  # "name <address>"
    already: list[str] = field(default_factory=list)  # sent before: nothing new
    failed: list[str] = field(default_factory=list)  # one line each
    notes: list[str] = field(default_factory=list)


def note(text: str) -> None:
    print(f"chaser: note: {text}", file=sys.stderr)


def run(ws: Workspace, settings: DigestSettings, *, period: str | None = None,
        out: Path | None = None, send: bool = False, to: tuple[Address, ...] = ()) -> Result:
    log = SentLog(ws.store.root)
    text = period_text(period or settings.period, ws, log)
    result = Result(text)
    latest = ws.snapshot()  # a sync first, if one is due: then the snapshots stay put
    with reading_once(ws):
        return _run(ws, settings, log, result, latest, send=send, out=out, to=to)


@contextmanager
def reading_once(ws: Workspace) -> Iterator[None]:
    """Each snapshot read from disk once per run: every digest's report, trend and goals read
    the same history, and decoding a snapshot's gaps is the slow part (~0.1 s each in the
    demo). A few recent ones are kept (the weeks of trends and fix windows)."""
    store = ws.store
    names = ("load_snapshot", "latest_snapshot", "snapshot_history")
    saved = {n: store.__dict__.get(n) for n in names}
    store.load_snapshot = lru_cache(maxsize=KEEP_SNAPSHOTS)(store.load_snapshot)
    store.latest_snapshot = lru_cache(maxsize=1)(store.latest_snapshot)
    store.snapshot_history = lru_cache(maxsize=1)(store.snapshot_history)
    try:
        yield
    finally:
        for n, v in saved.items():
            if v is None:
                store.__dict__.pop(n, None)
            else:
                setattr(store, n, v)


def _run(ws: Workspace, settings: DigestSettings, log: SentLog, result: Result, latest, *,
         send: bool, out: Path | None, to: tuple[Address, ...]) -> Result:
    text, now = result.period, ws.now()
    planned = recipients(settings, latest.people)
    if not planned:
        raise ChaserError("the digest has nobody to go to: no team names a manager, and "
                          "[digest] to lists no address")
    test = bool(to)
    jobs: list[tuple[str, Recipient]] = []
    for r in planned:
        if r.address is None:
            msg = (f"no email address known for manager {r.name!r} (team "
                   f"{', '.join(r.teams or ())}): no person of that name with an email in the "
                   "directory, so their digest is not sent; add the email to their person "
                   "row in the CRM, or their address to [digest] to")
            result.notes.append(msg)
            note(msg)
            if send and not test:
                log.record(Entry(text, "", r.name, r.teams, NO_ADDRESS, now.isoformat(),
                                 error="no email address known"), now)
            continue
        done = log.find(text, r.key) if send and not test else None
        if done is not None and done.status == SENT:
            result.already.append(f"{r.name} <{r.key}>")
            continue
        jobs.append((text, r))
    if send and not test:  # earlier periods that failed: try once more while still news
        for e in log.to_retry(now, text):
            jobs.append((e.period, Recipient(e.name, Address(e.name, addr_spec=e.recipient),
                                             e.teams)))
    digests = [build(ws, r, p, log, top=settings.top) for p, r in jobs]
    result.built = digests
    if out is not None:
        for d in digests:
            to_addr = list(to) or [d.recipient.address]
            result.written.append(write_eml(out, eml_name(d), message(
                d, settings.sender, to_addr, now, test=test)))
    if send and digests:
        _send(settings, digests, to, log, result, now)
    return result


def _send(settings: DigestSettings, digests: list[Digest], to: tuple[Address, ...],
          log: SentLog, result: Result, now) -> None:
    test = bool(to)
    first: SmtpError | None = None

    def record(d: Digest, status: str, message_id: str = "", error: str = "") -> None:
        if not test:
            r = d.recipient
            log.record(Entry(d.period_text, r.key, r.name, r.teams, status, now.isoformat(),
                             message_id, d.snapshot, redact(error)), now)

    try:
        with mailer_for(settings) as m:
            for i, d in enumerate(digests):
                addrs = list(to) or [d.recipient.address]
                msg = message(d, settings.sender, addrs, now, test=test)
                try:
                    m.send(msg, [a.addr_spec for a in addrs])
                except SmtpError as e:
                    first = first or e
                    result.failed.append(str(e))
                    record(d, FAILED, error=str(e))
                    if e.fatal:
                        for rest in digests[i + 1:]:
                            record(rest, FAILED, error=str(e))
                        break
                    continue
                record(d, SENT, msg["Message-ID"])
                result.sent.append(f"{d.recipient.name} <{', '.join(a.addr_spec for a in addrs)}>")
    except SmtpError as e:  # could not connect or sign in: nothing went
        first = e
        result.failed.append(str(e))
        for d in digests:
            record(d, FAILED, error=str(e))
    if first is not None:
        left = len(digests) - len(result.sent)
        raise ChaserError(f"{first} ({left} of {len(digests)} digests not sent; `chaser "
                          "status` lists them, and the next run tries again)")


def mailer_for(settings: DigestSettings):
    """The SMTP session of `settings`: a seam, so tests can count sessions."""
    return Mailer(settings, password(settings))
