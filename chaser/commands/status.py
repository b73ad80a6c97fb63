"""`chaser status`: which source, where its secret comes from, and what the last sync said."""

from __future__ import annotations

from datetime import datetime

from chaser import secrets
from chaser.commands import workspace
from chaser.connectors import registry
from chaser.freshness import as_of_label, changed, fingerprint
from chaser.sync import LAST_SYNC


def register(sub, common) -> None:
    p = sub.add_parser("status", parents=[common],
                       help="the source, its connection and the last sync (API usage)")
    p.set_defaults(func=run)


def run(args) -> int:
    ws = workspace(args)
    s = ws.settings
    print(f"config:     {s.path or '(none: the built-in demo org)'}")
    url = getattr(s.connector, "instance_url", None) or getattr(s.connector, "base_url", None)
    print(f"source:     {s.kind}" + (f" at {url}" if url else ""))
    if registry.is_api(s.kind):
        _, where = secrets.get(s.kind)
        print(f"credential: {where or 'missing: run `chaser connect ' + s.kind + '`'}")
    print(f"data:       {ws.store.root}")
    latest = ws.store.latest_summary()
    if latest is None:
        print("snapshot:   none yet")
    else:
        parts = changed(latest.fingerprint, fingerprint(s))
        state = "current" if not parts else f"stale: {', '.join(parts)} changed since"
        print(f"snapshot:   {latest.id}, {as_of_label(latest, ws.tz)} ({state})")
    last = ws.store.get_meta(LAST_SYNC)
    if not last:
        print("last sync:  never")
    else:
        at = datetime.fromisoformat(last["at"]).astimezone(ws.tz)
        print(f"last sync:  {at:%Y-%m-%d %H:%M %Z}: {last['summary']}")
        for note in last.get("notes", []):
            print(f"            {note}")
    _digest(ws)
    return 0


def _digest(ws) -> None:
    """When the last digest went, and every digest of the last run that did not."""
    from chaser.digest_sent import NO_ADDRESS, SentLog

    log = SentLog(ws.store.root)
    if ws.settings.digest is None and not log.path.exists():
        return  # never set up: nothing to say
    sent = log.last_sent()
    if sent is None:
        print("digest:     never sent")
    else:
        at = datetime.fromisoformat(sent.at).astimezone(ws.tz)
        print(f"digest:     last sent {at:%Y-%m-%d %H:%M %Z} ({sent.period}, to {sent.recipient})")
    for e in log.open_failures():
        at = datetime.fromisoformat(e.at).astimezone(ws.tz)
        who = f"{e.name} <{e.recipient}>" if e.recipient else e.name
        what = "not sent: no email address known" if e.status == NO_ADDRESS else \
            f"FAILED {at:%Y-%m-%d %H:%M}: {e.error}"
        print(f"            {e.period} to {who}: {what}")
