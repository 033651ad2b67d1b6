"""PyInstaller runtime hook: measure bundle start to workstation window shown.

Inert unless ``RPIQ_STARTUP_T0`` is set to the launcher's ``time.time()``
taken just before it started the bundle (as ``benchmarks/gui_responsiveness.py``
passes T0 to its probes). Then, once the main window has received its first
paint event and the event loop has finished that pass, one line goes to
stderr::

    rpiq-startup: window shown 1234 ms after launch

``tests/packaging/test_bundle.py`` reads it with ``RPIQ_QUIT_AFTER=0``; the
figure in packaging/README.md comes from there. It lives in a runtime hook,
not in ``rpiq.gui``, because only the frozen bundle's start-up (bootloader,
unpacked archive, collected plugins) is what this budget is about.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

T0_ENV = "RPIQ_STARTUP_T0"


def _report(t0: float) -> None:
    elapsed = (time.time() - t0) * 1000
    sys.stderr.write(f"rpiq-startup: window shown {elapsed:.0f} ms after launch\n")
    sys.stderr.flush()


def _install(t0: float) -> None:
    """Wrap ``create_main_window`` so its window reports its first paint."""
    import rpiq.gui.app as app_module

    original = app_module.create_main_window

    def create_main_window(*args: Any, **kwargs: Any) -> Any:
        from PySide6.QtCore import QEvent, QObject, QTimer  # noqa: TID251
        from PySide6.QtWidgets import QApplication, QWidget  # noqa: TID251

        window = original(*args, **kwargs)
        app = QApplication.instance()

        class FirstPaint(QObject):
            """Reports once, after the first paint of anything in ``window``."""

            def eventFilter(self, watched: QObject, event: QEvent) -> bool:
                if (
                    event.type() == QEvent.Type.Paint
                    and isinstance(watched, QWidget)
                    and watched.window() is window
                ):
                    if app is not None:
                        app.removeEventFilter(self)
                    # The rest of this paint pass runs before a 0 ms timer.
                    QTimer.singleShot(0, lambda: _report(t0))
                return False

        watcher = FirstPaint(window)
        if app is not None:
            app.installEventFilter(watcher)
        return window

    app_module.create_main_window = create_main_window


def _main() -> None:
    text = os.environ.get(T0_ENV, "").strip()
    if not text:
        return
    try:
        t0 = float(text)
    except ValueError:
        sys.stderr.write(f"rpiq-startup: ignoring {T0_ENV}={text!r}\n")
        return
    _install(t0)


_main()
