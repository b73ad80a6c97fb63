"""Argument parsing, dispatch and exit codes. The work is done by the core; each command's
handler lives in chaser/commands/<name>.py and registers its own sub-parser.

Exit codes: 0 success, 2 a user error (one line `chaser: error: ...` on stderr, no traceback),
1 anything unexpected (a bug: a short `chaser: internal error: ...` and where to report it; the
traceback only with CHASER_DEBUG=1), 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Sequence

from chaser import __version__
from chaser.errors import ChaserError
from chaser.progress import Cancelled
from chaser.safe_text import SafeWriter

# Each module has `register(subparsers, common)`; its parsers set `func`.
COMMANDS = ("sync", "gaps", "log", "chases", "costs", "report", "export", "snapshots", "connect",
            "status", "ledger", "notes", "goals", "newcomers", "barriers", "digest")
DEBUG_ENV = "CHASER_DEBUG"  # set to 1 to see the traceback of an internal error
REPORT_TO = "the chaser maintainers"


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's own exit 2, in our one-line form
        raise ChaserError(message)


def common(sub: bool = False) -> argparse.ArgumentParser:
    """--config / --demo, taken by every subcommand and by bare `chaser`. A subcommand's copy
    has no defaults, so `chaser --config F gaps` keeps the F given before the subcommand."""
    p = argparse.ArgumentParser(add_help=False)
    default = {"default": argparse.SUPPRESS} if sub else {}
    g = p.add_mutually_exclusive_group()
    g.add_argument("--config", metavar="FILE", help="chaser.toml to use (default: CHASER_CONFIG, "
                   "then the user config dir; none: the demo org)", **default)
    g.add_argument("--demo", action="store_true", help="use the built-in demo org", **default)
    return p


def build_parser() -> Parser:
    parser = Parser(prog="chaser", parents=[common()],
                    description="See who left which CRM fields blank, log every chase, and price "
                                "non-adoption. With no command, opens the terminal UI.")
    parser.add_argument("--version", action="version", version=f"chaser {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    parent = common(sub=True)
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
    """Every byte the CLI prints goes through SafeWriter: CRM text (names, notes, a server's
    reply in an error) reaches the terminal with its control characters made visible."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = SafeWriter(out), SafeWriter(err)
    try:
        return _main(argv)
    finally:
        sys.stdout, sys.stderr = out, err


def _main(argv: Sequence[str] | None) -> int:
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if args.config and args.demo:  # given on both sides of the subcommand
            raise ChaserError("--config and --demo cannot be used together")
        if args.command is None:
            return _open_tui(args, parser)
        return args.func(args) or 0
    except ChaserError as e:
        from chaser.secrets import redact  # messages are scrubbed where built; a backstop

        print(f"chaser: error: {redact(_one_line(str(e)))}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, Cancelled):
        print("chaser: cancelled", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `chaser gaps | head`: the reader left; not an error
        return 0
    except Exception as e:  # a bug, not the user's doing: say so briefly, exit 1
        return internal_error(e)


def internal_error(e: Exception) -> int:
    """One short message and where to report it; the traceback only with CHASER_DEBUG=1.
    Also the TUI's report of a crash (chaser.app.run), once the screen is restored.
    Both pass through secrets.redact: an exception may quote a request that held a token."""
    try:
        from chaser.secrets import redact
    except Exception:  # the report must not fail in turn  # noqa: BLE001
        def redact(text: str) -> str:
            return text
    print(f"chaser: internal error: {type(e).__name__}: {redact(_one_line(str(e)))[:500]}",
          file=sys.stderr)
    if os.environ.get(DEBUG_ENV, "").strip() not in ("", "0"):
        print(redact("".join(traceback.format_exception(e))), end="", file=sys.stderr)
    else:
        print(f"chaser: this is a bug in chaser {__version__}; please report it to {REPORT_TO} "
              f"with the command you ran (run it again with {DEBUG_ENV}=1 to see the "
              "traceback)", file=sys.stderr)
    return 1


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
