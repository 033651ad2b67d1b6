"""MainWindow: query dock, results, history dock, menus and status bar.

The window wires the pieces together and owns no DICOM logic: requests are
validated by the core, queries run in :class:`QueryController`, stores are the
core's, and every disk operation runs on a worker. Docks sit on the left
(:meth:`add_dock`); the local archive and SCP dock (:class:`ScpDock`) sits
at the bottom.

Start-up matters (``benchmarks/gui_responsiveness.py``): the window imports
only what its first frame shows. Dialogs, exports, the query engine and the
SR model load on first use, mostly on worker threads, and :meth:`start` (the
first workers, and so superqt) runs after the first paint
(:func:`rpiq.gui.app.show_main_window`).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDockWidget,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QWidget,
)

from rpiq.core.errors import ValidationError
from rpiq.gui.answer import Answer, ConformanceChecked
from rpiq.gui.export_actions import AnswerExporter
from rpiq.gui.history_actions import HistoryActions
from rpiq.gui.main_actions import MainActions
from rpiq.gui.qt_settings import restore_layout, save_layout
from rpiq.gui.query_controller import QueryController, QueryOutcome
from rpiq.gui.query_panel import QueryPanel
from rpiq.gui.replay_launcher import ReplayLauncher
from rpiq.gui.results_view import ResultsView
from rpiq.gui.scp_dock import ScpDock
from rpiq.gui.sr_save import SrSaver
from rpiq.gui.workers import await_workers, run_in_background

if TYPE_CHECKING:
    from PySide6.QtGui import QCloseEvent

    from rpiq.core.history import HistoryStore
    from rpiq.core.profiles import LoadResult, ProfileStore
    from rpiq.core.query.events import Match
    from rpiq.core.query.request import QueryRequest

__all__ = ["APP_TITLE", "MainWindow"]

APP_TITLE = "RPIQ Workstation — Relevant Patient Information Query"
STATUS_TIMEOUT_MS = 8000
SHUTDOWN_WAIT_MS = 3000


class MainWindow(QMainWindow):
    """The workstation window.

    Parameters
    ----------
    profiles, history : ProfileStore, HistoryStore
        Core stores (loaded on a worker by :meth:`start`).
    controller : QueryController, optional
        Injected in tests; a default one runs the real engine.
    demo : bool
        Demo mode: seed the archive, start the SCP, select its profile.
    """

    profilesLoaded = Signal()

    def __init__(
        self,
        profiles: ProfileStore,
        history: HistoryStore,
        controller: QueryController | None = None,
        *,
        demo: bool = False,
    ) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_TITLE)
        self.profiles = profiles
        self.controller = controller or QueryController(parent=self)
        self.answer: Answer | None = None
        self._running: tuple[str, QueryRequest] | None = None
        self.load_warnings: tuple[str, ...] = ()
        self.profiles_ready = False
        self.panel = QueryPanel()
        self.results = ResultsView()
        self.setCentralWidget(self.results)
        self.query_dock = self.add_dock("Query", "queryDock", self.panel)
        self.panel.setMinimumWidth(340)
        self.history = HistoryActions(self, history)
        self.add_dock_widget(self.history.dock)
        self.splitDockWidget(
            self.query_dock, self.history.dock, Qt.Orientation.Vertical
        )
        self.resizeDocks(
            [self.query_dock, self.history.dock], [340, 460], Qt.Orientation.Vertical
        )
        self.local = ScpDock(self, demo=demo)
        self.sr_saver = SrSaver(self, self.local.controller, self.notify)
        self.replays = ReplayLauncher(self)
        self.exporter = AnswerExporter(self, self.notify)
        self.actions_ = MainActions(self)
        self.progress = QProgressBar()
        self.progress.setObjectName("busyIndicator")
        self.progress.setRange(0, 0)
        self.progress.setMaximumWidth(140)
        self.progress.hide()
        self.statusBar().addPermanentWidget(self.progress)
        self._connect()
        self.resize(1360, 860)
        restore_layout(self, {"results": self.results.splitter})
        self.update_actions()

    # ------------------------------------------------------------- layout
    def add_dock(self, title: str, name: str, widget: QWidget) -> QDockWidget:
        """Put ``widget`` in a new dock on the left; return the dock."""
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.add_dock_widget(dock)
        return dock

    def add_dock_widget(self, dock: QDockWidget) -> None:
        """Add an existing dock on the left (movable, closable, floatable)."""
        dock.setAllowedAreas(
            Qt.DockWidgetArea.LeftDockWidgetArea
            | Qt.DockWidgetArea.RightDockWidgetArea
            | Qt.DockWidgetArea.BottomDockWidgetArea
        )
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)

    def _connect(self) -> None:
        self.panel.runRequested.connect(self.run_query)
        self.panel.cancelRequested.connect(self.cancel_query)
        self.panel.manageProfilesRequested.connect(self.manage_profiles)
        self.controller.queryEvent.connect(self._on_event)
        self.controller.logLine.connect(self.results.log.append)
        self.controller.busyChanged.connect(self._on_busy)
        self.controller.finished.connect(self._on_finished)
        self.results.log.debugChanged.connect(self._set_debug)

    def _set_debug(self, on: bool) -> None:
        self.controller.debug_log = on

    # ------------------------------------------------------------- start
    def start(self) -> None:
        """Load profiles and history on a worker, then enable the form.

        The query engine is imported on a worker meanwhile (it is not needed
        for the first frame, see the module doc), so the first query starts
        at once.
        """
        self.notify("Loading profiles…")
        store = self.profiles
        run_in_background(store.load, self._on_profiles_loaded, self._on_load_error)
        self.history.load()
        self.local.start()
        self.controller.preload()

    def _on_profiles_loaded(self, result: LoadResult) -> None:
        names = [profile.name for profile in result.profiles]
        self.panel.set_profiles(names)
        self.notify(
            f"{len(names)} profile(s) loaded."
            if names
            else "No profiles yet: click Manage… to add one."
        )
        if result.warnings:
            self.show_warnings("Profiles", result.warnings)
        self.profiles_ready = True
        self.profilesLoaded.emit()

    def _on_load_error(self, exc: Exception) -> None:
        self.notify(f"Could not load profiles: {exc}", ok=False)

    def show_warnings(self, title: str, warnings: tuple[str, ...]) -> None:
        """Show load warnings once: a non-blocking message box and the status bar."""
        self.load_warnings += warnings
        self._warn(title, "\n\n".join(warnings), "loadWarningBox", warnings[0])

    def _warn(self, title: str, text: str, name: str, status: str = "") -> None:
        """A non-blocking warning box named ``name``; the status bar shows ``status``.

        ``status`` defaults to ``text``.
        """
        self.notify(status or text, ok=False)
        box = QMessageBox(
            QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self
        )
        box.setObjectName(name)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    # ------------------------------------------------------------- queries
    def run_query(self, request: QueryRequest) -> None:
        """Run ``request`` against the chosen profile."""
        name = self.panel.profile_name()
        if name is None or self.controller.busy:
            return
        profile = self.profiles.get(name)
        try:
            request = request.preferring(profile.character_set)
        except ValidationError as exc:
            self._warn(
                "Query not sent", f"Profile {profile.name}: {exc}", "queryRefusedBox"
            )
            return
        target = f"{profile.name} ({profile.called_ae}@{profile.host}:{profile.port})"
        self.answer = None
        self._running = (profile.name, request)
        self.results.begin(request, target)
        self.controller.run(profile, request)
        self.update_actions()

    def cancel_query(self) -> None:
        """Cancel the running query (no-op when idle)."""
        if self.controller.busy:
            self.notify("Cancelling: C-CANCEL sent, aborting in 2 s if unanswered…")
            self.controller.cancel()

    def _on_busy(self, busy: bool) -> None:
        self.panel.set_busy(busy)
        self.progress.setVisible(busy)
        self.update_actions()

    def _on_event(self, event: object) -> None:
        # Loaded by then: the query's worker imported the engine.
        from rpiq.core.query.events import Associated, Connecting, Done, Failed, Match

        if isinstance(event, Connecting):
            self.notify(
                f"Connecting to {event.called_ae} at {event.host}:{event.port}…"
            )
        elif isinstance(event, Associated):
            self.notify(
                f"Associated with {event.peer_ae} in {event.elapsed_ms:.0f} ms; "
                "querying…"
            )
        elif isinstance(event, Match):
            self._show_match(event)
        elif isinstance(event, Done):
            self.results.show_done(event, matched=self.answer is not None)
            self.notify(f"Done: {event.status.describe()} ({event.elapsed_ms:.0f} ms)")
        elif isinstance(event, Failed):
            self.results.show_failed(event)
            self.notify(f"Query failed: {event.message}", ok=False)
        elif isinstance(event, ConformanceChecked):
            self.results.show_report(None, event.report)

    def _show_match(self, match: Match) -> None:
        running, request = self._running or ("", None)
        self.results.show_answer(match.root, match.identifier, match.patient, request)
        self.answer = Answer(
            match.root,
            match.identifier,
            match.patient,
            request,
            running,
            datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S"),
            mismatches=self.results.mismatches,
        )

    def _on_finished(self, outcome: QueryOutcome) -> None:
        if self.answer is not None and outcome.done is not None:
            status = outcome.done.status.describe()
            self.answer = Answer(
                self.answer.root,
                self.answer.identifier,
                self.answer.patient,
                outcome.request,
                outcome.profile.name,
                self.answer.received,
                status,
                self.answer.mismatches,
            )
        self.history.record(outcome)
        self.update_actions()

    # ------------------------------------------------------------- dialogs
    def manage_profiles(self) -> None:
        """Open the profile manager; refresh the profile list afterwards."""
        from rpiq.gui.profile_dialog import ProfileDialog

        dialog = ProfileDialog(self.profiles, self.panel.profile_name(), self)
        dialog.exec()
        if dialog.busy:
            await_workers(3000)
        dialog.deleteLater()
        self.panel.set_profiles(self.profiles.names())

    def notify(self, message: str, ok: bool = True) -> None:
        """A status bar message (errors stay longer)."""
        self.statusBar().showMessage(message, STATUS_TIMEOUT_MS * (1 if ok else 3))

    def update_actions(self) -> None:
        """Enable export/print only with an answer; Cancel only while busy."""
        self.actions_.update(
            busy=self.controller.busy, has_answer=self.answer is not None
        )

    def show_reopened(self, answer: Answer, report: object | None) -> None:
        """Show an answer loaded from the history."""
        self.results.clear_answer()
        self.results.show_answer(
            answer.root, answer.identifier, answer.patient, answer.request
        )
        self.results.header.set_status(
            None, "From history", f"Saved answer received {answer.received}."
        )
        self.results.show_report(None, report)
        self.answer = Answer(
            answer.root,
            answer.identifier,
            answer.patient,
            answer.request,
            answer.profile,
            answer.received,
            answer.status,
            self.results.mismatches,
        )
        self.update_actions()

    # ------------------------------------------------------------- closing
    def shutdown(self) -> bool:
        """Cancel queries and imports, stop the SCP; wait at most 3 s in all."""
        if self.controller.busy:
            self.notify("Cancelling the running query…")
        self.controller.cancel()
        self.replays.cancel()
        self.local.begin_shutdown()
        ended = await_workers(SHUTDOWN_WAIT_MS)
        save_layout(self, {"results": self.results.splitter})
        return ended

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing cancels queries and imports and stops the SCP (at most 3 s)."""
        self.shutdown()
        event.accept()
