"""``rpiq support-bundle FILE``: logs, settings and versions for a help desk.

The zip holds no patient data and no secrets (see
:mod:`rpiq.core.support_bundle`); one line on stdout says what was written.
A folder, a missing folder or an unwritable file is one ``rpiq: error:`` line
and exit code 2, with no partial file left behind.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rpiq.cli.common import Exit
from rpiq.core.support_bundle import write_support_bundle

if TYPE_CHECKING:
    import argparse


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``support-bundle``."""
    p = sub.add_parser(
        "support-bundle",
        help="write a zip of logs, settings (no secrets) and versions for support",
        description="Write a zip for a help desk: the app's log files (patient "
        "names and IDs masked), AE profiles and settings with passwords and key "
        "entries removed, versions, platform, and archive/history counts. No "
        "patient data. The file is written atomically and readable by you only.",
    )
    p.add_argument("file", type=Path, metavar="FILE", help="the zip file to write")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run ``rpiq support-bundle``."""
    summary = write_support_bundle(args.file)
    print(
        f"wrote {summary.path} ({len(summary.members)} files, "
        f"{summary.size / 1024:.1f} KiB): logs, settings without secrets, versions"
    )
    return Exit.OK
