"""One module per CLI command. Each has `register(subparsers, common)`; handlers are thin:
they open a Workspace, ask the core, and print with chaser.output."""

from __future__ import annotations

import argparse
import sys

from chaser.output import FORMATS
from chaser.workspace import Workspace


def workspace(args: argparse.Namespace) -> Workspace:
    return Workspace.open(args.config, args.demo)


def add_format(p: argparse.ArgumentParser, choices: tuple[str, ...] = FORMATS) -> None:
    p.add_argument("--format", choices=choices, default=choices[0],
                   help=f"output format (default: {choices[0]})")


def warn_unmatched_rates(ws: Workspace) -> None:
    """On stderr, so CSV and JSON on stdout stay clean for scripts."""
    from chaser.costs import unmatched_admins, unmatched_overrides

    teams = sorted({p.team for p in ws.snapshot().people})
    for name in unmatched_overrides(ws.settings.costs, teams):
        print(f"chaser: warning: [costs.teams.{name}] in {ws.settings.path} matches no team, so "
              f"its rates are not used (teams: {', '.join(teams)})", file=sys.stderr)
    if ws.settings.costs.admins:  # only then is the ledger folder listed
        writers = sorted({*ws.store.ledger.scan().writers, ws.writer.id})
        for wid in unmatched_admins(ws.settings.costs, writers):
            print(f"chaser: warning: [costs.admins.{wid}] in {ws.settings.path} names no writer "
                  f"of the ledger, so its rate is not used (writers: {', '.join(writers)})",
                  file=sys.stderr)
