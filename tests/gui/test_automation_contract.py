"""The automation contract: ``create_main_window`` and the stable objectNames."""

from __future__ import annotations

import itertools
import os
from typing import TYPE_CHECKING

import pytest
from PySide6.QtWidgets import QMainWindow, QTableWidget, QWidget

from rpiq.cli.main import main as cli_main
from rpiq.gui.app import create_main_window

if TYPE_CHECKING:
    from pathlib import Path

WAIT_MS = 10000

#: Documented in README.md ("Automation contract"); renaming one breaks scripts.
CONTRACT_NAMES = (
    "profileCombo",
    "patientIdEdit",
    "issuerEdit",
    "sopClassCombo",
    "templateCombo",
    "runQueryButton",
    "cancelQueryButton",
    "resultsTree",
    "statusLabel",
    "rawDumpView",
    "conformanceView",
    "logView",
    "historyList",
    "scpAeTitleEdit",
    "scpPortSpin",
    "scpStartButton",
    "scpStopButton",
    "scpPatientsTable",
    "scpImportButton",
)


@pytest.mark.parametrize("start", [False, True])
def test_every_contract_name_exists_once(qtbot, tmp_path: Path, start: bool):
    window = create_main_window(tmp_path, start=start)
    qtbot.addWidget(window)
    try:
        assert isinstance(window, QMainWindow)
        assert os.environ["RPIQ_HOME"] == str(tmp_path)
        missing = [n for n in CONTRACT_NAMES if window.findChild(QWidget, n) is None]
        assert missing == []
        doubled = [
            n for n in CONTRACT_NAMES if len(window.findChildren(QWidget, n)) != 1
        ]
        assert doubled == []
        if start:
            qtbot.waitUntil(lambda: window.profiles_ready, timeout=WAIT_MS)
    finally:
        window.shutdown()


def test_a_profile_added_with_the_cli_shows_in_the_combo(qtbot, tmp_path: Path):
    os.environ["RPIQ_HOME"] = str(tmp_path)  # restored by the rpiq_home fixture
    assert cli_main(["profiles", "add", "PACS-CLI", "127.0.0.1", "11112"]) == 0
    assert (tmp_path / "config" / "profiles.json").exists()
    window = create_main_window(tmp_path, start=False)
    qtbot.addWidget(window)
    try:
        with qtbot.waitSignal(window.profilesLoaded, timeout=WAIT_MS):
            window.start()
        combo = window.findChild(QWidget, "profileCombo")
        assert combo is window.panel.profile_combo
        names = [combo.itemText(i) for i in range(combo.count())]
        assert "PACS-CLI" in names
    finally:
        window.shutdown()


def test_help_menu_accessible_names_and_tab_order(qtbot, tmp_path: Path):
    from rpiq.gui.help_dialogs import about_html, app_icon, shortcut_rows

    window = create_main_window(tmp_path, start=False)
    qtbot.addWidget(window)
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles == ["&File", "&Query", "&Archive", "&View", "&Help"]
    rows = dict(shortcut_rows(window.actions()))
    assert rows["Run"].startswith("Ctrl+Return")
    assert rows["Keyboard shortcuts"] == "F1"
    with_keys = [a for a in window.actions() if a.shortcuts()]
    assert len(rows) == len(with_keys)
    window.actions_.show_shortcuts()
    dialog = window.findChild(QWidget, "shortcutsDialog")
    assert dialog is not None
    table = dialog.findChild(QTableWidget, "shortcutsTable")
    assert table is not None
    assert table.rowCount() == len(rows)
    dialog.close()
    about = about_html()
    for name in ("RPIQ Workstation", "Qt", "PySide6", "pydicom", "pynetdicom"):
        assert name in about
    assert not app_icon().isNull()
    panel = window.panel
    order = [
        panel.profile_combo,
        panel.patient_id_edit,
        panel.issuer_edit,
        panel.sop_combo,
        panel.template_combo,
        panel.run_button,
        panel.cancel_button,
        panel.manage_button,
    ]
    for widget in order:
        assert widget.accessibleName()
    for first, second in itertools.pairwise(order):
        assert first.nextInFocusChain() is second
    window.shutdown()
