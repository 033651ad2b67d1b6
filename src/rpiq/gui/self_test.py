"""``rpiq gui --self-test``: one demo query per SOP class, then exit 0 or 1.

A temporary directory is the app home: the window starts in demo mode (seeded
archive, SCP on port 0, demo profile), then, through the same form and
:class:`~rpiq.gui.query_controller.QueryController` as the Run button, queries
one demo patient per SOP class with its default template. A query passes when
it ends with a final status, the tree shows the answer and the conformance
report has no FAIL finding. One summary line is printed; failures add a reason.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEventLoop, QTimer

from rpiq.core.archive.demo import DEMO_PATIENTS
from rpiq.core.paths import HOME_ENV
from rpiq.core.templates import RpiSopClass
from rpiq.gui.query_controller import QueryOutcome

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance

    from rpiq.gui.main_window import MainWindow

__all__ = ["SELF_TEST_CASES", "run_self_test", "wait_for"]

WAIT_MS = 30000
#: The demo patient (HOSP-A) whose stored document answers each SOP class.
SELF_TEST_CASES: tuple[tuple[RpiSopClass, str], ...] = (
    (RpiSopClass.GENERAL, DEMO_PATIENTS[0].patient_id),
    (RpiSopClass.BREAST, DEMO_PATIENTS[1].patient_id),
    (RpiSopClass.CARDIAC, DEMO_PATIENTS[2].patient_id),
)


def wait_for(signal: SignalInstance, timeout_ms: int = WAIT_MS) -> list[object]:
    """Run a local event loop until ``signal`` fires; its arguments ([] on timeout)."""
    loop = QEventLoop()
    got: list[object] = []

    def fired(*args: object) -> None:
        got.extend(args or (None,))
        loop.quit()

    signal.connect(fired)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    signal.disconnect(fired)
    return got


def _problem(window: MainWindow, outcome: QueryOutcome) -> str | None:
    """Why one query did not pass, or None."""
    if outcome.failed is not None:
        return outcome.failed.message
    if outcome.done is None or outcome.match is None:
        return "no answer"
    if window.results.model.rowCount() == 0:
        return "the tree is empty"
    fails = tuple(getattr(outcome.report, "fails", ()))
    if fails:
        return f"{len(fails)} FAIL finding(s): {fails[0].message}"
    return None


def _run_case(window: MainWindow, sop: RpiSopClass, patient_id: str) -> str | None:
    panel = window.panel
    panel.patient_id_edit.setText(patient_id)
    panel.issuer_edit.clear()
    panel.sop_combo.setCurrentIndex(panel.sop_combo.findData(sop))
    panel.template_combo.setCurrentIndex(panel.template_combo.findData(sop.default_tid))
    if not panel.run_button.isEnabled():
        return f"Run is disabled: {panel.run_button.toolTip()}"
    QTimer.singleShot(0, panel.trigger_run)
    got = wait_for(window.controller.finished)
    if not got:
        return "timed out"
    outcome = got[0]
    if not isinstance(outcome, QueryOutcome):
        return "no outcome"
    return _problem(window, outcome)


def _run_all(window: MainWindow) -> tuple[list[str], list[str]]:
    demo = window.local.demo
    assert demo is not None
    QTimer.singleShot(0, window.start)
    if not wait_for(demo.ready):
        return [], ["demo set-up: the SCP or the demo profile was not ready"]
    passed: list[str] = []
    failures: list[str] = []
    for sop, patient_id in SELF_TEST_CASES:
        label = f"{sop.label.split()[0]} {sop.default_tid}"
        problem = _run_case(window, sop, patient_id)
        if problem is None:
            passed.append(label)
        else:
            failures.append(f"{label} ({patient_id}): {problem}")
    return passed, failures


def run_self_test() -> int:
    """Run the self-test in the existing QApplication; return the exit code."""
    from rpiq.gui.app import create_main_window
    from rpiq.gui.gc_guard import GcGuard

    started = time.perf_counter()
    previous = os.environ.get(HOME_ENV)
    guard = GcGuard()
    with tempfile.TemporaryDirectory(prefix="rpiq-self-test-") as home:
        window = create_main_window(Path(home), demo=True, start=False)
        try:
            passed, failures = _run_all(window)
        finally:
            window.shutdown()
            window.deleteLater()
            guard.stop()
            if previous is None:
                os.environ.pop(HOME_ENV, None)
            else:
                os.environ[HOME_ENV] = previous
    elapsed = (time.perf_counter() - started) * 1000
    total = len(SELF_TEST_CASES)
    ok = not failures and len(passed) == total
    sys.stdout.write(
        f"self-test: {len(passed)}/{total} queries OK ({', '.join(passed)}) "
        f"in {elapsed:.0f} ms\n"
    )
    for failure in failures:
        sys.stderr.write(f"self-test FAILED: {failure}\n")
    return 0 if ok else 1
