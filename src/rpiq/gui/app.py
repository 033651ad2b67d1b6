"""Entry point of ``rpiq-gui``: QApplication, composition root, event loop.

``RPIQ_QUIT_AFTER=<seconds>`` quits the app after that time (bundle smoke
test); ``RPIQ_HOME`` moves every file the app reads or writes.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from rpiq.gui import qt_missing_message

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["main"]

QUIT_ENV = "RPIQ_QUIT_AFTER"


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


def main(argv: Sequence[str] | None = None) -> int:
    """Start the workstation; return the exit code."""
    problem = qt_missing_message()
    if problem is not None:
        sys.stderr.write(f"rpiq-gui: {problem}\n")
        return 2
    # Qt is imported only now, after the friendly check above.
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from rpiq.core.history import HistoryStore
    from rpiq.core.profiles import ProfileStore
    from rpiq.gui.gc_guard import GcGuard
    from rpiq.gui.main_window import APP_TITLE, MainWindow

    args = list(sys.argv if argv is None else ["rpiq-gui", *argv])
    app = QApplication.instance() or QApplication(args)
    assert isinstance(app, QApplication)
    app.setApplicationName("RPIQ Workstation")
    app.setApplicationDisplayName(APP_TITLE)
    app.setOrganizationName("rpiq")
    guard = GcGuard(app)
    window = MainWindow(ProfileStore.default(), HistoryStore.default())
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
