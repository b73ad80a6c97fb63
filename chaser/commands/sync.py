"""`chaser sync`: take a snapshot and print a one-line summary."""

from __future__ import annotations

import sys

from chaser.commands import workspace
from chaser.progress import Cancel, Progress
from chaser.safe_text import clean


def register(sub, common) -> None:
    p = sub.add_parser("sync", parents=[common], help="take a snapshot of the source now")
    p.add_argument("--full", action="store_true",
                   help="re-read everything instead of only what changed (API sources)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")
    p.set_defaults(func=run)


def run(args) -> int:
    ws = workspace(args)
    show = not args.quiet and sys.stderr.isatty()

    # The progress line rewrites itself with \r and an erase-line escape: written to the raw
    # stream (the CLI's SafeWriter would show the escape), with the object name cleaned here.
    raw = getattr(sys.stderr, "raw", sys.stderr)

    def progress(p: Progress) -> None:
        if show:
            state = "done" if p.done else f"page {p.pages}"
            raw.write(f"\r  {clean(p.object)}: {p.records:,} records ({state})\033[K"
                      + ("\n" if p.done else ""))
            raw.flush()

    result = ws.sync(progress=progress, cancel=Cancel(), full=args.full)
    print(result.summary())
    for note in result.notes:
        print(f"  {note}")
    return 0
