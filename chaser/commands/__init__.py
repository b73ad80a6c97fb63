"""One module per CLI command. Each has `register(subparsers, common)`; handlers are thin:
they open a Workspace, ask the core, and print with chaser.output."""

from __future__ import annotations

import argparse

from chaser.output import FORMATS
from chaser.workspace import Workspace


def workspace(args: argparse.Namespace) -> Workspace:
    return Workspace.open(args.config, args.demo)


def add_format(p: argparse.ArgumentParser, choices: tuple[str, ...] = FORMATS) -> None:
    p.add_argument("--format", choices=choices, default=choices[0],
                   help=f"output format (default: {choices[0]})")
