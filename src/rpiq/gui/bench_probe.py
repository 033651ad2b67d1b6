"""Qt-side probes of ``benchmarks/gui_responsiveness.py`` (one per subprocess).

``python -m rpiq.gui.bench_probe MODE [ARG]`` prints one JSON object:

- ``startup T0`` / ``floor T0``: milliseconds from ``T0`` (the parent's
  ``time.time()`` just before it started this interpreter) until the main
  window or a bare ``QMainWindow`` after importing PySide6.QtWidgets and
  pynetdicom (``floor``) is shown and one ``processEvents`` pass (first paint)
  is done. ``startup`` calls :func:`rpiq.gui.app.import_before_qt`,
  creates the QApplication, then :func:`~rpiq.gui.app.prepare_session`,
  :func:`~rpiq.gui.app.create_main_window` and
  :func:`~rpiq.gui.app.show_main_window`, exactly as ``rpiq-gui`` does; it
  also reports ``ready_ms``, until the profiles are loaded and the form is
  usable (loading starts after the first frame), and whether the window
  really received a paint event;
- ``stall``: the longest gap of a 5 ms heartbeat timer, minus 5 ms, while the
  demo window runs 20 queries against its SCP and imports 1000 small files;
- ``tree``: milliseconds from ``ResultsView.show_answer`` of a 1000-item
  answer until the tree has painted its rows on screen: at least one
  ``processEvents`` pass, more until the tree's viewport has received a
  paint event (reported with the number of rows the view shows).

Qt is imported inside the probes so ``floor`` pays only for what it names.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from PySide6.QtWidgets import QApplication, QTreeView, QWidget

    from rpiq.gui.main_window import MainWindow

__all__ = ["main"]

HEARTBEAT_MS = 5
PAINT_WAIT_S = 5.0
QUERIES = 20
IMPORT_FILES = 1000
TREE_ITEMS = 1000
SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7"


def _emit(result: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()


def _app() -> QApplication:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(["rpiq-bench"])
    assert isinstance(app, QApplication)
    return app


class _Paints:
    """Counts the paint events a widget receives (an event filter)."""

    def __init__(self, widget: QWidget) -> None:
        from PySide6.QtCore import QEvent, QObject

        paint = QEvent.Type.Paint

        class Filter(QObject):
            def __init__(self, counter: _Paints) -> None:
                super().__init__()
                self.counter = counter

            def eventFilter(self, watched: QObject, event: QEvent) -> bool:
                if event.type() == paint:
                    self.counter.count += 1
                return False

        self.count = 0
        self.filter = Filter(self)
        widget.installEventFilter(self.filter)


def probe_startup(t0: float) -> dict[str, object]:
    """Process start (``t0``) to the workstation window shown and painted."""
    from rpiq.gui.app import (
        create_main_window,
        import_before_qt,
        prepare_session,
        show_main_window,
    )

    import_before_qt()
    app = _app()
    with tempfile.TemporaryDirectory(prefix="rpiq-bench-") as home:
        guard = prepare_session(app, Path(home))
        window = create_main_window(Path(home), start=False)
        paints = _Paints(window)
        shown: list[float] = []
        show_main_window(window, lambda: shown.append(time.time()))
        painted = paints.count > 0
        from rpiq.gui.workers import serial_imports

        with serial_imports():  # workers are importing the core meanwhile
            from rpiq.gui.self_test import wait_for

        if not window.profiles_ready:
            wait_for(window.profilesLoaded)
        ready = time.time()
        window.shutdown()
        window.deleteLater()
        guard.stop()
    return {
        "ms": (shown[0] - t0) * 1000,
        "ready_ms": (ready - t0) * 1000,
        "painted": painted,
    }


def probe_floor(t0: float) -> dict[str, object]:
    """Process start to a bare QMainWindow shown (PySide6 + pynetdicom imported)."""
    import pynetdicom  # noqa: F401  — the floor pays for the network stack too
    from PySide6.QtWidgets import QApplication, QMainWindow

    _app()
    window = QMainWindow()
    window.resize(1360, 860)
    paints = _Paints(window)
    window.show()
    QApplication.processEvents()
    return {"ms": (time.time() - t0) * 1000, "painted": paints.count > 0}


def write_instances(folder: Path, count: int = IMPORT_FILES) -> None:
    """``count`` minimal Secondary Capture files (50 patients) into ``folder``."""
    from pydicom import dcmwrite
    from pydicom.dataset import Dataset, FileMetaDataset
    from pydicom.uid import UID, ExplicitVRLittleEndian, generate_uid

    study = generate_uid()
    for index in range(count):
        ds = Dataset()
        ds.SOPClassUID = SECONDARY_CAPTURE
        ds.SOPInstanceUID = generate_uid()
        ds.StudyInstanceUID = study if index % 20 else generate_uid()
        ds.SeriesInstanceUID = generate_uid()
        ds.PatientName = f"BENCH^P{index % 50:03d}"
        ds.PatientID = f"BENCH-{index % 50:03d}"
        ds.PatientBirthDate = "19700101"
        ds.PatientSex = "O"
        ds.Modality = "OT"
        ds.ConversionType = "WSD"
        ds.StudyDate = "20261122"
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = UID(SECONDARY_CAPTURE)
        meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds.file_meta = meta
        dcmwrite(folder / f"sc{index:04d}.dcm", ds, enforce_file_format=True)


class _Heartbeat:
    """A 5 ms repeating timer recording the longest gap between its ticks."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.max_gap = 0.0
        self.ticks = 0
        self._last = 0.0
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(HEARTBEAT_MS)
        self.timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._last = time.perf_counter()
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.max_gap = max(self.max_gap, now - self._last)
        self._last = now
        self.ticks += 1

    def stop(self) -> float:
        """Stop; the longest stall in ms (longest gap minus the interval)."""
        self.timer.stop()
        self._tick()
        return max(self.max_gap * 1000 - HEARTBEAT_MS, 0.0)


def _run_queries(window: MainWindow, count: int) -> list[str]:
    from PySide6.QtCore import QTimer

    from rpiq.gui.query_controller import QueryOutcome
    from rpiq.gui.self_test import SELF_TEST_CASES, wait_for

    panel = window.panel
    problems: list[str] = []
    for index in range(count):
        sop, patient_id = SELF_TEST_CASES[index % len(SELF_TEST_CASES)]
        panel.patient_id_edit.setText(patient_id)
        panel.issuer_edit.clear()
        panel.sop_combo.setCurrentIndex(panel.sop_combo.findData(sop))
        panel.template_combo.setCurrentIndex(
            panel.template_combo.findData(sop.default_tid)
        )
        QTimer.singleShot(0, panel.trigger_run)
        got = wait_for(window.controller.finished)
        outcome = got[0] if got else None
        if not isinstance(outcome, QueryOutcome) or outcome.match is None:
            problems.append(f"query {index + 1}: no answer")
    return problems


def _describe(imported: list[object]) -> str:
    from rpiq.core.archive import ImportSummary

    if not imported:
        return "import did not finish"
    result = imported[0]
    if isinstance(result, ImportSummary):
        return f"{result.stored}/{result.files} stored in {result.seconds:.1f} s"
    return f"import failed: {result}"


def probe_stall() -> dict[str, object]:
    """Longest heartbeat stall during 20 demo queries and a 1000-file import."""
    from rpiq.gui.app import create_main_window
    from rpiq.gui.gc_guard import GcGuard
    from rpiq.gui.self_test import wait_for

    _app()
    guard = GcGuard()
    with (
        tempfile.TemporaryDirectory(prefix="rpiq-bench-") as home,
        tempfile.TemporaryDirectory(prefix="rpiq-bench-files-") as files,
    ):
        write_instances(Path(files))
        window = create_main_window(Path(home), demo=True, start=False)
        imported: list[object] = []
        window.local.controller.importFinished.connect(imported.append)
        window.show()
        demo = window.local.demo
        assert demo is not None
        window.start()
        if not wait_for(demo.ready):
            return {"error": "demo set-up did not finish"}
        controller = window.local.controller
        beat = _Heartbeat()
        beat.start()
        started = time.perf_counter()
        if not window.local.panel.import_paths([Path(files)]):
            return {"error": "the import did not start"}
        problems = _run_queries(window, QUERIES)
        queries_ms = (time.perf_counter() - started) * 1000
        if controller.importing:
            wait_for(controller.importFinished, 120000)
        total_ms = (time.perf_counter() - started) * 1000
        stall = beat.stop()
        window.shutdown()
        window.deleteLater()
    guard.stop()
    return {
        "stall_ms": stall,
        "ticks": beat.ticks,
        "queries_ms": queries_ms,
        "total_ms": total_ms,
        "import": _describe(imported),
        "problems": problems,
    }


def _shown_rows(tree: QTreeView) -> int:
    """Rows the tree shows (expanded), scrolled into view or not."""
    count = 0
    index = tree.model().index(0, 0)
    while index.isValid():
        count += 1
        index = tree.indexBelow(index)
    return count


def probe_tree() -> dict[str, object]:
    """Show a 1000-item answer in the results view; median and max of 5 runs."""
    from PySide6.QtWidgets import QApplication

    from rpiq.core.query.events import PatientSummary
    from rpiq.core.sr.encode import encode_root
    from rpiq.core.sr.samples import sized_tree
    from rpiq.gui.app import create_main_window

    _app()
    root = sized_tree(TREE_ITEMS)
    identifier = encode_root(root)
    identifier.PatientID = "BENCH-TREE"
    identifier.PatientName = "BENCH^TREE"
    patient = PatientSummary.from_identifier(identifier)
    times: list[float] = []
    with tempfile.TemporaryDirectory(prefix="rpiq-bench-") as home:
        window = create_main_window(Path(home))
        window.show()
        QApplication.processEvents()
        results = window.results
        paints = _Paints(results.tree.viewport())
        painted = True
        for _ in range(5):
            results.clear_answer()
            QApplication.processEvents()
            before = paints.count
            start = time.perf_counter()
            results.show_answer(root, identifier, patient, None)
            QApplication.processEvents()
            # Not done until the rows are on screen: paint events may need
            # another pass on some platforms.
            while paints.count == before and time.perf_counter() - start < PAINT_WAIT_S:
                QApplication.processEvents()
            times.append((time.perf_counter() - start) * 1000)
            painted = painted and paints.count > before
        rows = _shown_rows(results.tree)
        window.shutdown()
        window.deleteLater()
    times.sort()
    return {
        "tree_ms": times[len(times) // 2],
        "max_ms": times[-1],
        "rows": rows,
        "painted": painted,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Run one probe (see the module docstring); print its JSON result."""
    args = list(sys.argv[1:] if argv is None else argv)
    mode = args[0] if args else ""
    if mode == "startup":
        _emit(probe_startup(float(args[1])))
    elif mode == "floor":
        _emit(probe_floor(float(args[1])))
    elif mode == "stall":
        _emit(probe_stall())
    elif mode == "tree":
        _emit(probe_tree())
    else:
        sys.stderr.write("usage: bench_probe startup|floor T0 | stall | tree\n")
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
