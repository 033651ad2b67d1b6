"""Entry point of the ``rpiq`` command: builds the parser and dispatches.

Every user error (invalid input, unknown profile, unreachable peer, unwritable
file) ends as one ``rpiq: error:`` line and a documented exit code, never a
traceback.
"""

from __future__ import annotations

import argparse
import logging
from typing import TYPE_CHECKING, cast

from rpiq import __version__
from rpiq.cli import (
    archive_cmd,
    check_cmd,
    net_cmds,
    profiles_cmd,
    query_cmd,
    scp_cmd,
    support_cmd,
)
from rpiq.cli.common import Exit, error
from rpiq.core.errors import RpiqError
from rpiq.core.logmask import LogSetup, configure_logging, reset_logging
from rpiq.core.paths import AppPaths

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence


def build_parser() -> argparse.ArgumentParser:
    """Return the top-level parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="rpiq",
        description="RPIQ Workstation — Relevant Patient Information Query "
        "(DICOM PS3.4 Annex Q). Exit codes: 0 success (a match), 1 success without "
        "a match, 2 usage or invalid input, 3 the peer answered with a failure or "
        "cancel status, 4 no association.",
    )
    parser.add_argument("--version", action="version", version=f"rpiq {__version__}")
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="log association events (-vv: DIMSE and identifiers)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    net_cmds.add_parsers(sub)
    query_cmd.add_parser(sub)
    profiles_cmd.add_parser(sub)
    scp_cmd.add_parser(sub)
    check_cmd.add_parser(sub)
    archive_cmd.add_parser(sub)
    support_cmd.add_parser(sub)
    _add_gui_parser(sub)
    return parser


def _add_gui_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``gui`` (Qt is imported only when it runs)."""
    p = sub.add_parser(
        "gui",
        help="open the RPIQ Workstation window",
        description="Start the desktop workstation (same as rpiq-gui).",
    )
    p.add_argument(
        "--demo",
        action="store_true",
        help="seed a demo archive if empty, start the local SCP on a free port "
        "and select its profile",
    )
    p.add_argument(
        "--self-test",
        action="store_true",
        help="query a temporary demo archive once per SOP class (works "
        "offscreen); exit 0 if every query passes, 1 otherwise",
    )
    p.set_defaults(handler=_run_gui)


def _run_gui(args: argparse.Namespace) -> int:
    # Imported only now, so every other subcommand runs without loading Qt
    # (tests/test_architecture.py checks that `import rpiq.cli` loads no PySide6).
    from rpiq.gui.app import main as gui_main

    argv = ["--demo"] if args.demo else []
    if args.self_test:
        argv.append("--self-test")
    return int(gui_main(argv))


def _configure_logging(verbosity: int) -> None:
    """Console per ``-v``; the masked log file at INFO always (core.logmask).

    Patient names and IDs are masked on the console unless ``-vv`` (debug),
    and always in the file, which ``rpiq support-bundle`` ships.
    """
    console = {0: logging.WARNING, 1: logging.INFO}.get(verbosity, logging.DEBUG)
    configure_logging(
        LogSetup(
            console_level=console,
            reveal=verbosity > 1,
            log_file=AppPaths.default().log_file,
        )
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return Exit.USAGE
    _configure_logging(args.verbose)
    handler = cast("Callable[[argparse.Namespace], int]", args.handler)
    try:
        return int(handler(args))
    except ValueError as exc:  # ValidationError and argument conversions
        error(str(exc))
        return Exit.USAGE
    except RpiqError as exc:
        error(str(exc))
        return Exit.USAGE
    except KeyboardInterrupt:
        error("interrupted")
        return 130
    finally:
        # Close the log file and restore levels (main() also runs in-process).
        reset_logging()
