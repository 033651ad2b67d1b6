"""File → Save as Comprehensive SR…: into the local archive or a Part 10 file."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from pydicom import dcmread
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from rpiq.core.demo_setup import DEMO_PATIENT_ID
from rpiq.core.history import HistoryStore
from rpiq.core.profiles import ProfileStore
from rpiq.core.sr.document import COMPREHENSIVE_SR
from rpiq.core.sr.parse import parse_content
from rpiq.gui.main_window import MainWindow

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.network
WAIT_MS = 15000


def run(qtbot, w):
    with qtbot.waitSignal(w.controller.finished, timeout=WAIT_MS) as done:
        qtbot.mouseClick(w.panel.run_button, Qt.MouseButton.LeftButton)
    assert done.args[0].match is not None


@pytest.fixture
def demo(qtbot):
    w = MainWindow(ProfileStore.default(), HistoryStore.default(), demo=True)
    qtbot.addWidget(w)
    w.show()
    assert w.local.demo is not None
    with qtbot.waitSignal(w.local.demo.ready, timeout=WAIT_MS):
        w.start()
    run(qtbot, w)
    yield w
    w.shutdown()


def open_dialog(w):
    assert w.actions_.save_sr.isEnabled()
    assert w.actions_.save_sr.shortcut().toString() == "Ctrl+Shift+S"
    w.actions_.save_sr.trigger()
    dialog = w.sr_saver.dialog
    assert dialog is not None
    assert dialog.isVisible()
    return dialog


def test_save_to_a_file(qtbot, demo, tmp_path: Path, monkeypatch):
    dialog = open_dialog(demo)
    target = tmp_path / "out" / "alice-sr"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "")
    )
    qtbot.mouseClick(dialog.browse_button, Qt.MouseButton.LeftButton)
    assert dialog.file_radio.isChecked()
    assert dialog.save_button.isEnabled()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    written = target.with_suffix(".dcm")
    qtbot.waitUntil(written.exists, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: "Saved SR document" in demo.statusBar().currentMessage())
    ds = dcmread(written)
    answer = demo.answer
    assert ds.SOPClassUID == COMPREHENSIVE_SR
    assert ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID
    assert ds.PatientID == DEMO_PATIENT_ID
    assert ds.StudyInstanceUID != answer.identifier.get("StudyInstanceUID")
    assert ds.ContentTemplateSequence[0].TemplateIdentifier == "9007"
    assert parse_content(ds).children == answer.root.children


def test_save_into_the_local_archive(qtbot, demo):
    table = demo.local.panel.patients
    qtbot.waitUntil(lambda: table.table_model.rowCount() == 7, timeout=WAIT_MS)

    def instances() -> str:
        row = next(r for r in table.row_texts() if r[0] == DEMO_PATIENT_ID)
        return str(row[3])

    assert instances() == "2"
    dialog = open_dialog(demo)
    assert dialog.archive_radio.isChecked()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: instances() == "3", timeout=WAIT_MS)
    assert "Stored SR document" in demo.statusBar().currentMessage()


def test_file_target_needs_a_path_and_cancel_does_nothing(qtbot, demo):
    dialog = open_dialog(demo)
    qtbot.mouseClick(dialog.file_radio, Qt.MouseButton.LeftButton)
    assert not dialog.save_button.isEnabled()
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()


def test_an_answer_outside_the_iod_is_explained(qtbot, profile_store, fake_scp):
    w = MainWindow(profile_store, HistoryStore.default())
    qtbot.addWidget(w)
    w.show()
    w.start()
    qtbot.waitUntil(lambda: w.panel.profile_name() == "fake", timeout=WAIT_MS)
    w.panel.patient_id_edit.setText("PAT-1")
    run(qtbot, w)
    dialog = open_dialog(w)
    assert dialog.problem.isVisible()
    assert "SCOORD3D" in dialog.problem.text()
    assert not dialog.save_button.isEnabled()
    dialog.close()
    w.shutdown()
