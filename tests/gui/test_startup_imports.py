"""The first frame of the window needs none of the heavy modules (start-up time).

``benchmarks/gui_responsiveness.py`` measures the start-up; this test keeps
the reason it is fast from regressing: a fresh interpreter builds and shows
the window exactly as ``rpiq-gui`` does, and at the first frame none of the
modules below may have been imported. They load later, on first use.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

#: Loaded after the first frame: workers (superqt and its qtpy), the SR model
#: and pydicom's code dictionary, the template catalogue, the query engine,
#: the conformance checker, the archive, dialogs, exports and reports.
LATER = (
    "superqt",
    "qtpy",
    "pydicom.sr.codedict",
    "rpiq.core.sr.model",
    "rpiq.core.sr.report_html",
    "rpiq.core.templates.catalogue",
    "rpiq.core.query.engine",
    "rpiq.core.query.events",
    "rpiq.core.conformance",
    "rpiq.core.archive",
    "rpiq.core.demo_setup",
    "rpiq.core.scp",
    "rpiq.core.support_bundle",
    "rpiq.gui.profile_dialog",
    "rpiq.gui.replay_dialog",
    "rpiq.gui.log_capture",
)

CODE = f"""
import sys
from pathlib import Path
from rpiq.gui.app import (
    create_main_window, import_before_qt, prepare_session, show_main_window
)

import_before_qt()
from PySide6.QtWidgets import QApplication

app = QApplication(["rpiq-test"])
guard = prepare_session(app, Path(sys.argv[1]))
window = create_main_window(Path(sys.argv[1]), start=False)
first: set[str] = set()
show_main_window(window, lambda: first.update(sys.modules))
print("early:" + ",".join(m for m in {LATER!r} if m in first))
from rpiq.gui.workers import serial_imports

with serial_imports():  # workers are importing the core meanwhile
    from rpiq.gui.self_test import wait_for  # imports the archive: only now

ready = window.profiles_ready or bool(wait_for(window.profilesLoaded, 20000))
print("ready:" + str(ready))
print("late:" + ",".join(m for m in ("superqt",) if m in sys.modules))
window.shutdown()
guard.stop()
"""


def test_first_frame_imports_none_of_the_heavy_modules(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", CODE, str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = dict(line.split(":", 1) for line in done.stdout.splitlines() if ":" in line)
    assert lines["early"] == ""
    # ...and the window still starts: profiles loaded on a (superqt) worker.
    assert lines["ready"] == "True"
    assert lines["late"] == "superqt"


RACE = """
import importlib
import threading

import pynetdicom  # noqa: F401 — loaded before the window, as in the app

from rpiq.gui.workers import serial_imports

# First imports the GUI makes lazily, from several threads at once; the last
# two are how core modules reach pydicom.sr (it imports itself in a circle).
names = [
    "rpiq.core.demo_setup",
    "rpiq.core.query.engine",
    "rpiq.core.conformance",
    "rpiq.core.sr.document",
    "rpiq.core.archive.demo",
    "rpiq.core.templates.catalogue",
    "pydicom.sr.codedict",
    "pydicom.sr.coding",
]
errors = []
barrier = threading.Barrier(len(names))


def load(name):
    barrier.wait()
    try:
        with serial_imports():
            importlib.import_module(name)
    except Exception as exc:
        errors.append(f"{name}: {exc!r}")


threads = [threading.Thread(target=load, args=(name,)) for name in names]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print("errors:" + " | ".join(errors))
"""


def test_lazy_imports_from_several_threads_take_turns() -> None:
    """Without serial_imports most runs fail: a "partially initialized module"."""
    for _ in range(3):
        done = subprocess.run(
            [sys.executable, "-c", RACE],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        assert done.stdout.strip() == "errors:"
