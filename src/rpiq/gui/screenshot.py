"""Documentation screenshots: the main window in demo mode after one query.

Used by ``docs/screenshots/make_screenshots.py`` (``make screenshots``): a
temporary home, the demo archive and SCP, the default General query for the
demo patient, then :meth:`QWidget.grab` of the whole window.
"""

from __future__ import annotations

import os
import tempfile
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication

from rpiq.core.paths import HOME_ENV
from rpiq.gui.self_test import wait_for

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["save_main_window_screenshot"]

WINDOW_SIZE = (1360, 860)


def save_main_window_screenshot(target: Path) -> None:
    """Save a PNG of the demo window showing an answer to ``target``.

    Raises
    ------
    RuntimeError
        When the demo or the query does not complete, or saving fails.
    """
    from pathlib import Path as _Path

    from rpiq.gui.app import create_main_window

    app = QApplication.instance() or QApplication(["rpiq-screenshots"])
    previous = os.environ.get(HOME_ENV)
    with tempfile.TemporaryDirectory(prefix="rpiq-shot-") as home:
        window = create_main_window(_Path(home), demo=True, start=False)
        try:
            window.resize(*WINDOW_SIZE)
            window.show()
            demo = window.local.demo
            assert demo is not None
            window.start()
            if not wait_for(demo.ready):
                raise RuntimeError("the demo did not become ready")
            window.panel.trigger_run()
            if not wait_for(window.controller.finished):
                raise RuntimeError("the demo query did not finish")
            window.results.tree.expandAll()
            window.results.select_path(())
            app.processEvents()
            target.parent.mkdir(parents=True, exist_ok=True)
            if not window.grab().save(str(target), "PNG"):
                raise RuntimeError(f"cannot write {target}")
        finally:
            window.shutdown()
            window.deleteLater()
            if previous is None:
                os.environ.pop(HOME_ENV, None)
            else:
                os.environ[HOME_ENV] = previous
