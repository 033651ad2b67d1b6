"""ScpDock: the local archive and SCP feature of the main window.

Builds the :class:`ScpController` and :class:`ScpPanel`, docks the panel at
the bottom, opens the archive when the window starts (or runs the demo set-up
of :mod:`rpiq.gui.demo`), fills the query form from a double-clicked patient,
and stops everything when the window closes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

from rpiq.gui.scp_controller import ScpController
from rpiq.gui.scp_panel import ScpPanel

if TYPE_CHECKING:
    from rpiq.gui.demo import DemoMode
    from rpiq.gui.main_window import MainWindow

__all__ = ["ScpDock"]

DOCK_TITLE = "Local archive and SCP"


class ScpDock:
    """The SCP dock of ``window``; ``demo`` runs the demo set-up on start."""

    def __init__(self, window: MainWindow, *, demo: bool = False) -> None:
        self.window = window
        self.controller = ScpController(window)
        self.panel = ScpPanel(self.controller)
        self.dock = window.add_dock(DOCK_TITLE, "scpDock", self.panel)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
        # The query and history docks keep the full height on the left; this
        # dock sits under the results.
        window.setCorner(
            Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea
        )
        self.demo: DemoMode | None = None
        if demo:  # the demo set-up (and its imports) only with --demo
            from rpiq.gui.demo import DemoMode

            self.demo = DemoMode(window, self.controller, self.panel)
        self.panel.patientActivated.connect(self.fill_query)

    def start(self) -> None:
        """Open the archive on a worker (the demo also seeds it and starts the SCP)."""
        if self.demo is not None:
            self.demo.start()
        else:
            self.controller.open_archive()

    def fill_query(self, patient_id: str, issuer: str | None) -> None:
        """Put a patient of the archive into the query form."""
        panel = self.window.panel
        panel.patient_id_edit.setText(patient_id)
        panel.issuer_edit.setText(issuer or "")
        panel.patient_id_edit.setFocus()
        self.window.notify(f"Query form filled with patient {patient_id}.")

    def begin_shutdown(self) -> None:
        """Cancel the import and stop the SCP (the window awaits the workers)."""
        self.controller.begin_shutdown()
