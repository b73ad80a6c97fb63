"""`chaser export hr --period P --out FILE.csv [--detail FILE2.csv] [--force]`;
`chaser export evidence PERSON --period P --out FILE [--format md|html] [--force]`: one
person's whole story for HR (chaser/evidence.py), every figure the HR export's."""

from __future__ import annotations

from chaser.commands import warn_unmatched_rates, workspace
from chaser.costs import money
from chaser.periods import PERIOD_HELP


def register(sub, common) -> None:
    p = sub.add_parser("export", parents=[common], help="write files for other people")
    kinds = p.add_subparsers(dest="kind", metavar="KIND", required=True)
    hr = kinds.add_parser("hr", parents=[common], help="per-person CSV for HR performance "
                          "reviews (Excel-ready, formula-injection safe)")
    hr.add_argument("--period", required=True, metavar="P", help=PERIOD_HELP)
    hr.add_argument("--team", metavar="T", help="only this team")
    hr.add_argument("--out", required=True, metavar="FILE.csv",
                    help="one row per person; FILE-about.txt beside it says what it all means")
    hr.add_argument("--detail", metavar="FILE.csv", help="also write one row per chase")
    hr.add_argument("--force", action="store_true", help="replace files that exist")
    hr.set_defaults(func=run_hr)
    ev = kinds.add_parser("evidence", parents=[common], help="one person's evidence file for "
                          "HR: goals, trend, chases, barriers (markdown or printable HTML)")
    ev.add_argument("person", metavar="PERSON", help="key, name (any case) or email")
    ev.add_argument("--period", required=True, metavar="P", help=PERIOD_HELP)
    ev.add_argument("--out", required=True, metavar="FILE", help="the file to write (0600)")
    ev.add_argument("--format", choices=("md", "html"), default="md",
                    help="md (default) or html, a page to print")
    ev.add_argument("--force", action="store_true", help="replace the file if it exists")
    ev.set_defaults(func=run_evidence)


def run_evidence(args) -> int:
    from chaser.evidence import evidence_for
    from chaser.evidence_render import render, write
    from chaser.exports import check_target
    from chaser.inputs import period_for

    check_target(args.out, args.force)  # before any work
    ws = workspace(args)
    period = period_for(ws, args.period)
    person = ws.find_person(args.person)
    ev = evidence_for(ws, person, period)
    path = write(render(ev, args.format), args.out, force=args.force)
    print(f"wrote {path}: the evidence of {person.name} for {period.label} ({period.span()})")
    return 0


def run_hr(args) -> int:
    # Imported here, not at the top: the parser of every command would load them.
    from chaser.exports import about_path, check_target, write_hr
    from chaser.inputs import hr_export, period_for

    # Refuse before any work when a file exists or cannot be written.
    check_target(args.out, args.force)
    check_target(about_path(args.out), args.force)
    if args.detail:
        check_target(args.detail, args.force)
    ws = workspace(args)
    warn_unmatched_rates(ws)
    export = hr_export(ws, period_for(ws, args.period), args.team)
    paths = write_hr(export, args.out, args.detail, force=args.force)
    t, p = export.total, export.period
    what = [f"{len(export.rows)} people", *([f"{len(export.detail)} chases"] if args.detail
                                            else []), "what the columns and figures mean"]
    for path, text in zip(paths, what, strict=True):
        print(f"wrote {path}: {text}")
    print(f"{p.label}: {p.span()}; {t.chases} chases, {money(t.cost, export.currency)}")
    return 0
