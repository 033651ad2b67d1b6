"""Demo mode: `rpiq gui --demo` / `rpiq-gui --demo` — press Run, see a tree."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import Qt

from rpiq.cli.main import main as cli_main
from rpiq.core.demo_setup import DEMO_AE_TITLE, DEMO_PATIENT_ID, DEMO_PROFILE_NAME
from rpiq.core.history import HistoryStore
from rpiq.core.profiles import AEProfile, ProfileStore
from rpiq.core.status import Category
from rpiq.gui import app
from rpiq.gui.main_window import MainWindow

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.network
WAIT_MS = 15000


def demo_window(qtbot) -> MainWindow:
    w = MainWindow(ProfileStore.default(), HistoryStore.default(), demo=True)
    qtbot.addWidget(w)
    w.show()
    demo = w.local.demo
    assert demo is not None
    with qtbot.waitSignal(demo.ready, timeout=WAIT_MS):
        w.start()
    return w


def test_demo_seeds_starts_and_a_run_shows_a_tree(qtbot, rpiq_home: Path):
    w = demo_window(qtbot)
    try:
        state = w.local.controller.state
        assert state.running
        assert (state.host, state.ae_title) == ("127.0.0.1", DEMO_AE_TITLE)
        assert w.panel.profile_name() == DEMO_PROFILE_NAME
        assert w.panel.patient_id_edit.text() == DEMO_PATIENT_ID
        profile = w.profiles.get(DEMO_PROFILE_NAME)
        assert (profile.host, profile.port) == (state.host, state.port)
        assert (rpiq_home / "data" / "archive" / "index.sqlite3").exists()
        assert "Press Run" in w.statusBar().currentMessage()
        assert w.panel.run_button.isEnabled()
        with qtbot.waitSignal(w.controller.finished, timeout=WAIT_MS) as done:
            qtbot.mouseClick(w.panel.run_button, Qt.MouseButton.LeftButton)
        outcome = done.args[0]
        assert outcome.done.status.category is Category.SUCCESS
        assert outcome.match is not None
        assert w.results.stack.currentWidget() is w.results.tree
        root = w.results.model.root
        assert root is not None
        assert root.template == ("DCMR", "9007")
        assert w.results.model.rowCount() == 1
        assert w.results.header.values["patient_id"].text() == DEMO_PATIENT_ID
        table = w.local.panel.patients
        qtbot.waitUntil(lambda: table.table_model.rowCount() == 7, timeout=WAIT_MS)
        log = w.local.panel.log
        qtbot.waitUntil(lambda: "query from RPIQ" in log.plain_text(), timeout=WAIT_MS)
    finally:
        w.shutdown()
    assert w.local.controller.state.idle


def test_restarting_the_demo_scp_moves_the_profile(qtbot):
    w = demo_window(qtbot)
    try:
        panel = w.local.panel
        old = w.local.controller.state.port
        qtbot.mouseClick(panel.stop_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: w.local.controller.state.idle, timeout=WAIT_MS)
        assert panel.form.port_spin.value() == 0  # the demo's "any free port"
        assert w.local.demo is not None
        with qtbot.waitSignal(w.local.demo.ready, timeout=WAIT_MS) as moved:
            qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
        new = w.local.controller.state.port
        assert moved.args[0].port == new
        assert w.profiles.get(DEMO_PROFILE_NAME).port == new
        assert "now points at" in w.statusBar().currentMessage()
        assert new != old or new > 0
        with qtbot.waitSignal(w.controller.finished, timeout=WAIT_MS) as done:
            qtbot.mouseClick(w.panel.run_button, Qt.MouseButton.LeftButton)
        assert done.args[0].match is not None
    finally:
        w.shutdown()


def test_demo_updates_a_stale_profile_and_keeps_a_filled_archive(qtbot):
    store = ProfileStore.default()
    store.add(AEProfile(DEMO_PROFILE_NAME, called_ae="OLD", port=1))
    store.add(AEProfile("PACS", port=104))
    store.save()
    first = demo_window(qtbot)
    first_port = first.local.controller.state.port
    first.close()
    second = demo_window(qtbot)
    try:
        profile = second.profiles.get(DEMO_PROFILE_NAME)
        assert profile.port == second.local.controller.state.port
        assert profile.called_ae == DEMO_AE_TITLE
        assert second.profiles.names() == [DEMO_PROFILE_NAME, "PACS"]
        assert first_port > 0
        archive = second.local.controller.archive
        assert archive is not None
        counts = archive.counts()
        assert counts == (7, 10)  # seeded once, not twice
    finally:
        second.shutdown()


def test_cli_and_gui_script_accept_demo(monkeypatch):
    called = []

    def fake_main(argv=None):
        called.append(argv)
        return 0

    monkeypatch.setattr(app, "main", fake_main)
    assert cli_main(["gui", "--demo"]) == 0
    assert cli_main(["gui"]) == 0
    assert called == [["--demo"], []]
    options, rest = app.parse_args(["--demo", "-platform", "offscreen"])
    assert options.demo
    assert rest == ["-platform", "offscreen"]
    assert not app.parse_args([])[0].demo


def test_rpiq_gui_demo_process_starts_seeds_and_quits(rpiq_home: Path):
    env = dict(os.environ, RPIQ_QUIT_AFTER="2", QT_QPA_PLATFORM="offscreen")
    code = "from rpiq.gui.app import main; raise SystemExit(main(['--demo']))"
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, timeout=60
    )
    assert done.returncode == 0, done.stderr.decode()
    profiles = json.loads((rpiq_home / "config" / "profiles.json").read_text())
    names = [p["name"] for p in profiles["profiles"]]
    assert names == [DEMO_PROFILE_NAME]
    assert profiles["profiles"][0]["port"] > 0
    assert (rpiq_home / "data" / "archive" / "index.sqlite3").exists()
