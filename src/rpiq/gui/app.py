"""Entry point of ``rpiq-gui``: QApplication, composition root, event loop.

``rpiq-gui --demo`` (also ``rpiq gui --demo``) seeds a demo archive when it
is empty, starts the local SCP on a free port and selects a profile for it.
``RPIQ_QUIT_AFTER=<seconds>`` quits the app after that time (bundle smoke
test); ``RPIQ_HOME`` moves every file the app reads or writes.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from rpiq.gui import qt_missing_message

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["main"]

QUIT_ENV = "RPIQ_QUIT_AFTER"
MIN_WORKER_THREADS = 8


def _quit_after() -> float | None:
    text = os.environ.get(QUIT_ENV, "").strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        sys.stderr.write(f"rpiq-gui: ignoring {QUIT_ENV}={text!r} (not a number)\n")
        return None
    return max(seconds, 0.0)


def parse_args(argv: Sequence[str]) -> tuple[argparse.Namespace, list[str]]:
    """Our options (``--demo``) and the arguments left for Qt."""
    parser = argparse.ArgumentParser(
        prog="rpiq-gui", description="RPIQ Workstation (desktop)."
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="seed a demo archive if empty, start the local SCP and select it",
    )
    return parser.parse_known_args(list(argv))


def main(argv: Sequence[str] | None = None) -> int:
    """Start the workstation; return the exit code."""
    problem = qt_missing_message()
    if problem is not None:
        sys.stderr.write(f"rpiq-gui: {problem}\n")
        return 2
    # Qt is imported only now, after the friendly check above.
    from PySide6.QtCore import QThreadPool, QTimer
    from PySide6.QtWidgets import QApplication

    from rpiq.core.history import HistoryStore
    from rpiq.core.profiles import ProfileStore
    from rpiq.gui.gc_guard import GcGuard
    from rpiq.gui.main_window import APP_TITLE, MainWindow

    options, rest = parse_args(sys.argv[1:] if argv is None else argv)
    app = QApplication.instance() or QApplication(["rpiq-gui", *rest])
    assert isinstance(app, QApplication)
    app.setApplicationName("RPIQ Workstation")
    app.setApplicationDisplayName(APP_TITLE)
    app.setOrganizationName("rpiq")
    # Workers wait on the network and the disk, not the CPU: an import, two
    # replay queries and a history write must not queue behind each other.
    pool = QThreadPool.globalInstance()
    pool.setMaxThreadCount(max(pool.maxThreadCount(), MIN_WORKER_THREADS))
    guard = GcGuard(app)
    window = MainWindow(
        ProfileStore.default(), HistoryStore.default(), demo=options.demo
    )
    window.show()
    window.start()
    seconds = _quit_after()
    if seconds is not None:
        QTimer.singleShot(int(seconds * 1000), app.quit)
    code = app.exec()
    window.shutdown()
    window.deleteLater()
    guard.stop()
    return int(code)


if __name__ == "__main__":
    raise SystemExit(main())
