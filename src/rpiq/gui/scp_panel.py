"""ScpPanel: the local archive and its embedded RPI SCP, in one dock.

Top: the state indicator, Start/Stop, and — whenever fault injection is on —
a warning banner. Below, side by side: the archive's patients with Import
files…/Import folder… (or drop files onto the panel), and tabs with the live
event log and the settings (listener, TLS, faults). Blocking work goes
through the :class:`~rpiq.gui.scp_controller.ScpController`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from rpiq.core.status import Category
from rpiq.gui.import_bar import ImportBar
from rpiq.gui.patients_table import PatientsTable
from rpiq.gui.scp_controller import Phase, ScpController, ScpState
from rpiq.gui.scp_form import ScpSettingsForm, problem_label
from rpiq.gui.scp_log import ScpEventLog
from rpiq.gui.status_style import badge_style, badge_stylesheet

if TYPE_CHECKING:
    from PySide6.QtCore import QMimeData
    from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDropEvent

    from rpiq.core.archive import ImportSummary, PatientSummary
    from rpiq.core.demo_setup import OpenedArchive
    from rpiq.core.scp import FaultInjection, ScpSettings
    from rpiq.gui.import_worker import ImportJob

__all__ = ["ScpPanel"]

_WARNING_STYLE = (
    "QLabel { background-color: #f9a825; color: #000000; font-weight: bold;"
    " border-radius: 4px; padding: 4px 8px; }"
)
_DROP_STYLE = "ScpPanel { border: 2px dashed #0d47a1; }"
_ERROR_COLOUR = "#b00020"
_ERROR_STYLE = f"color: {_ERROR_COLOUR};"


def _badge(state: ScpState) -> tuple[str, Category | None, bool]:
    """Text, category and busy flag of the state badge."""
    if state.phase is Phase.RUNNING:
        if state.faults:
            return "Running — faults on", Category.WARNING, False
        return "Running", Category.SUCCESS, False
    if state.phase in (Phase.STARTING, Phase.STOPPING):
        return state.phase.value, None, True
    return "Stopped", None, False


def _detail(state: ScpState) -> str:
    if state.phase is Phase.RUNNING:
        tls = " with TLS" if state.tls else ""
        return f"Listening on {state.host}:{state.port} as {state.ae_title}{tls}"
    if state.phase is Phase.STARTING:
        return f"Starting {state.ae_title}…"
    if state.phase is Phase.STOPPING:
        return "Closing the listening socket and open associations…"
    return "Not listening. Press Start to serve the archive to RPI SCUs."


def local_paths(mime: QMimeData) -> list[Path]:
    """The local files and folders of a drag (empty if any URL is remote)."""
    if not mime.hasUrls():
        return []
    urls = mime.urls()
    if not urls or not all(url.isLocalFile() for url in urls):
        return []
    return [Path(url.toLocalFile()) for url in urls]


class ScpPanel(QWidget):
    """The SCP dock's widget; :attr:`patientActivated` fills the query form."""

    patientActivated = Signal(str, object)  # Patient ID, issuer or None

    def __init__(self, controller: ScpController, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("scpPanel")
        self.controller = controller
        self.setAcceptDrops(True)
        self._build_header()
        self.form = ScpSettingsForm()
        self.problem = problem_label()
        self.patients = PatientsTable()
        self.import_bar = ImportBar()
        self.log = ScpEventLog()
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("scpSplitter")
        self.form.insertTab(0, self.log, "Event log")
        self.form.setCurrentIndex(0)
        self.splitter.addWidget(self._patients_column())
        self.splitter.addWidget(self._column(self.form, self.problem))
        self.splitter.setStretchFactor(0, 5)
        self.splitter.setStretchFactor(1, 4)
        self.splitter.setSizes([560, 440])
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(self.header)
        layout.addWidget(self.fault_warning)
        layout.addWidget(self.message)
        layout.addWidget(self.splitter, 1)
        self._connect()
        self.import_bar.set_available(False)
        # The form is validated once the archive is open (Start is disabled
        # until then): validating imports the SCP package, which the first
        # frame does not need. Its default settings are valid.
        self.show_state(controller.state)

    # ------------------------------------------------------------- building
    def _build_header(self) -> None:
        self.state_badge = QLabel()
        self.state_badge.setObjectName("scpStateBadge")
        self.state_label = QLabel()
        self.state_label.setObjectName("scpStateLabel")
        self.state_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
        )
        self.start_button = QPushButton("Start")
        self.start_button.setObjectName("scpStartButton")
        self.start_button.setToolTip("Start the local RPI SCP (F9)")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setObjectName("scpStopButton")
        self.stop_button.setToolTip("Stop the local RPI SCP (F9)")
        self.header = QHBoxLayout()
        self.header.addWidget(self.state_badge)
        self.header.addWidget(self.state_label, 1)
        self.header.addWidget(self.start_button)
        self.header.addWidget(self.stop_button)
        self.fault_warning = QLabel()
        self.fault_warning.setObjectName("scpFaultWarning")
        self.fault_warning.setWordWrap(True)
        self.fault_warning.setStyleSheet(_WARNING_STYLE)
        self.fault_warning.hide()
        self.message = QLabel()
        self.message.setObjectName("scpMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(_ERROR_STYLE)
        self.message.hide()

    @staticmethod
    def _column(*widgets: QWidget) -> QWidget:
        column = QWidget()
        layout = QVBoxLayout(column)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in widgets:
            layout.addWidget(widget)
        return column

    def _patients_column(self) -> QWidget:
        self.archive_title = QLabel("<b>Archive</b> — opening…")
        self.archive_title.setObjectName("scpArchiveTitle")
        self.refresh_button = QToolButton()
        self.refresh_button.setObjectName("scpRefreshButton")
        self.refresh_button.setText("Refresh")
        self.refresh_button.setToolTip("Read the patient list again")
        self.refresh_button.clicked.connect(self.controller.refresh_patients)
        top = QHBoxLayout()
        top.addWidget(self.archive_title, 1)
        top.addWidget(self.refresh_button)
        column = QWidget()
        layout = QVBoxLayout(column)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.patients, 1)
        layout.addWidget(self.import_bar)
        return column

    def _connect(self) -> None:
        c = self.controller
        c.stateChanged.connect(self.show_state)
        c.archiveReady.connect(self._on_archive)
        c.archiveFailed.connect(self.show_message)
        c.patientsChanged.connect(self._on_patients)
        c.eventLogged.connect(self.log.append_event)
        c.importStarted.connect(self._on_import_started)
        c.importFinished.connect(self._on_import_finished)
        self.start_button.clicked.connect(lambda: self.start())
        self.stop_button.clicked.connect(self.stop)
        self.form.changed.connect(self._on_form_changed)
        self.form.faultsChanged.connect(self._show_faults)
        self.import_bar.pathsChosen.connect(self.import_paths)
        self.import_bar.cancelRequested.connect(c.cancel_import)
        self.patients.patientActivated.connect(self.patientActivated)

    # ------------------------------------------------------------- SCP
    def start(self, settings: ScpSettings | None = None) -> bool:
        """Start with ``settings`` (shown in the form) or the form's own."""
        if settings is not None:
            self.form.load(settings)
        problems = self.form.problems()
        if problems:
            self._show_problem(problems[0].message)
            return False
        self.message.hide()
        return self.controller.start(self.form.settings())

    def stop(self) -> bool:
        """Stop the SCP (on a worker)."""
        return self.controller.stop()

    def toggle(self) -> None:
        """Start when stopped, stop when running (F9)."""
        if self.controller.state.running:
            self.stop()
        elif self.controller.state.idle:
            self.start()

    def show_state(self, state: ScpState) -> None:
        """Badge, detail line, buttons and form lock for ``state``."""
        text, category, busy = _badge(state)
        self.state_badge.setText(text)
        self.state_badge.setStyleSheet(
            badge_stylesheet(badge_style(category, busy=busy))
        )
        self.state_label.setText(_detail(state))
        ready = self.controller.archive is not None
        self.start_button.setEnabled(state.idle and ready and not self.form.problems())
        self.stop_button.setEnabled(state.running)
        self.form.set_locked(not state.idle)
        if state.message:
            self.show_message(state.message)
        if state.phase is Phase.RUNNING:
            self._show_faults(self.form.faults() if state.faults else None)

    def show_message(self, text: str) -> None:
        """An error for the user, above the columns."""
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _show_problem(self, text: str) -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    def _on_form_changed(self) -> None:
        problems = self.form.problems()
        self._show_problem(problems[0].message if problems else "")
        state = self.controller.state
        ready = self.controller.archive is not None
        self.start_button.setEnabled(state.idle and ready and not problems)

    def _show_faults(self, faults: FaultInjection | None) -> None:
        if faults is None:
            self.fault_warning.hide()
            return
        what = faults.describe() if faults.active else "no fault chosen yet"
        self.fault_warning.setText(
            "⚠ FAULT INJECTION IS ON — this SCP deliberately misbehaves "
            f"({what}). For testing SCUs only; never use it as a real archive."
        )
        self.fault_warning.show()

    # ------------------------------------------------------------- archive
    def _on_archive(self, opened: OpenedArchive) -> None:
        self.archive_title.setText(f"<b>Archive</b> — {opened.archive.root}")
        self.archive_title.setToolTip(str(opened.archive.root))
        self.import_bar.set_available(not self.controller.importing)
        self._on_form_changed()
        self.show_state(self.controller.state)

    def _on_patients(self, patients: list[PatientSummary]) -> None:
        self.patients.set_patients(patients)
        root = self.controller.archive.root if self.controller.archive else ""
        self.archive_title.setText(f"<b>Archive</b> — {len(patients)} patient(s)")
        self.archive_title.setToolTip(str(root))

    # ------------------------------------------------------------- import
    def import_paths(self, paths: list[Path]) -> bool:
        """Import ``paths`` on a worker; False if not possible now."""
        if not paths:
            return False
        job = self.controller.import_paths(paths)
        if job is None:
            self.show_message(
                "An import is already running (or the archive is closed)."
            )
            return False
        return True

    def _on_import_started(self, job: ImportJob) -> None:
        paths = job.paths
        what = paths[0].name if len(paths) == 1 else f"{len(paths)} items"
        job.progressed.connect(self.import_bar.show_progress)
        self.import_bar.begin(what)

    def _on_import_finished(self, result: ImportSummary | Exception) -> None:
        self.import_bar.finish(result)
        if isinstance(result, Exception):
            self.log.append_line(f"import failed: {result}", _ERROR_COLOUR)
        else:
            self.log.append_line(f"import: {result.text()}")

    # ------------------------------------------------------------- drops
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """Accept local files and folders while the archive can import."""
        if local_paths(event.mimeData()) and self._can_import():
            event.acceptProposedAction()
            self.setStyleSheet(_DROP_STYLE)
        else:
            event.ignore()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        """Remove the drop highlight."""
        self.setStyleSheet("")
        event.accept()

    def dropEvent(self, event: QDropEvent) -> None:
        """Import the dropped files and folders."""
        self.setStyleSheet("")
        paths = local_paths(event.mimeData())
        if paths and self._can_import():
            event.acceptProposedAction()
            self.import_paths(paths)
        else:
            event.ignore()

    def _can_import(self) -> bool:
        return self.controller.archive is not None and not self.controller.importing
