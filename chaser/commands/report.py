"""`chaser report`: the manager's summary of a period, as text, markdown or JSON."""

from __future__ import annotations

import sys

from chaser.commands import warn_unmatched_rates, workspace
from chaser.periods import DEFAULT_PERIOD, PERIOD_HELP

# chaser.report's FORMATS, written out so that parsing the command line does not import the
# report stack (effectiveness, exports ...): every command pays for what the parser imports.
# tests/test_report.py checks the two agree.
FORMATS = ("text", "markdown", "json")


def register(sub, common) -> None:
    p = sub.add_parser("report", parents=[common], help="the manager's chase-cost summary")
    p.add_argument("--period", default=DEFAULT_PERIOD, metavar="P",
                   help=f"{PERIOD_HELP} (default: {DEFAULT_PERIOD})")
    p.add_argument("--team", metavar="T", help="only this team")
    p.add_argument("--format", choices=FORMATS, default="text",
                   help="text for a terminal (default), markdown for an email or wiki, json "
                   "for scripts (every number of the text)")
    p.add_argument("--top", type=int, default=5, metavar="N",
                   help="how many of the people costing most to list (default: 5)")
    p.set_defaults(func=run)


def run(args) -> int:
    from chaser import report
    from chaser.inputs import period_for, report_for

    ws = workspace(args)
    warn_unmatched_rates(ws)
    rep = report_for(ws, period_for(ws, args.period), args.team, top=max(args.top, 0))
    sys.stdout.write(report.render(rep, args.format))
    return 0
