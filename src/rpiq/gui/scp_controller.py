"""ScpController: the local archive and the embedded SCP, driven from the GUI.

Every blocking call runs on a worker: opening (and, in demo mode, seeding)
the archive, ``ScpService.start``/``stop``, listing patients and importing
files. The SCP's events come through :class:`ScpBridge`; stored instances
schedule a (debounced) refresh of the patients table. All signals are
delivered on the GUI thread. The archive and SCP modules are imported by
the workers that open the archive and on the first start, not with the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from rpiq.gui.import_worker import ImportJob
from rpiq.gui.scp_bridge import ScpBridge
from rpiq.gui.workers import run_in_background, serial_imports

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

    from rpiq.core.archive import Archive, ImportSummary, PatientSummary
    from rpiq.core.demo_setup import OpenedArchive
    from rpiq.core.scp import ScpService, ScpSettings

__all__ = ["Phase", "ScpController", "ScpState"]

REFRESH_DELAY_MS = 300
STOP_TIMEOUT_S = 5.0
SHUTDOWN_STOP_TIMEOUT_S = 2.0


class Phase(StrEnum):
    """Where the SCP is in its life cycle."""

    STOPPED = "Stopped"
    STARTING = "Starting…"
    RUNNING = "Running"
    STOPPING = "Stopping…"


@dataclass(frozen=True, slots=True)
class ScpState:
    """What the state indicator shows."""

    phase: Phase
    host: str = ""
    port: int = 0
    ae_title: str = ""
    tls: bool = False
    faults: str | None = None
    message: str = ""

    @property
    def running(self) -> bool:
        """True while the SCP accepts associations."""
        return self.phase is Phase.RUNNING

    @property
    def idle(self) -> bool:
        """True when it can be started."""
        return self.phase is Phase.STOPPED


class ScpController(QObject):
    """Owns the archive, the SCP service, the bridge and the running import."""

    stateChanged = Signal(object)  # ScpState
    archiveReady = Signal(object)  # OpenedArchive
    archiveFailed = Signal(str)
    patientsChanged = Signal(object)  # list[PatientSummary]
    eventLogged = Signal(object)  # ScpEvent
    importStarted = Signal(object)  # ImportJob
    importFinished = Signal(object)  # ImportSummary or Exception

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.bridge = ScpBridge(self)
        self.bridge.event_received.connect(self._on_event)
        self.archive: Archive | None = None
        self.state = ScpState(Phase.STOPPED)
        self.patients: list[PatientSummary] = []
        self.job: ImportJob | None = None
        self._service: ScpService | None = None
        self._settings: ScpSettings | None = None
        self._refreshing = False
        self._refresh_again = False
        self._shutting_down = False
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_DELAY_MS)
        self._refresh_timer.timeout.connect(self.refresh_patients)

    # ------------------------------------------------------------- archive
    def open_archive(
        self, root: Path | None = None, *, seed_demo_if_empty: bool = False
    ) -> None:
        """Open the archive on a worker (seeding the demo into an empty one)."""

        def work() -> OpenedArchive:
            with serial_imports():
                from rpiq.core.demo_setup import open_archive

            return open_archive(root, seed_demo_if_empty=seed_demo_if_empty)

        run_in_background(work, self._on_archive, self._on_archive_error)

    def _on_archive(self, opened: OpenedArchive) -> None:
        self.archive = opened.archive
        self.archiveReady.emit(opened)
        self.refresh_patients()

    def _on_archive_error(self, exc: Exception) -> None:
        self.archiveFailed.emit(f"The local archive cannot be opened: {exc}")

    def refresh_patients(self) -> None:
        """List the archive's patients on a worker (coalesces repeated calls)."""
        archive = self.archive
        if archive is None or self._shutting_down:
            return
        if self._refreshing:
            self._refresh_again = True
            return
        self._refreshing = True
        run_in_background(archive.patients, self._on_patients, self._on_list_error)

    def _on_patients(self, patients: list[PatientSummary]) -> None:
        self._refreshing = False
        self.patients = patients
        self.patientsChanged.emit(patients)
        if self._refresh_again:
            self._refresh_again = False
            self.refresh_patients()

    def _on_list_error(self, exc: Exception) -> None:
        self._refreshing = False
        self.archiveFailed.emit(f"Cannot list the archive's patients: {exc}")

    # ------------------------------------------------------------- SCP
    def start(self, settings: ScpSettings) -> bool:
        """Start the SCP on a worker; False when not possible now."""
        archive = self.archive
        if archive is None or not self.state.idle or self._shutting_down:
            return False
        with serial_imports():
            from rpiq.core.scp import ScpService

        service = ScpService(settings, archive, self.bridge.deliver)
        self._service, self._settings = service, settings
        self._set_state(ScpState(Phase.STARTING, ae_title=settings.ae_title))
        run_in_background(service.start, self._on_started, self._on_start_failed)
        return True

    def _on_started(self, address: tuple[str, int]) -> None:
        settings = self._settings
        assert settings is not None
        faults = settings.faults.describe() if settings.faults.active else None
        host, port = address
        self._set_state(
            ScpState(
                Phase.RUNNING,
                host,
                port,
                settings.ae_title,
                settings.tls is not None,
                faults,
            )
        )
        if self._shutting_down:
            self.stop(SHUTDOWN_STOP_TIMEOUT_S)

    def _on_start_failed(self, exc: Exception) -> None:
        self._service = None
        self._set_state(ScpState(Phase.STOPPED, message=f"Cannot start: {exc}"))

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> bool:
        """Stop the SCP on a worker (bounded by ``timeout``); False if not running."""
        service = self._service
        if service is None or not self.state.running:
            return False
        self._set_state(ScpState(Phase.STOPPING, ae_title=self.state.ae_title))
        run_in_background(
            lambda: service.stop(timeout), self._on_stopped, self._on_stop_failed
        )
        return True

    def _on_stopped(self, _result: object) -> None:
        self._service = None
        self._set_state(ScpState(Phase.STOPPED))

    def _on_stop_failed(self, exc: Exception) -> None:
        self._service = None
        self._set_state(
            ScpState(Phase.STOPPED, message=f"Stopped with an error: {exc}")
        )

    def _set_state(self, state: ScpState) -> None:
        self.state = state
        self.stateChanged.emit(state)

    def _on_event(self, event: object) -> None:
        from rpiq.core.scp import InstanceStored  # loaded: the SCP sent this

        self.eventLogged.emit(event)
        if isinstance(event, InstanceStored):
            self._refresh_timer.start()

    # ------------------------------------------------------------- import
    def import_paths(self, paths: Iterable[Path]) -> ImportJob | None:
        """Import files/folders on a worker; None if busy or no archive."""
        archive = self.archive
        if archive is None or self.importing or self._shutting_down:
            return None
        job = ImportJob(archive, paths, self)
        job.finished.connect(self._on_import_done)
        job.progressed.connect(self._on_import_progress)
        job.failed.connect(self._on_import_done)
        self.job = job
        self.importStarted.emit(job)
        job.start()
        return job

    @property
    def importing(self) -> bool:
        """True while an import runs."""
        return self.job is not None and self.job.running

    def cancel_import(self) -> None:
        """Cancel the running import (no-op when idle)."""
        if self.job is not None:
            self.job.cancel()

    def _on_import_progress(self, _progress: object) -> None:
        # Show imported patients as they arrive (at most every REFRESH_DELAY_MS).
        if not self._refresh_timer.isActive():
            self._refresh_timer.start()

    def _on_import_done(self, result: ImportSummary | Exception) -> None:
        job, self.job = self.job, None
        self.importFinished.emit(result)
        if job is not None:
            job.deleteLater()
        self.refresh_patients()

    # ------------------------------------------------------------- closing
    def begin_shutdown(self) -> None:
        """Cancel the import and stop the SCP (both on workers; await them)."""
        self._shutting_down = True
        self._refresh_timer.stop()
        self.cancel_import()
        self.stop(SHUTDOWN_STOP_TIMEOUT_S)
