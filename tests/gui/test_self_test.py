"""``rpiq gui --self-test`` / ``rpiq-gui --self-test`` in an offscreen subprocess."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from rpiq.cli.main import main as cli_main
from rpiq.gui import app

pytestmark = pytest.mark.network

SUMMARY = re.compile(
    r"^self-test: 3/3 queries OK \(General 9007, Breast 9000, Cardiac 3802\) "
    r"in \d+ ms$"
)


def _run(code: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_self_test_passes_and_prints_one_line():
    done = _run(
        "from rpiq.cli.main import main; raise SystemExit(main(['gui', '--self-test']))"
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1
    assert SUMMARY.match(lines[0]), lines[0]


def test_gui_script_self_test_reports_a_failure_with_exit_1():
    code = (
        "from rpiq.gui import self_test\n"
        "from rpiq.core.templates import RpiSopClass\n"
        "self_test.SELF_TEST_CASES = ((RpiSopClass.GENERAL, 'NOBODY'),)\n"
        "from rpiq.gui.app import main\n"
        "raise SystemExit(main(['--self-test']))\n"
    )
    done = _run(code)
    assert done.returncode == 1
    assert "self-test: 0/1 queries OK" in done.stdout
    assert "General 9007 (NOBODY)" in done.stderr


def test_self_test_flag_reaches_the_gui(monkeypatch):
    called = []

    def fake_main(argv=None):
        called.append(argv)
        return 0

    monkeypatch.setattr(app, "main", fake_main)
    assert cli_main(["gui", "--self-test"]) == 0
    assert called == [["--self-test"]]
    assert app.parse_args(["--self-test"])[0].self_test
