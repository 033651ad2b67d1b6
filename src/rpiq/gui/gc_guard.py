"""Run Python's cyclic garbage collector on the GUI thread only.

If the collector runs inside a worker thread it may free a Qt wrapper there,
and a QObject destroyed outside its thread can crash the process. The guard
turns automatic collection off and collects from a GUI-thread timer instead
(the pattern pyqtgraph and others use).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

__all__ = ["GcGuard"]

INTERVAL_MS = 1000


class GcGuard(QObject):
    """While it exists, garbage is collected on the GUI thread every second."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._threshold = gc.get_threshold()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check)
        self._timer.start(INTERVAL_MS)

    def check(self) -> None:
        """Collect the generations whose counters passed their thresholds."""
        first, second, third = gc.get_count()
        if first > self._threshold[0]:
            gc.collect(0)
            if second > self._threshold[1]:
                gc.collect(1)
                if third > self._threshold[2]:
                    gc.collect(2)

    def stop(self) -> None:
        """Collect once more and give collection back to Python."""
        self._timer.stop()
        gc.collect()
        gc.enable()
