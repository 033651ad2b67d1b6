from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from rpiq.core.profiles import AEProfile, ProfileStore
from rpiq.gui.profile_dialog import ProfileDialog

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture
def store() -> ProfileStore:
    s = ProfileStore.default()
    s.load()
    s.add(AEProfile("PACS", called_ae="PACS-SCP", host="pacs.local"))
    s.save()
    return s


@pytest.fixture
def dialog(qtbot, store) -> ProfileDialog:
    d = ProfileDialog(store, "PACS")
    qtbot.addWidget(d)
    d.show()
    return d


def click(qtbot, button):
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def idle(qtbot, d):
    qtbot.waitUntil(lambda: not d.busy, timeout=10000)


def test_shows_the_selected_profile(dialog):
    assert dialog.list.currentItem().text() == "PACS"
    assert dialog.form.edits["called_ae"].text() == "PACS-SCP"
    assert dialog.save_button.isEnabled()


def test_invalid_fields_are_marked_and_save_disabled(qtbot, dialog):
    called = dialog.form.edits["called_ae"]
    called.clear()
    qtbot.keyClicks(called, "X" * 17)
    assert dialog.form.problem_fields() == ["called_ae"]
    assert "at most 16" in dialog.form.messages["called_ae"].text()
    assert called.property("invalid") is True
    assert not dialog.save_button.isEnabled()
    assert not dialog.test_button.isEnabled()
    dialog.form.edits["name"].clear()
    assert set(dialog.form.problem_fields()) == {"name", "called_ae"}
    max_pdu = dialog.form.edits["max_pdu"]
    max_pdu.setText("big")
    assert "max_pdu" in dialog.form.problem_fields()


def test_tls_key_without_certificate_is_marked(qtbot, dialog):
    dialog.form.tls_group.setChecked(True)
    qtbot.keyClicks(dialog.form.tls_edits["key_file"], "/tmp/key.pem")
    assert "tls.cert_file" in dialog.form.problem_fields()


def test_new_profile_is_saved_to_disk(qtbot, dialog, store):
    click(qtbot, dialog.new_button)
    assert dialog.form.edits["name"].text() == "New profile"
    dialog.form.edits["name"].setText("Cardio")
    dialog.form.edits["called_ae"].setText("CARDIO-RPI")
    dialog.form.port.setValue(4242)
    click(qtbot, dialog.save_button)
    idle(qtbot, dialog)
    saved = ProfileStore(store.path)
    assert saved.get("Cardio").port == 4242
    assert dialog.list.currentItem().text() == "Cardio"
    assert "Saved" in dialog.status.text()


def test_rename_replaces_the_old_profile(qtbot, dialog, store):
    dialog.form.edits["name"].setText("PACS 2")
    click(qtbot, dialog.save_button)
    idle(qtbot, dialog)
    assert ProfileStore(store.path).names() == ["PACS 2"]


def test_missing_tls_file_is_reported_at_the_field_on_save(qtbot, dialog):
    dialog.form.tls_group.setChecked(True)
    dialog.form.tls_edits["ca_file"].setText("/nonexistent/ca.pem")
    click(qtbot, dialog.save_button)
    idle(qtbot, dialog)
    assert "tls.ca_file" in dialog.form.problem_fields()
    assert "not found" in dialog.status.text()


def test_delete_asks_then_removes(qtbot, dialog, store, monkeypatch):
    monkeypatch.setattr(
        QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes
    )
    click(qtbot, dialog.delete_button)
    idle(qtbot, dialog)
    assert ProfileStore(store.path).names() == []
    assert dialog.form.edits["name"].text() == "New profile"


def test_export_then_import(qtbot, dialog, store, tmp_path: Path, monkeypatch):
    target = tmp_path / "out.json"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "")
    )
    click(qtbot, dialog.export_button)
    idle(qtbot, dialog)
    exported = json.loads(target.read_text())
    assert [p["name"] for p in exported["profiles"]] == ["PACS"]
    incoming = tmp_path / "in.json"
    incoming.write_text(json.dumps({"name": "Imported", "called_ae": "IMP"}))
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", lambda *a, **k: (str(incoming), "")
    )
    click(qtbot, dialog.import_button)
    idle(qtbot, dialog)
    assert "Imported 1 profile" in dialog.status.text()
    assert ProfileStore(store.path).names() == ["PACS", "Imported"]


def test_import_clash_asks_before_replacing(
    qtbot, dialog, store, tmp_path, monkeypatch
):
    incoming = tmp_path / "in.json"
    incoming.write_text(json.dumps({"name": "PACS", "called_ae": "NEW-AE"}))
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", lambda *a, **k: (str(incoming), "")
    )
    asked = []

    def yes(*args, **kwargs):
        asked.append(args)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", yes)
    click(qtbot, dialog.import_button)
    qtbot.waitUntil(lambda: "Imported" in dialog.status.text(), timeout=10000)
    idle(qtbot, dialog)
    assert asked
    assert ProfileStore(store.path).get("PACS").called_ae == "NEW-AE"


def test_bad_import_file_is_reported(qtbot, dialog, tmp_path, monkeypatch):
    incoming = tmp_path / "bad.json"
    incoming.write_text("{nope")
    monkeypatch.setattr(
        QFileDialog, "getOpenFileName", lambda *a, **k: (str(incoming), "")
    )
    click(qtbot, dialog.import_button)
    idle(qtbot, dialog)
    assert "bad.json" in dialog.status.text()


@pytest.mark.network
def test_test_button_shows_each_rpi_class(qtbot, dialog, fake_scp):
    dialog.form.edits["called_ae"].setText("FAKE-RPI")
    dialog.form.edits["host"].setText("127.0.0.1")
    dialog.form.port.setValue(fake_scp.port)
    click(qtbot, dialog.test_button)
    idle(qtbot, dialog)
    rows = {
        dialog.test_results.topLevelItem(i).text(0): dialog.test_results.topLevelItem(
            i
        ).text(1)
        for i in range(dialog.test_results.topLevelItemCount())
    }
    assert rows["Verification (C-ECHO)"].startswith("Success")
    assert rows["RPI General"] == "accepted"
    assert rows["RPI Cardiac"] == "accepted"
    assert rows["Peer AE title"] == "FAKE-RPI"
    assert dialog.status.text() == "Test passed."


@pytest.mark.network
def test_test_against_nobody_reports_the_error(qtbot, dialog, unused_port):
    dialog.form.edits["host"].setText("127.0.0.1")
    dialog.form.port.setValue(unused_port)
    click(qtbot, dialog.test_button)
    idle(qtbot, dialog)
    assert dialog.test_results.topLevelItemCount() == 0
    assert "refused" in dialog.status.text().lower()
