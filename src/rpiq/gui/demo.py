"""DemoMode: ``rpiq gui --demo`` — seeded archive, running SCP, a ready profile.

On start the archive is opened and, when empty, seeded with the synthetic
demo patients (worker); then the SCP starts on a free loopback port. Once the
SCP runs *and* the window has loaded the profiles, the profile
:data:`~rpiq.core.demo_setup.DEMO_PROFILE_NAME` is created or updated for that
port (worker), selected, and a demo Patient ID is filled in: Run works at once.
When the SCP is restarted (port 0 again: a new port), the profile follows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from rpiq.core.demo_setup import (
    DEMO_PATIENT_ID,
    DEMO_PROFILE_NAME,
    demo_scp_settings,
    save_demo_profile,
)
from rpiq.gui.workers import run_in_background

if TYPE_CHECKING:
    from rpiq.core.demo_setup import OpenedArchive
    from rpiq.core.profiles import AEProfile
    from rpiq.gui.main_window import MainWindow
    from rpiq.gui.scp_controller import ScpController, ScpState
    from rpiq.gui.scp_panel import ScpPanel

__all__ = ["DemoMode"]


class DemoMode(QObject):
    """Drives the demo set-up; :attr:`ready` carries the selected profile."""

    ready = Signal(object)  # AEProfile
    failed = Signal(str)

    def __init__(
        self, window: MainWindow, controller: ScpController, panel: ScpPanel
    ) -> None:
        super().__init__(window)
        self.window = window
        self.controller = controller
        self.panel = panel
        self.address: tuple[str, int] | None = None
        self.profile: AEProfile | None = None
        self._saving = False
        self._saved: tuple[str, int] | None = None
        controller.archiveReady.connect(self._on_archive)
        controller.archiveFailed.connect(self._on_failed)
        controller.stateChanged.connect(self._on_state)
        window.profilesLoaded.connect(self._maybe_save_profile)

    def start(self) -> None:
        """Open (and seed) the archive; the rest follows from the signals."""
        self.window.notify("Demo: preparing the local archive…")
        self.controller.open_archive(seed_demo_if_empty=True)

    def _on_archive(self, opened: OpenedArchive) -> None:
        if opened.seeded:
            self.window.notify(f"Demo: stored {opened.seeded} synthetic instances.")
        if self.address is None and self.controller.state.idle:
            self.panel.start(demo_scp_settings())

    def _on_state(self, state: ScpState) -> None:
        if state.running:
            self.address = (state.host, state.port)
            self._maybe_save_profile()
        elif state.message and self.address is None:
            self._on_failed(f"Demo: the SCP did not start. {state.message}")

    def _maybe_save_profile(self) -> None:
        address = self.address
        if address is None or address == self._saved or self._saving:
            return
        if not self.window.profiles_ready:
            return
        self._saving = True
        store = self.window.profiles
        host, port = address
        ae_title = self.controller.state.ae_title or demo_scp_settings().ae_title
        run_in_background(
            lambda: save_demo_profile(store, host, port, ae_title),
            self._on_saved,
            lambda exc: self._on_failed(f"Demo: cannot save the demo profile: {exc}"),
        )

    def _on_saved(self, profile: AEProfile) -> None:
        self._saving = False
        self._saved = (profile.host, profile.port)
        first = self.profile is None
        self.profile = profile
        if first:
            self._select(profile)
        else:
            self.window.notify(
                f"Demo: profile “{DEMO_PROFILE_NAME}” now points at "
                f"{profile.host}:{profile.port}."
            )
        self.ready.emit(profile)
        self._maybe_save_profile()  # the SCP may have moved again meanwhile

    def _select(self, profile: AEProfile) -> None:
        form = self.window.panel
        form.set_profiles(self.window.profiles.names(), current=DEMO_PROFILE_NAME)
        if not form.patient_id_edit.text().strip():
            form.patient_id_edit.setText(DEMO_PATIENT_ID)
        self.window.notify(
            f"Demo ready: profile “{DEMO_PROFILE_NAME}” queries the local SCP at "
            f"{profile.host}:{profile.port}. Press Run (Ctrl+Return)."
        )

    def _on_failed(self, message: str) -> None:
        self._saving = False
        self.window.notify(message, ok=False)
        self.failed.emit(message)
