"""File → Save support bundle…: a zip for the help desk, without patient data."""

from __future__ import annotations

import os
import stat
import zipfile
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from rpiq.core.archive.demo import DEMO_PATIENTS
from rpiq.core.history import HistoryStore
from rpiq.core.logmask import reset_logging
from rpiq.core.profiles import ProfileStore
from rpiq.gui.log_capture import install_app_log
from rpiq.gui.main_window import MainWindow

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

pytestmark = pytest.mark.network
WAIT_MS = 15000


def demo_identities() -> set[str]:
    found: set[str] = set()
    for patient in DEMO_PATIENTS:
        found.update({patient.patient_id, patient.name, *patient.name.split("^")})
    return found


@pytest.fixture
def demo(qtbot) -> Iterator[MainWindow]:
    """The demo workstation after one query, logging to its file as the app does."""
    install_app_log()
    w = MainWindow(ProfileStore.default(), HistoryStore.default(), demo=True)
    qtbot.addWidget(w)
    w.show()
    assert w.local.demo is not None
    try:
        with qtbot.waitSignal(w.local.demo.ready, timeout=WAIT_MS):
            w.start()
        with qtbot.waitSignal(w.controller.finished, timeout=WAIT_MS) as done:
            qtbot.mouseClick(w.panel.run_button, Qt.MouseButton.LeftButton)
        assert done.args[0].match is not None
        # The answer is on screen: this is the patient data the bundle must not hold.
        assert w.answer is not None
        yield w
    finally:
        w.shutdown()
        reset_logging()


def choose(monkeypatch, path: str) -> list[tuple[object, ...]]:
    asked: list[tuple[object, ...]] = []

    def dialog(*args, **kwargs):
        asked.append(args)
        return path, ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    return asked


def test_action_sits_in_the_file_menu(demo):
    action = demo.actions_.support_bundle
    assert action.objectName() == "saveSupportBundleAction"
    file_menu = demo.menuBar().actions()[0].menu()
    assert action in file_menu.actions()
    assert action.text().replace("&", "") == "Save support bundle…"
    assert action.isEnabled()


def test_saves_a_bundle_without_patient_data(qtbot, demo, tmp_path: Path, monkeypatch):
    target = tmp_path / "for-support"
    asked = choose(monkeypatch, str(target))
    demo.actions_.support_bundle.trigger()
    written = tmp_path / "for-support.zip"  # .zip added
    qtbot.waitUntil(
        lambda: "Saved support bundle" in demo.statusBar().currentMessage(),
        timeout=WAIT_MS,
    )
    assert str(asked[0][2]).endswith(".zip")  # a suggested file name
    with zipfile.ZipFile(written) as bundle:
        files = {name: bundle.read(name).decode() for name in bundle.namelist()}
    log = files["rpiq-support/logs/rpiq.log"]
    assert "query from RPIQ: patient ***01" in log  # the demo query is in it
    found = {
        name: sorted(s for s in demo_identities() if s in text)
        for name, text in files.items()
    }
    assert {name: hits for name, hits in found.items() if hits} == {}
    if os.name == "posix":
        assert stat.S_IMODE(written.stat().st_mode) == 0o600


def test_missing_folder_is_reported_and_nothing_written(
    qtbot, demo, tmp_path: Path, monkeypatch
):
    choose(monkeypatch, str(tmp_path / "gone" / "bundle.zip"))
    demo.actions_.support_bundle.trigger()
    qtbot.waitUntil(
        lambda: "Support bundle not saved" in demo.statusBar().currentMessage(),
        timeout=WAIT_MS,
    )
    assert "does not exist" in demo.statusBar().currentMessage()
    assert not (tmp_path / "gone").exists()


def test_cancelled_dialog_does_nothing(demo, tmp_path: Path, monkeypatch):
    choose(monkeypatch, "")
    before = demo.statusBar().currentMessage()
    demo.actions_.support_bundle.trigger()
    assert demo.statusBar().currentMessage() == before
    assert list(tmp_path.rglob("*.zip")) == []
