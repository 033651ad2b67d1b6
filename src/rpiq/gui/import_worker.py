"""ImportJob: ``Archive.import_paths`` on a worker, with progress and Cancel.

The archive calls the progress callback on the worker thread after each file;
the job forwards it through :attr:`ImportJob.progressed` (queued to the GUI
thread), at most every :data:`PROGRESS_INTERVAL_S` plus the last file, so a
folder of thousands of files does not flood the event loop. Cancel sets the
``threading.Event`` the archive checks between files.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from rpiq.gui.workers import run_in_background

if TYPE_CHECKING:
    from collections.abc import Iterable

    from rpiq.core.archive import Archive, ImportSummary

__all__ = ["ImportJob", "ImportProgress"]

PROGRESS_INTERVAL_S = 0.05


@dataclass(frozen=True, slots=True)
class ImportProgress:
    """Files done out of ``total``; ``name`` is the last file's name."""

    done: int
    total: int
    name: str


class ImportJob(QObject):
    """One import of files and folders into ``archive``; start it once."""

    progressed = Signal(object)  # ImportProgress
    finished = Signal(object)  # ImportSummary
    failed = Signal(object)  # Exception

    def __init__(
        self, archive: Archive, paths: Iterable[Path], parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.archive = archive
        self.paths = tuple(Path(p) for p in paths)
        self._cancel = threading.Event()
        self._last = 0.0
        self.running = False

    def start(self) -> None:
        """Run the import on the thread pool."""
        self.running = True
        archive, paths, cancel = self.archive, self.paths, self._cancel
        run_in_background(
            lambda: archive.import_paths(paths, progress=self._report, cancel=cancel),
            self._on_done,
            self._on_error,
        )

    def cancel(self) -> None:
        """Stop after the current file (the summary says it was cancelled)."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        """True once :meth:`cancel` was called."""
        return self._cancel.is_set()

    def _report(self, done: int, total: int, path: Path) -> None:
        # Worker thread: throttle, then hand over to the GUI thread.
        now = time.monotonic()
        if done < total and now - self._last < PROGRESS_INTERVAL_S:
            return
        self._last = now
        self.progressed.emit(ImportProgress(done, total, Path(path).name))

    def _on_done(self, summary: ImportSummary) -> None:
        self.running = False
        self.finished.emit(summary)

    def _on_error(self, exc: Exception) -> None:
        self.running = False
        self.failed.emit(exc)
