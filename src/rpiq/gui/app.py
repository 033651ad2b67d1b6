"""Entry point of ``rpiq-gui``: QApplication, composition root, event loop.

``rpiq-gui --demo`` (also ``rpiq gui --demo``) seeds a demo archive when it
is empty, starts the local SCP on a free port and selects a profile for it.
``rpiq-gui --self-test`` runs one demo query per SOP class (works offscreen)
and exits 0 or 1 (:mod:`rpiq.gui.self_test`). ``RPIQ_QUIT_AFTER=<seconds>``
quits the app after that time (bundle smoke test); ``RPIQ_HOME`` moves every
file the app reads or writes.

:func:`create_main_window` is the automation contract: it builds the window
(every app dir under ``home``) without starting an event loop; the widgets a
script may look up by objectName are listed in the README.
:func:`import_before_qt`, then (with the QApplication) :func:`prepare_session`,
:func:`create_main_window` (``start=False``) and :func:`show_main_window` are
how ``rpiq-gui`` starts, in that order (the start-up benchmark,
``rpiq.gui.bench_probe``, calls the same functions).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from rpiq.core.paths import HOME_ENV
from rpiq.gui import qt_missing_message

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from pathlib import Path

    from PySide6.QtWidgets import QApplication

    from rpiq.gui.gc_guard import GcGuard
    from rpiq.gui.main_window import MainWindow

__all__ = [
    "create_main_window",
    "import_before_qt",
    "main",
    "prepare_session",
    "show_main_window",
]

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
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="query a temporary demo archive once per SOP class; exit 0 if all pass",
    )
    return parser.parse_known_args(list(argv))


def import_before_qt() -> None:
    """Import pydicom and pynetdicom, which the window needs, before PySide6.

    Once PySide6 is loaded, its ``__feature__`` import hook inspects every
    module imported after it (reading its source): pydicom and pynetdicom
    then take ~50 ms (CPU) longer to import.
    """
    import pynetdicom  # noqa: F401


def configure_application() -> None:
    """Name the running QApplication and size the worker pool (idempotent)."""
    from PySide6.QtCore import QThreadPool
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if not isinstance(app, QApplication):
        raise RuntimeError("create a QApplication first")
    from rpiq.gui.help_dialogs import app_icon
    from rpiq.gui.main_window import APP_TITLE

    icon = app_icon()
    if not icon.isNull():
        app.setWindowIcon(icon)
    app.setApplicationName("RPIQ Workstation")
    app.setApplicationDisplayName(APP_TITLE)
    app.setOrganizationName("rpiq")
    # Workers wait on the network and the disk, not the CPU: an import, two
    # replay queries and a history write must not queue behind each other.
    pool = QThreadPool.globalInstance()
    pool.setMaxThreadCount(max(pool.maxThreadCount(), MIN_WORKER_THREADS))


def create_main_window(
    home: Path | None = None, *, demo: bool = False, start: bool = True
) -> MainWindow:
    """Build the workstation window; the automation entry point.

    Parameters
    ----------
    home : Path, optional
        Keep every app dir (profiles, history, archive, layout) under ``home``:
        ``RPIQ_HOME`` is set for the process. None keeps the current dirs.
    demo : bool
        Demo mode, as ``--demo``.
    start : bool
        Load profiles and history on workers (and open the archive) at once;
        wait for ``window.profilesLoaded`` before reading the profile list.

    Returns
    -------
    MainWindow
        The window, not shown; no event loop is started.

    Raises
    ------
    RuntimeError
        When no QApplication exists.
    """
    if home is not None:
        os.environ[HOME_ENV] = str(home)
    configure_application()
    from rpiq.core.history import HistoryStore
    from rpiq.core.profiles import ProfileStore
    from rpiq.gui.main_window import MainWindow

    window = MainWindow(ProfileStore.default(), HistoryStore.default(), demo=demo)
    if start:
        window.start()
    return window


def prepare_session(app: QApplication, home: Path | None = None) -> GcGuard:
    """Before the window: garbage collection on the GUI thread only.

    Parameters
    ----------
    app : QApplication
        The running application.
    home : Path, optional
        As for :func:`create_main_window`.

    Returns
    -------
    GcGuard
        Stop it after the event loop (automatic collection is off meanwhile).
    """
    from rpiq.gui.gc_guard import GcGuard

    if home is not None:
        os.environ[HOME_ENV] = str(home)
    return GcGuard(app)


def show_main_window(
    window: MainWindow, shown: Callable[[], None] | None = None
) -> None:
    """Show ``window``, let it paint its first frame, then start it.

    :meth:`MainWindow.start` loads profiles, history and the archive on
    workers, and the first worker imports superqt (~200 ms, see
    :mod:`rpiq.gui.workers`): none of it is needed for the first frame, so
    it waits until that is on screen. So does the app's masked log file
    (:func:`rpiq.gui.log_capture.install_app_log`, as the CLI's): set up
    just before the start, it still gets everything the loading logs.

    Parameters
    ----------
    window : MainWindow
        Created with ``start=False``.
    shown : callable, optional
        Called once the first frame is painted, before the start (the
        start-up benchmark stops its clock there).
    """
    from PySide6.QtWidgets import QApplication

    window.show()
    QApplication.processEvents()
    if shown is not None:
        shown()
    from rpiq.gui.log_capture import install_app_log

    install_app_log()
    window.start()


def main(argv: Sequence[str] | None = None) -> int:
    """Start the workstation; return the exit code."""
    problem = qt_missing_message()
    if problem is not None:
        sys.stderr.write(f"rpiq-gui: {problem}\n")
        return 2
    import_before_qt()
    # Qt is imported only now, after the friendly check above.
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    options, rest = parse_args(sys.argv[1:] if argv is None else argv)
    app = QApplication.instance() or QApplication(["rpiq-gui", *rest])
    assert isinstance(app, QApplication)
    if options.self_test:
        from rpiq.gui.self_test import run_self_test

        return run_self_test()
    guard = prepare_session(app)
    window = create_main_window(demo=options.demo, start=False)
    show_main_window(window)
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
