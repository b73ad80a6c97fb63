"""Argument parsing, dispatch and exit codes. The work is done by the core; each command's
handler lives in chaser/commands/<name>.py and registers its own sub-parser.

Exit codes: 0 success, 2 a user error (one line `chaser: error: ...` on stderr, no traceback),
1 anything unexpected, 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from chaser import __version__
from chaser.connectors.base import Cancelled
from chaser.errors import ChaserError

# Each module has `register(subparsers, common)`; its parsers set `func`.
COMMANDS = ("sync", "gaps", "log", "chases", "costs", "report", "export", "connect")


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's own exit 2, in our one-line form
        raise ChaserError(message)


def common() -> argparse.ArgumentParser:
    """--config / --demo, taken by every subcommand (and by bare `chaser`)."""
    p = argparse.ArgumentParser(add_help=False)
    g = p.add_mutually_exclusive_group()
    g.add_argument("--config", metavar="FILE", help="chaser.toml to use (default: CHASER_CONFIG, "
                   "then the user config dir; none: the demo org)")
    g.add_argument("--demo", action="store_true", help="use the built-in demo org")
    return p


def build_parser() -> Parser:
    parent = common()
    parser = Parser(prog="chaser", parents=[parent],
                    description="See who left which CRM fields blank, log every chase, and price "
                                "non-adoption. With no command, opens the terminal UI.")
    parser.add_argument("--version", action="version", version=f"chaser {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for name in COMMANDS:
        module = _module(name)
        if module is not None:
            module.register(sub, parent)
    return parser


def _module(name: str):
    try:
        return importlib.import_module(f"chaser.commands.{name}")
    except ModuleNotFoundError as e:
        if e.name == f"chaser.commands.{name}":  # a command not built yet
            return None
        raise


def main(argv: Sequence[str] | None = None) -> int:
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if args.command is None:
            return _open_tui(args, parser)
        return args.func(args) or 0
    except ChaserError as e:
        print(f"chaser: error: {_one_line(str(e))}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, Cancelled):
        print("chaser: cancelled", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `chaser gaps | head`: the reader left; not an error
        return 0


def _open_tui(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    try:
        from chaser.app import run
    except ModuleNotFoundError:
        parser.print_help()
        return 0
    return run(config=args.config, demo=args.demo)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def run() -> None:
    sys.exit(main())
