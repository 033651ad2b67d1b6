"""SCP dock: Start/Stop state, patients table, import (dialog, drop, cancel), faults."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

import pytest
from pydicom import dcmwrite
from pydicom.uid import generate_uid
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QFileDialog

from rpiq.core.archive.demo import build_demo_datasets
from rpiq.core.history import HistoryStore
from rpiq.core.profiles import ProfileStore
from rpiq.core.scp import InstanceStored, Started
from rpiq.core.status import RpiqStatus
from rpiq.gui.main_window import MainWindow
from rpiq.gui.scp_bridge import ScpBridge
from rpiq.gui.scp_controller import Phase

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.network
WAIT_MS = 10000


@pytest.fixture
def window(qtbot):
    w = MainWindow(ProfileStore.default(), HistoryStore.default())
    qtbot.addWidget(w)
    w.show()
    w.start()
    qtbot.waitUntil(lambda: w.local.controller.archive is not None, timeout=WAIT_MS)
    yield w
    w.shutdown()


def write_demo_folder(folder: Path, copies: int = 1) -> int:
    """Demo instances as PS3.10 files (``copies`` of each, new UIDs), + junk."""
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for n in range(copies):
        for ds in build_demo_datasets():
            if n:
                ds.SOPInstanceUID = generate_uid()
                ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
            sub = folder / f"set{n % 3}"
            sub.mkdir(exist_ok=True)
            dcmwrite(sub / f"{count:04d}.dcm", ds, enforce_file_format=True)
            count += 1
    (folder / "notes.txt").write_text("not DICOM")
    return count


def click(qtbot, widget):
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def start_scp(qtbot, w):
    panel = w.local.panel
    panel.form.port_spin.setValue(0)
    assert panel.start_button.isEnabled()
    with qtbot.waitSignal(w.local.controller.stateChanged, timeout=WAIT_MS):
        click(qtbot, panel.start_button)
    qtbot.waitUntil(
        lambda: w.local.controller.state.phase is Phase.RUNNING, timeout=WAIT_MS
    )


def test_start_and_stop_show_their_state(qtbot, window):
    panel = window.local.panel
    assert panel.state_badge.text() == "Stopped"
    assert not panel.stop_button.isEnabled()
    start_scp(qtbot, window)
    state = window.local.controller.state
    assert state.port > 0
    assert panel.state_badge.text() == "Running"
    assert f"127.0.0.1:{state.port} as RPIQ" in panel.state_label.text()
    assert not panel.start_button.isEnabled()
    assert panel.stop_button.isEnabled()
    assert not panel.form.pages[0].isEnabled()  # settings locked while running
    qtbot.waitUntil(lambda: "listening on" in panel.log.plain_text())
    click(qtbot, panel.stop_button)
    qtbot.waitUntil(lambda: window.local.controller.state.idle, timeout=WAIT_MS)
    assert panel.state_badge.text() == "Stopped"
    assert panel.start_button.isEnabled()
    assert panel.form.pages[0].isEnabled()
    qtbot.waitUntil(lambda: "stopped" in panel.log.plain_text())


def test_f9_toggles_the_scp(qtbot, window):
    window.local.panel.form.port_spin.setValue(0)
    window.actions_.scp_toggle.trigger()
    qtbot.waitUntil(lambda: window.local.controller.state.running, timeout=WAIT_MS)
    assert window.actions_.scp_toggle.shortcut().toString() == "F9"
    window.actions_.scp_toggle.trigger()
    qtbot.waitUntil(lambda: window.local.controller.state.idle, timeout=WAIT_MS)


def test_invalid_settings_are_explained_and_block_start(qtbot, window):
    panel = window.local.panel
    panel.form.ae_edit.setText("")
    assert panel.problem.isVisible()
    assert "AE title" in panel.problem.text()
    assert not panel.start_button.isEnabled()
    panel.form.ae_edit.setText("A-TITLE-THAT-IS-FAR-TOO-LONG")
    assert "16" in panel.problem.text()
    panel.form.ae_edit.setText("RPIQ")
    panel.form.tls_group.setChecked(True)
    assert "certificate" in panel.problem.text().lower()
    assert not panel.start_button.isEnabled()
    panel.form.tls_group.setChecked(False)
    assert not panel.problem.isVisible()
    assert panel.start_button.isEnabled()


def test_form_defaults_match_the_core_and_are_valid(qtbot):
    from rpiq.core.scp import settings as core_settings
    from rpiq.gui import scp_form

    form = scp_form.ScpSettingsForm()
    qtbot.addWidget(form)
    assert scp_form.DEFAULT_PORT == core_settings.DEFAULT_PORT
    assert form.port_spin.value() == core_settings.DEFAULT_PORT
    assert form.port_spin.maximum() == core_settings.PORT_MAX
    assert form.problems() == []  # the panel validates once the archive opens
    assert form.status_combo.count() == 0  # filled when first needed
    form.setCurrentWidget(form.pages[2])
    assert form.status_combo.count() == len(scp_form.fault_status_choices())


def test_fault_injection_is_off_by_default_and_warned_when_on(qtbot, window):
    panel = window.local.panel
    form = panel.form
    assert not form.faults_group.isChecked()
    assert not form.faults().active
    assert not panel.fault_warning.isVisible()
    form.faults_group.setChecked(True)
    assert panel.fault_warning.isVisible()
    assert "no fault chosen" in panel.fault_warning.text()
    form.status_combo.setCurrentIndex(
        form.status_combo.findData(int(RpiqStatus.MORE_THAN_ONE_MATCH))
    )
    form.delay_spin.setValue(500)
    assert "C100" in panel.fault_warning.text()
    assert "delay 500 ms" in panel.fault_warning.text()
    start_scp(qtbot, window)
    assert panel.state_badge.text() == "Running — faults on"
    assert panel.fault_warning.isVisible()
    assert window.local.controller.state.faults is not None
    click(qtbot, panel.stop_button)
    qtbot.waitUntil(lambda: window.local.controller.state.idle, timeout=WAIT_MS)
    form.faults_group.setChecked(False)
    assert not panel.fault_warning.isVisible()


def test_import_folder_with_progress_fills_the_patients_table(
    qtbot, window, tmp_path, monkeypatch
):
    files = write_demo_folder(tmp_path / "incoming")
    monkeypatch.setattr(
        QFileDialog, "getExistingDirectory", lambda *a, **k: str(tmp_path / "incoming")
    )
    bar = window.local.panel.import_bar
    seen: list[int] = []
    with qtbot.waitSignal(window.local.controller.importStarted, timeout=WAIT_MS) as s:
        click(qtbot, bar.folder_button)
    s.args[0].progressed.connect(lambda p: seen.append(p.done))
    assert bar.progress.isVisible()
    assert bar.cancel_button.isVisible()
    assert not bar.folder_button.isEnabled()
    with qtbot.waitSignal(
        window.local.controller.importFinished, timeout=WAIT_MS
    ) as done:
        pass
    summary = done.args[0]
    assert summary.stored == files
    assert summary.not_dicom == 1
    assert seen
    assert seen[-1] == files + 1
    assert not bar.progress.isVisible()
    assert bar.folder_button.isEnabled()
    assert f"{files} stored" in bar.status.text()
    table = window.local.panel.patients
    qtbot.waitUntil(lambda: table.table_model.rowCount() == 7, timeout=WAIT_MS)
    rows = {(r[0], r[1]): r for r in table.row_texts()}
    assert rows[("DEMO-001", "HOSP-A")][2] == "DEMO, ALICE"
    assert rows[("DEMO-001", "HOSP-A")][3] == "2"
    assert rows[("DEMO-001", "HOSP-A")][4] == "TID 9007"
    assert ("DEMO-100", "HOSP-B") in rows
    assert "7 patient(s)" in window.local.panel.archive_title.text()
    assert "import:" in window.local.panel.log.plain_text()


def test_cancel_an_import(qtbot, window, tmp_path):
    write_demo_folder(tmp_path / "many", copies=30)
    panel = window.local.panel
    with qtbot.waitSignal(window.local.controller.importStarted, timeout=WAIT_MS):
        assert panel.import_paths([tmp_path / "many"])
    assert not panel.import_paths([tmp_path / "many"])  # one at a time
    with qtbot.waitSignal(
        window.local.controller.importFinished, timeout=WAIT_MS
    ) as done:
        click(qtbot, panel.import_bar.cancel_button)
    assert done.args[0].cancelled
    assert "cancelled" in panel.import_bar.status.text()


def test_drop_files_onto_the_panel_imports_them(qtbot, window, tmp_path):
    write_demo_folder(tmp_path / "dropped")
    panel = window.local.panel
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "dropped"))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with qtbot.waitSignal(
        window.local.controller.importFinished, timeout=WAIT_MS
    ) as done:
        panel.dropEvent(event)
    assert event.isAccepted()
    assert done.args[0].stored == 10
    remote = QMimeData()
    remote.setUrls([QUrl("https://example.org/x.dcm")])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        remote,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    panel.dropEvent(event)
    assert not window.local.controller.importing


def test_double_clicking_a_patient_fills_the_query_form(qtbot, window, tmp_path):
    write_demo_folder(tmp_path / "in")
    with qtbot.waitSignal(window.local.controller.importFinished, timeout=WAIT_MS):
        window.local.panel.import_paths([tmp_path / "in"])
    table = window.local.panel.patients
    qtbot.waitUntil(lambda: table.table_model.rowCount() == 7, timeout=WAIT_MS)
    row = next(
        r
        for r, t in enumerate(table.row_texts())
        if t[1] == "HOSP-B" and t[0] == "DEMO-100"
    )
    index = table.model().index(row, 2)
    table.activated.emit(index)
    assert window.panel.patient_id_edit.text() == "DEMO-100"
    assert window.panel.issuer_edit.text() == "HOSP-B"


def test_stored_instances_refresh_the_table(qtbot, window):
    start_scp(qtbot, window)
    archive = window.local.controller.archive
    for ds in build_demo_datasets()[:2]:
        archive.store(ds)
    # An event as the SCP sends it after a C-STORE, from another thread.
    bridge = window.local.controller.bridge
    thread = threading.Thread(
        target=bridge.deliver, args=(InstanceStored("1.2.3", "DEMO-001", False),)
    )
    thread.start()
    thread.join()
    table = window.local.panel.patients
    qtbot.waitUntil(lambda: table.table_model.rowCount() == 2, timeout=WAIT_MS)
    assert "stored instance 1.2.3" in window.local.panel.log.plain_text()


def test_close_while_running_and_importing_returns_within_3_s(qtbot, window, tmp_path):
    write_demo_folder(tmp_path / "big", copies=40)
    start_scp(qtbot, window)
    with qtbot.waitSignal(window.local.controller.importStarted, timeout=WAIT_MS):
        window.local.panel.import_paths([tmp_path / "big"])
    start = time.monotonic()
    window.close()
    assert time.monotonic() - start < 3.3
    assert window.local.controller.state.idle
    assert not window.local.controller.importing


def test_bridge_delivers_on_the_gui_thread(qtbot):
    bridge = ScpBridge()
    seen: list[tuple[object, bool]] = []
    gui = threading.current_thread()
    bridge.event_received.connect(
        lambda e: seen.append((e, threading.current_thread() is gui))
    )
    event = Started("127.0.0.1", 1, "RPIQ")
    worker = threading.Thread(target=bridge.deliver, args=(event,))
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: bool(seen))
    assert seen == [(event, True)]
    bridge.close()
    bridge.deliver(event)
    qtbot.wait(20)
    assert len(seen) == 1
    bridge.deleteLater()


def test_tls_and_allowed_peers_reach_the_settings(qtbot, window, tmp_path):
    trustme = pytest.importorskip("trustme")
    server = trustme.CA().issue_cert("127.0.0.1")
    cert, key = tmp_path / "server.pem", tmp_path / "server.key"
    server.cert_chain_pems[0].write_to_path(str(cert))
    server.private_key_pem.write_to_path(str(key))
    form = window.local.panel.form
    form.allowed_edit.setText("PACS1, CT2  MR3")
    form.tls_group.setChecked(True)
    form.cert_row.edit.setText(str(cert))
    form.key_row.edit.setText(str(key))
    settings = form.settings()
    assert settings.allowed_calling_aets == ("PACS1", "CT2", "MR3")
    assert settings.tls is not None
    assert settings.tls.ca_file is None
    start_scp(qtbot, window)
    assert "with TLS" in window.local.panel.state_label.text()
    qtbot.mouseClick(window.local.panel.stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.local.controller.state.idle, timeout=WAIT_MS)


def test_a_port_in_use_is_reported(qtbot, window):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        panel = window.local.panel
        panel.form.port_spin.setValue(busy.getsockname()[1])
        click(qtbot, panel.start_button)
        qtbot.waitUntil(lambda: panel.message.isVisible(), timeout=WAIT_MS)
    assert "Cannot start" in panel.message.text()
    assert window.local.controller.state.idle
    assert panel.state_badge.text() == "Stopped"
    assert panel.start_button.isEnabled()
