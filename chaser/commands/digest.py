"""`chaser digest`: each manager's numbers by email. Without --out or --send it shows the
plain-text part of every digest it would send (a preview); --out DIR writes .eml files;
--send sends and records what went; --schedule HH:MM prints (and with --install installs)
the entry that sends it every morning."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from chaser.errors import ChaserError


def register(sub, common) -> None:
    p = sub.add_parser("digest", parents=[common],
                       help="email each manager their team's numbers (the morning digest)")
    p.add_argument("--period", metavar="P",
                   help="the period to cover, instead of [digest] period (default: yesterday; "
                        "since-last = since the previous digest; or any period `chaser report` "
                        "takes)")
    p.add_argument("--out", metavar="DIR", type=Path,
                   help="write the messages as .eml files into DIR (any mail client opens them)")
    p.add_argument("--send", action="store_true",
                   help="send them through [digest] smtp_host; each period and recipient once")
    p.add_argument("--to", metavar="ADDR", action="append", default=[],
                   help="send or write every digest to ADDR instead (a test: not recorded as "
                        "sent); may be repeated")
    p.add_argument("--schedule", metavar="HH:MM",
                   help="print the entry that runs `chaser digest --send` daily at HH:MM "
                        "(local time) on this system")
    p.add_argument("--install", action="store_true",
                   help="with --schedule: install that entry for the current user")
    p.add_argument("--via", choices=("cron", "systemd", "launchd", "schtasks"),
                   help="with --schedule: the kind of entry (default: this system's)")
    p.set_defaults(func=run)


def run(args) -> int:
    if args.schedule is not None:
        return _schedule(args)
    if args.install or args.via:
        raise ChaserError("--install and --via go with --schedule HH:MM")
    from chaser import digest_run
    from chaser.commands import workspace
    from chaser.digest_settings import address

    ws = workspace(args)
    settings = ws.settings.digest
    if settings is None:
        if args.send:
            where = ws.settings.path or "a config file (the demo has none)"
            raise ChaserError(f"no [digest] table in {where}: run `chaser connect smtp` to set "
                              "up sending")
        settings = _preview_settings()
    to = tuple(address(a, "--to") for a in args.to)
    result = digest_run.run(ws, settings, period=args.period, out=args.out, send=args.send,
                            to=to)
    if not args.out and not args.send:
        for d in result.built:
            from chaser.digest_text import render, subject

            who = d.recipient.address or d.recipient.name
            print(f"To: {who}\nSubject: {subject(d)}\n\n{render(d)}")
    for path in result.written:
        print(f"wrote {path}")
    for who in result.sent:
        print(f"sent to {who}")
    if result.already:
        print(f"already sent for {result.period}: {len(result.already)} "
              f"(nothing new: {', '.join(result.already)})")
    if args.send and not result.sent and not result.already and not result.failed:
        print("nothing to send")
    return 0


def _preview_settings():
    """Without a [digest] table (the demo, say) the digest can still be looked at."""
    from chaser.digest_settings import DigestSettings, address

    return DigestSettings(sender=address("chaser <chaser@localhost>", "from"))


def _schedule(args) -> int:
    from chaser import digest_schedule as sched
    from chaser import locations

    if args.send or args.out or args.to:
        raise ChaserError("--schedule prints the entry only; the entry itself runs --send")
    at = sched.parse_time(args.schedule)
    config = None if args.demo else locations.config_path(args.config)
    via = args.via or sched.default_via(sched.this_system())
    entry = sched.entry(via, at, sched.command(config, args.demo), os.environ, Path.home(),
                        locations.data_root() / "digest.log")
    print(entry.text)
    if args.install:
        print(sched.install(entry))
    elif entry.commands:
        print("(run again with --install to install it for you)", file=sys.stderr)
    return 0
