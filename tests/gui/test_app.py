from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time

import pytest

from rpiq.cli.main import main as cli_main
from rpiq.gui import app


def test_main_starts_and_quits_after_rpiq_quit_after(rpiq_home):
    # A subprocess: app.exec() and quit() must not run inside the test process
    # (a quit QApplication stops delivering queued signals to later tests).
    env = dict(os.environ, RPIQ_QUIT_AFTER="0.5", QT_QPA_PLATFORM="offscreen")
    code = "from rpiq.gui.app import main; raise SystemExit(main([]))"
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, timeout=60
    )
    assert done.returncode == 0, done.stderr.decode()
    assert time.monotonic() - start < 30
    assert (rpiq_home / "config" / "gui.ini").exists()  # geometry saved


def test_bad_quit_after_is_ignored(monkeypatch, capsys):
    monkeypatch.setenv("RPIQ_QUIT_AFTER", "soon")
    assert app._quit_after() is None
    assert "ignoring" in capsys.readouterr().err


def test_missing_qt_gives_a_friendly_message(monkeypatch, capsys):
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    assert app.main([]) == 2
    err = capsys.readouterr().err
    assert "PySide6" in err
    assert "rpiq --help" in err


def test_cli_gui_subcommand_runs_the_app(monkeypatch):
    called = []

    def fake_main(argv=None):
        called.append(argv)
        return 0

    monkeypatch.setattr(app, "main", fake_main)
    assert cli_main(["gui"]) == 0
    assert called == [[]]


@pytest.mark.skipif(sys.platform == "win32", reason="posix paths")
def test_gui_package_import_is_light():
    code = "import sys, rpiq.gui, rpiq.gui.app; print('PySide6' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


def test_gc_guard_collects_on_the_gui_thread(qtbot):
    import gc

    from rpiq.gui.gc_guard import GcGuard

    guard = GcGuard()
    try:
        assert not gc.isenabled()
        for _ in range(2000):
            a: list[object] = []
            a.append(a)  # cyclic garbage
        guard.check()
        assert gc.get_count()[0] < 2000
    finally:
        guard.stop()
        guard.deleteLater()
    assert gc.isenabled()
