"""ImportBar: Import files… / Import folder…, a progress bar and Cancel.

The bar only asks for paths and shows progress; the import itself runs in an
:class:`~rpiq.gui.import_worker.ImportJob` started by the SCP controller.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from rpiq.core.archive import ImportSummary
    from rpiq.gui.import_worker import ImportProgress

__all__ = ["ImportBar"]

_ERROR_STYLE = "color: #b00020;"


class ImportBar(QWidget):
    """Buttons while idle; progress and Cancel while an import runs."""

    pathsChosen = Signal(object)  # list[Path]
    cancelRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.files_button = QPushButton("Import files…")
        self.files_button.setObjectName("scpImportButton")
        self.files_button.setToolTip(
            "Import DICOM files into the local archive (or drop files here)"
        )
        self.folder_button = QPushButton("Import folder…")
        self.folder_button.setObjectName("scpImportFolderButton")
        self.folder_button.setToolTip("Import every DICOM file under a folder")
        self.progress = QProgressBar()
        self.progress.setObjectName("scpImportProgress")
        self.progress.setFormat("%v / %m files")
        self.progress.hide()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("scpImportCancelButton")
        self.cancel_button.setToolTip("Stop the import after the current file")
        self.cancel_button.hide()
        self.status = QLabel("Drop DICOM files or folders here to import them.")
        self.status.setObjectName("scpImportStatus")
        self.status.setWordWrap(True)
        self.status.setStyleSheet("color: palette(mid);")
        self.files_button.clicked.connect(self.choose_files)
        self.folder_button.clicked.connect(self.choose_folder)
        self.cancel_button.clicked.connect(self._on_cancel)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.files_button)
        row.addWidget(self.folder_button)
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel_button)
        row.addStretch(0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.status)

    # ------------------------------------------------------------- choosing
    def choose_files(self) -> None:
        """Ask for files; emit :attr:`pathsChosen`."""
        names, _ = QFileDialog.getOpenFileNames(
            self, "Import DICOM files", "", "DICOM (*.dcm *.DCM);;All files (*)"
        )
        if names:
            self.pathsChosen.emit([Path(name) for name in names])

    def choose_folder(self) -> None:
        """Ask for a folder; emit :attr:`pathsChosen`."""
        folder = QFileDialog.getExistingDirectory(
            self, "Import a folder of DICOM files"
        )
        if folder:
            self.pathsChosen.emit([Path(folder)])

    def set_available(self, available: bool) -> None:
        """Enable the buttons (only with an open archive and no import)."""
        self.files_button.setEnabled(available)
        self.folder_button.setEnabled(available)

    # ------------------------------------------------------------- progress
    def begin(self, what: str) -> None:
        """An import started: busy bar until the files are counted."""
        self.set_available(False)
        self.progress.setRange(0, 0)
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_button.setEnabled(True)
        self.cancel_button.show()
        self._set_status(f"Importing {what}: looking for files…")

    def show_progress(self, progress: ImportProgress) -> None:
        """Files done out of the total, and the last file's name."""
        # QProgressBar.setValue repaints at once, and an immediate repaint
        # paints everything pending in the window first (the answer tree
        # too): ~10 ms of the GUI thread per update during a busy import.
        # With updates off it only schedules a paint, merged with the rest.
        bar = self.progress
        bar.setUpdatesEnabled(False)
        bar.setRange(0, max(progress.total, 1))
        bar.setValue(progress.done)
        bar.setUpdatesEnabled(True)
        self._set_status(
            f"Imported {progress.done} of {progress.total}: {progress.name}"
        )

    def finish(self, result: ImportSummary | Exception) -> None:
        """Show the summary line (or the error); buttons back."""
        self.progress.hide()
        self.cancel_button.hide()
        self.set_available(True)
        if isinstance(result, Exception):
            self._set_status(f"Import failed: {result}", error=True)
            return
        text = result.text()
        if result.problems:
            names = ", ".join(p.path.name for p in result.problems[:3])
            text += f" (failed: {names}{'…' if len(result.problems) > 3 else ''})"
        self._set_status(text, error=not result.ok and not result.cancelled)

    def _on_cancel(self) -> None:
        self.cancel_button.setEnabled(False)
        self._set_status("Cancelling after the current file…")
        self.cancelRequested.emit()

    def _set_status(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setToolTip(text)
        style = _ERROR_STYLE if error else ""
        if self.status.styleSheet() != style:  # re-polishes even when equal
            self.status.setStyleSheet(style)
