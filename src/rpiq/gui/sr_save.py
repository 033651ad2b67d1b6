"""File → Save as Comprehensive SR…: the answer as a new SR document.

The document is built by the core (:func:`rpiq.core.sr.document.make_comprehensive_sr`:
new Study/Series/SOP Instance UIDs, patient module, Content Template
Sequence) and either stored in the local archive (``Archive.store``) or
written as a PS3.10 file (:func:`~rpiq.core.sr.document.write_document`,
atomic) — both on a worker. :class:`SaveSrDialog` asks where. The document
module is imported when the dialog opens (and by the worker), not with the
window.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from rpiq.gui.workers import run_in_background, serial_imports

if TYPE_CHECKING:
    from collections.abc import Callable

    from pydicom.dataset import Dataset

    from rpiq.core.archive import Archive
    from rpiq.core.sr.model import ContentNode
    from rpiq.gui.answer import Answer
    from rpiq.gui.scp_controller import ScpController

__all__ = ["SaveSrDialog", "SrSaver"]

ARCHIVE, FILE = "archive", "file"
_ERROR_STYLE = "color: #b00020;"


class SaveSrDialog(QDialog):
    """Where to save: the local archive or a file; emits :attr:`saveRequested`."""

    saveRequested = Signal(str, object)  # ARCHIVE or FILE, Path or None

    def __init__(
        self, answer: Answer, archive_ready: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("saveSrDialog")
        self.setWindowTitle("Save as Comprehensive SR")
        who = answer.patient.patient_id or "the patient"
        intro = QLabel(
            f"Save the answer for {who} as a new Comprehensive SR document "
            "(new Study, Series and SOP Instance UIDs; the answer's patient "
            "module and template)."
        )
        intro.setWordWrap(True)
        self.archive_radio = QRadioButton("Into the &local archive")
        self.archive_radio.setObjectName("srTargetArchiveRadio")
        self.archive_radio.setEnabled(archive_ready)
        if not archive_ready:
            self.archive_radio.setToolTip("The local archive is not open")
        self.file_radio = QRadioButton("To a DICOM &file:")
        self.file_radio.setObjectName("srTargetFileRadio")
        group = QButtonGroup(self)
        group.addButton(self.archive_radio)
        group.addButton(self.file_radio)
        (self.archive_radio if archive_ready else self.file_radio).setChecked(True)
        self.path_edit = QLineEdit()
        self.path_edit.setObjectName("srFileEdit")
        self.path_edit.setPlaceholderText("choose a .dcm file…")
        self.browse_button = QPushButton("Browse…")
        self.browse_button.setObjectName("srFileBrowseButton")
        self.browse_button.clicked.connect(self._browse)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file_radio)
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(self.browse_button)
        with serial_imports():
            from rpiq.core.sr.document import check_comprehensive

        self.problem = QLabel("\n".join(check_comprehensive(answer.root)))
        self.problem.setObjectName("srProblemLabel")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(_ERROR_STYLE)
        self.problem.setVisible(bool(self.problem.text()))
        self.save_button = QPushButton("Save")
        self.save_button.setObjectName("srSaveButton")
        self.save_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("srCancelButton")
        self.save_button.clicked.connect(self._on_save)
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.archive_radio)
        layout.addLayout(file_row)
        layout.addWidget(self.problem)
        layout.addLayout(buttons)
        self._suggested = f"rpi-sr-{(answer.patient.patient_id or 'answer')}.dcm"
        group.buttonToggled.connect(lambda *_: self._update())
        self.path_edit.textChanged.connect(self._update)
        self._update()
        self.resize(520, self.sizeHint().height())

    def target(self) -> str:
        """ARCHIVE or FILE."""
        return ARCHIVE if self.archive_radio.isChecked() else FILE

    def _path(self) -> Path | None:
        text = self.path_edit.text().strip()
        if not text:
            return None
        path = Path(text)
        return path if path.suffix.lower() == ".dcm" else path.with_suffix(".dcm")

    def _browse(self) -> None:
        name = self._suggested.replace("/", "_")
        path, _ = QFileDialog.getSaveFileName(
            self, "Save SR document", name, "DICOM (*.dcm)"
        )
        if path:
            self.path_edit.setText(path)
            self.file_radio.setChecked(True)

    def _update(self) -> None:
        blocked = self.problem.isVisibleTo(self)
        ready = self.target() == ARCHIVE or self._path() is not None
        self.save_button.setEnabled(ready and not blocked)

    def _on_save(self) -> None:
        target = self.target()
        self.saveRequested.emit(target, self._path() if target == FILE else None)
        self.accept()


class SrSaver:
    """Opens :class:`SaveSrDialog` and does the save on a worker."""

    def __init__(
        self,
        parent: QWidget,
        controller: ScpController,
        notify: Callable[[str, bool], None],
    ) -> None:
        self.parent = parent
        self.controller = controller
        self.notify = notify
        self.dialog: SaveSrDialog | None = None

    def save(self, answer: Answer) -> SaveSrDialog:
        """Ask where (window-modal, non-blocking); the save follows the choice."""
        dialog = SaveSrDialog(answer, self.controller.archive is not None, self.parent)
        dialog.saveRequested.connect(
            lambda target, path: self._save(answer, target, path)
        )
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _save(self, answer: Answer, target: str, path: Path | None) -> None:
        identifier, root = answer.identifier, answer.root
        if target == ARCHIVE:
            archive = self.controller.archive
            if archive is None:
                self.notify("The local archive is not open.", False)
                return
            self.notify("Storing the SR document in the local archive…", True)
            run_in_background(
                lambda: _store(archive, identifier, root),
                self._stored,
                self._failed,
            )
            return
        assert path is not None
        self.notify(f"Writing {path.name}…", True)
        run_in_background(
            lambda: _write(path, identifier, root),
            lambda uid: self.notify(f"Saved SR document {uid} to {path}", True),
            self._failed,
        )

    def _stored(self, uid: str) -> None:
        self.notify(f"Stored SR document {uid} in the local archive.", True)
        self.controller.refresh_patients()

    def _failed(self, exc: Exception) -> None:
        self.notify(f"Save as Comprehensive SR failed: {exc}", False)


def _store(archive: Archive, identifier: Dataset, root: ContentNode) -> str:
    """Build the SR document and store it (on a worker); its SOP Instance UID."""
    with serial_imports():
        from rpiq.core.sr.document import make_comprehensive_sr

    ds = make_comprehensive_sr(identifier, root)
    return archive.store(ds).sop_instance_uid


def _write(path: Path, identifier: Dataset, root: ContentNode) -> str:
    """Build the SR document and write it (on a worker); its SOP Instance UID."""
    with serial_imports():
        from rpiq.core.sr.document import make_comprehensive_sr, write_document

    ds = make_comprehensive_sr(identifier, root)
    write_document(path, ds)
    return str(ds.SOPInstanceUID)
