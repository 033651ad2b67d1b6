"""The workstation end to end: real buttons, a loopback RPI SCP, real threads."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest
from pydicom import dcmread
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from rpiq.core.history import HistoryStore
from rpiq.core.profiles import AEProfile, ProfileStore
from rpiq.core.sr.render import render_text
from rpiq.core.sr.samples import every_value_type_tree
from rpiq.core.status import Category
from rpiq.gui.main_window import MainWindow
from rpiq.gui.sr_tree_model import SrTreeModel

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.network
QUERY_TIMEOUT_MS = 15000


@pytest.fixture
def window(qtbot, profile_store):
    w = MainWindow(profile_store, HistoryStore.default())
    qtbot.addWidget(w)
    w.show()
    w.start()
    qtbot.waitUntil(lambda: w.panel.profile_name() == "fake", timeout=5000)
    qtbot.waitUntil(lambda: w.history.dock.list.topLevelItemCount() == 1)
    yield w
    w.shutdown()


def run(qtbot, w, patient="PAT-1", issuer=""):
    w.panel.patient_id_edit.clear()
    qtbot.keyClicks(w.panel.patient_id_edit, patient)
    w.panel.issuer_edit.setText(issuer)
    with qtbot.waitSignal(w.controller.finished, timeout=QUERY_TIMEOUT_MS) as blocker:
        qtbot.mouseClick(w.panel.run_button, Qt.MouseButton.LeftButton)
    return blocker.args[0]


def history_rows(w):
    return w.history.dock.list.topLevelItemCount()


def test_query_shows_every_value_type(qtbot, window, fake_scp):
    outcome = run(qtbot, window)
    assert outcome.done.status.category is Category.SUCCESS
    results = window.results
    assert results.model.root == every_value_type_tree()
    assert results.stack.currentWidget() is results.tree
    assert results.header.values["name"].text() == "DEMO, ALICE"
    assert results.header.values["patient_id"].text() == "PAT-1"
    assert results.header.values["birth_date"].text() == "1/1/1980"
    assert results.header.values["template"].text().startswith("TID 9007 — ")
    assert results.header.badge.text().startswith("Success")
    assert "Matching complete" in results.header.meaning.text()
    assert results.header.elapsed.text().endswith("ms")
    assert not results.banner.isVisible()
    # The dump is built when the Raw dataset tab is first opened.
    assert results.raw.pending
    assert results.raw.toPlainText() == ""
    results.tabs.setCurrentWidget(results.raw)
    qtbot.waitUntil(lambda: not results.raw.pending)
    assert "Content Sequence" in results.raw.toPlainText()
    assert "Association Accepted" in results.log.plain_text()
    assert results.tabs.tabText(2).startswith("Conformance")
    assert window.actions_.export_json.isEnabled()
    qtbot.waitUntil(
        lambda: history_rows(window) == 1 and bool(window.history.store.entries)
    )
    entry = window.history.store.entries[0]
    assert entry.patient_id == "PAT-1"
    assert entry.answer_file is not None


def test_filter_select_and_copy(qtbot, window, fake_scp):
    run(qtbot, window)
    results = window.results
    qtbot.keyClicks(results.filter_edit, "Heart")
    assert results.proxy.rowCount() == 1
    assert results.select_path((2, 1))
    node = every_value_type_tree().find((2,))
    assert node is not None
    assert results.select_path((2,))
    results.tree.setFocus()
    qtbot.keyClick(results.tree, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.clipboard().text() == render_text(node)
    # The selection is highlighted in the dump once the Raw tab builds it.
    results.tabs.setCurrentWidget(results.raw)
    qtbot.waitUntil(lambda: bool(results.raw.extraSelections()))
    (highlight,) = results.raw.extraSelections()
    start = highlight.cursor.selectionStart()
    first, _last = results.raw.dump.spans[(2,)]
    assert results.raw.document().findBlock(start).blockNumber() == first
    assert results.details.topLevelItemCount() > 3
    results.filter_edit.clear()
    qtbot.mouseClick(results.collapse_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(results.expand_button, Qt.MouseButton.LeftButton)
    deepest = results.proxy.mapFromSource(results.model.index_for_path((5, 3, 1, 3)))
    assert results.tree.isExpanded(deepest.parent())


def test_finding_click_selects_its_item(qtbot, window, fake_scp):
    run(qtbot, window)
    findings = window.results.findings
    with_path = [
        findings.topLevelItem(i)
        for i in range(findings.topLevelItemCount())
        if findings.topLevelItem(i).text(1) not in ("", "root")
    ]
    assert with_path, "the sample answer should give findings with item paths"
    item = with_path[0]
    rect = findings.visualItemRect(item)
    qtbot.mouseClick(findings.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    expected = tuple(int(p) for p in item.text(1).split("."))
    assert window.results.selected_path() == expected


def test_cancel_during_a_delayed_query(qtbot, window, fake_scp):
    fake_scp.delay_s = 20
    panel = window.panel
    qtbot.keyClicks(panel.patient_id_edit, "PAT-1")
    assert not panel.cancel_button.isEnabled()
    qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(fake_scp.requests), timeout=5000)
    assert panel.cancel_button.isEnabled()
    assert not panel.run_button.isEnabled()
    assert window.progress.isVisible()
    start = time.monotonic()
    with qtbot.waitSignal(window.controller.finished, timeout=5000) as blocker:
        qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    assert time.monotonic() - start < 3.5
    outcome = blocker.args[0]
    assert outcome.cancelled
    assert not panel.cancel_button.isEnabled()
    assert panel.run_button.isEnabled()
    badge = window.results.header.badge.text()
    assert badge.startswith(("Cancel", "Cancelled"))


def test_mismatch_banner_when_the_answer_is_for_another_patient(
    qtbot, window, fake_scp
):
    fake_scp.mode = "wrong_id"
    run(qtbot, window)
    banner = window.results.banner
    assert banner.isVisible()
    assert "PAT-1-OTHER" in banner.label.text()
    fake_scp.mode = "answer"
    run(qtbot, window)
    assert not banner.isVisible()


def test_failure_status_is_explained(qtbot, window, fake_scp):
    fake_scp.mode = "c100"
    outcome = run(qtbot, window)
    assert outcome.match is None
    header = window.results.header
    assert header.badge.text().startswith("Failure")
    assert "Issuer of Patient ID" in header.meaning.text()
    assert "two patients" in header.meaning.text()
    assert window.results.stack.currentWidget() is window.results.empty_label
    assert not window.actions_.export_pdf.isEnabled()


def test_unreachable_peer_fails_cleanly(qtbot, profile_store, unused_port):
    profile_store.add(
        AEProfile("dead", port=unused_port, connect_timeout=2), replace=True
    )
    profile_store.save()
    w = MainWindow(profile_store, HistoryStore.default())
    qtbot.addWidget(w)
    w.show()
    w.start()
    qtbot.waitUntil(lambda: w.panel.profile_combo.count() == 2)
    w.panel.profile_combo.setCurrentIndex(w.panel.profile_combo.findData("dead"))
    outcome = run(qtbot, w)
    assert outcome.failed is not None
    assert w.results.header.badge.text().startswith("Failed")
    assert outcome.failed.message in w.results.header.meaning.text()
    w.shutdown()


def test_close_during_a_query_returns_within_3_s(qtbot, window, fake_scp):
    fake_scp.delay_s = 30
    fake_scp.mode = "deaf"  # ignores C-CANCEL: the token must abort
    qtbot.keyClicks(window.panel.patient_id_edit, "PAT-1")
    qtbot.mouseClick(window.panel.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(fake_scp.requests), timeout=5000)
    start = time.monotonic()
    window.close()
    assert time.monotonic() - start < 3.3
    assert not window.controller.busy


def test_history_rerun_and_reopen(qtbot, window, fake_scp):
    run(qtbot, window, "PAT-7", "HOSP-A")
    dock = window.history.dock
    qtbot.waitUntil(
        lambda: (
            history_rows(window) == 1
            and dock.list.topLevelItem(0).text(1).startswith("PAT-7")
        )
    )
    dock.list.setCurrentItem(dock.list.topLevelItem(0))
    window.results.clear_answer()
    qtbot.mouseClick(dock.open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.results.model.root is not None)
    assert window.results.model.root == every_value_type_tree()
    assert window.results.header.badge.text() == "From history"
    window.panel.patient_id_edit.setText("OTHER")
    with qtbot.waitSignal(window.controller.finished, timeout=QUERY_TIMEOUT_MS):
        rect = dock.list.visualItemRect(dock.list.topLevelItem(0))
        viewport = dock.list.viewport()
        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.panel.patient_id_edit.text() == "PAT-7"
    assert fake_scp.requests[-1].IssuerOfPatientID == "HOSP-A"
    qtbot.waitUntil(lambda: history_rows(window) == 2)


@pytest.mark.parametrize("kind", ["json", "dcm", "pdf"])
def test_export(qtbot, window, fake_scp, tmp_path, monkeypatch, kind):
    run(qtbot, window)
    target = tmp_path / f"answer.{kind}"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "")
    )
    action = {
        "json": window.actions_.export_json,
        "dcm": window.actions_.export_dcm,
        "pdf": window.actions_.export_pdf,
    }[kind]
    action.trigger()
    qtbot.waitUntil(target.exists, timeout=5000)
    qtbot.waitUntil(lambda: "Saved" in window.statusBar().currentMessage())
    data = target.read_bytes()
    if kind == "pdf":
        assert data.startswith(b"%PDF")
    elif kind == "json":
        assert b'"00100020"' in data
    else:
        assert dcmread(target).PatientID == "PAT-1"


def test_load_warnings_are_shown_once(qtbot, rpiq_home: Path):
    config = rpiq_home / "config"
    config.mkdir(parents=True)
    (config / "profiles.json").write_text("{broken")
    w = MainWindow(ProfileStore.default(), HistoryStore.default())
    qtbot.addWidget(w)
    w.show()
    w.start()
    qtbot.waitUntil(lambda: bool(w.load_warnings))
    assert ".bak" in w.load_warnings[0]
    boxes = [b for b in QApplication.topLevelWidgets() if isinstance(b, QMessageBox)]
    assert boxes
    assert ".bak" in boxes[0].text()
    assert not w.panel.run_button.isEnabled()
    assert "Manage" in w.panel.profile_error.text()
    for box in boxes:
        box.close()
    w.shutdown()


def test_tree_rows_carry_paths(qtbot, window, fake_scp):
    run(qtbot, window)
    index = window.results.proxy.index(0, 0)
    assert SrTreeModel.path_of(index) == ()


def test_keyboard_shortcuts_run_and_cancel(qtbot, window, fake_scp):
    assert "Ctrl+Return" in window.panel.run_button.toolTip()
    assert "Esc" in window.panel.cancel_button.toolTip()
    window.activateWindow()
    qtbot.waitUntil(lambda: window.isActiveWindow())
    fake_scp.delay_s = 20
    qtbot.keyClicks(window.panel.patient_id_edit, "PAT-1")
    qtbot.keyClick(
        window.panel.patient_id_edit,
        Qt.Key.Key_Return,
        Qt.KeyboardModifier.ControlModifier,
    )
    qtbot.waitUntil(lambda: bool(fake_scp.requests), timeout=5000)
    assert window.controller.busy
    with qtbot.waitSignal(window.controller.finished, timeout=5000) as blocker:
        qtbot.keyClick(window.results.tree, Qt.Key.Key_Escape)
    assert blocker.args[0].cancelled


def test_key_outside_the_profile_character_set_is_not_sent(
    qtbot, profile_store, fake_scp, fake_profile
):
    from dataclasses import replace

    profile_store.add(replace(fake_profile, character_set="ISO_IR 100"), replace=True)
    profile_store.save()
    w = MainWindow(profile_store, HistoryStore.default())
    qtbot.addWidget(w)
    w.show()
    w.start()
    qtbot.waitUntil(lambda: w.panel.profile_name() == "fake", timeout=5000)
    try:
        w.panel.patient_id_edit.setText("王-1")  # QTest types ASCII only
        qtbot.mouseClick(w.panel.run_button, Qt.MouseButton.LeftButton)
        box = w.findChild(QMessageBox, "queryRefusedBox")
        assert box is not None
        assert "Patient ID" in box.text()
        assert "ISO_IR 100" in box.text()
        assert "preferred character set" in box.text()
        assert not w.controller.busy
        assert fake_scp.requests == []
        box.accept()
    finally:
        w.shutdown()
